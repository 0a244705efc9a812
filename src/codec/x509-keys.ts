/**
 * Algorithms and keys in certificates: AlgorithmIdentifier (RFC 5280 4.1.1.2), the key in a
 * SubjectPublicKeyInfo (RFC 3279, RFC 4055, RFC 5480, RFC 8410), RSASSA-PSS parameters (RFC 4055
 * section 3.1, RFC 8017 A.2.3), and checking a signature with node:crypto.
 */
import { createPublicKey, constants, verify, type KeyObject } from 'node:crypto';
import { CodecError } from './errors.js';
import { TAG, type Tlv, children, derError, expectTag, isContext, item, readBitString, readIntegerBytes, readOid, readRoot, readSmallInt, readTlv, tlvBytes } from './der.js';

const FORMAT = 'X.509';

export interface AlgorithmIdentifier {
  oid: string;
  /** keytool's name (SHA256withRSA, SHA256withECDSA, RSASSA-PSS, Ed25519) or the OID when unknown. */
  name: string;
  /** The parameters' complete encoding, when present (RSASSA-PSS-params, NULL). */
  parameters?: Uint8Array;
}

/** RSASSA-PSS-params: what a PSS signature used, or what an id-RSASSA-PSS key allows. */
export interface PssParameters {
  /** node:crypto digest name (sha256), or the OID when unknown. */
  hash: string;
  /** The mask generation function's OID (MGF1 is 1.2.840.113549.1.1.8, the only one defined). */
  mgf: string;
  mgfHash: string;
  saltLength: number;
  trailerField: number;
}

export interface PublicKeySummary {
  /** 'RSA', 'RSASSA-PSS', 'EC', 'Ed25519', 'Ed448', 'X25519', 'X448', 'DSA', 'DH', 'DHX', or the OID when unknown. */
  algorithm: string;
  oid: string;
  /** Key size: RSA/DSA/DH modulus bits, EC field bits, 255/448 for the Edwards curves. */
  bits?: number;
  /** EC curve name as the JDK names it (secp256r1, ...) or the OID when unknown. */
  curve?: string;
  /** EC keys without a named curve: what their parameters are instead (RFC 5480 2.1.1 allows only named curves). */
  unnamedCurve?: string;
  /** RSA: the public exponent, unsigned big-endian. */
  exponent?: Uint8Array;
  /** An id-RSASSA-PSS key with parameters: the only PSS signatures it may verify (RFC 4055 3.1). */
  pss?: PssParameters;
}

interface SigAlg {
  name: string;
  /** node:crypto digest name; null for EdDSA (the hash is part of the scheme) and PSS (in the parameters). */
  hash: string | null;
  family: 'rsa' | 'pss' | 'ecdsa' | 'dsa' | 'eddsa';
}

