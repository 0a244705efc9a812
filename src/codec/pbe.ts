/**
 * Password-based encryption as PKCS#8 and PKCS#12 use it, selected by AlgorithmIdentifier:
 *
 * - PBES2 (RFC 8018 6.2) with PBKDF2 (hmacWithSHA1/224/256/384/512) and AES-128/192/256-CBC or
 *   DES-EDE3-CBC. The password is its UTF-8 bytes, no terminator (what OpenSSL 3 and the JDK's
 *   PBKDF2KeyImpl use).
 * - PKCS#12 PBE (RFC 7292 Appendix C) pbeWithSHAAnd3-KeyTripleDES-CBC, -2-KeyTripleDES-CBC,
 *   -128BitRC2-CBC and -40BitRC2-CBC, keyed by the PKCS#12 KDF (RFC 7292 Appendix B.2) over the
 *   password as a BMPString with its 00 00 terminator (OpenSSL OPENSSL_utf82uni, JDK
 *   PKCS12PBECipherCore.derive); the KDF, the password encodings and the work budget are kdf.ts's.
 *
 * node:crypto does all of it except the PKCS#12 KDF (a loop of its hashes) and RC2: OpenSSL 3 in
 * Node has RC2 only in the legacy provider, which cannot be loaded from inside the process
 * (keystore-formats.md 3.5), so RC2 is node-forge's, loaded only when an RC2 algorithm is met.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  type AlgorithmIdentifier,
  type Asn1Node,
  OID,
  UNIVERSAL,
  algorithmIdentifier,
  at,
  concatBytes,
  derAlgorithm,
  derInteger,
  derOctetString,
  derSequence,
  fail,
  isUniversal,
  octetString,
  parseBer,
  sequence,
  smallInteger,
} from './asn1.js';
import { CodecError } from './errors.js';
import {
  KdfBudget,
  MAX_ITERATIONS,
  bmpPassword,
  pbkdf2PasswordCandidates,
  pkcs12Kdf,
  pkcs12KdfBlocks,
  pkcs12PasswordCandidates,
  utf8Password,
} from './kdf.js';

export { KdfBudget, MAX_ITERATIONS, bmpPassword, pkcs12Kdf, pkcs12PasswordCandidates, utf8Password } from './kdf.js';

export type Pbes2Cipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';
export type PbeHash = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface Pbes2Options {
  /** Default aes-256-cbc. */
  cipher?: Pbes2Cipher;
  /** PBKDF2 PRF hash (hmacWithSHA...). Default sha256. */
  prf?: PbeHash;
  /** Default 10000 (JDK 17 PKCS12KeyStore DEFAULT_*_PBE_ITERATION_COUNT). */
  iterations?: number;
  /** Default 20 (PKCS12KeyStore.SALT_LEN). */
  saltLength?: number;
  /** Write the optional PBKDF2 keyLength, as the JDK does; OpenSSL leaves it out. Default false. */
  includeKeyLength?: boolean;
}

export type Pkcs12PbeAlgorithm =
  | 'pbeWithSHAAnd3-KeyTripleDES-CBC'
  | 'pbeWithSHAAnd2-KeyTripleDES-CBC'
  | 'pbeWithSHAAnd128BitRC2-CBC'
  | 'pbeWithSHAAnd40BitRC2-CBC';

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

const PBES2_CIPHERS: Record<Pbes2Cipher, { oid: string; keyLength: number; ivLength: number }> = {
  'aes-128-cbc': { oid: OID.aes128Cbc, keyLength: 16, ivLength: 16 },
  'aes-192-cbc': { oid: OID.aes192Cbc, keyLength: 24, ivLength: 16 },
  'aes-256-cbc': { oid: OID.aes256Cbc, keyLength: 32, ivLength: 16 },
  'des-ede3-cbc': { oid: OID.desEde3Cbc, keyLength: 24, ivLength: 8 },
};

/** HMAC output lengths: PBKDF2 derives a key in blocks of this size. */
const PRF_SIZES: Record<PbeHash, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

const PRF_OIDS: Record<PbeHash, string> = {
  sha1: OID.hmacWithSHA1,
  sha224: OID.hmacWithSHA224,
  sha256: OID.hmacWithSHA256,
  sha384: OID.hmacWithSHA384,
  sha512: OID.hmacWithSHA512,
};

type Pkcs12Cipher = 'des-ede3' | 'des-ede-2key' | 'rc2';

