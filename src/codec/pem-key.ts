/**
 * Traditional ("SSLeay") encrypted PEM keys: an `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY`
 * (SEC 1) block with RFC 1421 headers
 *
 *   Proc-Type: 4,ENCRYPTED
 *   DEK-Info: AES-256-CBC,<IV in hex>
 *
 * as `openssl genrsa -traditional -aes256`, `openssl rsa -des3 -traditional` and `openssl ec
 * -aes128` write them. The key is OpenSSL's EVP_BytesToKey(cipher, MD5, salt = IV[0..7],
 * passphrase, count = 1), as PEM_do_header does (crypto/pem/pem_lib.c); keystore-formats.md 3.5.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { CodecError } from './errors.js';
import { readRoot, children, TAG } from './der.js';
import type { PemBlock } from './pem.js';

const FORMAT = 'PEM';

interface CipherSpec {
  /** node:crypto cipher name. */
  node: string;
  keyLength: number;
  ivLength: number;
}

/** The DEK-Info ciphers node:crypto handles without OpenSSL's legacy provider. */
const CIPHERS: ReadonlyMap<string, CipherSpec> = new Map([
  ['AES-128-CBC', { node: 'aes-128-cbc', keyLength: 16, ivLength: 16 }],
  ['AES-192-CBC', { node: 'aes-192-cbc', keyLength: 24, ivLength: 16 }],
  ['AES-256-CBC', { node: 'aes-256-cbc', keyLength: 32, ivLength: 16 }],
  ['DES-EDE3-CBC', { node: 'des-ede3-cbc', keyLength: 24, ivLength: 8 }],
]);

/** Why the others are refused: node:crypto needs --openssl-legacy-provider for them (keystore-formats.md 3.5). */
const LEGACY: ReadonlyMap<string, string> = new Map([
  ['DES-CBC', 'single DES (DES-CBC) is a 56-bit cipher that Node.js only offers with --openssl-legacy-provider'],
  ['DES-EDE-CBC', 'two-key triple DES (DES-EDE-CBC) is not offered by Node.js without the legacy provider'],
  ['BF-CBC', 'Blowfish (BF-CBC) is not offered by Node.js without the legacy provider'],
  ['RC2-CBC', 'RC2 (RC2-CBC) is not offered by Node.js without the legacy provider'],
]);

export interface TraditionalKey {
  /** 'rsa' for PKCS#1 RSAPrivateKey, 'ec' for SEC 1 ECPrivateKey. */
  type: 'rsa' | 'ec';
  /** The inner key DER (PKCS#1 or SEC 1), decrypted. */
  der: Uint8Array;
}

const KEY_LABELS: ReadonlyMap<string, TraditionalKey['type']> = new Map([
  ['RSA PRIVATE KEY', 'rsa'],
  ['EC PRIVATE KEY', 'ec'],
]);

/** RFC 1421 4.6.1.1: Proc-Type "4,ENCRYPTED" marks an encrypted body. */
export function isEncryptedPem(block: PemBlock): boolean {
  const procType = block.headers['Proc-Type'];
  return procType !== undefined && procType.replace(/\s+/g, '').toUpperCase() === '4,ENCRYPTED';
}

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

interface DekInfo {
  cipher: string;
  spec: CipherSpec;
  iv: Uint8Array;
}

function parseDekInfo(block: PemBlock): DekInfo {
  const dek = block.headers['DEK-Info'];
  if (dek === undefined) throw new CodecError('format', FORMAT, `${block.label} is marked ENCRYPTED but has no DEK-Info header`);
  const m = /^([A-Za-z0-9-]+)\s*,\s*([0-9A-Fa-f]+)$/.exec(dek.trim());
  if (m === null) throw new CodecError('format', FORMAT, `malformed DEK-Info header ${JSON.stringify(dek)}`);
  const cipher = (m[1] ?? '').toUpperCase();
  const ivHex = m[2] ?? '';
  const spec = CIPHERS.get(cipher);
  if (spec === undefined) {
    throw new CodecError(
      'unsupported',
      FORMAT,
      `${LEGACY.get(cipher) ?? `cipher ${cipher} in DEK-Info is not supported`}; re-encrypt the key, e.g. ` +
        `openssl rsa -aes256 -traditional (or openssl pkcs8 -topk8 for PKCS#8)`,
    );
  }
  if (ivHex.length !== spec.ivLength * 2) {
    throw new CodecError('format', FORMAT, `DEK-Info IV for ${cipher} must be ${spec.ivLength} bytes, found ${ivHex.length / 2}`);
  }
  return { cipher, spec, iv: new Uint8Array(Buffer.from(ivHex, 'hex')) };
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
  let plain: Uint8Array;
  try {
    const d = createDecipheriv(dek.spec.node, key, dek.iv);
    plain = new Uint8Array(Buffer.concat([d.update(block.der), d.final()]));
  } catch {
    // A bad PKCS#7 padding after CBC decryption is how a wrong passphrase shows (EVP_DecryptFinal_ex).
    throw wrongPassphrase(block);
  }
  if (!looksLikeKey(plain)) throw wrongPassphrase(block);
  return { type, der: plain };
}
