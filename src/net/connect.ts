/**
 * `verify --connect`: one connection to a mail server, implicit TLS or STARTTLS, and a report of
 * what the server said and sent. No verdicts on the certificates: core/verify makes those, so
 * OpenSSL is given no trust anchors and Node skips its own identity check (which would build
 * getPeerCertificate(true), every certificate with its fingerprints, for each server).
 *
 *   const report = await inspectServer({ host: 'mail.example.com', port: 25 });
 *   report.peerChain; // DER, leaf first, exactly as the server sent it
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { isIpAddress } from '../codec/ip.js';
import { deadlineDetail, startClock, stepLimit, type StepClock } from './deadline.js';
import { NetError } from './errors.js';
import { addressLiteral, type TranscriptLine } from './line-channel.js';
import { Negotiator, type MailProtocol } from './starttls.js';

/** The --starttls values: a protocol to negotiate in plaintext first, or 'none' for implicit TLS. */
export type StartTlsProtocol = MailProtocol | 'none';

export interface InspectOptions {
  host: string;
  port: number;
  /** Omitted: inferred from the port (see planProtocol). */
  protocol?: StartTlsProtocol;
  /** The TLS server name (SNI); default: host. */
  servername?: string;
  /** Per phase (connect, each reply, the handshake), not for the whole run. Default 10 s. */
  timeoutMs?: number;
  /**
   * The whole check, every phase included (connect, the plaintext conversation, the handshake,
   * the commands inside TLS); unbounded when absent. Passing it is a NetError of kind 'deadline'
   * naming the step it was in; the QUIT and the close after a complete check are only cut short.
   */
  deadlineMs?: number;
}

export interface ServerReport {
  host: string;
  port: number;
  protocol: StartTlsProtocol;
  /** Where `protocol` came from: the option, a well-known port, or an assumption (see notes). */
  protocolSource: 'option' | 'port' | 'assumed';
  /** The mail protocol spoken, in plaintext before STARTTLS or inside implicit TLS; none when unknown. */
  application?: MailProtocol;
  mode: 'implicit' | 'starttls';
  /** The SNI sent; absent for an IP literal (RFC 6066 §3 allows only host names). */
  servername?: string;
  /** The first server text: the plaintext greeting with STARTTLS (unauthenticated), or the one inside implicit TLS. */
  greeting?: string;
  /** Capabilities stated inside TLS; the plaintext ones are in the transcript only. */
  capabilities: string[];
  transcript: TranscriptLine[];
  tlsVersion: string;
  /** OpenSSL's name of the cipher, the name Postfix and Dovecot settings use. */
  cipher: string;
  alpn?: string;
  /** DER certificates exactly as the server sent them, in its order, leaf first; at most MAX_CHAIN. */
  peerChain: Uint8Array[];
  /** How many certificates the server sent: more than peerChain holds when it sent over MAX_CHAIN. */
  certificatesSent: number;
  /** connectMs: DNS and TCP; tlsMs: the handshake alone (the plaintext conversation is in neither). */
  timings: { connectMs: number; tlsMs: number };
  /** Things worth saying that are not failures: an assumed protocol, no answer inside TLS. */
  notes: string[];
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How long we wait for the QUIT / LOGOUT answer and then for the server to hang up. */
const QUIT_GRACE_MS = 500;
const CLOSE_GRACE_MS = 200;
/**
 * How many of the certificates a server sends are kept. A real server sends its leaf and one to
 * three intermediates (RFC 8446 §4.4.2 lets it leave out the root); 64 is far above any real
 * chain, and OpenSSL's default max certificate list (100 KiB) bounds what can arrive anyway.
 */
export const MAX_CHAIN = 64;

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
  protocol: StartTlsProtocol;
  source: ServerReport['protocolSource'];
  application?: MailProtocol;
  note?: string;
}

