/**
 * Password-based encryption as PKCS#8 and PKCS#12 use it, selected by AlgorithmIdentifier (read
 * by src/codec/pbe-params.ts):
 *
 * - PBES2 (RFC 8018 6.2) with PBKDF2 and AES-CBC or DES-EDE3-CBC. The password is its UTF-8
 *   bytes, no terminator (what OpenSSL 3 and the JDK's PBKDF2KeyImpl use).
 * - PKCS#12 PBE (RFC 7292 Appendix C), keyed by the PKCS#12 KDF (RFC 7292 Appendix B.2) over the
 *   password as a BMPString with its 00 00 terminator (OpenSSL OPENSSL_utf82uni, JDK
 *   PKCS12PBECipherCore.derive); the KDF, the password encodings and the work budget are kdf.ts's.
 *
 * node:crypto does all of it except the PKCS#12 KDF (a loop of its hashes) and RC2: OpenSSL 3 in
 * Node has RC2 only in the legacy provider, which cannot be loaded from inside the process
 * (keystore-formats.md 3.5), so RC2 is node-forge's, loaded only when an RC2 algorithm is met.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { concatBytes } from '../codec/bytes.js';
import { CodecError } from '../codec/errors.js';
import { TAG, type Tlv, readRoot } from '../codec/asn1/tlv.js';
import {
  MAX_ITERATIONS,
  PBES2_CIPHERS,
  PKCS12_PBES,
  PRF_SIZES,
  type PbeHash,
  type PbeScheme,
  type Pbes2Cipher,
  type Pkcs12PbeAlgorithm,
  encodePbes2Algorithm,
  encodePkcs12PbeAlgorithm,
  readPbeScheme,
} from '../codec/pbe-params.js';
import { KdfBudget, bmpPassword, pbkdf2PasswordCandidates, pkcs12Kdf, pkcs12KdfBlocks, pkcs12PasswordCandidates, utf8Password } from './kdf.js';

export interface Pbes2Options {
  /** Default aes-256-cbc. */
  cipher?: Pbes2Cipher;
  /** PBKDF2 PRF hash (hmacWith...). Default sha256. */
  prf?: PbeHash;
  /** Default 10000 (JDK 17 PKCS12KeyStore DEFAULT_*_PBE_ITERATION_COUNT). */
  iterations?: number;
  /** Default 20 (PKCS12KeyStore.SALT_LEN). */
  saltLength?: number;
  /** Write the optional PBKDF2 keyLength, as the JDK does; OpenSSL leaves it out. Default false. */
  includeKeyLength?: boolean;
}

export interface Pkcs12PbeOptions {
  /** Default 10000. */
  iterations?: number;
  /** Default 20 (PKCS12KeyStore.SALT_LEN). */
  saltLength?: number;
}

