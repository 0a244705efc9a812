/**
 * `verify --connect`: one connection to a mail server, implicit TLS or STARTTLS (told by the
 * port, by --starttls, or found out: detect.ts), and a report of what the server said and sent:
 * the greeting and capabilities on both sides of TLS, what the session agreed on, the chain as
 * sent, and with `protocols` which TLS versions it still accepts (probe.ts). No verdicts: core/
 * makes those.
 *
 *   const report = await inspectServer({ host: 'mail.example.com', port: 25 });
 *   report.peerChain; // DER, leaf first, exactly as the server sent it
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isIpAddress } from '../codec/ip.js';
import { deadlineDetail, startClock, stepLimit, type StepClock } from './deadline.js';
import { firstBytes, inferProtocol, PLAINTEXT_WAIT_MS } from './detect.js';
import { NetError } from './errors.js';
import { addressLiteral, type TranscriptLine } from './line-channel.js';
import { probeVersions, type VersionProbe } from './probe.js';
import { Negotiator, type MailProtocol } from './starttls.js';
import { closeGracefully, handshake, metPlaintext, openTcp, sentChain, sessionFacts, type SessionFacts } from './transport.js';

export { MAX_CHAIN } from './transport.js';
export type { VersionProbe } from './probe.js';

/** The --starttls values: a protocol to negotiate in plaintext first, or 'none' for implicit TLS. */
export type StartTlsProtocol = MailProtocol | 'none';

export interface InspectOptions {
  host: string;
  port: number;
  /** Omitted: from the port (see planProtocol), or found out on a port mailcert does not know. */
  protocol?: StartTlsProtocol;
  /** The TLS server name (SNI); default: host. */
  servername?: string;
  /** Per phase (connect, each reply, the handshake), not for the whole run. Default 10 s. */
  timeoutMs?: number;
  /**
   * The whole check, every phase included (connect, the plaintext conversation, the handshake,
   * the commands inside TLS, the version probes); unbounded when absent. Passing it is a NetError
   * of kind 'deadline' naming the step it was in; the QUIT and the close after a complete check
   * are only cut short.
   */
  deadlineMs?: number;
  /** Also probe which of TLS 1.0 to 1.3 the server accepts (one more connection per version). */
  protocols?: boolean;
}

