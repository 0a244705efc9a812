/**
 * The AlgorithmIdentifiers of password-based encryption as PKCS#8 and PKCS#12 use them, read into
 * what they ask for and written from it (the ciphers and key derivation themselves are
 * src/crypto/pbe.ts's):
 *
 * - PBES2 (RFC 8018 6.2, A.4) with PBKDF2 (A.2; hmacWithSHA1/224/256/384/512) and AES-128/192/256-CBC
 *   or DES-EDE3-CBC (B.2);
 * - PKCS#12 PBE (RFC 7292 Appendix C): pbeWithSHAAnd3-KeyTripleDES-CBC, -2-KeyTripleDES-CBC,
 *   -128BitRC2-CBC and -40BitRC2-CBC, with pkcs-12PbeParams.
 *
 * Iteration counts above the JDK's cap are refused here, before anything would run them.
 */
import { CodecError } from './errors.js';
import { OID } from './asn1/oid.js';
import { type AlgorithmIdentifier, algorithmIdentifier, at, fail, octetString, sequence, smallInteger } from './asn1/check.js';
import { type Tlv, UNIVERSAL, isUniversal, readRoot } from './asn1/tlv.js';
import { encodeAlgorithm, encodeInteger, encodeOctetString, encodeSequence } from './asn1/writer.js';

/** PKCS12KeyStore.MAX_ITERATION_COUNT: larger counts are refused, as by the JDK, before any work. */
export const MAX_ITERATIONS = 5_000_000;

export type Pbes2Cipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';
export type PbeHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type Pkcs12PbeAlgorithm =
  | 'pbeWithSHAAnd3-KeyTripleDES-CBC'
  | 'pbeWithSHAAnd2-KeyTripleDES-CBC'
  | 'pbeWithSHAAnd128BitRC2-CBC'
  | 'pbeWithSHAAnd40BitRC2-CBC';
/** The block ciphers of the PKCS#12 PBE schemes (all CBC). */
export type Pkcs12Cipher = 'des-ede3' | 'des-ede-2key' | 'rc2';

/** PBES2 ciphers: node:crypto names, OIDs and sizes. */
export const PBES2_CIPHERS: Readonly<Record<Pbes2Cipher, { oid: string; keyLength: number; ivLength: number }>> = {
  'aes-128-cbc': { oid: OID.aes128Cbc, keyLength: 16, ivLength: 16 },
  'aes-192-cbc': { oid: OID.aes192Cbc, keyLength: 24, ivLength: 16 },
  'aes-256-cbc': { oid: OID.aes256Cbc, keyLength: 32, ivLength: 16 },
  'des-ede3-cbc': { oid: OID.desEde3Cbc, keyLength: 24, ivLength: 8 },
};

/** HMAC output lengths: PBKDF2 derives a key in blocks of this size. */
export const PRF_SIZES: Readonly<Record<PbeHash, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

const PRF_OIDS: Readonly<Record<PbeHash, string>> = {
  sha1: OID.hmacWithSHA1,
  sha224: OID.hmacWithSHA224,
  sha256: OID.hmacWithSHA256,
  sha384: OID.hmacWithSHA384,
  sha512: OID.hmacWithSHA512,
};

export const PKCS12_PBES: Readonly<Record<Pkcs12PbeAlgorithm, { oid: string; cipher: Pkcs12Cipher; keyLength: number }>> = {
  'pbeWithSHAAnd3-KeyTripleDES-CBC': { oid: OID.pbeWithSHAAnd3KeyTripleDESCBC, cipher: 'des-ede3', keyLength: 24 },
  'pbeWithSHAAnd2-KeyTripleDES-CBC': { oid: OID.pbeWithSHAAnd2KeyTripleDESCBC, cipher: 'des-ede-2key', keyLength: 16 },
  'pbeWithSHAAnd128BitRC2-CBC': { oid: OID.pbeWithSHAAnd128BitRC2CBC, cipher: 'rc2', keyLength: 16 },
  'pbeWithSHAAnd40BitRC2-CBC': { oid: OID.pbeWithSHAAnd40BitRC2CBC, cipher: 'rc2', keyLength: 5 },
};

