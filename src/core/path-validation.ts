/**
 * Validation of one certificate path (RFC 5280 section 6.1), leaf first and, when the path reached
 * one, the trust anchor last. Signatures and name chaining (6.1.3 (a)(1), (a)(4)) are checked while
 * the path is built (path-building.ts); everything else is here, in the order 6.1 gives it, plus
 * what the TLS server purpose adds (OpenSSL's X509_PURPOSE_SSL_SERVER, CA/Browser Forum rules).
 * Each problem lands in the check it belongs to, so `mailcert verify` shows it under that name.
 *
 * The trust anchor is checked like OpenSSL 3.0 checks the last certificate of its chain
 * (x509_vfy.c check_chain_extensions, check_purpose): its validity, basicConstraints, keyUsage,
 * extendedKeyUsage, critical extensions and key; only its own signature and policies are not.
 */
import { OID } from '../codec/asn1/oid.js';
import type { CertInfo } from '../codec/x509/certificate.js';
import { hashName, pssParameters, signatureHash } from '../codec/x509/algorithms.js';
import { nameConstraintProblems } from './name-constraints.js';
import { keyStrengthProblem } from './path-keys.js';
import { policyProblems } from './path-policy.js';

export interface PathProblems {
  constraints: string[];
  purpose: string[];
  keyStrength: string[];
  signatureAlgorithm: string[];
  validity: string[];
}

export interface PathOptions {
  /** The moment the path is valid at (verify --at; now by default). */
  at: Date;
  /** verify --allow-cn: a host name found only in the subject CN is accepted. */
  allowCn: boolean;
}

const SERVER_AUTH = OID.serverAuth;
const ANY_EKU = OID.anyExtendedKeyUsage;
/** Netscape cert type: SSL server (OpenSSL's NS_SSL_SERVER). */
const NS_SSL_SERVER = 0x40;

/**
 * The extensions mailcert processes (RFC 5280 4.2: a critical extension the verifier does not
 * process fails the path). OpenSSL 3.0's list (v3_purp.c X509_supported_extension) also has CRL
 * distribution points, the RFC 3779 address and AS blocks and proxyCertInfo: mailcert checks no
 * revocation, no RFC 3779 resources and no proxy certificates, so those fail when critical. As in
 * OpenSSL, a critical subject or authority key identifier fails too (RFC 5280 4.2.1.1/4.2.1.2: never critical).
 */
const PROCESSED_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  [OID.basicConstraints, 'basicConstraints'],
  [OID.keyUsage, 'keyUsage'],
  [OID.extKeyUsage, 'extKeyUsage'],
  [OID.subjectAltName, 'subjectAltName'],
  [OID.nameConstraints, 'nameConstraints'],
  [OID.certificatePolicies, 'certificatePolicies'],
  [OID.policyMappings, 'policyMappings'],
  [OID.policyConstraints, 'policyConstraints'],
  [OID.inhibitAnyPolicy, 'inhibitAnyPolicy'],
  [OID.ocspNoCheck, 'OCSP no-check'], // RFC 6960 4.2.2.2.1: nothing to do where no revocation is checked
  [OID.netscapeCertType, 'nsCertType'],
]);

const EXTENSION_NAMES: ReadonlyMap<string, string> = new Map([
  [OID.subjectKeyIdentifier, 'subjectKeyIdentifier'],
  [OID.authorityKeyIdentifier, 'authorityKeyIdentifier'],
  [OID.cRLDistributionPoints, 'cRLDistributionPoints'],
  [OID.ipAddrBlocks, 'IP address blocks (RFC 3779)'],
  [OID.autonomousSysIds, 'AS identifiers (RFC 3779)'],
  [OID.proxyCertInfo, 'proxyCertInfo'],
  [OID.authorityInfoAccess, 'authorityInfoAccess'],
  [OID.issuerAltName, 'issuerAltName'],
]);

const label = (c: CertInfo): string => `"${c.subject.text}"`;

/** RFC 5280 6.1.3 (a)(2): the certificate is valid at the time of interest. */
function validityProblem(cert: CertInfo, at: Date): string | undefined {
  if (cert.notAfter.getTime() < at.getTime()) return `${label(cert)} expired on ${cert.notAfter.toISOString().slice(0, 10)}`;
  if (cert.notBefore.getTime() > at.getTime()) return `${label(cert)} is not valid before ${cert.notBefore.toISOString()}`;
  return undefined;
}

