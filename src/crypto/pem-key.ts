/**
 * Decrypting traditional PEM keys (src/codec/pem-key.ts reads their headers): the key is
 * OpenSSL's EVP_BytesToKey(cipher, MD5, salt = IV[0..7], passphrase, count = 1), as PEM_do_header
 * does (crypto/pem/pem_lib.c; keystore-formats.md 3.5), and the cipher is CBC.
 */
import { createHash } from 'node:crypto';
import { CodecError } from '../codec/errors.js';
import { TAG, children, readRoot } from '../codec/asn1/tlv.js';
import { FORMAT, KEY_LABELS, type TraditionalKey, isEncryptedPem, parseDekInfo } from '../codec/pem-key.js';
import type { PemBlock } from '../codec/pem.js';
import { cbcDecrypt } from './pbe.js';

/**
 * EVP_BytesToKey with MD5 and one iteration: D_1 = MD5(pass || salt), D_i = MD5(D_{i-1} || pass || salt),
 * concatenated until `length` bytes (crypto/evp/evp_key.c).
 */
export function evpBytesToKey(passphrase: Uint8Array, salt: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let filled = 0;
  let prev: Uint8Array = new Uint8Array(0);
  while (filled < length) {
    prev = createHash('md5').update(prev).update(passphrase).update(salt).digest();
    const n = Math.min(prev.length, length - filled);
    out.set(prev.subarray(0, n), filled);
    filled += n;
  }
  return out;
}

/** A decrypted PKCS#1 / SEC 1 key is one DER SEQUENCE starting with INTEGER version; anything else means a wrong passphrase. */
function looksLikeKey(der: Uint8Array): boolean {
  try {
    const seq = readRoot(der, FORMAT);
    if (seq.tag !== TAG.SEQUENCE) return false;
    const first = children(seq)[0];
    return first !== undefined && first.tag === TAG.INTEGER;
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
}

function wrongPassphrase(block: PemBlock): CodecError {
  return new CodecError('password', FORMAT, `wrong passphrase for the encrypted ${block.label}`);
}

/**
 * The key inside a traditional PEM block: decrypted with `passphrase` (UTF-8, as OpenSSL reads a
 * terminal) when the block is marked ENCRYPTED, as is otherwise.
 */
export function readTraditionalKey(block: PemBlock, passphrase?: string | Uint8Array): TraditionalKey {
  const type = KEY_LABELS.get(block.label);
  if (type === undefined) {
    throw new CodecError('format', FORMAT, `${block.label} is not a traditional key (expected RSA PRIVATE KEY or EC PRIVATE KEY)`);
  }
  if (!isEncryptedPem(block)) return { type, der: block.der };
  const dek = parseDekInfo(block);
  if (passphrase === undefined) throw new CodecError('password', FORMAT, `the ${block.label} is encrypted (${dek.cipher}); a passphrase is needed`);
  const pass = typeof passphrase === 'string' ? new TextEncoder().encode(passphrase) : passphrase;
  const key = evpBytesToKey(pass, dek.iv.subarray(0, 8), dek.spec.keyLength);
  if (block.der.length === 0 || block.der.length % dek.spec.ivLength !== 0) {
    throw new CodecError('format', FORMAT, `encrypted ${block.label} is ${block.der.length} bytes, not a whole number of cipher blocks`);
  }
  // A bad PKCS#7 padding after CBC decryption is how a wrong passphrase shows (EVP_DecryptFinal_ex).
  const plain = cbcDecrypt(dek.spec.node, key, dek.iv, block.der);
  if (plain === undefined || !looksLikeKey(plain)) throw wrongPassphrase(block);
  return { type, der: plain };
}
