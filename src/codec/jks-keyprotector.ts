/**
 * The Sun "KeyProtector" that JKS uses for private keys (openjdk sun/security/provider/
 * KeyProtector.java; keystore-formats.md 1.3), and the small EncryptedPrivateKeyInfo DER shape that
 * JKS and JCEKS wrap protected keys in:
 *
 *   EncryptedPrivateKeyInfo ::= SEQUENCE {
 *     encryptionAlgorithm  SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL },
 *     encryptedData        OCTET STRING }
 *
 * The shape is fixed, so it is parsed here with a few bounds-checked lines instead of a general
 * ASN.1 library; codec/ stays free of other codecs' internals.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ByteReader, ByteWriter } from './bytes.js';
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

interface Tlv {
  tag: number;
  /** Offset of the tag byte in the input. */
  start: number;
  contentStart: number;
  length: number;
}

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const OID = 0x06;
const NULL = 0x05;

/**
 * Reads one DER tag and length and checks that the content fits in what is left. Long-form lengths
 * (81..84) are accepted, indefinite lengths (80) are not: this is DER as the JDK writes it.
 */
export function readTlv(r: ByteReader, what: string): Tlv {
  const start = r.offset;
  const tag = r.u8(`${what} tag`);
  if ((tag & 0x1f) === 0x1f) throw r.fail(`${what}: multi-byte tags are not expected here`, start);
  const first = r.u8(`${what} length`);
  let length = first;
  if (first === 0x80) throw r.fail(`${what}: indefinite length is not DER`, start);
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4) throw r.fail(`${what}: length field of ${n} bytes is too long`, start);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + r.u8(`${what} length`);
  }
  const contentStart = r.offset;
  r.need(length, `${what} content`);
  return { tag, start, contentStart, length };
}

function expectTlv(r: ByteReader, tag: number, what: string): Tlv {
  const tlv = readTlv(r, what);
  if (tlv.tag !== tag) {
    throw r.fail(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`, tlv.start);
  }
  return tlv;
}

/** Parses an EncryptedPrivateKeyInfo; offsets in errors are within `der`. */
export function parseEncryptedPrivateKeyInfo(der: Uint8Array, format: string): EncryptedPrivateKeyInfo {
  const r = new ByteReader(der, format);
  const outer = expectTlv(r, SEQUENCE, 'EncryptedPrivateKeyInfo');
  // DerValue(byte[]) rejects data after the value ("extra data at the end").
  if (outer.contentStart + outer.length !== der.length) {
    throw r.fail('EncryptedPrivateKeyInfo: extra bytes after the DER value', outer.contentStart + outer.length);
  }
  const alg = expectTlv(r, SEQUENCE, 'encryptionAlgorithm');
  const algEnd = alg.contentStart + alg.length;
  const oid = expectTlv(r, OID, 'algorithm OID');
  const oidBytes = r.bytes(oid.length);
  let params: Uint8Array | undefined;
  if (r.offset < algEnd) {
    const p = readTlv(r, 'algorithm parameters');
    params = r.slice(p.start, p.contentStart + p.length).slice();
    r.skip(p.length);
  }
  if (r.offset !== algEnd) throw r.fail('encryptionAlgorithm: length does not match its content', alg.start);
  const data = expectTlv(r, OCTET_STRING, 'encryptedData');
  const encryptedData = r.bytes(data.length);
  // EncryptedPrivateKeyInfo(byte[]) rejects a third element ("overrun").
  if (r.remaining !== 0) throw r.fail('EncryptedPrivateKeyInfo: unexpected element after encryptedData');
  return { oid: oidBytes, params, encryptedData };
}

export function encodeDerLength(w: ByteWriter, n: number): void {
  if (n < 0x80) w.u8(n);
  else if (n <= 0xff) w.u8(0x81).u8(n);
  else if (n <= 0xffff) w.u8(0x82).u16(n);
  else if (n <= 0xffffff) w.u8(0x83).u8(n >>> 16).u16(n & 0xffff);
  else w.u8(0x84).u32(n);
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const w = new ByteWriter(content.length + 6);
  w.u8(tag);
  encodeDerLength(w, content.length);
  w.bytes(content);
  return w.toBytes();
}

/** Encodes an EncryptedPrivateKeyInfo; `params` is a whole TLV or undefined to leave it out. */
export function encodeEncryptedPrivateKeyInfo(
  oid: Uint8Array,
  params: Uint8Array | undefined,
  encryptedData: Uint8Array,
): Uint8Array {
  const alg = tlv(SEQUENCE, concat(tlv(OID, oid), params ?? new Uint8Array(0)));
  return tlv(SEQUENCE, concat(alg, tlv(OCTET_STRING, encryptedData)));
}

/** Dotted form of an OID's content bytes, for error messages. */
export function oidToString(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of content) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (arcs.length === 0) return '(empty OID)';
  const first = arcs[0] ?? 0n;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].map(String).join('.');
}

/**
 * The password as KeyProtector and JavaKeyStore.getPreKeyedHash feed it to SHA-1: each Java char
 * (UTF-16 code unit) as two bytes, high byte first; no BOM, no terminator. Any Unicode is allowed.
 */
export function passwordUtf16be(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
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
  return encodeEncryptedPrivateKeyInfo(KEY_PROTECTOR_OID, Uint8Array.of(NULL, 0), concat(s, encrypted, check));
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

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
