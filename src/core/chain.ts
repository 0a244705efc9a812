/**
 * Building a certificate chain leaf -> root from a pool of candidates, the way keytool's
 * establishCertChain/buildChain does: an issuer is a certificate whose subject is the child's
 * issuer (and whose key identifier matches the child's authority key identifier, when both are
 * present) and whose key verifies the child's signature; building stops at a self-signed
 * certificate. File order never matters.
 */
import { sameBytes } from '../codec/bytes.js';
import { parseCertificate, type CertInfo } from '../codec/x509/certificate.js';
import { checkSignedBy, type SignatureCheck } from '../crypto/signatures.js';

export interface ChainResult {
  chain: CertInfo[];
  /** The chain ends in a self-signed certificate (a root). */
  complete: boolean;
  /** When incomplete: the issuer name that no candidate matched. */
  missingIssuer?: string;
}

/**
 * Signature checks already made, per pair of parsed certificates. A parsed certificate is never
 * changed, and the same ones come up again and again: each chain built against the same anchors,
 * each server of a `verify --connect` run that sends the same chain (core/verify-live.ts).
 */
const signatureChecks = new WeakMap<CertInfo, WeakMap<CertInfo, SignatureCheck>>();

/** A signature check made before on this pair, if any (verify counts only new ones against its bound). */
export function knownSignatureCheck(child: CertInfo, parent: CertInfo): SignatureCheck | undefined {
  return signatureChecks.get(child)?.get(parent);
}

/** Whether `parent`'s key made the signature on `child`, and why not (checked once per pair). */
export function signatureCheck(child: CertInfo, parent: CertInfo): SignatureCheck {
  let byParent = signatureChecks.get(child);
  if (byParent === undefined) signatureChecks.set(child, (byParent = new WeakMap()));
  let result = byParent.get(parent);
  if (result === undefined) byParent.set(parent, (result = checkSignedBy(child, parent)));
  return result;
}

/** The child names the parent as its issuer, and their key identifiers do not disagree (RFC 5280 4.2.1.1). */
export function namesIssuer(child: CertInfo, parent: CertInfo): boolean {
  if (!sameBytes(child.issuer.der, parent.subject.der) && child.issuer.text !== parent.subject.text) return false;
  return !keyIdsDiffer(child, parent);
}

/** Both key identifiers are present and differ: the parent's key is not the one that signed the child. */
export function keyIdsDiffer(child: CertInfo, parent: CertInfo): boolean {
  return child.authorityKeyIdentifier !== undefined && parent.subjectKeyIdentifier !== undefined && !sameBytes(child.authorityKeyIdentifier, parent.subjectKeyIdentifier);
}

/** Whether `parent` issued `child`: names, key identifiers when both are present, and the signature. */
export function issuedBy(child: CertInfo, parent: CertInfo): boolean {
  return namesIssuer(child, parent) && signatureCheck(child, parent).ok;
}

export function isSelfSigned(c: CertInfo): boolean {
  return c.selfIssued && issuedBy(c, c);
}

export function buildChain(leaf: CertInfo, pool: readonly CertInfo[]): ChainResult {
  const chain = [leaf];
  let current = leaf;
  // A chain longer than the pool would revisit a certificate: stop there.
  for (let i = 0; i <= pool.length; i++) {
    if (isSelfSigned(current)) return { chain, complete: true };
    const issuer = pool.find((p) => !chain.some((c) => sameBytes(c.der, p.der)) && issuedBy(current, p));
    if (!issuer) return { chain, complete: false, missingIssuer: current.issuer.text };
    chain.push(issuer);
    current = issuer;
  }
  return { chain, complete: false, missingIssuer: current.issuer.text };
}

/** Parses each DER once, dropping exact duplicates. */
export function uniqueCerts(ders: readonly Uint8Array[]): CertInfo[] {
  const out: CertInfo[] = [];
  for (const d of ders) if (!out.some((c) => sameBytes(c.der, d))) out.push(parseCertificate(d));
  return out;
}

/** The same for certificates parsed already: each once, in the order given. */
export function distinctCerts(certs: readonly CertInfo[]): CertInfo[] {
  const out: CertInfo[] = [];
  for (const cert of certs) if (!out.some((c) => sameBytes(c.der, cert.der))) out.push(cert);
  return out;
}