export interface ServerReport extends SessionFacts {
  host: string;
  port: number;
  protocol: StartTlsProtocol;
  /** Where the mode and `protocol` came from: the option, a well-known port, or what the server did. */
  protocolSource: 'option' | 'port' | 'detected';
  /** The mail protocol spoken, in plaintext before STARTTLS or inside implicit TLS; none when unknown. */
  application?: MailProtocol;
  mode: 'implicit' | 'starttls';
  /** The SNI sent; absent for an IP literal (RFC 6066 §3 allows only host names). */
  servername?: string;
  /** The first server text: the plaintext greeting with STARTTLS (unauthenticated), or the one inside implicit TLS. */
  greeting?: string;
  /** Capabilities stated inside TLS. */
  capabilities: string[];
  /** STARTTLS: the capabilities stated in plaintext, before TLS (readable and forgeable on the path). */
  capabilitiesBeforeTls?: string[];
  /** STARTTLS: the ways to authenticate offered before TLS (mechanisms, IMAP LOGIN, POP3 USER); [] for none. */
  authBeforeTls?: string[];
  /** Whether the server stapled an OCSP response (RFC 6066 §8) when asked for one, and its size. */
  ocspStapled: boolean;
  ocspBytes?: number;
  transcript: TranscriptLine[];
  /** DER certificates exactly as the server sent them, in its order, leaf first; at most MAX_CHAIN. */
  peerChain: Uint8Array[];
  /** How many certificates the server sent: more than peerChain holds when it sent over MAX_CHAIN. */
  certificatesSent: number;
  /** With `protocols`: one result per TLS version. */
  versions?: VersionProbe[];
  /** connectMs: DNS and TCP; tlsMs: the handshake alone (the plaintext conversation is in neither). */
  timings: { connectMs: number; tlsMs: number };
  /** Things worth saying that are not failures: how the mode was found, no answer inside TLS. */
  notes: string[];
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How long we wait for the QUIT / LOGOUT answer and then for the server to hang up. */
const QUIT_GRACE_MS = 500;
const CLOSE_GRACE_MS = 200;
/**
 * How long a STARTTLS check waits for a TLS 1.3 session ticket before its first command inside
 * TLS. Postfix's comes within a millisecond of the handshake on loopback; waiting saves the
 * 40 ms delayed ACK its answer would otherwise sit behind. A server that sends none costs this.
 */
const TICKET_WAIT_MS = 20;

const STARTTLS_PORTS: ReadonlyMap<number, MailProtocol> = new Map([
  [25, 'smtp'],
  [587, 'smtp'],
  [143, 'imap'],
  [110, 'pop3'],
  [24, 'lmtp'],
  [4190, 'sieve'],
]);
/** Implicit-TLS ports and the protocol spoken inside (RFC 8314 §7.3 for 465, 993, 995). */
const IMPLICIT_PORTS: ReadonlyMap<number, MailProtocol> = new Map([
  [465, 'smtp'],
  [993, 'imap'],
  [995, 'pop3'],
]);

export interface ProtocolPlan {
  /** 'detect': a port mailcert does not know, and no --starttls. */
  protocol: StartTlsProtocol | 'detect';
  source: ServerReport['protocolSource'];
  application?: MailProtocol;
}

/**
 * The protocol for a port (CLI.md): 25/587 smtp, 143 imap, 110 pop3, 24 lmtp, 4190 sieve
 * STARTTLS; 465/993/995 implicit TLS. Any other port without --starttls is found out from what
 * the server does (detect.ts).
 */
export function planProtocol(port: number, protocol?: StartTlsProtocol): ProtocolPlan {
  if (protocol !== undefined) {
    const application = protocol === 'none' ? IMPLICIT_PORTS.get(port) : protocol;
    return application === undefined ? { protocol, source: 'option' } : { protocol, source: 'option', application };
  }
  const starttls = STARTTLS_PORTS.get(port);
  if (starttls !== undefined) return { protocol: starttls, source: 'port', application: starttls };
  const implicit = IMPLICIT_PORTS.get(port);
  if (implicit !== undefined) return { protocol: 'none', source: 'port', application: implicit };
  return { protocol: 'detect', source: 'detected' };
}

/** How long detection waits for a plaintext greeting: short at first; the whole step after a server answered a ClientHello in plaintext. */
type Detect = 'quick' | 'patient';

/**
 * Connects, talks and reports. With `judge`, the report is handed to it as soon as the
 * conversation is over, while the server answers the QUIT / LOGOUT and closes the connection: the
 * checks on the chain run in that time instead of after it (a few ms of every check), and what
 * judge returns is the result, once the connection is closed.
 */
export async function inspectServer(opts: InspectOptions): Promise<ServerReport>;
export async function inspectServer<T>(opts: InspectOptions, judge: (report: ServerReport) => T): Promise<T>;
export async function inspectServer<T>(opts: InspectOptions, judge?: (report: ServerReport) => T): Promise<T | ServerReport> {
  const clock = startClock(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.deadlineMs);
  const plan = planProtocol(opts.port, opts.protocol);
  const judged: (report: ServerReport) => T | ServerReport = judge ?? ((report) => report);
  if (plan.protocol !== 'detect') return inspectOnce(opts, clock, plan, undefined, judged);
  try {
    return await inspectOnce(opts, clock, plan, 'quick', judged);
  } catch (e) {
    // Silent for PLAINTEXT_WAIT_MS, then plaintext in answer to the ClientHello: a STARTTLS port
    // with a slow greeting (a reverse lookup before the banner). Once more, waiting for it.
    if (!(e instanceof NetError && metPlaintext(e))) throw e;
    return await inspectOnce(opts, clock, plan, 'patient', (report) => {
      report.notes.unshift(
        `the server said nothing for ${PLAINTEXT_WAIT_MS} ms, then answered a TLS ClientHello in plaintext: a STARTTLS port with a slow greeting; mailcert connected again and waited for it`,
      );
      return judged(report);
    });
  }
}

interface Session {
  mode: 'implicit' | 'starttls';
  application: MailProtocol | undefined;
}

/** Implicit TLS or STARTTLS on a port of no known protocol, from whether the server speaks first. */
async function detectMode(raw: Socket, opts: InspectOptions, clock: StepClock, detect: Detect): Promise<Session> {
  const limit = stepLimit(clock);
  const waitMs = detect === 'quick' ? Math.min(PLAINTEXT_WAIT_MS, limit.ms) : limit.ms;
  const first = await firstBytes(raw, waitMs);
  if (first.kind === 'closed') throw new NetError('closed', 'greeting', opts.host, opts.port, 'the server closed the connection without a word');
  if (first.kind === 'silent') {
    if (detect === 'patient' || (limit.byDeadline && limit.ms <= PLAINTEXT_WAIT_MS)) {
      throw limit.byDeadline ? new NetError('deadline', 'greeting', opts.host, opts.port, deadlineDetail(clock)) : new NetError('timeout', 'greeting', opts.host, opts.port, `no greeting within ${clock.timeoutMs} ms`);
    }
    return { mode: 'implicit', application: undefined };
  }
  const application = inferProtocol(first.text);
  const line = first.text.split(/\r?\n/)[0] ?? '';
  if (application === undefined) {
    throw new NetError('protocol', 'greeting', opts.host, opts.port, `the server spoke first in plaintext, but not SMTP, IMAP, POP3 or ManageSieve: "${line}"`);
  }
  return { mode: 'starttls', application };
}

async function inspectOnce<T>(opts: InspectOptions, clock: StepClock, plan: ProtocolPlan, detect: Detect | undefined, judge: (report: ServerReport) => T): Promise<T> {
  const { host, port } = opts;
  const timeoutMs = clock.timeoutMs;
  // Node sends no SNI for an IP literal and warns (DEP0123) when asked to (mail-servers.md pitfall 5).
  const identity = opts.servername ?? host;
  const servername = isIpAddress(identity) ? undefined : identity;
  const transcript: TranscriptLine[] = [];
  const notes: string[] = [];

  let raw: Socket | undefined;
  let secure: TLSSocket | undefined;
  let negotiator: Negotiator | undefined;
  let probes: Promise<VersionProbe[]> | undefined;
  try {
    const started = performance.now();
    raw = await openTcp(host, port, clock);
    const connectMs = performance.now() - started;
    const session: Session =
      detect !== undefined ? await detectMode(raw, opts, clock, detect) : { mode: plan.protocol === 'none' ? 'implicit' : 'starttls', application: plan.application };
    const peer = { ...clock, host, port, clientName: addressLiteral(raw.localAddress), transcript };
    negotiator = session.application === undefined ? undefined : new Negotiator(session.application, peer, plan.source === 'detected');
    const plaintext = session.mode === 'starttls' && negotiator !== undefined ? await negotiator.startTls(raw) : undefined;

    const handshakeStarted = performance.now();
    const tls = await handshake(raw, { host, port, servername, clock, requestOCSP: true });
    secure = tls.socket;
    const tlsMs = performance.now() - handshakeStarted;
    // First thing after the handshake: getPeerX509Certificate() may be called only once (transport.ts).
    const { chain: peerChain, sent: certificatesSent } = sentChain(secure, host, port);
    if (certificatesSent > peerChain.length) {
      notes.push(`the server sent ${certificatesSent} certificates; mailcert kept the first ${peerChain.length} (its limit: a real server sends its certificate and one to three intermediates)`);
    }
    // The probes need only the mode; they run while this connection finishes its conversation.
    if (opts.protocols === true) {
      const starttls = session.mode === 'starttls' ? negotiator?.spoken : undefined;
      probes = probeVersions({ host, port, servername, clock, ...(starttls === undefined ? {} : { starttls }) });
    }

    let greeting = plaintext?.greeting;
    let capabilities: string[] = [];
    if (session.mode === 'implicit' && negotiator === undefined) {
      // Implicit TLS of no known protocol: what the server says first inside TLS tells it.
      const inside = await greetingInsideTls(secure, opts, clock);
      if (inside.note !== undefined) notes.push(inside.note);
      if (inside.line !== undefined && inside.application === undefined) greeting = [inside.line];
      if (inside.application !== undefined) {
        session.application = inside.application;
        negotiator = new Negotiator(inside.application, peer, true);
      }
    }
    if (negotiator !== undefined) {
      try {
        const inside = await negotiator.secured(secure, session.mode, tls.ticket(TICKET_WAIT_MS));
        capabilities = inside.capabilities;
        if (session.mode === 'implicit') greeting = inside.greeting;
      } catch (e) {
        // The certificates are in hand; a server that says nothing sensible inside TLS is
        // worth a note, not a failed inspection. The deadline is a bound the user set: it fails.
        if (!(e instanceof NetError)) throw e;
        if (e.kind === 'deadline') throw new NetError('deadline', `${e.step} (inside TLS)`, host, port, e.detail);
        notes.push(`inside TLS: ${e.step}: ${e.detail}`);
      }
    }
    if (negotiator !== undefined) session.application = negotiator.spoken;
    // Read the session's facts before closing: Node returns null for them once the socket is gone.
    const facts = sessionFacts(secure);
    // The goodbye and the close, while the report is judged. Neither ever rejects.
    const closing = (async (ending: TLSSocket, saying: Negotiator | undefined): Promise<void> => {
      await saying?.goodbye(Math.min(timeoutMs, QUIT_GRACE_MS));
      await closeGracefully(ending, stepLimit(clock, Math.min(timeoutMs, CLOSE_GRACE_MS)).ms);
    })(secure, negotiator);

    const report: ServerReport = {
      host,
      port,
      protocol: session.mode === 'implicit' ? 'none' : (session.application ?? 'none'),
      protocolSource: plan.source,
      mode: session.mode,
      capabilities,
      ocspStapled: tls.ocsp !== null && tls.ocsp !== undefined,
      transcript,
      ...facts,
      peerChain,
      certificatesSent,
      timings: { connectMs: Math.round(connectMs), tlsMs: Math.round(tlsMs) },
      notes,
    };
    if (tls.ocsp) report.ocspBytes = tls.ocsp.length;
    if (session.application !== undefined) report.application = session.application;
    if (servername !== undefined) report.servername = servername;
    if (greeting !== undefined) report.greeting = greeting.join('\n');
    if (plaintext !== undefined) {
      report.capabilitiesBeforeTls = plaintext.capabilities;
      report.authBeforeTls = [...new Set(plaintext.authOffered)];
    }
    if (probes !== undefined) report.versions = await probes;
    const result = judge(report);
    await closing;
    return result;
  } finally {
    negotiator?.release();
    secure?.destroy();
    raw?.destroy();
    // A failed check leaves no probe running unobserved (each one ends under the clock anyway).
    await probes?.catch(() => undefined);
  }
}

/** The first line inside implicit TLS when the port tells no protocol, and the protocol it shows. */
async function greetingInsideTls(secure: TLSSocket, opts: InspectOptions, clock: StepClock): Promise<{ application?: MailProtocol; line?: string; note?: string }> {
  const limit = stepLimit(clock);
  const first = await firstBytes(secure, limit.ms);
  if (first.kind === 'silent') {
    if (limit.byDeadline) throw new NetError('deadline', 'greeting (inside TLS)', opts.host, opts.port, deadlineDetail(clock));
    return { note: `inside TLS: no greeting within ${clock.timeoutMs} ms: not a mail server that speaks first (SMTP, IMAP, POP3, ManageSieve)` };
  }
  if (first.kind === 'closed') return { note: 'inside TLS: the server closed the connection without a greeting' };
  const line = first.text.split(/\r?\n/)[0] ?? '';
  const application = inferProtocol(first.text);
  if (application === undefined) return { line, note: 'inside TLS: the first line is not an SMTP, IMAP, POP3 or ManageSieve greeting' };
  return { application };
}
