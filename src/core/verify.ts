/**
 * The checks of `mailcert verify`, on a server certificate chain as presented (from a keystore
 * entry, a PEM chain file, or what a live server sent): one verdict per check, never a wall of
 * text. The path from the leaf to a trust anchor is built with backtracking (path-building.ts) and
 * validated as RFC 5280 section 6.1 says (path-validation.ts); host names follow RFC 6125 (the
 * subjectAltName; the CN only with --allow-cn). Rule of the project: verify never says ok where
 * `openssl verify -purpose sslserver` refuses; where it refuses what OpenSSL accepts, the
 * difference is documented beside the rule.
 */
import { OID } from '../codec/asn1/oid.js';
import type { CertInfo } from '../codec/x509/certificate.js';
import { sameBytes } from '../codec/bytes.js';
import type { VersionProbe } from '../net/connect.js';
import type { NetError } from '../net/errors.js';
import type { Anchors } from './anchors.js';
import type { CertSummary } from './cert-summary.js';
import { parseIp } from '../codec/ip.js';
import { buildPath, DEFAULT_LIMITS, type BuildResult, type BuiltPath } from './path-building.js';
import { validatePath, type PathProblems } from './path-validation.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface ChainInput {
  /** As presented: leaf first, then whatever followed it. */
  chain: CertInfo[];
  anchors: CertInfo[];
  /** Where the anchors came from, for messages: "--ca root.pem", "Mozilla roots and the system store". */
  anchorSource: string;
  host?: string;
  warnDays: number;
  /** verify --at: the moment every time-dependent check is made for; now when not given. */
  at?: Date;
  /** verify --allow-cn: a host name only in the subject CN passes (with a note). */
  allowCn?: boolean;
  /** How the details name what the user can do; core's own words when not given. */
  remedies?: Remedies;
}

/**
 * What a user can do about a check, as the command that runs it says it (verify: "pass --ca or
 * import it", "--allow-cn"): core names no option (README "Development").
 */
export interface Remedies {
  /** How a root becomes trusted: "root not trusted (HOW): ...". */
  trustRoot: string;
  /** What accepts a host name found only in the CN: "accepted with WHAT", "WHAT accepts it". */
  acceptCn: string;
}

const OWN_REMEDIES: Remedies = { trustRoot: 'give it as a trust anchor, or import it', acceptCn: 'allowing the CN' };

export interface ChainVerdict {
  checks: Check[];
  /** The path the checks are about: leaf first, the trust anchor last when one was reached. */
  path: CertInfo[];
}

const DAY = 86_400_000;
/** How many names, or certificates, a message lists before it only counts the rest. */
const SHOWN = 5;

