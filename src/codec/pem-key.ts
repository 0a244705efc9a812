/**
 * Traditional ("SSLeay") PEM keys: an `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC 1)
 * block, encrypted when it has RFC 1421 headers
 *
 *   Proc-Type: 4,ENCRYPTED
 *   DEK-Info: AES-256-CBC,<IV in hex>
 *
 * as `openssl genrsa -traditional -aes256`, `openssl rsa -des3 -traditional` and `openssl ec
 * -aes128` write them. Here the headers are read; the decryption is src/crypto/pem-key.ts's
 * (keystore-formats.md 3.5).
 */
import { CodecError } from './errors.js';
import type { PemBlock } from './pem.js';

export const FORMAT = 'PEM';

export interface CipherSpec {
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

export const KEY_LABELS: ReadonlyMap<string, TraditionalKey['type']> = new Map([
  ['RSA PRIVATE KEY', 'rsa'],
  ['EC PRIVATE KEY', 'ec'],
]);

/** RFC 1421 4.6.1.1: Proc-Type "4,ENCRYPTED" marks an encrypted body. */
export function isEncryptedPem(block: PemBlock): boolean {
  const procType = block.headers['Proc-Type'];
  return procType !== undefined && procType.replace(/\s+/g, '').toUpperCase() === '4,ENCRYPTED';
}

export interface DekInfo {
  cipher: string;
  spec: CipherSpec;
  iv: Uint8Array;
}

/** The cipher and IV an encrypted block names; ciphers node:crypto cannot run are refused, saying how to re-encrypt. */
export function parseDekInfo(block: PemBlock): DekInfo {
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