const PKCS12_PBES: Record<Pkcs12PbeAlgorithm, { oid: string; cipher: Pkcs12Cipher; keyLength: number }> = {
  'pbeWithSHAAnd3-KeyTripleDES-CBC': { oid: OID.pbeWithSHAAnd3KeyTripleDESCBC, cipher: 'des-ede3', keyLength: 24 },
  'pbeWithSHAAnd2-KeyTripleDES-CBC': { oid: OID.pbeWithSHAAnd2KeyTripleDESCBC, cipher: 'des-ede-2key', keyLength: 16 },
  'pbeWithSHAAnd128BitRC2-CBC': { oid: OID.pbeWithSHAAnd128BitRC2CBC, cipher: 'rc2', keyLength: 16 },
  'pbeWithSHAAnd40BitRC2-CBC': { oid: OID.pbeWithSHAAnd40BitRC2CBC, cipher: 'rc2', keyLength: 5 },
};

// ---------------------------------------------------------------------------------------------
// Decryption

/** What a PBE AlgorithmIdentifier asks for, once its parameters are read and bounded. */
type PbeScheme =
  | { kind: 'pbes2'; prf: PbeHash; salt: Uint8Array; iterations: number; cipher: Pbes2Cipher; iv: Uint8Array }
  | { kind: 'pkcs12'; salt: Uint8Array; iterations: number; cipher: Pkcs12Cipher; keyLength: number };

/**
 * Decrypts `ciphertext` with the PBE algorithm `algId` names (DER, or a node already parsed).
 * PKCS#8 and PKCS#12 always encrypt one DER element, so a plaintext that is not one is treated like
 * bad padding: a wrong password (CodecError 'password'). Errors are reported under `format`. The
 * derivations are paid for from `budget` (the file's, when it holds several encrypted parts)
 * before they run.
 */
export function decryptWithAlgorithm(
  algId: Uint8Array | Asn1Node,
  password: string,
  ciphertext: Uint8Array,
  format = 'PKCS#8',
  budget: KdfBudget = new KdfBudget(format),
): Uint8Array {
  const node = algId instanceof Uint8Array ? parseBer(algId, format) : algId;
  const scheme = readScheme(algorithmIdentifier(node, 'encryption algorithm'));
  const rounds = schemeRounds(scheme);
  if (scheme.kind === 'pbes2') {
    const cfg = PBES2_CIPHERS[scheme.cipher];
    for (const pw of pbkdf2PasswordCandidates(password)) {
      budget.charge(rounds, 1, node.offset);
      const key = pbkdf2Sync(pw, scheme.salt, scheme.iterations, cfg.keyLength, scheme.prf);
      const plain = cbcDecrypt(scheme.cipher, key, scheme.iv, ciphertext);
      if (plain !== undefined && isOneElement(plain)) return plain;
    }
  } else {
    for (const pw of pkcs12PasswordCandidates(password)) {
      budget.charge(rounds, 1, node.offset);
      const plain = pkcs12PbeDecrypt(scheme, pw, ciphertext);
      if (plain !== undefined && isOneElement(plain)) return plain;
    }
  }
  throw new CodecError('password', format, 'cannot decrypt: the password is incorrect (or the data is damaged)');
}

/** The key-derivation rounds one decryption with this AlgorithmIdentifier costs, for one password encoding. */
export function pbeRounds(algId: Asn1Node): number {
  return schemeRounds(readScheme(algorithmIdentifier(algId, 'encryption algorithm')));
}

function schemeRounds(scheme: PbeScheme): number {
  // PBKDF2 runs one chain of `iterations` HMACs per PRF output block of the key (RFC 8018 5.2);
  // the PKCS#12 PBE derives key and IV apart, one hash chain per SHA-1 block of each (RFC 7292 B.2).
  if (scheme.kind === 'pbes2') return scheme.iterations * Math.ceil(PBES2_CIPHERS[scheme.cipher].keyLength / PRF_SIZES[scheme.prf]);
  return scheme.iterations * (pkcs12KdfBlocks('sha1', scheme.keyLength) + pkcs12KdfBlocks('sha1', 8));
}

/** True for the algorithms decryptWithAlgorithm reads: PBES2 and the PKCS#12 PBE schemes. */
export function isPbeAlgorithm(oid: string): boolean {
  return oid === OID.pbes2 || Object.values(PKCS12_PBES).some((p) => p.oid === oid);
}