/** Names as sun.security.x509.AlgorithmId.getName returns them (what keytool prints). */
const SIG_ALGS: ReadonlyMap<string, SigAlg> = new Map<string, SigAlg>([
  ['1.2.840.113549.1.1.2', { name: 'MD2withRSA', hash: 'md2', family: 'rsa' }],
  ['1.2.840.113549.1.1.4', { name: 'MD5withRSA', hash: 'md5', family: 'rsa' }],
  ['1.2.840.113549.1.1.5', { name: 'SHA1withRSA', hash: 'sha1', family: 'rsa' }],
  ['1.2.840.113549.1.1.14', { name: 'SHA224withRSA', hash: 'sha224', family: 'rsa' }],
  ['1.2.840.113549.1.1.11', { name: 'SHA256withRSA', hash: 'sha256', family: 'rsa' }],
  ['1.2.840.113549.1.1.12', { name: 'SHA384withRSA', hash: 'sha384', family: 'rsa' }],
  ['1.2.840.113549.1.1.13', { name: 'SHA512withRSA', hash: 'sha512', family: 'rsa' }],
  ['1.2.840.113549.1.1.10', { name: 'RSASSA-PSS', hash: null, family: 'pss' }],
  ['1.2.840.10045.4.1', { name: 'SHA1withECDSA', hash: 'sha1', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.1', { name: 'SHA224withECDSA', hash: 'sha224', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.2', { name: 'SHA256withECDSA', hash: 'sha256', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.3', { name: 'SHA384withECDSA', hash: 'sha384', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.4', { name: 'SHA512withECDSA', hash: 'sha512', family: 'ecdsa' }],
  ['1.2.840.10040.4.3', { name: 'SHA1withDSA', hash: 'sha1', family: 'dsa' }],
  ['2.16.840.1.101.3.4.3.1', { name: 'SHA224withDSA', hash: 'sha224', family: 'dsa' }],
  ['2.16.840.1.101.3.4.3.2', { name: 'SHA256withDSA', hash: 'sha256', family: 'dsa' }],
  ['1.3.101.112', { name: 'Ed25519', hash: null, family: 'eddsa' }],
  ['1.3.101.113', { name: 'Ed448', hash: null, family: 'eddsa' }],
]);

/** Hash algorithm OIDs (RFC 8017 appendix A.2.4, NIST CSOR) to node:crypto digest names. */
const HASHES: ReadonlyMap<string, string> = new Map([
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.4', 'sha224'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

const KNOWN_HASHES: ReadonlySet<string> = new Set(HASHES.values());

const KEY_ALGS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.1', 'RSA'],
  ['1.2.840.113549.1.1.10', 'RSASSA-PSS'],
  ['1.2.840.10045.2.1', 'EC'],
  ['1.2.840.10040.4.1', 'DSA'],
  ['1.2.840.113549.1.3.1', 'DH'], // PKCS #3 dhKeyAgreement
  ['1.2.840.10046.2.1', 'DHX'], // X9.42 dhpublicnumber (RFC 3279 2.3.3)
  ['1.3.101.110', 'X25519'],
  ['1.3.101.111', 'X448'],
  ['1.3.101.112', 'Ed25519'],
  ['1.3.101.113', 'Ed448'],
]);

/** Named curves (RFC 5480 2.1.1.1, SEC 2) with the names the JDK prints and their field sizes. */
const CURVES: ReadonlyMap<string, { name: string; bits: number }> = new Map([
  ['1.2.840.10045.3.1.7', { name: 'secp256r1', bits: 256 }],
  ['1.3.132.0.34', { name: 'secp384r1', bits: 384 }],
  ['1.3.132.0.35', { name: 'secp521r1', bits: 521 }],
  ['1.3.132.0.10', { name: 'secp256k1', bits: 256 }],
  ['1.2.840.10045.3.1.1', { name: 'secp192r1', bits: 192 }],
  ['1.3.132.0.33', { name: 'secp224r1', bits: 224 }],
  ['1.3.36.3.3.2.8.1.1.7', { name: 'brainpoolP256r1', bits: 256 }],
  ['1.3.36.3.3.2.8.1.1.11', { name: 'brainpoolP384r1', bits: 384 }],
  ['1.3.36.3.3.2.8.1.1.13', { name: 'brainpoolP512r1', bits: 512 }],
]);

const HASH_NAMES: Readonly<Record<string, string>> = { sha1: 'SHA-1', sha224: 'SHA-224', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512', md5: 'MD5', md2: 'MD2' };

/** "SHA-256" for node:crypto's "sha256"; an unknown hash's OID as it is. */
export function hashName(hash: string): string {
  return HASH_NAMES[hash] ?? hash;
}

/** The node:crypto digest of a signature algorithm (sha256 for SHA256withRSA); null for EdDSA, RSASSA-PSS and unknown ones. */
export function signatureHash(algorithm: AlgorithmIdentifier): string | null {
  return SIG_ALGS.get(algorithm.oid)?.hash ?? null;
}

export function parseAlgorithm(tlv: Tlv): AlgorithmIdentifier {
  expectTag(tlv, TAG.SEQUENCE, 'AlgorithmIdentifier');
  const parts = children(tlv);
  const oid = readOid(item(tlv, parts, 0, 'algorithm OID'));
  const params = parts[1];
  const alg: AlgorithmIdentifier = { oid, name: SIG_ALGS.get(oid)?.name ?? oid };
  if (params !== undefined) alg.parameters = tlvBytes(params);
  return alg;
}

/** Number of significant bits of an unsigned big-endian integer. */
export function bitLength(v: Uint8Array): number {
  let i = 0;
  while (i < v.length && v[i] === 0) i++;
  const top = v[i];
  if (top === undefined) return 0;
  return (v.length - i - 1) * 8 + (32 - Math.clz32(top));
}

/** The element inside an OCTET STRING or BIT STRING contents, read in place so offsets stay absolute. */
export function innerElement(input: Uint8Array, start: number, end: number, format: string): Tlv {
  const tlv = readTlv(input, start, format, end);
  if (tlv.end !== end) throw derError(format, `${end - tlv.end} unexpected bytes after the encapsulated value`, tlv.end);
  return tlv;
}

const FIELD_TYPES: ReadonlyMap<string, string> = new Map([
  ['1.2.840.10045.1.1', 'a prime field'],
  ['1.2.840.10045.1.2', 'a binary field'],
]);

/**
 * What explicit ECParameters (SEC 1 C.2: version, fieldID, curve, base, order, cofactor) say, for
 * messages: certificates must name their curve (RFC 5480 2.1.1), and explicit parameters let a
 * certificate bring its own generator (CVE-2020-0601).
 */
function describeExplicitCurve(params: Tlv): string {
  if (params.tag === TAG.NULL) return 'implicitlyCA (no parameters: the curve is inherited)';
  if (params.tag !== TAG.SEQUENCE) return `parameters of tag 0x${params.tag.toString(16)}`;
  const parts = children(params);
  const fieldId = parts[1];
  const fieldParts = fieldId?.tag === TAG.SEQUENCE ? children(fieldId) : [];
  const fieldType = fieldParts[0]?.tag === TAG.OID ? readOid(fieldParts[0]) : undefined;
  const prime = fieldType === '1.2.840.10045.1.1' && fieldParts[1]?.tag === TAG.INTEGER ? bitLength(readIntegerBytes(fieldParts[1])) : undefined;
  const order = parts[4]?.tag === TAG.INTEGER ? bitLength(readIntegerBytes(parts[4])) : undefined;
  const cofactor = parts[5]?.tag === TAG.INTEGER ? readSmallInt(parts[5]) : undefined;
  const field = fieldType === undefined ? 'an unreadable field' : (FIELD_TYPES.get(fieldType) ?? `field type ${fieldType}`);
  return [
    `explicit parameters: ${field}${prime === undefined ? '' : ` of ${prime} bits`}`,
    ...(order === undefined ? [] : [`an order of ${order} bits`]),
    ...(cofactor === undefined ? [] : [`cofactor ${cofactor}`]),
  ].join(', ');
}

/** The key of a SubjectPublicKeyInfo (RFC 5280 4.1.2.7). */
export function parseSpki(tlv: Tlv): PublicKeySummary {
  expectTag(tlv, TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const parts = children(tlv);
  const algTlv = item(tlv, parts, 0, 'public key algorithm');
  const algParts = children(expectTag(algTlv, TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const oid = readOid(item(algTlv, algParts, 0, 'public key algorithm OID'));
  const params = algParts[1];
  const keyTlv = item(tlv, parts, 1, 'subjectPublicKey');
  const key = readBitString(keyTlv);
  const algorithm = KEY_ALGS.get(oid) ?? oid;
  const summary: PublicKeySummary = { algorithm, oid };
  const keyStart = keyTlv.valueStart + 1;
  if (algorithm === 'RSA' || algorithm === 'RSASSA-PSS') {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1)
    const rsa = innerElement(keyTlv.input, keyStart, keyTlv.valueEnd, tlv.format);
    const fields = children(expectTag(rsa, TAG.SEQUENCE, 'RSAPublicKey'));
    summary.bits = bitLength(readIntegerBytes(item(rsa, fields, 0, 'modulus')));
    const e = readIntegerBytes(item(rsa, fields, 1, 'publicExponent'));
    summary.exponent = e[0] === 0 ? e.subarray(1) : e;
    // RFC 4055 3.1: an id-RSASSA-PSS key with parameters may make only signatures with those.
    if (algorithm === 'RSASSA-PSS' && params !== undefined && params.tag === TAG.SEQUENCE) summary.pss = pssFromTlv(params);
  } else if (algorithm === 'EC') {
    if (params !== undefined && params.tag === TAG.OID) {
      const curveOid = readOid(params);
      const curve = CURVES.get(curveOid);
      summary.curve = curve?.name ?? curveOid;
      if (curve !== undefined) summary.bits = curve.bits;
    } else {
      summary.unnamedCurve = params === undefined ? 'no curve parameters' : describeExplicitCurve(params);
    }
    // Uncompressed point 04 || X || Y (SEC 1 2.3.3) gives the field size for unnamed curves.
    if (summary.bits === undefined && key.bytes[0] === 4) summary.bits = ((key.bytes.length - 1) / 2) * 8;
  } else if (algorithm === 'Ed25519' || algorithm === 'X25519') {
    summary.bits = 255;
  } else if (algorithm === 'Ed448' || algorithm === 'X448') {
    summary.bits = 448;
  } else if ((algorithm === 'DSA' || algorithm === 'DH' || algorithm === 'DHX') && params !== undefined && params.tag === TAG.SEQUENCE) {
    // Dss-Parms, DHParameter (PKCS #3) and DomainParameters (X9.42) all start with the prime p.
    summary.bits = bitLength(readIntegerBytes(item(params, children(params), 0, 'prime p')));
  }
  return summary;
}

/** The key in a SubjectPublicKeyInfo DER (a certificate's or a request's). */
export function parsePublicKeyInfo(spki: Uint8Array): PublicKeySummary {
  return parseSpki(readRoot(spki, FORMAT));
}

/** An AlgorithmIdentifier DER, with keytool's name for signature algorithms. */
export function parseAlgorithmIdentifier(der: Uint8Array): AlgorithmIdentifier {
  return parseAlgorithm(readRoot(der, FORMAT));
}

const MGF1 = '1.2.840.113549.1.1.8';

/** The hash inside an AlgorithmIdentifier: its node:crypto name, or its OID when unknown. */
function hashOf(alg: Tlv): string {
  const oid = readOid(item(alg, children(expectTag(alg, TAG.SEQUENCE, 'hash AlgorithmIdentifier')), 0, 'hash algorithm'));
  return HASHES.get(oid) ?? oid;
}

/**
 * RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT
 * mgf1SHA1, saltLength [2] DEFAULT 20, trailerField [3] DEFAULT trailerFieldBC(1) } (RFC 4055 3.1).
 */
function pssFromTlv(seq: Tlv): PssParameters {
  const out: PssParameters = { hash: 'sha1', mgf: MGF1, mgfHash: 'sha1', saltLength: 20, trailerField: 1 };
  for (const p of children(expectTag(seq, TAG.SEQUENCE, 'RSASSA-PSS-params'))) {
    const inner = item(p, children(p), 0, 'RSASSA-PSS parameter');
    if (isContext(p, 0)) {
      out.hash = hashOf(inner);
    } else if (isContext(p, 1)) {
      const mgf = children(expectTag(inner, TAG.SEQUENCE, 'maskGenAlgorithm'));
      out.mgf = readOid(item(inner, mgf, 0, 'mask generation function'));
      const hashAlg = mgf[1];
      if (out.mgf === MGF1) out.mgfHash = hashAlg === undefined ? 'absent' : hashOf(hashAlg);
    } else if (isContext(p, 2)) {
      out.saltLength = readSmallInt(inner);
    } else if (isContext(p, 3)) {
      out.trailerField = readSmallInt(inner);
    }
  }
  return out;
}

/** A PSS signature's parameters; undefined when the AlgorithmIdentifier has none. */
export function pssParameters(algorithm: AlgorithmIdentifier): PssParameters | undefined {
  return algorithm.parameters === undefined ? undefined : pssFromTlv(readRoot(algorithm.parameters, FORMAT));
}

/** The outcome of checking one signature: it verifies, the key did not make it, or it cannot be checked. */
export type SignatureCheck = { ok: true } | { ok: false; kind: 'mismatch' | 'unusable'; reason: string };

const KEY_TYPES: Readonly<Record<SigAlg['family'], readonly string[]>> = {
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
  if (pss.mgf !== MGF1) return { kind: 'unusable', reason: `RSASSA-PSS with the mask generation function ${pss.mgf} (only MGF1 is defined)` };
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
  const alg = SIG_ALGS.get(algorithm.oid);
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
  throw new CodecError('unsupported', FORMAT, r.reason);
}
