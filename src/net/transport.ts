/**
 * The TCP and TLS layer under `verify --connect` and `tlsa --connect`: the connection (DNS
 * included), the handshake on it, the certificates exactly as the server sent them, what the
 * session agreed on (version, cipher, key exchange group, a stapled OCSP response), and the close.
 * Every failure is a NetError naming the step; every step runs under its own timeout and the
 * deadline of the whole check (deadline.ts).
 *
 * No verdicts on the certificates: core/verify makes those, so OpenSSL is given no trust anchors
 * and Node skips its own identity check (which would build getPeerCertificate(true), every
 * certificate with its fingerprints, for each server).
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext, type SecureVersion, type TLSSocket } from 'node:tls';
import { deadlineDetail, stepLimit, type StepClock } from './deadline.js';
import { NetError } from './errors.js';

/**
 * How many of the certificates a server sends are kept. A real server sends its leaf and one to
 * three intermediates (RFC 8446 §4.4.2 lets it leave out the root); 64 is far above any real
 * chain, and OpenSSL's default max certificate list (100 KiB) bounds what can arrive anyway.
 */
export const MAX_CHAIN = 64;

const ignore = (): void => {};

/** TCP connect (DNS included) under the timeout and the deadline; every failure is a NetError of step "connect". */
export function openTcp(host: string, port: number, clock: StepClock): Promise<Socket> {
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

/**
 * The TLS context of every connection: the usual defaults, and no trust anchors at all, so OpenSSL's
 * verification always ends in an error and Node skips its identity check (see the file comment).
 * Made once: Node's default context would load its bundled roots for nothing.
 */
let noAnchors: SecureContext | undefined;

/**
 * The context of a probe for one protocol version (--protocols). Node 20's OpenSSL 3.0 refuses to
 * offer TLS 1.0 and 1.1 at its default security level (their handshake signatures use SHA-1 or
 * MD5+SHA-1: SSL_CTX_set_security_level(3), "SHA1 ... disallowed at level 1 and above"), so the
 * probe, and only the probe, asks for level 0: it tells what the server accepts, it carries no mail.
 * Undefined when this Node cannot make such a context at all.
 */
export function versionContext(version: SecureVersion): SecureContext | undefined {
  try {
    const legacy = version === 'TLSv1' || version === 'TLSv1.1';
    return createSecureContext({ ca: [], minVersion: version, maxVersion: version, ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}) });
  } catch {
    return undefined;
  }
}

export interface HandshakeOptions {
  host: string;
  port: number;
  servername: string | undefined;
  clock: StepClock;
  /** Another context than the default one (a version probe). */
  context?: SecureContext;
  /** Ask for a stapled OCSP response (RFC 6066 §8, status_request). */
  requestOCSP?: boolean;
  /** The step named in errors; default "TLS handshake". */
  step?: string;
}

export interface Handshake {
  socket: TLSSocket;
  /** The stapled OCSP response (DER), null when the server stapled none, undefined when not asked. */
  ocsp: Uint8Array | null | undefined;
  /**
   * Resolves when the server's first TLS 1.3 session ticket has arrived, or after `ms` (a server
   * that sends none, or TLS 1.2, which has them inside the handshake).
   */
  ticket(ms: number): Promise<void>;
}

/**
 * TLS on the connected socket. rejectUnauthorized is false: the point is to see and report the
 * chain of any server, trusted or not; core/verify judges it.
 */