function readScheme(alg: AlgorithmIdentifier): PbeScheme {
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
function iterationCount(node: Asn1Node): number {
  const n = smallInteger(node, 'iteration count');
  if (n < 1) throw fail(node, 'iteration count must be at least 1');
  if (n > MAX_ITERATIONS) throw fail(node, `iteration count ${n} is too large (the JDK refuses more than ${MAX_ITERATIONS})`);
  return n;
}

function pkcs12PbeDecrypt(
  scheme: Extract<PbeScheme, { kind: 'pkcs12' }>,
  password: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array | undefined {
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
  return concatBytes([key, key.subarray(0, 8)]);
}

/** CBC with PKCS#7 padding; undefined when the padding is wrong (a wrong password, mostly). */
function cbcDecrypt(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | undefined {
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

/** True when `b` is exactly one BER element with a SEQUENCE tag, judged from its header alone. */
function isOneElement(b: Uint8Array): boolean {
  if (b.length < 2 || b[0] !== 0x30) return false;
  const lb = b[1] as number;
  if (lb === 0x80) return true;
  if (lb < 0x80) return 2 + lb === b.length;
  const n = lb & 0x7f;
  if (n > 4 || 2 + n > b.length) return false;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (b[2 + i] as number);
  return 2 + n + len === b.length;
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
  return concatBytes([data, new Uint8Array(n).fill(n)]);
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
  // The PRF is left out when it is the DEFAULT hmacWithSHA1 (DER, X.690 11.5).
  const kdfParams = derSequence(
    derOctetString(salt),
    derInteger(iterations),
    ...(opts.includeKeyLength ? [derInteger(cfg.keyLength)] : []),
    ...(prf === 'sha1' ? [] : [derAlgorithm(PRF_OIDS[prf])]),
  );
  const algorithm = derAlgorithm(
    OID.pbes2,
    derSequence(derAlgorithm(OID.pbkdf2, kdfParams), derAlgorithm(cfg.oid, derOctetString(iv))),
  );
  return { algorithm, ciphertext: cbcEncrypt(cipher, key, iv, plaintext) };
}

/** PKCS#12 PBE (RFC 7292 C), for the JDK legacy layout; RC2 only when asked for. */
export function encryptPkcs12Pbe(
  plaintext: Uint8Array,
  password: string,
  algorithm: Pkcs12PbeAlgorithm,
  opts: Pkcs12PbeOptions = {},
): PbeEncrypted {
  const spec = PKCS12_PBES[algorithm];
  const iterations = checkedIterations(opts.iterations ?? 10_000);
  const salt = new Uint8Array(randomBytes(opts.saltLength ?? 20));
  const pw = bmpPassword(password);
  const key = pkcs12Kdf('sha1', pw, salt, iterations, 1, spec.keyLength);
  const iv = pkcs12Kdf('sha1', pw, salt, iterations, 2, 8);
  let ciphertext: Uint8Array;
  if (spec.cipher === 'rc2') ciphertext = rc2Cbc(true, key, spec.keyLength * 8, iv, plaintext) as Uint8Array;
  else ciphertext = cbcEncrypt('des-ede3-cbc', spec.cipher === 'des-ede3' ? key : twoKeyToThreeKey(key), iv, plaintext);
  return { algorithm: derAlgorithm(spec.oid, derSequence(derOctetString(salt), derInteger(iterations))), ciphertext };
}

function checkedIterations(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ITERATIONS) {
    throw new RangeError(`iteration count must be 1 to ${MAX_ITERATIONS}, got ${n}`);
  }
  return n;
}

/** A short human name for a PBE AlgorithmIdentifier ("PBES2 hmacWithSHA256 aes-256-cbc, 10000 iterations"). */
export function describePbe(algId: Uint8Array | Asn1Node, format = 'PKCS#8'): string {
  const node = algId instanceof Uint8Array ? parseBer(algId, format) : algId;
  const alg = algorithmIdentifier(node, 'encryption algorithm');
  const s = readScheme(alg);
  if (s.kind === 'pbes2') return `PBES2 hmacWith${s.prf.toUpperCase()} ${s.cipher}, ${s.iterations} iterations`;
  const name = (Object.keys(PKCS12_PBES) as Pkcs12PbeAlgorithm[]).find((k) => PKCS12_PBES[k].oid === alg.oid) ?? alg.oid;
  return `${name}, ${s.iterations} iterations`;
}
