/**
 * The line reader under the STARTTLS negotiator (starttls.ts): one socket at a time (plaintext,
 * then a new reader over TLS), each line at most 8 KiB, each reply at most 1000 lines, at most
 * 1 MiB held unread, each phase under its own timeout and all of them under the deadline of the
 * whole check (deadline.ts). Every failure is a NetError naming the step.
 */
import type { Duplex } from 'node:stream';
import { isIPv4, isIPv6 } from 'node:net';
import { shown } from '../display.js';
import { deadlineDetail, stepLimit, type StepClock } from './deadline.js';
import { NetError, type NetErrorKind } from './errors.js';

export interface TranscriptLine {
  dir: 'C' | 'S';
  /** As sent or received, escaped for a terminal with shown(): a server's text may carry escape sequences. */
  line: string;
  /** Whether the line went inside TLS (false: plaintext, readable and forgeable by anyone on the path). */
  tls: boolean;
}

/** Who we talk to, how long each phase (timeoutMs) and the whole check (the deadline) may take, and where the transcript goes. */
export interface Peer extends StepClock {
  host: string;
  port: number;
  /** The EHLO / LHLO argument (see addressLiteral). */
  clientName: string;
  transcript: TranscriptLine[];
}

/** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; IMAP capability lines are longer. 8 KiB is generous for both. */
export const MAX_LINE_BYTES = 8192;
/** No real EHLO, CAPA or Sieve greeting comes near this; a server streaming lines forever hits it. */
export const MAX_LINES_PER_PHASE = 1000;
/** Unread bytes we hold at most; a server that sends more without being asked is not speaking the protocol. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * The EHLO / LHLO argument. We know no FQDN for this machine, so RFC 5321 §4.1.4 asks for an
 * address literal of the connection's local address (§4.1.3: `[192.0.2.1]`, `[IPv6:2001:db8::1]`).
 */
export function addressLiteral(localAddress: string | undefined): string {
  if (localAddress === undefined) return 'localhost';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(localAddress);
  if (mapped?.[1] !== undefined) return `[${mapped[1]}]`;
  if (isIPv4(localAddress)) return `[${localAddress}]`;
  if (isIPv6(localAddress)) return `[IPv6:${localAddress}]`;
  return 'localhost';
}

/**
 * A line reader over one socket (plaintext, then a new one over TLS) with the limits above.
 * It is a class because it guards state: the receive buffer, the one pending read and its timer.
 */
export class LineChannel {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: NetError | undefined;
  private waiter: { resolve: (line: string) => void; reject: (e: NetError) => void; timer: NodeJS.Timeout } | undefined;
  private attached = true;
  private phaseTimeoutMs: number;
  /** When the current phase ends (performance.now() time), and whether --deadline is what ends it. */
  private phaseEnd = 0;
  private endedByDeadline = false;
  private linesLeft = MAX_LINES_PER_PHASE;
  /** The step named in errors: "greeting", "EHLO", "STARTTLS", ... */
  step = 'greeting';

