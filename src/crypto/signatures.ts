/**
 * Checking signatures with node:crypto (OpenSSL): a certificate's, a request's, a CRL's, by the
 * key in a SubjectPublicKeyInfo. RSA PKCS#1 v1.5, RSASSA-PSS (RFC 4055 section 3.1, RFC 8017
 * A.2.3), ECDSA, DSA, Ed25519/Ed448. What the algorithms and keys are is read by the X.509 model
 * (src/codec/x509/algorithms.ts, public-key.ts); here they are used.
 */
import { createPublicKey, constants, verify, type KeyObject } from 'node:crypto';
import { sameBytes } from '../codec/bytes.js';
import { CodecError } from '../codec/errors.js';
import { OID } from '../codec/asn1/oid.js';
import {
  type AlgorithmIdentifier,
  type PssParameters,
  type SignatureScheme,
  KNOWN_HASHES,
  hashName,
  pssParameters,
  signatureScheme,
} from '../codec/x509/algorithms.js';
import type { CertInfo } from '../codec/x509/certificate.js';
import { type PublicKeySummary, parsePublicKeyInfo } from '../codec/x509/public-key.js';

/** The outcome of checking one signature: it verifies, the key did not make it, or it cannot be checked. */
export type SignatureCheck = { ok: true } | { ok: false; kind: 'mismatch' | 'unusable'; reason: string };

const KEY_TYPES: Readonly<Record<SignatureScheme['family'], readonly string[]>> = {
  rsa: ['rsa'],
  pss: ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
  dsa: ['dsa'],
  eddsa: ['ed25519', 'ed448'],
};

