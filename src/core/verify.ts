/**
 * The checks of `mailcert verify`, on a server certificate chain as presented (from a keystore
 * entry, a PEM chain file, or what a live server sent): one verdict per check, never a wall of
 * text. Path validation follows RFC 5280 section 6 in the parts that decide whether a mail client
 * will connect: signatures, validity, basicConstraints/pathLen, keyUsage, EKU serverAuth, a trust
 * anchor at the end; host names follow RFC 6125 (SAN first, CN only when there is no SAN).
 */
import type { CertInfo } from '../codec/x509.js';
import { sameBytes } from '../crypto/keys.js';
import { ipBytes } from '../codec/extensions.js';
import { isIpAddress } from '../codec/ip.js';
import { issuedBy } from './chain.js';

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
  now?: Date;
}

const DAY = 86_400_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EKU = '2.5.29.37.0';

interface PathResult {
  /** leaf -> ... -> the anchor (included) when trusted. */
  path: CertInfo[];
  anchor?: CertInfo;
  missingIssuer?: string;
}

/** Builds the path from the leaf, preferring the presented certificates, ending at a trust anchor. */
export function validationPath(chain: readonly CertInfo[], anchors: readonly CertInfo[]): PathResult {
  const leaf = chain[0];
  if (!leaf) return { path: [] };
  const path = [leaf];
  for (let cur = leaf; path.length <= chain.length + 1; ) {
    const anchorSelf = anchors.find((a) => sameBytes(a.der, cur.der));
    if (anchorSelf) return { path, anchor: anchorSelf };
    const anchor = anchors.find((a) => issuedBy(cur, a));
    if (anchor) return { path: [...path, anchor], anchor };
    // A self-signed top that is not an anchor: the path is complete but untrusted.
    if (cur.selfIssued && issuedBy(cur, cur)) return { path };
    const next = chain.find((c) => !path.includes(c) && issuedBy(cur, c));
    if (!next) return { path, missingIssuer: cur.issuer.text };
    path.push(next);
    cur = next;
  }
  return { path, missingIssuer: path[path.length - 1]?.issuer.text };
}

export function checkChain(input: ChainInput): Check[] {
  const checks: Check[] = [];
  const { chain, anchors } = input;
  const leaf = chain[0];
  if (!leaf) return [{ name: 'certificate', status: 'fail', detail: 'no certificate' }];
  const now = input.now ?? new Date();

  // Chain order: each presented certificate should be issued by the next one (RFC 8446 4.4.2).
  const misordered = chain.slice(0, -1).findIndex((c, i) => !issuedBy(c, chain[i + 1] as CertInfo));
  const result = validationPath(chain, anchors);
  const extra = chain.filter((c) => !result.path.some((p) => sameBytes(p.der, c.der)));
  if (result.missingIssuer !== undefined) {
    checks.push({ name: 'chain', status: 'fail', detail: `incomplete: no certificate for the issuer "${result.missingIssuer}" (a missing intermediate?)` });
  } else if (misordered !== -1) {
    checks.push({ name: 'chain', status: 'warn', detail: `complete, but certificate ${misordered + 2} does not issue certificate ${misordered + 1}: order it leaf first, then each issuer` });
  } else if (extra.length > 0) {
    checks.push({ name: 'chain', status: 'warn', detail: `${extra.length} certificate(s) not part of the path: ${extra.map((c) => c.subject.text).join('; ')}` });
  } else {
    checks.push({ name: 'chain', status: 'ok', detail: `${chain.length} certificate(s), leaf first, each issued by the next` });
  }

  if (result.anchor) {
    checks.push({ name: 'trust', status: 'ok', detail: `anchored at "${result.anchor.subject.text}" (${input.anchorSource})` });
  } else if (result.missingIssuer === undefined) {
    const top = result.path[result.path.length - 1] ?? leaf;
    checks.push({ name: 'trust', status: 'fail', detail: `"${top.subject.text}" is not a trusted root (${input.anchorSource})${top === leaf && leaf.selfIssued ? ': the certificate is self-signed' : ''}` });
  } else {
    checks.push({ name: 'trust', status: 'fail', detail: `no path to a trusted root (${input.anchorSource})` });
  }

  // CA constraints along the path (RFC 5280 6.1.4 (k), (l), (n)).
  const caProblems: string[] = [];
  result.path.slice(1).forEach((ca, i) => {
    if (ca.basicConstraints?.ca !== true && ca.version === 3) caProblems.push(`"${ca.subject.text}" is not a CA (basicConstraints)`);
    const below = i; // CA certificates between this one and the leaf, excluding self-issued ones
    if (ca.basicConstraints?.pathLen !== undefined && below > ca.basicConstraints.pathLen) caProblems.push(`"${ca.subject.text}" allows a path length of ${ca.basicConstraints.pathLen}`);
    if (ca.keyUsage && !ca.keyUsage.includes('keyCertSign')) caProblems.push(`"${ca.subject.text}" lacks keyUsage keyCertSign`);
  });
  if (leaf.basicConstraints?.ca === true && !leaf.selfIssued) caProblems.push('the server certificate is itself a CA certificate');
  checks.push(caProblems.length ? { name: 'constraints', status: 'fail', detail: caProblems.join('; ') } : { name: 'constraints', status: 'ok', detail: 'basicConstraints and keyUsage allow this path' });

  const eku = leaf.extKeyUsage?.map((e) => e.oid);
  if (eku && !eku.includes(SERVER_AUTH) && !eku.includes(ANY_EKU)) {
    checks.push({ name: 'purpose', status: 'fail', detail: `extendedKeyUsage lacks serverAuth (${leaf.extKeyUsage?.map((e) => e.name ?? e.oid).join(', ')})` });
  } else if (leaf.keyUsage && !leaf.keyUsage.some((u) => u === 'digitalSignature' || u === 'keyEncipherment' || u === 'keyAgreement')) {
    checks.push({ name: 'purpose', status: 'fail', detail: `keyUsage (${leaf.keyUsage.join(', ')}) does not allow TLS` });
  } else {
    checks.push({ name: 'purpose', status: 'ok', detail: eku ? 'serverAuth' : 'no extendedKeyUsage restriction' });
  }

  checks.push(validity(result.path.length > 0 ? result.path : chain, now, input.warnDays));
  if (input.host !== undefined) checks.push(hostCheck(leaf, input.host));
  checks.push(keyStrength(result.path.length > 0 ? result.path : chain));
  checks.push(signatureAlgorithms(result.path.length > 0 ? result.path : chain, result.anchor));
  return checks;
}

