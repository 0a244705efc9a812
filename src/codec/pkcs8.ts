/**
 * PKCS#8 PrivateKeyInfo and EncryptedPrivateKeyInfo (RFC 5208, RFC 5958), the structures; the
 * encryption is src/crypto/pkcs8.ts's.
 *
 *   PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier,
 *     privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL, publicKey [1] OPTIONAL }
 *   EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }
 *
 * An EncryptedPrivateKeyInfo also wraps the keys of JKS (the Sun KeyProtector) and JCEKS
 * (PBEWithMD5AndTripleDES), which the JDK reads as DER only.
 */
import { CodecError } from './errors.js';
import { algorithmIdentifier, at, encapsulated, fail, octetString, sequence, smallInteger, within } from './asn1/check.js';
import { TAG, type Tlv, UNIVERSAL, children, isContext, isUniversal, readRoot, tlvBytes, valueBytes } from './asn1/tlv.js';
import { decodeOidValue, readOid } from './asn1/values.js';
import { encodeOctetString, encodeSequence, encodeTlv } from './asn1/writer.js';
import { KEY_ALGORITHMS, NAMED_CURVES } from './x509/public-key.js';

const FORMAT = 'PKCS#8';

export type PrivateKeyAlgorithm = 'RSA' | 'RSASSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'X25519' | 'X448' | 'DSA' | 'DH' | 'unknown';

export interface PrivateKeyInfoSummary {
  algorithm: PrivateKeyAlgorithm;
  /** The privateKeyAlgorithm OID as found. */
  oid: string;
  /** EC keys: the named curve, as Node names it where known ("P-256"), else its OID. */
  curve?: string;
}

const PRIVATE_KEY_ALGORITHMS: ReadonlySet<string> = new Set(['RSA', 'RSASSA-PSS', 'EC', 'Ed25519', 'Ed448', 'X25519', 'X448', 'DSA', 'DH']);

