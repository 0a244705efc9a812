/**
 * Encrypted PKCS#8 keys (RFC 5208 6, RFC 5958 3): decrypting an EncryptedPrivateKeyInfo with
 * PBES2 or the PKCS#12 PBE (pbe.ts), and encrypting a PrivateKeyInfo. The structures are
 * src/codec/pkcs8.ts's. Encryption is ours rather than node:crypto's KeyObject.export: that one
 * is fixed at 2048 PBKDF2 iterations and an 8-byte salt (keystore-formats.md 3.6).
 */
import { CodecError } from '../codec/errors.js';
import { privateKeyInfo } from '../codec/pkcs8.js';
import { encodeEncryptedKey, parseEncryptedPrivateKeyInfo } from '../codec/pkcs8-encrypted.js';
import type { KdfBudget } from './kdf.js';
import { type Pbes2Options, decryptWithAlgorithm, encryptPbes2 } from './pbe.js';

const FORMAT = 'PKCS#8';

/**
 * Decrypts an EncryptedPrivateKeyInfo to the PrivateKeyInfo DER. PBES2 (PBKDF2, AES-CBC or
 * DES-EDE3-CBC) and PKCS#12 PBE (3DES, RC2) are read. A wrong password is CodecError('password').
 */
export function decryptPkcs8(epkiDer: Uint8Array, password: string): Uint8Array {
  return decryptEpki(epkiDer, password, FORMAT);
}

/**
 * The same for a key inside another format (a PKCS#12 shrouded key bag), with errors under
 * `format`, paying for the key derivation from `budget` (the keystore file's; a key file of its
 * own gets a fresh one).
 */
export function decryptEpki(epkiDer: Uint8Array, password: string, format: string, budget?: KdfBudget): Uint8Array {
  const epki = parseEncryptedPrivateKeyInfo(epkiDer, format, true);
  const plain = decryptWithAlgorithm(epki.algorithm, password, epki.encryptedData, format, budget);
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
  return encodeEncryptedKey(algorithm, ciphertext);
}
