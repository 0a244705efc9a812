/**
 * Live targets of `mailcert verify --connect`: connect (implicit TLS or STARTTLS, src/net), then
 * every offline check on the chain the server sent, with the host name checked being the one
 * connected to (or --servername). Several targets are checked concurrently, a few at a time.
 */
import { encodePem } from '../codec/pem.js';
import { parseCertificate, type CertInfo } from '../codec/x509/certificate.js';
import { writeFileAtomic } from '../keystore/files.js';
import { inspectServer, type ServerReport, type StartTlsProtocol } from '../net/connect.js';
import { NetError } from '../net/errors.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { checkDane } from './dane.js';
import { BadServerAddress, BadTargetLine } from './errors.js';
import { connectionDetail, plaintextAuthCheck, protocolsCheck, sentRootNote, signatureScheme } from './live-checks.js';
import type { TlsaRecord } from './tlsa.js';
import type { Check, ConnectionFailure, ServerFacts } from './verify.js';
import { chainChecks, verdict, type CommonOptions, type VerifyReport } from './verify-offline.js';

// The report types live in verify.ts, with the offline checks' (no import cycle between the two).
export type { ConnectionFailure, ServerFacts };

export interface Target {
  host: string;
  port: number;
  protocol?: StartTlsProtocol;
}

export interface LiveResult {
  report: VerifyReport;
  /** The DER chain as sent (for --save), up to net/connect's MAX_CHAIN. */
  peerChain: Uint8Array[];
  /** How many certificates the server sent (more than peerChain holds when it was cut). */
  certificatesSent: number;
  /** The connection itself failed (exit code 5). */
  networkError?: NetError;
}

/** "host:port", "[v6]:port"; the port is required (a mail server has many). */
export function parseTarget(text: string, protocol?: StartTlsProtocol): Target {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text.trim()) ?? /^([^:\s]+):(\d+)$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BadServerAddress(text);
  }
  return protocol === undefined ? { host: m[1], port } : { host: m[1], port, protocol };
}

/** A file of servers to check: one "HOST:PORT [protocol]" per line; # starts a comment. Errors name the file and the line. */
export function parseTargetsFile(file: string, text: string, fallback?: StartTlsProtocol): Target[] {
  const protocols = new Set(['smtp', 'imap', 'pop3', 'lmtp', 'sieve', 'none']);
  const targets: Target[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.replace(/#.*/, '').trim();
    if (l === '') return;
    const [addr = '', proto] = l.split(/\s+/);
    if (proto !== undefined && !protocols.has(proto)) throw new BadTargetLine(file, i + 1, l, `the protocol must be one of ${[...protocols].join(', ')}`);
    try {
      targets.push(parseTarget(addr, (proto as StartTlsProtocol | undefined) ?? fallback));
    } catch {
      throw new BadTargetLine(file, i + 1, l, BadServerAddress.expected);
    }
  });
  return targets;
}

/**
 * Certificates seen in one run, parsed and summarised once: a mail server shows the same chain on
 * every port, and servers of one organisation share intermediates. checkChain's signature checks
 * are remembered per pair of parsed certificates (core/chain.ts), so they are done once too.
 */
class SeenCertificates {
  private readonly seen = new Map<string, { cert: CertInfo; summary?: CertSummary }>();

  private entry(der: Uint8Array, parsed?: CertInfo): { cert: CertInfo; summary?: CertSummary } {
    const key = Buffer.from(der.buffer, der.byteOffset, der.length).toString('latin1');
    let entry = this.seen.get(key);
    if (entry === undefined) this.seen.set(key, (entry = { cert: parsed ?? parseCertificate(der) }));
    return entry;
  }

  parse(der: Uint8Array): CertInfo {
    return this.entry(der).cert;
  }

  /** The summary of a certificate sent (DER) or of one already parsed (a trust anchor on the path). */
  summary(cert: Uint8Array | CertInfo): CertSummary {
    const entry = cert instanceof Uint8Array ? this.entry(cert) : this.entry(cert.der, cert);
    return (entry.summary ??= certSummary(entry.cert));
  }
}

function facts(r: ServerReport, seen: SeenCertificates): ServerFacts {
  const leaf = r.peerChain[0];
  const signature = signatureScheme(r.tlsVersion, leaf === undefined ? undefined : seen.parse(leaf));
  const f: ServerFacts = {
    protocol: r.application ?? r.protocol,
    mode: r.mode,
    modeSource: r.protocolSource,
    capabilities: r.capabilities,
    tlsVersion: r.tlsVersion,
    cipher: r.cipher,
    signatureScheme: signature.scheme,
    signatureText: signature.text,
    ocspStapled: r.ocspStapled,
    chain: r.peerChain.map((der) => seen.summary(der)),
    certificatesSent: r.certificatesSent,
    notes: r.notes,
    timings: r.timings,
  };
  if (r.servername !== undefined) f.servername = r.servername;
  if (r.greeting !== undefined) f.greeting = r.greeting;
  if (r.capabilitiesBeforeTls !== undefined) f.capabilitiesBeforeTls = r.capabilitiesBeforeTls;
  if (r.authBeforeTls !== undefined) f.authBeforeTls = r.authBeforeTls;
  if (r.keyExchange !== undefined) f.keyExchange = r.keyExchange;
  if (r.versions !== undefined) f.versions = r.versions;
  return f;
}

