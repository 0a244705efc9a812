/**
 * The key in a SubjectPublicKeyInfo (RFC 5280 4.1.2.7; RFC 3279, RFC 4055, RFC 5480, RFC 8410):
 * its algorithm, size, curve and, for RSA, exponent, as keytool and `verify` describe keys. The
 * key algorithm and curve tables serve private keys too (codec/pkcs8.ts).
 */
import { TAG, type Tlv, children, expectTag, innerElement, item, readRoot } from '../asn1/tlv.js';
import { readBitString, readIntegerBytes, readOid, readSmallInt } from '../asn1/values.js';
import { OID } from '../asn1/oid.js';
import { type PssParameters, pssFromTlv } from './algorithms.js';

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

/** Key algorithms by OID, named as the JDK names them. */
export const KEY_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  [OID.rsaEncryption, 'RSA'],
  [OID.rsassaPss, 'RSASSA-PSS'],
  [OID.ecPublicKey, 'EC'],
  [OID.dsa, 'DSA'],
  [OID.dhKeyAgreement, 'DH'],
  [OID.dhPublicNumber, 'DHX'],
  [OID.x25519, 'X25519'],
  [OID.x448, 'X448'],
  [OID.ed25519, 'Ed25519'],
  [OID.ed448, 'Ed448'],
]);

export interface NamedCurve {
  /** As the JDK prints it (secp256r1). */
  name: string;
  /** As Node and OpenSSL's JWK name it (P-256), where the two differ from `name` or Node knows it. */
  nodeName?: string;
  bits: number;
}

/** Named curves (RFC 5480 2.1.1.1, SEC 2, RFC 5639). */
export const NAMED_CURVES: ReadonlyMap<string, NamedCurve> = new Map([
  [OID.secp256r1, { name: 'secp256r1', nodeName: 'P-256', bits: 256 }],
  [OID.secp384r1, { name: 'secp384r1', nodeName: 'P-384', bits: 384 }],
  [OID.secp521r1, { name: 'secp521r1', nodeName: 'P-521', bits: 521 }],
  [OID.secp256k1, { name: 'secp256k1', nodeName: 'secp256k1', bits: 256 }],
  [OID.secp192r1, { name: 'secp192r1', bits: 192 }],
  [OID.secp224r1, { name: 'secp224r1', bits: 224 }],
  [OID.brainpoolP256r1, { name: 'brainpoolP256r1', nodeName: 'brainpoolP256r1', bits: 256 }],
  [OID.brainpoolP384r1, { name: 'brainpoolP384r1', nodeName: 'brainpoolP384r1', bits: 384 }],
  [OID.brainpoolP512r1, { name: 'brainpoolP512r1', nodeName: 'brainpoolP512r1', bits: 512 }],
]);

/**
 * Curves mailcert knows by name only: neither the JDK nor mailcert uses them, and messages name
 * them with their OID ("SM2 (curve 1.2.156.10197.1.301)").
 */
const OTHER_CURVES: ReadonlyMap<string, string> = new Map([[OID.sm2, 'SM2']]);

/** A curve as messages name it: the JDK's name (secp256r1), "SM2 (curve 1.2.156.10197.1.301)", or the OID. */
export function curveLabel(oid: string): string {
  const other = OTHER_CURVES.get(oid);
  return NAMED_CURVES.get(oid)?.name ?? (other === undefined ? oid : `${other} (curve ${oid})`);
}

/** Number of significant bits of an unsigned big-endian integer. */
export function bitLength(v: Uint8Array): number {
  let i = 0;
  while (i < v.length && v[i] === 0) i++;
  const top = v[i];
  if (top === undefined) return 0;
  return (v.length - i - 1) * 8 + (32 - Math.clz32(top));
}

const FIELD_TYPES: ReadonlyMap<string, string> = new Map([
  [OID.primeField, 'a prime field'],
  [OID.characteristicTwoField, 'a binary field'],
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
  const prime = fieldType === OID.primeField && fieldParts[1]?.tag === TAG.INTEGER ? bitLength(readIntegerBytes(fieldParts[1])) : undefined;
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
  const algorithm = KEY_ALGORITHMS.get(oid) ?? oid;
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
      const curve = NAMED_CURVES.get(curveOid);
      summary.curve = curveLabel(curveOid);
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
export function parsePublicKeyInfo(spki: Uint8Array, format = 'X.509'): PublicKeySummary {
  return parseSpki(readRoot(spki, format));
}