/**
 * The protocol for a port (CLI.md): 25/587 smtp, 143 imap, 110 pop3, 24 lmtp, 4190 sieve
 * STARTTLS; 465/993/995 implicit TLS. Any other port without --starttls: implicit TLS is
 * assumed (it is the only mode that sends nothing in plaintext), and the report says so in a
 * note; a plaintext server then fails the handshake with a hint to pass --starttls.
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
  return {
    protocol: 'none',
    source: 'assumed',
    note: `port ${port} is not a well-known mail port: implicit TLS was assumed (pass --starttls smtp|imap|pop3|lmtp|sieve if the server talks plaintext first)`,
  };
}

export async function inspectServer(opts: InspectOptions): Promise<ServerReport> {
  const { host, port } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clock = startClock(timeoutMs, opts.deadlineMs);
  const plan = planProtocol(port, opts.protocol);
  const mode = plan.protocol === 'none' ? 'implicit' : 'starttls';
  // Node sends no SNI for an IP literal and warns (DEP0123) when asked to (mail-servers.md pitfall 5).
  const identity = opts.servername ?? host;
  const servername = isIpAddress(identity) ? undefined : identity;
  const transcript: TranscriptLine[] = [];
  const notes: string[] = plan.note === undefined ? [] : [plan.note];

  let raw: Socket | undefined;
  let secure: TLSSocket | undefined;
  let negotiator: Negotiator | undefined;
  try {
    const started = performance.now();
    raw = await openTcp(host, port, clock);
    const connectMs = performance.now() - started;
    const peer = { ...clock, host, port, clientName: addressLiteral(raw.localAddress), transcript };
    negotiator = plan.application === undefined ? undefined : new Negotiator(plan.application, peer);
    const plaintext = mode === 'starttls' && negotiator !== undefined ? await negotiator.startTls(raw) : undefined;

    const handshakeStarted = performance.now();
    secure = await handshake(raw, { host, port, servername, clock });
    const tlsMs = performance.now() - handshakeStarted;
    // First thing after the handshake: getPeerX509Certificate() may be called only once (below).
    const { chain: peerChain, sent: certificatesSent } = sentChain(secure, host, port);
    if (certificatesSent > peerChain.length) {
      notes.push(`the server sent ${certificatesSent} certificates; mailcert kept the first ${peerChain.length} (its limit: a real server sends its certificate and one to three intermediates)`);
    }

    let greeting = plaintext?.greeting;
    let capabilities: string[] = [];
    if (negotiator !== undefined) {
      try {
        const inside = await negotiator.secured(secure, mode);
        capabilities = inside.capabilities;
        if (mode === 'implicit') greeting = inside.greeting;
      } catch (e) {
        // The certificates are in hand; a server that says nothing sensible inside TLS is
        // worth a note, not a failed inspection. The deadline is a bound the user set: it fails.
        if (!(e instanceof NetError)) throw e;
        if (e.kind === 'deadline') throw new NetError('deadline', `${e.step} (inside TLS)`, host, port, e.detail);
        notes.push(`inside TLS: ${e.step}: ${e.detail}`);
      }
      await negotiator.goodbye(Math.min(timeoutMs, QUIT_GRACE_MS));
    }
    // Read the session's facts before closing: Node returns null for them once the socket is gone.
    const cipher = secure.getCipher();
    const alpn = secure.alpnProtocol;
    const tlsVersion = secure.getProtocol() ?? 'unknown';
    await closeGracefully(secure, stepLimit(clock, Math.min(timeoutMs, CLOSE_GRACE_MS)).ms);

    const report: ServerReport = {
      host,
      port,
      protocol: plan.protocol,
      protocolSource: plan.source,
      mode,
      capabilities,
      transcript,
      tlsVersion,
      cipher: cipher.name,
      peerChain,
      certificatesSent,
      timings: { connectMs: Math.round(connectMs), tlsMs: Math.round(tlsMs) },
      notes,
    };
    if (plan.application !== undefined) report.application = plan.application;
    if (servername !== undefined) report.servername = servername;
    if (greeting !== undefined) report.greeting = greeting.join('\n');
    if (typeof alpn === 'string') report.alpn = alpn;
    return report;
  } finally {
    negotiator?.release();
    secure?.destroy();
    raw?.destroy();
  }
}

/**
 * The TLS context of every connection: the usual defaults, and no trust anchors at all, so OpenSSL's
 * verification always ends in an error and Node skips its identity check (see the file comment).
 * Made once: Node's default context would load its bundled roots for nothing.
 */
let noAnchors: SecureContext | undefined;

/** TCP connect (DNS included) under the timeout and the deadline; every failure is a NetError of step "connect". */
function openTcp(host: string, port: number, clock: StepClock): Promise<Socket> {
  const limit = stepLimit(clock);
  return new Promise((resolve, reject) => {
    // Every write here is one short command line: send it at once (TCP_NODELAY), as interactive
    // protocols should, instead of letting Nagle's algorithm hold it for an ACK.
    const socket = tcpConnect({ host, port, noDelay: true });
    const fail = (e: NetError): void => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(() => {
      fail(limit.byDeadline ? new NetError('deadline', 'connect', host, port, deadlineDetail(clock)) : new NetError('timeout', 'connect', host, port, `no connection within ${clock.timeoutMs} ms`));
    }, limit.ms);
    const onError = (e: Error): void => {
      fail(connectError(e, host, port));
    };
    const onConnect = (): void => {
      cleanup();
      // Errors after this point surface through whoever reads the socket (LineChannel, TLS);
      // this listener only keeps a late one from becoming an uncaught exception.
      socket.on('error', ignore);
      resolve(socket);
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('connect', onConnect);
    }
    socket.once('connect', onConnect);
    socket.on('error', onError);
  });
}

const ignore = (): void => {};

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA']);