/** How to reach the servers: --servername, --timeout (each step) and --deadline (each target's whole check). */
export interface LiveOptions extends CommonOptions {
  servername?: string;
  timeoutMs: number;
  deadlineMs?: number;
  /** --protocols: probe TLS 1.0 to 1.3. */
  protocols?: boolean;
  /** --tlsa / --tlsa-file: the records the chain must match (the `dane` check). */
  tlsa?: readonly TlsaRecord[];
}

export async function verifyTarget(t: Target, opts: LiveOptions, seen = new SeenCertificates()): Promise<LiveResult> {
  const name = `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  try {
    // The checks run while the server answers the QUIT / LOGOUT and hangs up (net/connect.ts).
    return await inspectServer(
      {
        host: t.host,
        port: t.port,
        ...(t.protocol === undefined ? {} : { protocol: t.protocol }),
        ...(opts.servername === undefined ? {} : { servername: opts.servername }),
        timeoutMs: opts.timeoutMs,
        ...(opts.deadlineMs === undefined ? {} : { deadlineMs: opts.deadlineMs }),
        ...(opts.protocols === true ? { protocols: true } : {}),
      },
      (server) => judge(name, t, server, opts, seen),
    );
  } catch (e) {
    if (!(e instanceof NetError)) throw e;
    const check: Check = { name: 'connection', status: 'fail', detail: `${e.step}: ${e.detail}` };
    return { report: verdict(name, [check], opts, { server: { error: e.kind, step: e.step, hint: e.hint } }), peerChain: [], certificatesSent: 0, networkError: e };
  }
}

/** Every check on what a server sent and said. */
function judge(name: string, t: Target, server: ServerReport, opts: LiveOptions, seen: SeenCertificates): LiveResult {
  const checks: Check[] = [{ name: 'connection', status: 'ok', detail: connectionDetail(server) }];
  let path: CertSummary[] | undefined;
  if (server.peerChain.length === 0) {
    checks.push({ name: 'certificate', status: 'fail', detail: 'the server sent no certificate' });
  } else {
    const chain = server.peerChain.map((d) => seen.parse(d));
    const host = opts.host ?? opts.servername ?? t.host;
    const pathChecks = (anchors: CertInfo[], anchorSource: string): Check[] => chainChecks(chain, opts, host, { certs: anchors, source: anchorSource }).checks;
    const result = chainChecks(chain, opts, host);
    path = result.path.map((c) => seen.summary(c));
    const pkix = result.checks;
    if (opts.tlsa === undefined || opts.tlsa.length === 0) checks.push(...pkix);
    else {
      const dane = checkDane({ records: opts.tlsa, chain, pkix, anchors: opts.anchors.certs, smtp: server.application === 'smtp', rechain: pathChecks });
      checks.push(...dane.checks, dane.dane);
    }
    const root = sentRootNote(chain);
    if (root !== undefined) server.notes.push(root);
  }
  const auth = plaintextAuthCheck(server);
  if (auth !== undefined) checks.push(auth);
  if (server.versions !== undefined) checks.push(protocolsCheck(server.versions));
  return { report: verdict(name, checks, opts, { ...(path === undefined ? {} : { path }), server: facts(server, seen) }), peerChain: server.peerChain, certificatesSent: server.certificatesSent };
}

/**
 * Runs targets with at most `limit` connections at once, keeping their order in the result; a
 * --deadline bounds each target's check from its own start, not the whole run. Most
 * of each check is waiting on the network (after a TLS 1.3 handshake, servers' replies often sit
 * behind their session tickets for a delayed-ACK interval), so a generous bound pays off.
 */
export async function verifyTargets(targets: readonly Target[], opts: LiveOptions, limit = 16): Promise<LiveResult[]> {
  const results: LiveResult[] = new Array<LiveResult>(targets.length);
  const seen = new SeenCertificates();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < targets.length; i = next++) results[i] = await verifyTarget(targets[i] as Target, opts, seen);
  };
  await Promise.all(Array.from({ length: Math.min(limit, targets.length) }, worker));
  return results;
}

/** Writes the chain a server sent as PEM, leaf first (verify --save; what `openssl s_client -showcerts` users keep). */
export function saveChain(file: string, chain: readonly Uint8Array[], overwrite: boolean): void {
  writeFileAtomic(file, new TextEncoder().encode(chain.map((d) => encodePem('CERTIFICATE', d)).join('')), { overwrite, mode: 0o644, what: 'chain file' });
}
