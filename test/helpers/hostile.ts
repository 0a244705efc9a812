/**
 * Files made to cost a reader as much as their formats allow, built byte by byte from the
 * structures of RFC 7292 (PKCS#12), X.690 (BER) and RFC 7468 (PEM): the inputs of the budget
 * tests and of the hostile-input benchmark (bench/hostile.ts). No tool writes such files on
 * purpose; the iteration counts stay within what the JDK accepts (PKCS12KeyStore caps each at
 * 5,000,000), which is what makes them costly.
 */
import { randomBytes } from 'node:crypto';
import { concatBytes } from '../../src/codec/bytes.js';
import { OID } from '../../src/codec/asn1/oid.js';
import { contextTag } from '../../src/codec/asn1/tlv.js';
import {
  encodeAlgorithm as derAlgorithm,
  encodeExplicit as derExplicit,
  encodeInteger as derInteger,
  encodeOctetString as derOctetString,
  encodeOid as derOid,
  encodeSequence as derSequence,
  encodeTlv,
} from '../../src/codec/asn1/writer.js';

export type SafeScheme = 'pkcs12-3des' | 'pbes2-sha256';

/** The PBE AlgorithmIdentifier of a scheme with `iterations` (RFC 7292 C, RFC 8018 A.4). */
export function pbeAlgorithm(scheme: SafeScheme, iterations: number): Uint8Array {
  if (scheme === 'pkcs12-3des') {
    return derAlgorithm(OID.pbeWithSHAAnd3KeyTripleDESCBC, derSequence(derOctetString(new Uint8Array(8).fill(1)), derInteger(iterations)));
  }
  const kdf = derAlgorithm(OID.pbkdf2, derSequence(derOctetString(new Uint8Array(8).fill(1)), derInteger(iterations), derAlgorithm(OID.hmacWithSHA256)));
  return derAlgorithm(OID.pbes2, derSequence(kdf, derAlgorithm(OID.aes256Cbc, derOctetString(new Uint8Array(16)))));
}

/** ContentInfo { encryptedData { 0, { data, algorithm, [0] ciphertext } } } (RFC 7292 4.1, RFC 5652 8). */
export function encryptedSafe(algorithm: Uint8Array, ciphertext: Uint8Array = new Uint8Array(16)): Uint8Array {
  const eci = derSequence(derOid(OID.data), algorithm, encodeTlv(contextTag(0, false), ciphertext));
  return derSequence(derOid(OID.encryptedData), derExplicit(0, derSequence(derInteger(0), eci)));
}

function dataContentInfo(content: Uint8Array): Uint8Array {
  return derSequence(derOid(OID.data), derExplicit(0, derOctetString(content)));
}

/** MacData { DigestInfo { sha1, 20 zero bytes }, salt, iterations }: a MAC no password matches. */
export function macData(iterations: number): Uint8Array {
  return derSequence(derSequence(derAlgorithm(OID.sha1), derOctetString(new Uint8Array(20))), derOctetString(new Uint8Array(8).fill(2)), derInteger(iterations));
}

/** A PFX of the given AuthenticatedSafe ContentInfos, with a MAC when `mac` is given. */
export function pfx(safes: readonly Uint8Array[], mac?: Uint8Array): Uint8Array {
  return derSequence(derInteger(3), dataContentInfo(derSequence(...safes)), ...(mac === undefined ? [] : [mac]));
}

/** `count` encrypted safes, each asking for `iterations` (7 KB for 100 safes): each runs its KDF in full. */
export function manySafes(count: number, iterations: number, scheme: SafeScheme = 'pkcs12-3des'): Uint8Array {
  const block = new Uint8Array(scheme === 'pkcs12-3des' ? 8 : 16);
  return pfx(Array.from({ length: count }, () => encryptedSafe(pbeAlgorithm(scheme, iterations), block)));
}

/**
 * The small file that costs most with a wrong password: no MAC, one 3DES safe at the JDK's cap
 * (three SHA-1 chains of 5,000,000 for key and IV, twice with an empty password).
 */
export function wrongPasswordMaxIterations(): Uint8Array {
  return manySafes(1, 5_000_000);
}

/** SEQUENCEs nested `depth` deep with indefinite lengths (X.690 8.1.3.6), as 30 80 ... 00 00. */
export function nestedBer(depth: number): Uint8Array {
  return concatBytes(new Uint8Array(depth * 2).map((_, i) => (i % 2 === 0 ? 0x30 : 0x80)), new Uint8Array(depth * 2));
}

/** PEM text of `count` CERTIFICATE blocks holding `der`, about count * 1.35 * der.length bytes. */
export function hugePem(der: Uint8Array, count: number): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  const block = `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
  return block.repeat(count);
}

/** One PEM block whose base64 body decodes to `bytes` random bytes (no DER inside). */
export function hugePemBlock(bytes: number): string {
  const b64 = randomBytes(bytes).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