function connectError(e: Error, host: string, port: number): NetError {
  // With several addresses (autoSelectFamily, Node 20) the failure is an AggregateError.
  const inner = e instanceof AggregateError && e.errors[0] instanceof Error ? e.errors[0] : e;
  const err = inner as NodeJS.ErrnoException;
  const code = err.code ?? (e as NodeJS.ErrnoException).code;
  const at = (kind: NetError['kind'], detail: string): NetError => new NetError(kind, 'connect', host, port, detail, { cause: e });
  if ((code !== undefined && DNS_CODES.has(code)) || err.syscall === 'getaddrinfo') {
    return at('dns', `the host name does not resolve (${code ?? err.message})`);
  }
  if (code === 'ECONNREFUSED') return at('refused', 'connection refused');
  if (code === 'ETIMEDOUT') return at('timeout', 'the connection timed out');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return at('refused', `no route to the host (${code})`);
  if (code === 'ECONNRESET') return at('reset', 'the connection was reset');
  return at('refused', `cannot connect (${code ?? err.message})`);
}

interface HandshakeOptions {
  host: string;
  port: number;
  servername: string | undefined;
  clock: StepClock;
}

/**
 * TLS on the connected socket. rejectUnauthorized is false: the point is to see and report the
 * chain of any server, trusted or not; core/verify judges it.
 */
function handshake(raw: Socket, o: HandshakeOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    let socket: TLSSocket;
    try {
      socket = tlsConnect({
        socket: raw,
        host: o.host,
        ...(o.servername === undefined ? {} : { servername: o.servername }),
        secureContext: (noAnchors ??= createSecureContext({ ca: [] })),
        rejectUnauthorized: false,
      });
    } catch (e) {
      reject(new NetError('tls-handshake', 'TLS handshake', o.host, o.port, e instanceof Error ? e.message : String(e), { cause: e }));
      return;
    }
    const fail = (e: NetError): void => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const limit = stepLimit(o.clock);
    const timer = setTimeout(() => {
      fail(
        limit.byDeadline
          ? new NetError('deadline', 'TLS handshake', o.host, o.port, deadlineDetail(o.clock))
          : new NetError('timeout', 'TLS handshake', o.host, o.port, `no handshake within ${o.clock.timeoutMs} ms`),
      );
    }, limit.ms);
    const onError = (e: Error): void => {
      fail(new NetError('tls-handshake', 'TLS handshake', o.host, o.port, tlsFailure(e), { cause: e }));
    };
    const onClose = (): void => {
      fail(new NetError('tls-handshake', 'TLS handshake', o.host, o.port, 'the server closed the connection during the handshake'));
    };
    const onSecure = (): void => {
      cleanup();
      socket.on('error', ignore);
      resolve(socket);
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('secureConnect', onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
    }
    socket.once('secureConnect', onSecure);
    socket.on('error', onError);
    socket.once('close', onClose);
  });
}

/** OpenSSL's reason ("wrong version number", "sslv3 alert handshake failure") rather than its error stack. */
function tlsFailure(e: Error): string {
  const err = e as NodeJS.ErrnoException & { reason?: unknown };
  if (err.code === 'ECONNRESET') return 'the server closed the connection during the handshake';
  if (typeof err.reason === 'string' && err.reason !== '') return `handshake failed: ${err.reason}`;
  return `handshake failed: ${e.message}`;
}

/**
 * The certificates as the server sent them. Why not getPeerCertificate(true): Node builds that
 * chain in its own order (each issuer found among the sent ones by X509_check_issued, unrelated
 * or duplicate ones dropped) and then completes it from the trust store of the connection
 * (GetLastIssuedCert, X509_STORE_CTX_get1_issuer): a leaf-only server looks complete as soon as
 * `ca` holds the intermediate (mail-servers.md pitfall 6). getPeerX509Certificate() links the
 * X509Certificate objects straight from SSL_get_peer_cert_chain, in the order on the wire, and
 * never looks at the store; test/net/connect.test.ts checks both properties against a server
 * whose chain is known. Caveat (Node 20, crypto_x509.cc GetPeerCert; nodejs/node#65579): it
 * removes the certificates from OpenSSL's peer chain as it goes, so a second call returns
 * nothing and getPeerCertificate(true) loses the chain afterwards. Nothing else reads the chain
 * of these connections (Node skips its identity check, see the file comment), so calling it
 * once, here, is safe.
 */
function sentChain(socket: TLSSocket, host: string, port: number): { chain: Uint8Array[]; sent: number } {
  const chain: Uint8Array[] = [];
  let sent = 0;
  // Past MAX_CHAIN the walk only counts, so the report can say how many were cut.
  for (let cert = socket.getPeerX509Certificate(); cert !== undefined; cert = cert.issuerCertificate) {
    if (sent++ < MAX_CHAIN) chain.push(new Uint8Array(cert.raw));
  }
  if (chain.length === 0) throw new NetError('tls-handshake', 'TLS handshake', host, port, 'the server sent no certificate');
  return { chain, sent };
}

/** end() sends close_notify; wait briefly for the server to hang up, the caller destroys anyway. */
function closeGracefully(socket: TLSSocket, graceMs: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, graceMs);
    socket.once('close', done);
    // 'close' needs the readable side to end too: keep reading whatever the server still sends.
    socket.resume();
    socket.end();
  });
}
