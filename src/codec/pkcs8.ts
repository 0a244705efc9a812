/**
 * PKCS#8 PrivateKeyInfo and EncryptedPrivateKeyInfo (RFC 5208, RFC 5958).
 *
 * EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING }
 * PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier,
 *                               privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL, publicKey [1] OPTIONAL }
 *
 * Encryption is ours rather than node:crypto's KeyObject.export: that one is fixed at 2048
 * PBKDF2 iterations and an 8-byte salt (keystore-formats.md 3.6).
 */
import {
  type Asn1Node,
  OID,
  UNIVERSAL,
  algorithmIdentifier,
  at,
  contentOffset,
  derOctetString,
  derSequence,
  isContext,
  isUniversal,
  objectId,
  octetString,
  parseBer,
  sequence,
  smallInteger,
} from './asn1.js';
import { CodecError } from './errors.js';
import type { KdfBudget } from './kdf.js';
import { type Pbes2Options, decryptWithAlgorithm, encryptPbes2 } from './pbe.js';

const FORMAT = 'PKCS#8';

export type PrivateKeyAlgorithm = 'RSA' | 'RSASSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'X25519' | 'X448' | 'DSA' | 'DH' | 'unknown';

export interface PrivateKeyInfoSummary {
  algorithm: PrivateKeyAlgorithm;
  /** The privateKeyAlgorithm OID as found. */
  oid: string;
  /** EC keys: the named curve, as Node names it where known ("P-256"), else its OID. */
  curve?: string;
}

const KEY_ALGORITHMS: Record<string, PrivateKeyAlgorithm> = {
  [OID.rsaEncryption]: 'RSA',
  [OID.rsassaPss]: 'RSASSA-PSS',
  [OID.ecPublicKey]: 'EC',
  [OID.ed25519]: 'Ed25519',
  [OID.ed448]: 'Ed448',
  [OID.x25519]: 'X25519',
  [OID.x448]: 'X448',
  [OID.dsa]: 'DSA',
  [OID.dhKeyAgreement]: 'DH',
};

const CURVES: Record<string, string> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
};

/** True for an EncryptedPrivateKeyInfo: two elements, an AlgorithmIdentifier and an OCTET STRING. */
export function isEncryptedPkcs8(der: Uint8Array): boolean {
  let root: Asn1Node;
  try {
    root = parseBer(der, FORMAT);
  } catch {
    return false;
  }
  const [alg, data] = root.children;
  return (
    isUniversal(root, UNIVERSAL.SEQUENCE) &&
    root.children.length === 2 &&
    alg !== undefined &&
    isUniversal(alg, UNIVERSAL.SEQUENCE) &&
    data !== undefined &&
    isUniversal(data, UNIVERSAL.OCTET_STRING)
  );
}

/**
 * Decrypts an EncryptedPrivateKeyInfo to the PrivateKeyInfo DER. PBES2 (PBKDF2, AES-CBC or
 * DES-EDE3-CBC) and PKCS#12 PBE (3DES, RC2) are read. A wrong password is CodecError('password').
 */
export function decryptPkcs8(epkiDer: Uint8Array, password: string): Uint8Array {
  return decryptEpki(parseBer(epkiDer, FORMAT), password, FORMAT);
}

/**
 * The same on an already parsed EncryptedPrivateKeyInfo (a PKCS#12 shrouded key bag), paying for
 * the key derivation from `budget` (the keystore file's; a key file of its own gets a fresh one).
 */
export function decryptEpki(epki: Asn1Node, password: string, format: string, budget?: KdfBudget): Uint8Array {
  const parts = sequence(epki, 'EncryptedPrivateKeyInfo', 2, 2);
  const alg = at(parts, 0, epki, 'EncryptedPrivateKeyInfo');
  const data = octetString(at(parts, 1, epki, 'EncryptedPrivateKeyInfo'), 'encryptedData');
  const plain = decryptWithAlgorithm(alg, password, data, format, budget);
  // A wrong password that happens to leave valid padding gives bytes that are no PrivateKeyInfo.
  try {
    privateKeyInfo(plain);
  } catch (e) {
    if (e instanceof CodecError) throw new CodecError('password', format, 'cannot decrypt the private key: the password is incorrect (or the data is damaged)');
    throw e;
  }
  return plain;
}

/**
 * Encrypts a PrivateKeyInfo. Default: PBES2, PBKDF2-hmacWithSHA256, AES-256-CBC, 10000 iterations,
 * 20-byte salt, no keyLength: what `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes, with the JDK's
 * iteration count and salt length. OpenSSL 3, Node and the JDK read it.
 */
export function encryptPkcs8(pkcs8Der: Uint8Array, password: string, opts: Pbes2Options = {}): Uint8Array {
  privateKeyInfo(pkcs8Der);
  const { algorithm, ciphertext } = encryptPbes2(pkcs8Der, password, opts);
  return derSequence(algorithm, derOctetString(ciphertext));
}

/** The key algorithm (and curve) of a PrivateKeyInfo; throws CodecError('format') when it is not one. */
export function privateKeyInfo(der: Uint8Array): PrivateKeyInfoSummary {
  const root = parseBer(der, FORMAT);
  const parts = sequence(root, 'PrivateKeyInfo', 3, 5);
  const version = smallInteger(at(parts, 0, root, 'PrivateKeyInfo'), 'PrivateKeyInfo version');
  if (version > 1) throw new CodecError('format', FORMAT, `PrivateKeyInfo version ${version} (expected 0 or 1)`, root.offset);
  const alg = algorithmIdentifier(at(parts, 1, root, 'PrivateKeyInfo'), 'private key algorithm');
  const keyNode = at(parts, 2, root, 'PrivateKeyInfo');
  const key = octetString(keyNode, 'privateKey');
  for (const extra of parts.slice(3)) {
    if (!isContext(extra, 0) && !isContext(extra, 1)) throw new CodecError('format', FORMAT, 'unexpected element after privateKey', extra.offset);
  }
  const algorithm = KEY_ALGORITHMS[alg.oid] ?? 'unknown';
  const summary: PrivateKeyInfoSummary = { algorithm, oid: alg.oid };
  if (algorithm === 'EC') {
    const curveOid = ecCurveOid(alg.params, key, contentOffset(keyNode));
    if (curveOid !== undefined) summary.curve = CURVES[curveOid] ?? curveOid;
  }
  return summary;
}

/**
 * The named curve: from the AlgorithmIdentifier parameters (RFC 5480 2.1.1), else from the
 * ECPrivateKey's own [0] parameters (RFC 5915 3), which some writers fill instead.
 */
function ecCurveOid(params: Asn1Node | undefined, key: Uint8Array, keyOffset: number): string | undefined {
  if (params !== undefined && isUniversal(params, UNIVERSAL.OID)) return objectId(params, 'EC curve');
  const ecKey = parseBer(key, FORMAT, keyOffset);
  const p = ecKey.children.find((c) => isContext(c, 0));
  const inner = p?.children[0];
  return inner !== undefined && isUniversal(inner, UNIVERSAL.OID) ? objectId(inner, 'EC curve') : undefined;
}