/** What a PBE AlgorithmIdentifier asks for, once its parameters are read and bounded. */
export type PbeScheme =
  | { kind: 'pbes2'; prf: PbeHash; salt: Uint8Array; iterations: number; cipher: Pbes2Cipher; iv: Uint8Array }
  | { kind: 'pkcs12'; salt: Uint8Array; iterations: number; cipher: Pkcs12Cipher; keyLength: number };

/** True for the algorithms readPbeScheme reads: PBES2 and the PKCS#12 PBE schemes. */
export function isPbeAlgorithm(oid: string): boolean {
  return oid === OID.pbes2 || Object.values(PKCS12_PBES).some((p) => p.oid === oid);
}

/** The scheme of a PBE AlgorithmIdentifier (DER, or an element already read). */
export function readPbeScheme(algId: Uint8Array | Tlv, format: string): PbeScheme {
  const node = algId instanceof Uint8Array ? readRoot(algId, format) : algId;
  return schemeOf(algorithmIdentifier(node, 'encryption algorithm'));
}

function schemeOf(alg: AlgorithmIdentifier): PbeScheme {
  if (alg.oid === OID.pbes2) return readPbes2(alg);
  const pkcs12 = Object.values(PKCS12_PBES).find((p) => p.oid === alg.oid);
  if (pkcs12 !== undefined) {
    if (alg.params === undefined) throw fail(alg.node, 'PKCS#12 PBE parameters are missing');
    // pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } (RFC 7292 C)
    const p = sequence(alg.params, 'PKCS#12 PBE parameters', 2, 2);
    const salt = octetString(at(p, 0, alg.params, 'salt'), 'PBE salt');
    const iterations = iterationCount(at(p, 1, alg.params, 'iterations'));
    return { kind: 'pkcs12', salt, iterations, cipher: pkcs12.cipher, keyLength: pkcs12.keyLength };
  }
  if (alg.oid === OID.pbeWithSHAAnd128BitRC4 || alg.oid === OID.pbeWithSHAAnd40BitRC4) {
    throw new CodecError('unsupported', alg.node.format, `RC4 password-based encryption (${alg.oid}) is not supported`, alg.node.offset);
  }
  throw new CodecError('unsupported', alg.node.format, `password-based encryption algorithm ${alg.oid} is not supported`, alg.node.offset);
}

/** PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme } (RFC 8018 A.4). */
function readPbes2(alg: AlgorithmIdentifier): PbeScheme {
  if (alg.params === undefined) throw fail(alg.node, 'PBES2 parameters are missing');
  const p = sequence(alg.params, 'PBES2 parameters', 2, 2);
  const kdf = algorithmIdentifier(at(p, 0, alg.params, 'PBES2'), 'PBES2 key derivation function');
  const enc = algorithmIdentifier(at(p, 1, alg.params, 'PBES2'), 'PBES2 encryption scheme');
  if (kdf.oid !== OID.pbkdf2) {
    throw new CodecError('unsupported', kdf.node.format, `PBES2 key derivation ${kdf.oid} is not supported (only PBKDF2)`, kdf.node.offset);
  }
  const cipher = (Object.keys(PBES2_CIPHERS) as Pbes2Cipher[]).find((c) => PBES2_CIPHERS[c].oid === enc.oid);
  if (cipher === undefined) {
    throw new CodecError('unsupported', enc.node.format, `PBES2 cipher ${enc.oid} is not supported`, enc.node.offset);
  }
  const cfg = PBES2_CIPHERS[cipher];
  if (enc.params === undefined) throw fail(enc.node, 'PBES2 cipher IV is missing');
  const iv = octetString(enc.params, 'PBES2 cipher IV');
  if (iv.length !== cfg.ivLength) throw fail(enc.params, `PBES2 ${cipher} IV of ${iv.length} bytes, expected ${cfg.ivLength}`);

  // PBKDF2-params ::= SEQUENCE { salt CHOICE { specified OCTET STRING, otherSource }, iterationCount,
  //   keyLength INTEGER OPTIONAL, prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 } (RFC 8018 A.2)
  if (kdf.params === undefined) throw fail(kdf.node, 'PBKDF2 parameters are missing');
  const k = sequence(kdf.params, 'PBKDF2 parameters', 2, 4);
  const saltNode = at(k, 0, kdf.params, 'PBKDF2 salt');
  if (!isUniversal(saltNode, UNIVERSAL.OCTET_STRING)) {
    throw new CodecError('unsupported', saltNode.format, 'PBKDF2 salt from another source is not supported', saltNode.offset);
  }
  const salt = octetString(saltNode, 'PBKDF2 salt');
  const iterations = iterationCount(at(k, 1, kdf.params, 'PBKDF2 iteration count'));
  let prf: PbeHash = 'sha1';
  for (const extra of k.slice(2)) {
    if (isUniversal(extra, UNIVERSAL.INTEGER)) {
      const keyLength = smallInteger(extra, 'PBKDF2 key length');
      if (keyLength !== cfg.keyLength) throw fail(extra, `PBKDF2 key length ${keyLength} does not fit ${cipher}`);
    } else {
      const prfAlg = algorithmIdentifier(extra, 'PBKDF2 PRF');
      const found = (Object.keys(PRF_OIDS) as PbeHash[]).find((h) => PRF_OIDS[h] === prfAlg.oid);
      if (found === undefined) {
        throw new CodecError('unsupported', extra.format, `PBKDF2 PRF ${prfAlg.oid} is not supported`, extra.offset);
      }
      prf = found;
    }
  }
  return { kind: 'pbes2', prf, salt, iterations, cipher, iv };
}