/** True for an EncryptedPrivateKeyInfo: two elements, an AlgorithmIdentifier and an OCTET STRING. */
export function isEncryptedPkcs8(der: Uint8Array): boolean {
  let parts: Tlv[];
  try {
    const root = readRoot(der, FORMAT);
    if (!isUniversal(root, UNIVERSAL.SEQUENCE)) return false;
    parts = children(root);
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
  const [alg, data] = parts;
  return parts.length === 2 && alg !== undefined && isUniversal(alg, UNIVERSAL.SEQUENCE) && data !== undefined && isUniversal(data, UNIVERSAL.OCTET_STRING);
}

/** The key algorithm (and curve) of a PrivateKeyInfo; throws CodecError('format') when it is not one. */
export function privateKeyInfo(der: Uint8Array): PrivateKeyInfoSummary {
  const root = readRoot(der, FORMAT);
  const parts = sequence(root, 'PrivateKeyInfo', 3, 5);
  const version = smallInteger(at(parts, 0, root, 'PrivateKeyInfo'), 'PrivateKeyInfo version');
  if (version > 1) throw new CodecError('format', FORMAT, `PrivateKeyInfo version ${version} (expected 0 or 1)`, root.offset);
  const alg = algorithmIdentifier(at(parts, 1, root, 'PrivateKeyInfo'), 'private key algorithm');
  const keyNode = at(parts, 2, root, 'PrivateKeyInfo');
  octetString(keyNode, 'privateKey');
  for (const extra of parts.slice(3)) {
    if (!isContext(extra, 0) && !isContext(extra, 1)) throw new CodecError('format', FORMAT, 'unexpected element after privateKey', extra.offset);
  }
  const name = KEY_ALGORITHMS.get(alg.oid);
  const algorithm = name !== undefined && PRIVATE_KEY_ALGORITHMS.has(name) ? (name as PrivateKeyAlgorithm) : 'unknown';
  const summary: PrivateKeyInfoSummary = { algorithm, oid: alg.oid };
  if (algorithm === 'EC') {
    const curveOid = ecCurveOid(alg.params, keyNode);
    if (curveOid !== undefined) summary.curve = NAMED_CURVES.get(curveOid)?.nodeName ?? curveOid;
  }
  return summary;
}

/**
 * The named curve: from the AlgorithmIdentifier parameters (RFC 5480 2.1.1), else from the
 * ECPrivateKey's own [0] parameters (RFC 5915 3), which some writers fill instead.
 */
function ecCurveOid(params: Tlv | undefined, keyNode: Tlv): string | undefined {
  if (params !== undefined && isUniversal(params, UNIVERSAL.OID)) return readOid(params);
  const ecKey = encapsulated(keyNode, 'privateKey');
  return within(ecKey.base, () => {
    if (!ecKey.root.constructed) return undefined;
    const p = children(ecKey.root).find((c) => isContext(c, 0));
    const inner = p === undefined || !p.constructed ? undefined : children(p)[0];
    return inner !== undefined && isUniversal(inner, UNIVERSAL.OID) ? readOid(inner) : undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// EncryptedPrivateKeyInfo

export interface EncryptedPrivateKeyInfo {
  /** The encryptionAlgorithm element, for the PBE schemes to read (src/codec/pbe-params.ts). */
  algorithm: Tlv;
  /** The algorithm OID's DER contents (no tag or length), as the JDK's key protectors compare it. */
  oid: Uint8Array;
  /** The parameters element as a whole TLV (tag, length, contents), or undefined when absent. */
  params: Uint8Array | undefined;
  encryptedData: Uint8Array;
}

/** BER where the JDK reads DER (JKS and JCEKS keys) is refused: DerValue does not take indefinite lengths there. */
function derOnly(t: Tlv, what: string): Tlv {
  if (t.indefinite) throw new CodecError('format', t.format, `${what}: indefinite length is not DER`, t.offset);
  return t;
}

/**
 * Reads an EncryptedPrivateKeyInfo; offsets in errors are within `der`. Nothing may follow it (as
 * DerValue(byte[]) says: "extra data at the end"), and it holds exactly the two fields (the JDK's
 * EncryptedPrivateKeyInfo(byte[]) says "overrun" to a third). `ber` accepts what PKCS#8 files and
 * PKCS#12 shrouded key bags may be written in; the JDK's own key stores are DER.
 */
export function parseEncryptedPrivateKeyInfo(der: Uint8Array, format: string, ber = false): EncryptedPrivateKeyInfo {
  const root = readRoot(der, format);
  const parts = sequence(root, 'EncryptedPrivateKeyInfo', 2, 2);
  const algorithm = at(parts, 0, root, 'EncryptedPrivateKeyInfo');
  const algParts = sequence(algorithm, 'encryptionAlgorithm', 1, 2);
  const oid = at(algParts, 0, algorithm, 'encryptionAlgorithm');
  if (oid.tag !== TAG.OID) throw fail(oid, 'encryptionAlgorithm: expected an OBJECT IDENTIFIER');
  const data = at(parts, 1, root, 'EncryptedPrivateKeyInfo');
  if (!ber) [root, algorithm, data].forEach((t, i) => derOnly(t, ['EncryptedPrivateKeyInfo', 'encryptionAlgorithm', 'encryptedData'][i] as string));
  const params = algParts[1];
  return { algorithm, oid: valueBytes(oid), params: params === undefined ? undefined : tlvBytes(params), encryptedData: octetString(data, 'encryptedData') };
}

/** Encodes an EncryptedPrivateKeyInfo; `params` is a whole TLV or undefined to leave it out. */
export function encodeEncryptedPrivateKeyInfo(oid: Uint8Array, params: Uint8Array | undefined, encryptedData: Uint8Array): Uint8Array {
  return encodeSequence(encodeSequence(encodeTlv(TAG.OID, oid), params ?? new Uint8Array(0)), encodeOctetString(encryptedData));
}

/** The same from an AlgorithmIdentifier already encoded (PBES2, PKCS#12 PBE). */
export function encodeEncryptedKey(algorithm: Uint8Array, encryptedData: Uint8Array): Uint8Array {
  return encodeSequence(algorithm, encodeOctetString(encryptedData));
}

/** Dotted form of an OID's contents, for messages ("(empty OID)" for none). */
export function oidText(content: Uint8Array, format: string): string {
  return content.length === 0 ? '(empty OID)' : decodeOidValue(content, format, 0);
}
