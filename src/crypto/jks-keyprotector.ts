/**
 * The Sun "KeyProtector" that JKS uses for private keys (openjdk sun/security/provider/
 * KeyProtector.java; keystore-formats.md 1.3): a SHA-1 digest stream XORed over the PKCS#8 key,
 * and a SHA-1 check digest that tells a wrong password. The EncryptedPrivateKeyInfo it is
 * wrapped in is src/codec/pkcs8.ts's.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { concatBytes, sameBytes } from '../codec/bytes.js';
import { CodecError } from '../codec/errors.js';
import { encodeNull, encodeUtf16be } from '../codec/asn1/writer.js';
import { KEY_PROTECTOR_OID } from '../codec/jks.js';
import { encodeEncryptedPrivateKeyInfo, oidText, parseEncryptedPrivateKeyInfo } from '../codec/pkcs8-encrypted.js';

const SALT_LEN = 20; // KeyProtector.SALT_LEN
const DIGEST_LEN = 20; // SHA-1

function sha1(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/**
 * KeyProtector's keystream: d = SHA1(pw || d), starting from the salt, truncated to `n` bytes.
 * The password is each Java char (UTF-16 code unit) as two bytes, high byte first, no BOM or
 * terminator: any Unicode is allowed.
 */
function keystream(pw: Uint8Array, salt: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let d = salt;
  for (let off = 0; off < n; off += DIGEST_LEN) {
    d = sha1(pw, d);
    out.set(d.subarray(0, Math.min(DIGEST_LEN, n - off)), off);
  }
  return out;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/**
 * KeyProtector.protect: salt || (pkcs8 XOR keystream) || SHA1(pw || pkcs8), wrapped in an
 * EncryptedPrivateKeyInfo with NULL parameters as JDK 17 writes it (JDK 25 leaves the NULL out).
 * `salt` is for reproducing a stored key byte-for-byte; by default it is 20 random bytes.
 */
export function jksProtectKey(pkcs8: Uint8Array, keypass: string, salt?: Uint8Array): Uint8Array {
  const s = salt ?? new Uint8Array(randomBytes(SALT_LEN));
  if (s.length !== SALT_LEN) throw new RangeError(`the KeyProtector salt is ${SALT_LEN} bytes, not ${s.length}`);
  const pw = encodeUtf16be(keypass);
  const encrypted = xor(pkcs8, keystream(pw, s, pkcs8.length));
  const check = sha1(pw, pkcs8);
  return encodeEncryptedPrivateKeyInfo(KEY_PROTECTOR_OID, encodeNull(), concatBytes(s, encrypted, check));
}

/**
 * KeyProtector.recover: returns the PKCS#8 PrivateKeyInfo DER. Parameters may be NULL (JDK 17) or
 * absent (JDK 25); the JDK ignores them, and so do we. The check digest tells a wrong password.
 */
export function jksRecoverKey(protectedKey: Uint8Array, keypass: string): Uint8Array {
  const epki = parseEncryptedPrivateKeyInfo(protectedKey, 'JKS');
  if (!sameBytes(epki.oid, KEY_PROTECTOR_OID)) {
    // KeyProtector.recover: "Unsupported key protection algorithm".
    throw new CodecError('unsupported', 'JKS', `key protection algorithm ${oidText(epki.oid, 'JKS')} is not the Sun KeyProtector (1.3.6.1.4.1.42.2.17.1.1)`);
  }
  return recoverKeyProtector(epki.encryptedData, keypass, 'JKS');
}

/**
 * The KeyProtector algorithm on the encryptedData (salt || encrypted || check). Shared with JCEKS,
 * whose com.sun.crypto.provider.KeyProtector.recover also accepts this "JDK 1.2 style" protection.
 */
export function recoverKeyProtector(data: Uint8Array, keypass: string, format: string): Uint8Array {
  if (data.length < SALT_LEN + DIGEST_LEN) {
    throw new CodecError('format', format, `protected key is ${data.length} bytes, shorter than salt and check digest`);
  }
  const pw = encodeUtf16be(keypass);
  const salt = data.subarray(0, SALT_LEN);
  const encrypted = data.subarray(SALT_LEN, data.length - DIGEST_LEN);
  const check = data.subarray(data.length - DIGEST_LEN);
  const plain = xor(encrypted, keystream(pw, salt, encrypted.length));
  if (!timingSafeEqual(sha1(pw, plain), check)) {
    // KeyProtector.recover: UnrecoverableKeyException("Cannot recover key").
    throw new CodecError('password', format, 'cannot recover key: the key password is incorrect');
  }
  return plain;
}