/** The first few items and how many more: a certificate with 100,000 names must not print them all. */
export function someOf(items: readonly string[], shown = SHOWN): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more (${items.length} in all)`;
}

const label = (c: CertInfo): string => `"${c.subject.text}"`;

const derKey = (der: Uint8Array): string => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');

/** Where each certificate presented is on the path: the same certificate, or the trust anchor's copy of it (-1: not on it). */
function pathIndexes(chain: readonly CertInfo[], path: readonly CertInfo[]): number[] {
  const byDer = new Map(path.map((p, i) => [derKey(p.der), i]));
  const top = path[path.length - 1] as CertInfo;
  return chain.map((c) => byDer.get(derKey(c.der)) ?? (sameBytes(top.subject.der, c.subject.der) && sameBytes(top.spki, c.spki) ? path.length - 1 : -1));
}

/** The chain as presented: complete, in order (RFC 8446 4.4.2: each certificate certifies the one before), nothing extra. */
function presentation(chain: readonly CertInfo[], path: readonly CertInfo[]): Check {
  const at = pathIndexes(chain, path);
  for (let i = 0; i + 1 < chain.length; i++) {
    const here = at[i] as number;
    const next = at[i + 1] as number;
    if (here >= 0 && next >= 0 && next !== here + 1) {
      return { name: 'chain', status: 'warn', detail: `complete, but certificate ${i + 2} does not issue certificate ${i + 1}: order it leaf first, then each issuer` };
    }
  }
  const extra = chain.filter((_, i) => (at[i] as number) < 0);
  if (extra.length > 0) return { name: 'chain', status: 'warn', detail: `${extra.length} certificate(s) not part of the path: ${someOf(extra.map((c) => c.subject.text), 3)}` };
  return { name: 'chain', status: 'ok', detail: `${chain.length} certificate(s), leaf first, each issued by the next` };
}

/** The top of a path that ends at a missing issuer is a CA the server sent: what is missing is a root, which servers need not send. */
function missingRoot(built: BuiltPath): boolean {
  const top = built.certs[built.certs.length - 1];
  return built.end.kind === 'missing-issuer' && built.certs.length > 1 && top?.basicConstraints?.ca === true;
}

function chainCheck(input: ChainInput, result: BuildResult): Check {
  const built = result.path;
  const top = built.certs[built.certs.length - 1] as CertInfo;
  const limit = result.valid || result.stopped === undefined ? '' : ` (${result.stopped})`;
  switch (built.end.kind) {
    case 'missing-issuer':
      if (missingRoot(built)) break;
      return { name: 'chain', status: 'fail', detail: `intermediate missing (the server must send it): no certificate for the issuer "${top.issuer.text}" of ${label(top)}${limit}` };
    case 'bad-link': {
      const f = built.end.failure;
      const more = built.end.candidates > 1 ? ` (${built.end.candidates} certificates named "${f.issuer.subject.text}" tried)` : '';
      const what = f.kind === 'mismatch' ? 'signature does not verify' : 'signature cannot be checked';
      return { name: 'chain', status: 'fail', detail: `${what}: ${label(top)} names "${top.issuer.text}" as its issuer, and ${f.reason}${more}${limit}` };
    }
    case 'too-long':
      return { name: 'chain', status: 'fail', detail: `longer than ${DEFAULT_LIMITS.maxIntermediates} CA certificates (OpenSSL's default -verify_depth): verify stops there` };
    default:
      break;
  }
  if (limit !== '') return { name: 'chain', status: 'fail', detail: `no path validated${limit}` };
  return presentation(input.chain, built.certs);
}

function trustCheck(input: ChainInput, built: BuiltPath): Check {
  const top = built.certs[built.certs.length - 1] as CertInfo;
  const leaf = built.certs[0] as CertInfo;
  const how = (input.remedies ?? OWN_REMEDIES).trustRoot;
  if (built.end.kind === 'anchored') return { name: 'trust', status: 'ok', detail: `anchored at ${label(built.end.anchor)} (${input.anchorSource})` };
  if (built.end.kind === 'untrusted-root') {
    const self = top === leaf ? ': the certificate is self-signed' : '';
    return { name: 'trust', status: 'fail', detail: `root not trusted (${how}): ${label(top)} is not a trusted root (${input.anchorSource})${self}` };
  }
  if (missingRoot(built)) {
    return { name: 'trust', status: 'fail', detail: `root not trusted (${how}): "${top.issuer.text}", the issuer of ${label(top)}, is not a trusted root (${input.anchorSource})` };
  }
  return { name: 'trust', status: 'fail', detail: `no path to a trusted root (${input.anchorSource})` };
}

function listCheck(name: string, problems: readonly string[], ok: string): Check {
  return problems.length > 0 ? { name, status: 'fail', detail: problems.join('; ') } : { name, status: 'ok', detail: ok };
}

function validityCheck(path: readonly CertInfo[], problems: readonly string[], input: ChainInput, at: Date): Check {
  const asOf = input.at === undefined ? '' : ` (as of ${at.toISOString()})`;
  if (problems.length > 0) return { name: 'validity', status: 'fail', detail: problems.join('; ') + asOf };
  const soonest = [...path].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0] as CertInfo;
  const days = Math.floor((soonest.notAfter.getTime() - at.getTime()) / DAY);
  const detail = `${path[0] === soonest ? 'the certificate' : label(soonest)} expires ${soonest.notAfter.toISOString().slice(0, 10)} (in ${days} days)${asOf}`;
  return { name: 'validity', status: days < input.warnDays ? 'warn' : 'ok', detail };
}