  private readonly onData = (chunk: Buffer): void => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > MAX_BUFFERED_BYTES && this.failure === undefined) {
      this.failure = this.error('protocol', `the server sent more than ${MAX_BUFFERED_BYTES} bytes without being asked`);
    }
    this.pump();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.pump();
  };
  private readonly onError = (err: Error): void => {
    if (this.failure === undefined) this.failure = this.socketError(err);
    this.pump();
  };

  constructor(
    private readonly socket: Duplex,
    private readonly peer: Peer,
    readonly tls: boolean,
  ) {
    this.phaseTimeoutMs = peer.timeoutMs;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    // A stream detect.ts looked at is left paused with the bytes it read put back; attaching a
    // 'data' listener does not resume a stream paused on purpose.
    socket.resume();
  }

  /** The EHLO / LHLO argument of this session. */
  get clientName(): string {
    return this.peer.clientName;
  }

  /** Starts a phase: a new step name, a fresh timeout (cut short by the deadline) and line budget. */
  phase(step: string, timeoutMs = this.peer.timeoutMs): void {
    const limit = stepLimit(this.peer, timeoutMs);
    this.step = step;
    this.phaseTimeoutMs = timeoutMs;
    this.phaseEnd = performance.now() + limit.ms;
    this.endedByDeadline = limit.byDeadline;
    this.linesLeft = MAX_LINES_PER_PHASE;
  }

  send(line: string): void {
    this.peer.transcript.push({ dir: 'C', line, tls: this.tls });
    if (!this.socket.writable) {
      this.failure ??= this.error('closed', 'the server closed the connection');
      return;
    }
    this.socket.write(`${line}\r\n`);
  }

  /** The next line without its CRLF (a bare LF is accepted too). Rejects with a NetError. */
  readLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.waiter !== undefined) {
        reject(this.error('protocol', 'internal: two reads at once'));
        return;
      }
      const timer = setTimeout(
        () => {
          this.settle(this.endedByDeadline ? this.error('deadline', deadlineDetail(this.peer)) : this.error('timeout', `no answer within ${this.phaseTimeoutMs} ms`));
        },
        Math.max(0, this.phaseEnd - performance.now()),
      );
      this.waiter = { resolve, reject, timer };
      this.pump();
    });
  }

  /**
   * Stops reading (listeners off, socket paused) and returns how many received bytes were not
   * consumed as lines: what the buffer holds plus what the stream itself has queued. After a
   * go-ahead line this must be 0 (pitfall 1). Idempotent.
   */
  detach(): number {
    if (this.attached) {
      this.attached = false;
      this.socket.off('data', this.onData);
      this.socket.off('end', this.onEnd);
      this.socket.off('close', this.onEnd);
      this.socket.off('error', this.onError);
      // Removing the 'data' listener does not stop a flowing stream by itself.
      this.socket.pause();
    }
    if (this.waiter !== undefined) this.settle(this.error('closed', 'the conversation was ended'));
    const left = this.buffer.length + this.socket.readableLength;
    this.buffer = Buffer.alloc(0);
    return left;
  }

  error(kind: NetErrorKind, detail: string, cause?: unknown): NetError {
    return new NetError(kind, this.step, this.peer.host, this.peer.port, detail, { cause });
  }

  private pump(): void {
    if (this.waiter === undefined) return;
    const next = this.takeLine();
    if (next !== undefined) this.settle(next);
    else if (this.failure !== undefined) this.settle(this.failure);
    else if (this.ended) this.settle(this.error('closed', 'the server closed the connection'));
  }

  /** A complete line from the buffer, a limit error, or undefined when more bytes are needed. */
  private takeLine(): string | NetError | undefined {
    const lf = this.buffer.indexOf(0x0a);
    if (lf < 0 || lf + 1 > MAX_LINE_BYTES) {
      if (this.buffer.length >= MAX_LINE_BYTES) return this.error('protocol', `a line longer than ${MAX_LINE_BYTES} bytes`);
      return undefined;
    }
    if (--this.linesLeft < 0) return this.error('protocol', `more than ${MAX_LINES_PER_PHASE} lines in one reply`);
    let end = lf;
    if (end > 0 && this.buffer[end - 1] === 0x0d) end--;
    const line = this.buffer.subarray(0, end).toString('utf8');
    this.buffer = this.buffer.subarray(lf + 1);
    this.peer.transcript.push({ dir: 'S', line: shown(line), tls: this.tls });
    return line;
  }

  private settle(result: string | NetError): void {
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    if (typeof result === 'string') w.resolve(result);
    else {
      // The first failure sticks: once a reply is broken the session is over.
      this.failure ??= result;
      w.reject(result);
    }
  }

  private socketError(err: Error): NetError {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'ERR_STREAM_WRITE_AFTER_END' || code === 'ERR_STREAM_DESTROYED') {
      return this.error('closed', 'the server closed the connection', err);
    }
    if (code === 'ETIMEDOUT') return this.error('timeout', `the connection timed out (${code})`, err);
    return this.error('reset', `the connection was reset (${code ?? err.message})`, err);
  }
}
