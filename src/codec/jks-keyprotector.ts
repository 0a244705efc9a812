/**
 * The Sun "KeyProtector" that JKS uses for private keys (openjdk sun/security/provider/
 * KeyProtector.java; keystore-formats.md 1.3), and the small EncryptedPrivateKeyInfo DER shape that
 * JKS and JCEKS wrap protected keys in:
 *
 *   EncryptedPrivateKeyInfo ::= SEQUENCE {
 *     encryptionAlgorithm  SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL },
 *     encryptedData        OCTET STRING }
 *
 * It is read and written with the shared DER reader/writer (der.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { children, concat, decodeOidValue, encodeTlv, expectTag, item, nullValue, octetString, readRoot, sequence, TAG, tlvBytes, encodeUtf16be, valueBytes, type Tlv } from './der.js';
import { CodecError } from './errors.js';

/** 1.3.6.1.4.1.42.2.17.1.1, KeyProtector.KEY_PROTECTOR_OID, as DER content bytes. */
export const KEY_PROTECTOR_OID = Uint8Array.of(0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01);

const SALT_LEN = 20; // KeyProtector.SALT_LEN
const DIGEST_LEN = 20; // SHA-1

export interface EncryptedPrivateKeyInfo {
  /** The algorithm OID's DER content bytes (no tag or length). */
  oid: Uint8Array;
  /** The parameters element as a whole TLV (tag, length, content), or undefined when absent. */
  params: Uint8Array | undefined;
  encryptedData: Uint8Array;
}

/** Reads the EncryptedPrivateKeyInfo TLV by TLV (der.ts); indefinite lengths are not DER, and the JDK refuses them. */
function derOnly(t: Tlv, what: string): Tlv {
  if (t.indefinite) throw new CodecError('format', t.format, `${what}: indefinite length is not DER`, t.offset);
  return t;
}

/** Parses an EncryptedPrivateKeyInfo; offsets in errors are within `der`. */
export function parseEncryptedPrivateKeyInfo(der: Uint8Array, format: string): EncryptedPrivateKeyInfo {
  // readRoot refuses bytes after the value, as DerValue(byte[]) does ("extra data at the end").
  const outer = derOnly(expectTag(readRoot(der, format), TAG.SEQUENCE, 'EncryptedPrivateKeyInfo'), 'EncryptedPrivateKeyInfo');
  const parts = children(outer);
  const alg = derOnly(expectTag(item(outer, parts, 0, 'encryptionAlgorithm'), TAG.SEQUENCE, 'encryptionAlgorithm'), 'encryptionAlgorithm');
  const data = expectTag(item(outer, parts, 1, 'encryptedData'), TAG.OCTET_STRING, 'encryptedData');
  // EncryptedPrivateKeyInfo(byte[]) rejects a third element ("overrun").
  if (parts.length > 2) throw new CodecError('format', format, 'EncryptedPrivateKeyInfo: unexpected element after encryptedData', parts[2]?.offset);
  const algParts = children(alg);
  const oid = expectTag(item(alg, algParts, 0, 'algorithm OID'), TAG.OID, 'algorithm OID');
  const params = algParts[1];
  if (algParts.length > 2) throw new CodecError('format', format, 'encryptionAlgorithm: more than an OID and parameters', algParts[2]?.offset);
  return { oid: valueBytes(oid).slice(), params: params ? tlvBytes(params).slice() : undefined, encryptedData: valueBytes(derOnly(data, 'encryptedData')).slice() };
}

/** Encodes an EncryptedPrivateKeyInfo; `params` is a whole TLV or undefined to leave it out. */
export function encodeEncryptedPrivateKeyInfo(oid: Uint8Array, params: Uint8Array | undefined, encryptedData: Uint8Array): Uint8Array {
  return sequence(sequence(encodeTlv(TAG.OID, oid), params ?? new Uint8Array(0)), octetString(encryptedData));
}

/** Dotted form of an OID's content bytes, for error messages. */
export function oidToString(content: Uint8Array): string {
  return content.length === 0 ? '(empty OID)' : decodeOidValue(content, 'JKS', 0);
}

/**
 * The password as KeyProtector and JavaKeyStore.getPreKeyedHash feed it to SHA-1: each Java char
 * (UTF-16 code unit) as two bytes, high byte first; no BOM, no terminator. Any Unicode is allowed.
 */
export function passwordUtf16be(password: string): Uint8Array {
  return encodeUtf16be(password);
}

function sha1(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** KeyProtector's keystream: d = SHA1(pw || d), starting from the salt, truncated to `n` bytes. */
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
  const pw = passwordUtf16be(keypass);
  const encrypted = xor(pkcs8, keystream(pw, s, pkcs8.length));
  const check = sha1(pw, pkcs8);
  return encodeEncryptedPrivateKeyInfo(KEY_PROTECTOR_OID, nullValue(), concat(s, encrypted, check));
}

/**
 * KeyProtector.recover: returns the PKCS#8 PrivateKeyInfo DER. Parameters may be NULL (JDK 17) or
 * absent (JDK 25); the JDK ignores them, and so do we. The check digest tells a wrong password.
 */
export function jksRecoverKey(protectedKey: Uint8Array, keypass: string): Uint8Array {
  const epki = parseEncryptedPrivateKeyInfo(protectedKey, 'JKS');
  if (!bytesEqual(epki.oid, KEY_PROTECTOR_OID)) {
    // KeyProtector.recover: "Unsupported key protection algorithm".
    throw new CodecError(
      'unsupported',
      'JKS',
      `key protection algorithm ${oidToString(epki.oid)} is not the Sun KeyProtector (1.3.6.1.4.1.42.2.17.1.1)`,
    );
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
  const pw = passwordUtf16be(keypass);
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

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