export function checkChain(input: ChainInput): ChainVerdict {
  const leaf = input.chain[0];
  if (!leaf) return { checks: [{ name: 'certificate', status: 'fail', detail: 'no certificate' }], path: [] };
  const at = input.at ?? new Date();
  const opts = { at, allowCn: input.allowCn === true };
  const result = buildPath(input.chain, input.anchors, (p) => validatePath(p, true, opts), at);
  const built = result.path;
  const path = built.certs;
  const problems: PathProblems = built.end.kind === 'anchored' ? built.end.problems : validatePath(path, false, opts);
  const checks: Check[] = [
    chainCheck(input, result),
    trustCheck(input, built),
    listCheck('constraints', problems.constraints, 'basicConstraints, keyUsage, path length, critical extensions and policies allow this path'),
    listCheck('purpose', problems.purpose, leaf.extKeyUsage ? 'serverAuth' : 'no extendedKeyUsage restriction'),
    validityCheck(path, problems.validity, input, at),
  ];
  if (input.host !== undefined) checks.push(hostCheck(leaf, input.host, input.allowCn === true, input.remedies));
  checks.push(
    listCheck('key strength', problems.keyStrength, `${leaf.publicKey.algorithm} ${leaf.publicKey.curve ?? leaf.publicKey.bits ?? ''}`.trim()),
    listCheck('signature algorithm', problems.signatureAlgorithm, leaf.signatureAlgorithm.name),
  );
  return { checks, path };
}

/** One target's report: its checks and verdict, the path checked, and for a live target the server's side. */
export interface VerifyReport {
  target: string;
  ok: boolean;
  /** The moment the checks were made for (ISO 8601): now, or verify --at. */
  at: string;
  checks: Check[];
  /** The certification path the checks are about: leaf first, the trust anchor last when one was reached. */
  path?: CertSummary[];
  /** Live targets: what the server said and sent, or how the connection failed. */
  server?: ServerFacts | ConnectionFailure;
}

/** What the report shows of the server beside the checks. */
export interface ServerFacts {
  protocol: string;
  mode: 'implicit' | 'starttls';
  /** Where the mode came from: --starttls, a well-known port, or what the server did on another port. */
  modeSource: 'option' | 'port' | 'detected';
  servername?: string;
  greeting?: string;
  /** Stated inside TLS. */
  capabilities: string[];
  /** STARTTLS: stated in plaintext, before TLS. */
  capabilitiesBeforeTls?: string[];
  /** STARTTLS: the ways to authenticate offered before TLS ([] for none). */
  authBeforeTls?: string[];
  tlsVersion: string;
  cipher: string;
  /** The key exchange group ("X25519", "P-256"), when Node tells it. */
  keyExchange?: string;
  /** The handshake signature scheme where the key and version allow only one, else null (see signatureText). */
  signatureScheme: string | null;
  /** What can be said of the server's handshake signature. */
  signatureText: string;
  /** A stapled OCSP response came (it was asked for). */
  ocspStapled: boolean;
  /** With --protocols: each TLS version and whether the server accepts it. */
  versions?: VersionProbe[];
  /** What the server sent, leaf first, up to net/connect's MAX_CHAIN. */
  chain: CertSummary[];
  /** How many certificates the server sent: more than `chain` holds when the list was cut (a note says so). */
  certificatesSent: number;
  notes: string[];
  timings: { connectMs: number; tlsMs: number };
}

/** A live target whose connection failed: the NetError's kind, the step it reached, its hint. */
export interface ConnectionFailure {
  error: NetError['kind'];
  step: string;
  hint: string | undefined;
}

/** What every target of one run shares. */
export interface CommonOptions {
  anchors: Anchors;
  host?: string;
  warnDays: number;
  strict: boolean;
  /** verify --at: every time-dependent check as of this moment; now when not given. */
  at?: Date;
  /** verify --allow-cn: a host name found only in the subject CN passes, with a note. */
  allowCn?: boolean;
  /** How the checks' details name what a user can do (the command's options). */
  remedies?: Remedies;
}

