/**
 * PKCS#8 EncryptedPrivateKeyInfo (RFC 5208 6, RFC 5958 3): the wrapping of an encrypted key in
 * PKCS#8 files and PKCS#12 shrouded key bags, and of the keys of JKS (the Sun KeyProtector) and
 * JCEKS (PBEWithMD5AndTripleDES), which the JDK reads as DER only. What decrypts them is in
 * src/crypto/.
 *
 *   EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }
 */
import { CodecError } from './errors.js';
import { at, fail, octetString, sequence } from './asn1/check.js';
import { TAG, type Tlv, readRoot, tlvBytes, valueBytes } from './asn1/tlv.js';
import { decodeOidValue } from './asn1/values.js';
import { encodeOctetString, encodeSequence, encodeTlv } from './asn1/writer.js';

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