function publicKeyOf(spki: Uint8Array): KeyObject | string {
  try {
    return createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Why a PSS signature's parameters cannot be checked or are not allowed by the key; undefined when fine. */
function pssProblem(algorithm: AlgorithmIdentifier, key: PublicKeySummary, whose: string): { kind: 'mismatch' | 'unusable'; reason: string } | undefined {
  // RFC 4055 3.1: the parameters MUST be present in a signature's AlgorithmIdentifier.
  if (algorithm.parameters === undefined) return { kind: 'unusable', reason: 'RSASSA-PSS without parameters (RFC 4055 3.1 requires them)' };
  let pss: PssParameters;
  try {
    pss = pssParameters(algorithm) as PssParameters;
  } catch (e) {
    return { kind: 'unusable', reason: `RSASSA-PSS parameters that cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!KNOWN_HASHES.has(pss.hash)) return { kind: 'unusable', reason: `RSASSA-PSS with the unknown hash ${pss.hash}` };
  if (pss.mgf !== OID.mgf1) return { kind: 'unusable', reason: `RSASSA-PSS with the mask generation function ${pss.mgf} (only MGF1 is defined)` };
  if (pss.mgfHash !== pss.hash) {
    return { kind: 'unusable', reason: `RSASSA-PSS with ${hashName(pss.hash)} but MGF1 with ${hashName(pss.mgfHash)}: the two hashes must be the same (RFC 8017 9.1, CA/Browser Forum BR 7.1.3.2)` };
  }
  if (pss.trailerField !== 1) return { kind: 'unusable', reason: `RSASSA-PSS with trailer field ${pss.trailerField} (RFC 4055 3.1 allows only 1)` };
  const allowed = key.pss;
  if (allowed !== undefined && (allowed.hash !== pss.hash || allowed.mgfHash !== pss.mgfHash || pss.saltLength < allowed.saltLength)) {
    return {
      kind: 'mismatch',
      reason: `the key of ${whose} is an RSASSA-PSS key for ${hashName(allowed.hash)} with a salt of at least ${allowed.saltLength} bytes only (RFC 4055 3.1), and the signature uses ${hashName(pss.hash)} with a salt of ${pss.saltLength}`,
    };
  }
  return undefined;
}

/**
 * Whether the key in `spki` made `signature` over `signed` (RFC 5280 6.1.3 a.1 for a certificate's
 * TBSCertificate, RFC 2986 section 4.2 for a request's CertificationRequestInfo): RSA PKCS#1 v1.5,
 * RSASSA-PSS, ECDSA, DSA, Ed25519/Ed448. `whose` names the key's owner in the reason.
 */
export function checkSignature(
  signed: Uint8Array,
  algorithm: AlgorithmIdentifier,
  signature: Uint8Array,
  spki: Uint8Array,
  whose = 'the signer',
  summary: PublicKeySummary = parsePublicKeyInfo(spki),
): SignatureCheck {
  const alg = signatureScheme(algorithm.oid);
  if (alg === undefined) return { ok: false, kind: 'unusable', reason: `the signature algorithm ${algorithm.oid} is unknown` };
  if (alg.hash === 'md2') return { ok: false, kind: 'unusable', reason: 'MD2withRSA signatures cannot be checked' };
  // RFC 4055 1.2: a key identified as id-RSASSA-PSS is used for RSASSA-PSS signatures only.
  if (summary.algorithm === 'RSASSA-PSS' && alg.family !== 'pss') {
    return { ok: false, kind: 'mismatch', reason: `the key of ${whose} is an RSASSA-PSS key, which makes no ${alg.name} signatures (RFC 4055 1.2)` };
  }
  let pss: PssParameters | undefined;
  if (alg.family === 'pss') {
    const problem = pssProblem(algorithm, summary, whose);
    if (problem !== undefined) return { ok: false, ...problem };
    pss = pssParameters(algorithm);
  }
  const key = publicKeyOf(spki);
  if (typeof key === 'string') return { ok: false, kind: 'unusable', reason: `the public key of ${whose} cannot be used: ${key}` };
  if (!KEY_TYPES[alg.family].includes(key.asymmetricKeyType ?? '')) {
    return { ok: false, kind: 'mismatch', reason: `a ${alg.name} signature cannot come from the ${summary.algorithm} key of ${whose}` };
  }
  try {
    const good =
      pss === undefined
        ? verify(alg.hash, signed, key, signature)
        : verify(pss.hash, signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signature);
    return good ? { ok: true } : { ok: false, kind: 'mismatch', reason: `the key of ${whose} did not make this signature` };
  } catch (e) {
    return { ok: false, kind: 'unusable', reason: `the signature cannot be checked with the key of ${whose}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Whether the key in `spki` verifies `signature` over `signed` (see checkSignature): false when the
 * key did not make it, CodecError('unsupported') when it cannot be checked at all.
 */
export function verifySignature(signed: Uint8Array, algorithm: AlgorithmIdentifier, signature: Uint8Array, spki: Uint8Array, whose = 'the signer'): boolean {
  const r = checkSignature(signed, algorithm, signature, spki, whose);
  if (r.ok) return true;
  if (r.kind === 'mismatch') return false;
  throw new CodecError('unsupported', 'X.509', r.reason);
}

/**
 * Whether `issuer`'s key made the signature on `cert` (RFC 5280 6.1.3 (a)(1)); like OpenSSL's
 * X509_verify, a certificate whose two signature algorithm fields differ (RFC 5280 4.1.1.2) fails.
 */
export function checkSignedBy(cert: CertInfo, issuer: CertInfo): SignatureCheck {
  if (!sameBytes(cert.tbsSignatureAlgorithm, cert.signatureAlgorithmDer)) {
    return { ok: false, kind: 'unusable', reason: 'its signature algorithm differs from the one named inside the signed part (RFC 5280 4.1.1.2)' };
  }
  return checkSignature(cert.tbs, cert.signatureAlgorithm, cert.signature, issuer.spki, `"${issuer.subject.text}"`, issuer.publicKey);
}

/** Whether `issuer`'s public key verifies the signature on `cert` (false also when it cannot be checked). */
export function verifySignedBy(cert: CertInfo, issuer: CertInfo): boolean {
  return checkSignedBy(cert, issuer).ok;
}