/** A report from its checks; `chain` when a chain was checked (its path goes into the report). */
export function verdict(
  target: string,
  checks: Check[],
  opts: Pick<CommonOptions, 'strict' | 'at'>,
  extra: { path?: CertSummary[]; server?: ServerFacts | ConnectionFailure } = {},
): VerifyReport {
  const ok = checks.every((c) => c.status === 'ok' || (c.status === 'warn' && !opts.strict));
  const report: VerifyReport = { target, ok, at: (opts.at ?? new Date()).toISOString(), checks };
  if (extra.path !== undefined) report.path = extra.path;
  if (extra.server !== undefined) report.server = extra.server;
  return report;
}

/** The chain checks with the options every target shares. */
export function chainChecks(chain: CertInfo[], opts: CommonOptions, host: string | undefined, anchors: Anchors = opts.anchors): ChainVerdict {
  return checkChain({
    chain,
    anchors: anchors.certs,
    anchorSource: anchors.source,
    ...(host === undefined ? {} : { host }),
    warnDays: opts.warnDays,
    ...(opts.at === undefined ? {} : { at: opts.at }),
    allowCn: opts.allowCn === true,
    ...(opts.remedies === undefined ? {} : { remedies: opts.remedies }),
  });
}

/** RFC 6125 6.4: a wildcard only as the whole left-most label, matching exactly one label. */
export function dnsMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const rest = p.slice(2);
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest && rest.includes('.');
}

/**
 * The name clients connect to against the leaf: subjectAltName only (RFC 6125 6.4.4; Go, NSS and
 * Apple's clients never look at the CN). OpenSSL-based clients (Postfix, Dovecot, Exim) still
 * accept a DNS name in the CN of a certificate without DNS names; --allow-cn accepts it knowingly.
 */
export function hostCheck(leaf: CertInfo, host: string, allowCn = false, remedies: Remedies = OWN_REMEDIES): Check {
  const san = leaf.subjectAltName;
  const want = parseIp(host);
  if (want !== undefined) {
    const ips = san?.ip ?? [];
    const ok = ips.some((ip) => {
      const bytes = parseIp(ip);
      return bytes !== undefined && sameBytes(bytes, want);
    });
    return ok
      ? { name: 'host name', status: 'ok', detail: `IP ${host} is in subjectAltName` }
      : { name: 'host name', status: 'fail', detail: `IP ${host} is not in subjectAltName (${ips.length ? someOf(ips) : 'no IP addresses'}); clients never match an IP against the CN` };
  }
  if (san && (san.dns.length > 0 || san.ip.length > 0)) {
    const hit = san.dns.find((d) => dnsMatches(d, host));
    return hit
      ? { name: 'host name', status: 'ok', detail: `${host} matches subjectAltName DNS:${hit}` }
      : { name: 'host name', status: 'fail', detail: `${host} is not in subjectAltName (${san.dns.length ? someOf(san.dns.map((d) => `DNS:${d}`)) : 'no DNS names'})` };
  }
  const cn = leaf.subject.rdns.flat().filter((a) => a.oid === OID.commonName).map((a) => a.value ?? '');
  const hit = cn.find((c) => dnsMatches(c, host));
  if (hit === undefined) return { name: 'host name', status: 'fail', detail: `${host} matches neither subjectAltName (none) nor the CN (${someOf(cn) || 'none'})` };
  const sides = 'clients using Go, NSS/Thunderbird or Apple refuse it; OpenSSL-based ones accept the CN';
  return allowCn
    ? { name: 'host name', status: 'ok', detail: `${host} matches only the CN, accepted with ${remedies.acceptCn} (no subjectAltName: ${sides})` }
    : { name: 'host name', status: 'fail', detail: `${host} matches only the CN (no subjectAltName: ${sides}; ${remedies.acceptCn} accepts it)` };
}