export function handshake(raw: Socket, o: HandshakeOptions): Promise<Handshake> {
  const step = o.step ?? 'TLS handshake';
  return new Promise((resolve, reject) => {
    let socket: TLSSocket;
    try {
      socket = tlsConnect({
        socket: raw,
        host: o.host,
        ...(o.servername === undefined ? {} : { servername: o.servername }),
        secureContext: o.context ?? (noAnchors ??= createSecureContext({ ca: [] })),
        rejectUnauthorized: false,
        ...(o.requestOCSP === true ? { requestOCSP: true } : {}),
      });
    } catch (e) {
      reject(new NetError('tls-handshake', step, o.host, o.port, e instanceof Error ? e.message : String(e), { cause: e }));
      return;
    }
    // Node emits 'OCSPResponse' during the handshake, before 'secureConnect', with null when the
    // server stapled nothing (TLSWrap::OCSPResponse after SSL_get_tlsext_status_ocsp_resp).
    let ocsp: Uint8Array | null | undefined;
    // TLS 1.3 tickets come after the handshake (RFC 8446 §4.6.1); Node reports them as 'session'
    // once someone listens, so listen from the start (mail-servers.md §4 pitfall 7).
    let ticketArrived = false;
    const onTicket = (): void => {
      ticketArrived = true;
      // Not from inside the event: Node emits it while OpenSSL is still reading the ticket
      // (SSL_read -> NewSessionCallback), and a command written from there was never answered.
      setImmediate(() => {
        for (const wake of waiting.splice(0)) wake();
      });
    };
    const waiting: (() => void)[] = [];
    const ticket = (ms: number): Promise<void> =>
      ticketArrived || socket.getProtocol() !== 'TLSv1.3'
        ? Promise.resolve()
        : new Promise((resolve) => {
            const timer = setTimeout(resolve, ms);
            waiting.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
    socket.once('session', onTicket);
    const onOcsp = (response: Buffer | null): void => {
      ocsp = response === null || response.length === 0 ? null : new Uint8Array(response);
    };
    if (o.requestOCSP === true) socket.once('OCSPResponse', onOcsp);
    const fail = (e: NetError): void => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const limit = stepLimit(o.clock);
    const timer = setTimeout(() => {
      fail(limit.byDeadline ? new NetError('deadline', step, o.host, o.port, deadlineDetail(o.clock)) : new NetError('timeout', step, o.host, o.port, `no handshake within ${o.clock.timeoutMs} ms`));
    }, limit.ms);
    const onError = (e: Error): void => {
      fail(new NetError('tls-handshake', step, o.host, o.port, tlsFailure(e), { cause: e }));
    };
    const onClose = (): void => {
      fail(new NetError('tls-handshake', step, o.host, o.port, 'the server closed the connection during the handshake'));
    };
    const onSecure = (): void => {
      cleanup();
      socket.on('error', ignore);
      resolve({ socket, ocsp: o.requestOCSP === true ? (ocsp ?? null) : undefined, ticket });
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off('secureConnect', onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off('OCSPResponse', onOcsp);
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
 * Whether a failed handshake met plaintext where TLS records should be: a mail server's greeting
 * or its complaint about our ClientHello ("220 ...", "* OK", "500 ...") is read as a record
 * header whose version bytes are not 0x03xx (OpenSSL ssl3_get_record: SSL_R_WRONG_VERSION_NUMBER).
 */
export function metPlaintext(e: NetError): boolean {
  const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
  return e.kind === 'tls-handshake' && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG');
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
 * once, right after the handshake, is safe.
 */
export function sentChain(socket: TLSSocket, host: string, port: number): { chain: Uint8Array[]; sent: number } {
  const chain: Uint8Array[] = [];
  let sent = 0;
  // Past MAX_CHAIN the walk only counts, so the report can say how many were cut.
  for (let cert = socket.getPeerX509Certificate(); cert !== undefined; cert = cert.issuerCertificate) {
    if (sent++ < MAX_CHAIN) chain.push(new Uint8Array(cert.raw));
  }
  if (chain.length === 0) throw new NetError('tls-handshake', 'TLS handshake', host, port, 'the server sent no certificate');
  return { chain, sent };
}

/** What the session agreed on; read before closing (Node returns null for these once the socket is gone). */
export interface SessionFacts {
  tlsVersion: string;
  /** OpenSSL's name of the cipher, the name Postfix and Dovecot settings use. */
  cipher: string;
  /** The key exchange group ("X25519", "P-256", "DH 2048"); undefined when Node tells none (RSA key transport). */
  keyExchange?: string;
  alpn?: string;
}

export function sessionFacts(socket: TLSSocket): SessionFacts {
  const facts: SessionFacts = { tlsVersion: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher().name };
  // SSL_get_peer_tmp_key: { type: 'ECDH', name: 'X25519', size: 253 } or { type: 'DH', size: 2048 }.
  const eph = socket.getEphemeralKeyInfo();
  if (eph !== null && typeof eph === 'object' && 'type' in eph) {
    const { type, name, size } = eph as { type?: string; name?: string; size?: number };
    if (typeof name === 'string' && name !== '') facts.keyExchange = name === 'prime256v1' ? 'P-256' : name;
    else if (typeof type === 'string') facts.keyExchange = `${type}${size === undefined ? '' : ` ${size}`}`;
  }
  if (typeof socket.alpnProtocol === 'string') facts.alpn = socket.alpnProtocol;
  return facts;
}

/** end() sends close_notify; wait briefly for the server to hang up, the caller destroys anyway. */
export function closeGracefully(socket: TLSSocket, graceMs: number): Promise<void> {
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