/** RFC 5280 6.1.4 (o), 6.1.5 (f): every critical extension must be one the verifier processes. */
function criticalExtensionProblem(cert: CertInfo): string | undefined {
  const unknown = [...cert.extensions.values()].filter((e) => e.critical && !PROCESSED_EXTENSIONS.has(e.oid));
  if (unknown.length === 0) return undefined;
  const names = unknown.map((e) => EXTENSION_NAMES.get(e.oid) ?? e.oid).join(', ');
  return `${label(cert)} has a critical extension mailcert does not process (${names}): RFC 5280 4.2 requires refusing it`;
}

/**
 * RFC 5280 6.1.4 (k), (n), 4.1.2.6: a CA certificate is a v3 certificate with basicConstraints
 * cA TRUE, keyCertSign when it has keyUsage, and a non-empty subject. A v1 self-signed trust anchor
 * is accepted, as OpenSSL's X509_check_ca accepts it (an old root); a v1 intermediate is not.
 */
function caProblems(ca: CertInfo, isAnchor: boolean): string[] {
  const out: string[] = [];
  const v1Root = isAnchor && ca.version === 1 && ca.selfIssued;
  if (ca.basicConstraints?.ca !== true && !v1Root) out.push(`${label(ca)} is not a CA (basicConstraints)`);
  if (ca.keyUsage && !ca.keyUsage.includes('keyCertSign')) out.push(`${label(ca)} lacks keyUsage keyCertSign`);
  if (ca.subject.rdns.length === 0) out.push(`a CA certificate issued by "${ca.issuer.text}" has an empty subject, which RFC 5280 4.1.2.6 forbids for a CA: no certificate can name it as its issuer`);
  return out;
}

/**
 * RFC 5280 6.1.4 (l), (m): a CA's pathLenConstraint bounds the CA certificates below it, not
 * counting self-issued ones (a key rollover certificate) or the leaf. As OpenSSL does, the trust
 * anchor's own pathLenConstraint applies too.
 */
function pathLengthProblems(path: readonly CertInfo[]): string[] {
  const out: string[] = [];
  let below = 0; // non-self-issued CA certificates between the leaf and path[i]
  for (let i = 1; i < path.length; i++) {
    const ca = path[i] as CertInfo;
    const limit = ca.basicConstraints?.pathLen;
    if (limit !== undefined && below > limit) out.push(`${label(ca)} allows a path length of ${limit}, and ${below} CA certificate(s) follow it`);
    if (!ca.selfIssued) below++;
  }
  return out;
}

/**
 * extendedKeyUsage on every certificate of the path (OpenSSL's check_purpose_ssl_server, for CAs
 * too, the trust anchor included; Go and the CA/Browser Forum rules alike): a certificate that
 * lists key purposes without serverAuth cannot vouch for a TLS server. OpenSSL refuses
 * anyExtendedKeyUsage without serverAuth, and so does mailcert (Go accepts it).
 */
function ekuProblem(cert: CertInfo, isLeaf: boolean): string | undefined {
  const eku = cert.extKeyUsage;
  if (eku === undefined || eku.some((e) => e.oid === SERVER_AUTH)) return undefined;
  const listed = eku.map((e) => e.name ?? e.oid).join(', ');
  const any = eku.some((e) => e.oid === ANY_EKU) ? ' (OpenSSL refuses anyExtendedKeyUsage without serverAuth)' : '';
  return isLeaf ? `extendedKeyUsage lacks serverAuth (${listed})${any}` : `${label(cert)} limits the certificates it issues to ${listed}: no serverAuth${any}`;
}

/** The leaf's keyUsage and Netscape cert type must allow a TLS server (OpenSSL's ku_reject KU_TLS, ns_reject NS_SSL_SERVER). */
function leafUsageProblems(leaf: CertInfo): string[] {
  const out: string[] = [];
  const ku = leaf.keyUsage;
  if (ku && !ku.some((u) => u === 'digitalSignature' || u === 'keyEncipherment' || u === 'keyAgreement')) out.push(`keyUsage (${ku.join(', ')}) does not allow TLS`);
  if (leaf.nsCertType !== undefined && (leaf.nsCertType & NS_SSL_SERVER) === 0) out.push('the Netscape cert type does not include SSL server');
  return out;
}

/**
 * Signature algorithms a client still accepts: no MD2, MD5 or SHA-1 (also not as RSASSA-PSS's
 * hash, which defaults to SHA-1 when the parameters leave it out), and RSASSA-PSS parameters a
 * verifier can check (RFC 4055 3.1). The trust anchor's own signature is never checked (RFC 5280 6.1.1 (d)).
 */