function validity(certs: readonly CertInfo[], now: Date, warnDays: number): Check {
  const expired = certs.filter((c) => c.notAfter.getTime() < now.getTime());
  if (expired.length) return { name: 'validity', status: 'fail', detail: expired.map((c) => `"${c.subject.text}" expired on ${c.notAfter.toISOString().slice(0, 10)}`).join('; ') };
  const early = certs.filter((c) => c.notBefore.getTime() > now.getTime());
  if (early.length) return { name: 'validity', status: 'fail', detail: early.map((c) => `"${c.subject.text}" is not valid before ${c.notBefore.toISOString()}`).join('; ') };
  const soonest = [...certs].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0] as CertInfo;
  const days = Math.floor((soonest.notAfter.getTime() - now.getTime()) / DAY);
  const detail = `${certs[0] === soonest ? 'the certificate' : `"${soonest.subject.text}"`} expires ${soonest.notAfter.toISOString().slice(0, 10)} (in ${days} days)`;
  return { name: 'validity', status: days < warnDays ? 'warn' : 'ok', detail };
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

export function hostCheck(leaf: CertInfo, host: string): Check {
  const san = leaf.subjectAltName;
  if (isIpAddress(host)) {
    const want = ipBytes(host);
    const ips = san?.ip ?? [];
    const ok = ips.some((ip) => sameBytes(ipBytes(ip), want));
    return ok
      ? { name: 'host name', status: 'ok', detail: `IP ${host} is in subjectAltName` }
      : { name: 'host name', status: 'fail', detail: `IP ${host} is not in subjectAltName (${ips.length ? ips.join(', ') : 'no IP addresses'}); clients never match an IP against the CN` };
  }
  if (san && (san.dns.length > 0 || san.ip.length > 0)) {
    const hit = san.dns.find((d) => dnsMatches(d, host));
    return hit
      ? { name: 'host name', status: 'ok', detail: `${host} matches subjectAltName DNS:${hit}` }
      : { name: 'host name', status: 'fail', detail: `${host} is not in subjectAltName (${san.dns.map((d) => `DNS:${d}`).join(', ') || 'no DNS names'})` };
  }
  const cn = leaf.subject.rdns.flat().filter((a) => a.oid === '2.5.4.3').map((a) => a.value ?? '');
  const hit = cn.find((c) => dnsMatches(c, host));
  return hit
    ? { name: 'host name', status: 'warn', detail: `${host} matches only the CN (no subjectAltName: many clients refuse this)` }
    : { name: 'host name', status: 'fail', detail: `${host} matches neither subjectAltName (none) nor the CN (${cn.join(', ') || 'none'})` };
}

function keyStrength(certs: readonly CertInfo[]): Check {
  const weak = certs.filter((c) => (c.publicKey.algorithm === 'RSA' && (c.publicKey.bits ?? 0) < 2048) || (c.publicKey.algorithm === 'EC' && (c.publicKey.bits ?? 256) < 256) || c.publicKey.algorithm === 'DSA');
  if (weak.length) return { name: 'key strength', status: 'fail', detail: weak.map((c) => `"${c.subject.text}": ${c.publicKey.algorithm} ${c.publicKey.bits ?? ''}`.trim()).join('; ') + ' (RSA needs 2048 bits or more)' };
  const leaf = certs[0];
  return { name: 'key strength', status: 'ok', detail: leaf ? `${leaf.publicKey.algorithm} ${leaf.publicKey.curve ?? leaf.publicKey.bits ?? ''}`.trim() : '' };
}

function signatureAlgorithms(certs: readonly CertInfo[], anchor: CertInfo | undefined): Check {
  // A trust anchor's own self-signature is never checked by clients (RFC 5280 6.1.1 (d)).
  const weak = certs.filter((c) => c !== anchor && /^(MD2|MD5|SHA1)with/i.test(c.signatureAlgorithm.name));
  if (weak.length) return { name: 'signature algorithm', status: 'fail', detail: weak.map((c) => `"${c.subject.text}" is signed with ${c.signatureAlgorithm.name}`).join('; ') };
  return { name: 'signature algorithm', status: 'ok', detail: certs[0]?.signatureAlgorithm.name ?? '' };
}