/** Iteration counts are refused above MAX_ITERATIONS, like PKCS12KeyStore ("iteration count too large"). */
function iterationCount(node: Tlv): number {
  const n = smallInteger(node, 'iteration count');
  if (n < 1) throw fail(node, 'iteration count must be at least 1');
  if (n > MAX_ITERATIONS) throw fail(node, `iteration count ${n} is too large (the JDK refuses more than ${MAX_ITERATIONS})`);
  return n;
}

/** A short human name for a PBE AlgorithmIdentifier ("PBES2 hmacWithSHA256 aes-256-cbc, 10000 iterations"). */
export function describePbe(algId: Uint8Array | Tlv, format = 'PKCS#8'): string {
  const node = algId instanceof Uint8Array ? readRoot(algId, format) : algId;
  const alg = algorithmIdentifier(node, 'encryption algorithm');
  const s = schemeOf(alg);
  if (s.kind === 'pbes2') return `PBES2 hmacWith${s.prf.toUpperCase()} ${s.cipher}, ${s.iterations} iterations`;
  const name = (Object.keys(PKCS12_PBES) as Pkcs12PbeAlgorithm[]).find((k) => PKCS12_PBES[k].oid === alg.oid) ?? alg.oid;
  return `${name}, ${s.iterations} iterations`;
}

/**
 * The PBES2 AlgorithmIdentifier for PBKDF2 with these parameters. The PRF is left out when it is
 * the DEFAULT hmacWithSHA1 (DER, X.690 11.5); keyLength is optional (the JDK writes it, OpenSSL not).
 */
export function encodePbes2Algorithm(p: { cipher: Pbes2Cipher; prf: PbeHash; salt: Uint8Array; iterations: number; iv: Uint8Array; includeKeyLength: boolean }): Uint8Array {
  const cfg = PBES2_CIPHERS[p.cipher];
  const kdfParams = encodeSequence(
    encodeOctetString(p.salt),
    encodeInteger(p.iterations),
    ...(p.includeKeyLength ? [encodeInteger(cfg.keyLength)] : []),
    ...(p.prf === 'sha1' ? [] : [encodeAlgorithm(PRF_OIDS[p.prf])]),
  );
  return encodeAlgorithm(OID.pbes2, encodeSequence(encodeAlgorithm(OID.pbkdf2, kdfParams), encodeAlgorithm(cfg.oid, encodeOctetString(p.iv))));
}

/** The PKCS#12 PBE AlgorithmIdentifier: the scheme's OID and pkcs-12PbeParams (RFC 7292 C). */
export function encodePkcs12PbeAlgorithm(algorithm: Pkcs12PbeAlgorithm, salt: Uint8Array, iterations: number): Uint8Array {
  return encodeAlgorithm(PKCS12_PBES[algorithm].oid, encodeSequence(encodeOctetString(salt), encodeInteger(iterations)));
}