function signatureAlgorithmProblem(cert: CertInfo): string | undefined {
  const alg = cert.signatureAlgorithm;
  if (/^(MD2|MD5|SHA1)with/i.test(alg.name)) return `${label(cert)} is signed with ${alg.name}`;
  if (alg.name !== 'RSASSA-PSS') {
    if (signatureHash(alg) !== null || /^Ed(25519|448)$/.test(alg.name)) return undefined;
    return alg.name === alg.oid ? `${label(cert)} is signed with the unknown algorithm ${alg.oid}` : `${label(cert)} is signed with ${alg.name} (${alg.oid}), which mailcert does not check`;
  }
  if (alg.parameters === undefined) return `${label(cert)} is signed with RSASSA-PSS without parameters (RFC 4055 3.1 requires them; their defaults are SHA-1)`;
  let pss;
  try {
    pss = pssParameters(alg);
  } catch {
    return `${label(cert)} is signed with RSASSA-PSS whose parameters cannot be read`;
  }
  if (pss === undefined) return undefined;
  if (pss.hash === 'sha1') return `${label(cert)} is signed with RSASSA-PSS using SHA-1`;
  if (pss.mgfHash !== pss.hash) return `${label(cert)} is signed with RSASSA-PSS using ${hashName(pss.hash)} but MGF1 with ${hashName(pss.mgfHash)}: the hashes must match (RFC 8017 9.1, CA/Browser Forum BR 7.1.3.2)`;
  return undefined;
}

const problemsIn = (certs: readonly CertInfo[], rule: (c: CertInfo) => string | undefined): string[] => certs.map(rule).filter((p): p is string => p !== undefined);

/**
 * Every problem of `path` (leaf first; the trust anchor last when `anchored`). An unanchored path
 * (it ends at a missing issuer or an untrusted root) is checked as far as it goes, so that a
 * report still says what else is wrong.
 */
export function validatePath(path: readonly CertInfo[], anchored: boolean, opts: PathOptions): PathProblems {
  const leaf = path[0];
  const problems: PathProblems = { constraints: [], purpose: [], keyStrength: [], signatureAlgorithm: [], validity: [] };
  if (leaf === undefined) return problems;
  const cas = path.slice(1);
  const anchor = anchored ? path[path.length - 1] : undefined;

  // 6.1.3 (a)(2): validity of each certificate, the anchor's too (as OpenSSL checks it).
  problems.validity.push(...problemsIn(path, (c) => validityProblem(c, opts.at)));
  // 6.1.3 (b)-(c), 6.1.4 (g): name constraints. Without a DNS subjectAltName the CN is what
  // clients match the host name against, so it must obey them too (OpenSSL's NAME_CONSTRAINTS_check_CN).
  problems.constraints.push(...nameConstraintProblems(path, { cnIsHostName: !(leaf.subjectAltName?.dns.length) }));
  // 6.1.3 (d)-(f), 6.1.4 (a)-(b), (h)-(j), 6.1.5 (a)-(b), (g): certificate policies, on a whole path only.
  if (anchored) problems.constraints.push(...policyProblems(path));
  // 6.1.4 (k)-(n): what makes a CA certificate a CA that may issue this path.
  for (const ca of cas) problems.constraints.push(...caProblems(ca, ca === anchor));
  problems.constraints.push(...pathLengthProblems(path));
  if (leaf.basicConstraints?.ca === true && !leaf.selfIssued) problems.constraints.push('the server certificate is itself a CA certificate');
  // 6.1.4 (o), 6.1.5 (f): critical extensions mailcert does not process.
  problems.constraints.push(...problemsIn(path, criticalExtensionProblem));

  // The TLS server purpose: the leaf's usage, and extendedKeyUsage all the way up.
  problems.purpose.push(...problemsIn([leaf], (c) => ekuProblem(c, true)), ...leafUsageProblems(leaf), ...problemsIn(cas, (c) => ekuProblem(c, false)));
  problems.keyStrength.push(...problemsIn(path, (c) => {
    const p = keyStrengthProblem(c.publicKey);
    return p === undefined ? undefined : `${label(c)}: ${p}`;
  }));
  problems.signatureAlgorithm.push(...problemsIn(path.filter((c) => c !== anchor), signatureAlgorithmProblem));
  return problems;
}

/** How many of the checks a path fails: fewer is a more promising path to report. */
export function failingChecks(p: PathProblems): number {
  return [p.constraints, p.purpose, p.keyStrength, p.signatureAlgorithm, p.validity].filter((l) => l.length > 0).length;
}