/** Ciphertext and the AlgorithmIdentifier (DER) that decrypts it. */
export interface PbeEncrypted {
  algorithm: Uint8Array;
  ciphertext: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Decryption

/**
 * True when `plain` is one SEQUENCE filling it, as every plaintext PKCS#8, PKCS#12 and JCEKS
 * encrypt is: CBC padding alone passes a wrong password about once in 256 tries. `der` refuses
 * BER's indefinite length (the JDK reads JCEKS keys as DER).
 */
export function isOneSequence(plain: Uint8Array, format: string, der = false): boolean {
  try {
    const t = readRoot(plain, format);
    return t.tag === TAG.SEQUENCE && !(der && t.indefinite);
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
}

/**
 * Decrypts `ciphertext` with the PBE algorithm `algId` names (DER, or an element already read).
 * PKCS#8 and PKCS#12 always encrypt one DER element, so a plaintext that is not one is treated like
 * bad padding: a wrong password (CodecError 'password'). Errors are reported under `format`. The
 * derivations are paid for from `budget` (the file's, when it holds several encrypted parts)
 * before they run.
 */
export function decryptWithAlgorithm(
  algId: Uint8Array | Tlv,
  password: string,
  ciphertext: Uint8Array,
  format = 'PKCS#8',
  budget: KdfBudget = new KdfBudget(format),
): Uint8Array {
  const node = algId instanceof Uint8Array ? readRoot(algId, format) : algId;
  const scheme = readPbeScheme(node, format);
  const rounds = schemeRounds(scheme);
  if (scheme.kind === 'pbes2') {
    const cfg = PBES2_CIPHERS[scheme.cipher];
    for (const pw of pbkdf2PasswordCandidates(password)) {
      budget.charge(rounds, 1, node.offset);
      const key = pbkdf2Sync(pw, scheme.salt, scheme.iterations, cfg.keyLength, scheme.prf);
      const plain = cbcDecrypt(scheme.cipher, key, scheme.iv, ciphertext);
      if (plain !== undefined && isOneSequence(plain, format)) return plain;
    }
  } else {
    for (const pw of pkcs12PasswordCandidates(password)) {
      budget.charge(rounds, 1, node.offset);
      const plain = pkcs12PbeDecrypt(scheme, pw, ciphertext);
      if (plain !== undefined && isOneSequence(plain, format)) return plain;
    }
  }
  throw new CodecError('password', format, 'cannot decrypt: the password is incorrect (or the data is damaged)');
}

/** The key-derivation rounds one decryption with this AlgorithmIdentifier costs, for one password encoding. */
export function pbeRounds(algId: Tlv): number {
  return schemeRounds(readPbeScheme(algId, algId.format));
}

function schemeRounds(scheme: PbeScheme): number {
  // PBKDF2 runs one chain of `iterations` HMACs per PRF output block of the key (RFC 8018 5.2);
  // the PKCS#12 PBE derives key and IV apart, one hash chain per SHA-1 block of each (RFC 7292 B.2).
  if (scheme.kind === 'pbes2') return scheme.iterations * Math.ceil(PBES2_CIPHERS[scheme.cipher].keyLength / PRF_SIZES[scheme.prf]);
  return scheme.iterations * (pkcs12KdfBlocks('sha1', scheme.keyLength) + pkcs12KdfBlocks('sha1', 8));
}

function pkcs12PbeDecrypt(scheme: Extract<PbeScheme, { kind: 'pkcs12' }>, password: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
  // The PKCS#12 PBE schemes all use SHA-1 (RFC 7292 C), 8-byte IVs from KDF ID 2.
  const key = pkcs12Kdf('sha1', password, scheme.salt, scheme.iterations, 1, scheme.keyLength);
  const iv = pkcs12Kdf('sha1', password, scheme.salt, scheme.iterations, 2, 8);
  switch (scheme.cipher) {
    case 'des-ede3':
      return cbcDecrypt('des-ede3-cbc', key, iv, ciphertext);
    case 'des-ede-2key':
      return cbcDecrypt('des-ede3-cbc', twoKeyToThreeKey(key), iv, ciphertext);
    case 'rc2':
      return rc2Cbc(false, key, scheme.keyLength * 8, iv, ciphertext);
  }
}

/** Two-key triple DES is three-key with K3 = K1. */
function twoKeyToThreeKey(key: Uint8Array): Uint8Array {
  return concatBytes(key, key.subarray(0, 8));
}

/** CBC with PKCS#7 padding; undefined when the padding is wrong (a wrong password, mostly). */
export function cbcDecrypt(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | undefined {
  const block = cipher.startsWith('aes') ? 16 : 8;
  if (data.length === 0 || data.length % block !== 0) return undefined;
  try {
    const d = createDecipheriv(cipher, key, iv);
    return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
  } catch {
    return undefined;
  }
}

function cbcEncrypt(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv(cipher, key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

// ---------------------------------------------------------------------------------------------
// RC2 (RFC 2268) through node-forge, loaded on first use.

type Forge = typeof import('node-forge');
let forgeModule: Forge | undefined;

function forge(): Forge {
  // The bundle is CommonJS: there esbuild sees this require() and ships node-forge as a file of
  // its own (scripts/build.mjs). The unbundled ES module build (unit tests) has no require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  forgeModule ??= (typeof require === 'function' ? require('node-forge') : createRequire(import.meta.url)('node-forge')) as Forge;
  return forgeModule;
}

function rc2Cbc(encrypt: boolean, key: Uint8Array, effectiveBits: number, iv: Uint8Array, data: Uint8Array): Uint8Array | undefined {
  if (!encrypt && (data.length === 0 || data.length % 8 !== 0)) return undefined;
  const f = forge();
  const binary = (b: Uint8Array): string => Buffer.from(b).toString('binary');
  const keyBuf = f.util.createBuffer(binary(key));
  const c = encrypt ? f.rc2.createEncryptionCipher(keyBuf, effectiveBits) : f.rc2.createDecryptionCipher(keyBuf, effectiveBits);
  c.start(f.util.createBuffer(binary(iv)));
  c.update(f.util.createBuffer(binary(encrypt ? pkcs7Pad(data, 8) : data)));
  // forge's own unpadding only checks the count against the length; pad and unpad here instead.
  if (!c.finish(() => true)) return undefined;
  const out = new Uint8Array(Buffer.from(c.output.getBytes(), 'binary'));
  return encrypt ? out : pkcs7Unpad(out, 8);
}

function pkcs7Pad(data: Uint8Array, block: number): Uint8Array {
  const n = block - (data.length % block);
  return concatBytes(data, new Uint8Array(n).fill(n));
}

function pkcs7Unpad(data: Uint8Array, block: number): Uint8Array | undefined {
  const n = data[data.length - 1];
  if (n === undefined || n < 1 || n > block || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}

// ---------------------------------------------------------------------------------------------
// Encryption

/** PBES2 with PBKDF2; returns the ciphertext and its AlgorithmIdentifier. */
export function encryptPbes2(plaintext: Uint8Array, password: string, opts: Pbes2Options = {}): PbeEncrypted {
  const cipher = opts.cipher ?? 'aes-256-cbc';
  const prf = opts.prf ?? 'sha256';
  const iterations = checkedIterations(opts.iterations ?? 10_000);
  const salt = new Uint8Array(randomBytes(opts.saltLength ?? 20));
  const cfg = PBES2_CIPHERS[cipher];
  const iv = new Uint8Array(randomBytes(cfg.ivLength));
  const key = pbkdf2Sync(utf8Password(password), salt, iterations, cfg.keyLength, prf);
  const algorithm = encodePbes2Algorithm({ cipher, prf, salt, iterations, iv, includeKeyLength: opts.includeKeyLength ?? false });
  return { algorithm, ciphertext: cbcEncrypt(cipher, key, iv, plaintext) };
}

/** PKCS#12 PBE (RFC 7292 C), for the JDK legacy layout; RC2 only when asked for. */
export function encryptPkcs12Pbe(plaintext: Uint8Array, password: string, algorithm: Pkcs12PbeAlgorithm, opts: Pkcs12PbeOptions = {}): PbeEncrypted {
  const spec = PKCS12_PBES[algorithm];
  const iterations = checkedIterations(opts.iterations ?? 10_000);
  const salt = new Uint8Array(randomBytes(opts.saltLength ?? 20));
  const pw = bmpPassword(password);
  const key = pkcs12Kdf('sha1', pw, salt, iterations, 1, spec.keyLength);
  const iv = pkcs12Kdf('sha1', pw, salt, iterations, 2, 8);
  let ciphertext: Uint8Array;
  if (spec.cipher === 'rc2') ciphertext = rc2Cbc(true, key, spec.keyLength * 8, iv, plaintext) as Uint8Array;
  else ciphertext = cbcEncrypt('des-ede3-cbc', spec.cipher === 'des-ede3' ? key : twoKeyToThreeKey(key), iv, plaintext);
  return { algorithm: encodePkcs12PbeAlgorithm(algorithm, salt, iterations), ciphertext };
}

function checkedIterations(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ITERATIONS) {
    throw new RangeError(`iteration count must be 1 to ${MAX_ITERATIONS}, got ${n}`);
  }
  return n;
}
