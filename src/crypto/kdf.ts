/**
 * Password-based key derivation as keystores use it, and the bound on how much of it one file may
 * ask for.
 *
 * - Password encodings: UTF-8 for PBKDF2 (OpenSSL 3, JDK PBKDF2KeyImpl), a BMPString with its
 *   00 00 terminator for the PKCS#12 KDF (RFC 7292 B.1; OpenSSL OPENSSL_utf82uni, JDK
 *   PKCS12PBECipherCore.derive).
 * - The PKCS#12 KDF (RFC 7292 Appendix B.2), which node:crypto does not offer: a loop of one-shot
 *   node:crypto hashes (PBKDF2 itself is node:crypto's pbkdf2Sync, in pbe.ts). Iteration counts
 *   are bounded when they are read (src/codec/pbe-params.ts MAX_ITERATIONS).
 * - KdfBudget: every derivation is paid for before it runs, so a hostile file is refused before
 *   it keeps mailcert busy.
 */
import { hash as oneShotHash } from 'node:crypto';
import { CodecError } from '../codec/errors.js';
import { encodeUtf16be } from '../codec/asn1/writer.js';

/**
 * The key-derivation work one file may ask for, in rounds: iteration count times output blocks,
 * summed over every derivation (MAC key, each safe's key and IV, each private key, and each
 * password encoding tried). What stores made by the tools spend, measured by bench/hostile.ts
 * (realStoreCosts) on stores of 5 keys and 100 trusted certificates:
 *
 *   keytool JDK 17 PKCS12:                 list  20,000; every key  10,000 more
 *   keytool JDK 17 PKCS12, legacy layout:  list 200,000; every key 150,000 more (3DES)
 *   openssl 3 pkcs12 -export (and -legacy): list <= 6,144; a key <= 6,144 more
 *   keytool JDK 17 JCEKS:                  list       0; every key 400,000 more (MD5 x 2)
 *
 * 2,000,000 rounds reads all of those and decrypts every key (the five JCEKS keys take exactly
 * the budget; commands that write a key take one, with --alias), and bounds a hostile file to
 * about 1.4 s of hashing in the slowest case (the PKCS#12 KDF's JavaScript loop, 0.7 us a round):
 * without it, 100 3DES safes at the JDK's 5,000,000-iteration cap took 17 minutes to list.
 */
export const FILE_KDF_BUDGET = 2_000_000;

/** The work one file's derivations may still do; shared by everything read from that file. */
export class KdfBudget {
  #spent = 0;

  constructor(
    /** The format errors are reported under ("PKCS#12", "JCEKS", "PKCS#8"). */
    readonly format: string,
    readonly limit: number = FILE_KDF_BUDGET,
  ) {}

  get spent(): number {
    return this.#spent;
  }

  /** Pays for `iterations` x `blocks` rounds before they run; refuses (kind 'limit') past the limit. */
  charge(iterations: number, blocks: number, offset?: number): void {
    const rounds = iterations * blocks;
    this.ensure(rounds, offset);
    this.#spent += rounds;
  }

  /** Refuses (kind 'limit') when `rounds` more would go past the limit; spends nothing. */
  ensure(rounds: number, offset?: number): void {
    if (this.#spent + rounds <= this.limit) return;
    throw new CodecError(
      'limit',
      this.format,
      `the file asks for ${(this.#spent + rounds).toLocaleString('en-US')} rounds of password-based key derivation, ` +
        `more than the ${this.limit.toLocaleString('en-US')} mailcert spends on one file (keytool and openssl stores need far fewer)`,
      offset,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Passwords

/** The password as PBKDF2 takes it: UTF-8 bytes (OpenSSL 3, JDK PBKDF2KeyImpl). */
export function utf8Password(password: string): Uint8Array {
  return new Uint8Array(Buffer.from(password, 'utf8'));
}

/**
 * The password as the PKCS#12 KDF takes it: a BMPString (UTF-16BE code units, so characters
 * beyond U+FFFF are surrogate pairs as in OpenSSL OPENSSL_utf82uni) plus a 00 00 terminator
 * (RFC 7292 B.1).
 */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  out.set(encodeUtf16be(password));
  return out;
}

/**
 * PKCS#12 KDF password encodings to try, in order. An empty password is tried as 00 00 and then
 * as no bytes at all: the JDK retries "" as "\0" (PKCS12KeyStore.RetryWithZero), which its
 * PKCS12PBECipherCore.derive encodes with no terminator, and OpenSSL uses no bytes for a NULL
 * password (PKCS12_key_gen_utf8 with pass == NULL).
 */
export function pkcs12PasswordCandidates(password: string): Uint8Array[] {
  return password === '' ? [bmpPassword(''), new Uint8Array(0)] : [bmpPassword(password)];
}

/** PBKDF2 encodings to try: "" and then the JDK's RetryWithZero "\0" (one 00 byte in UTF-8). */
export function pbkdf2PasswordCandidates(password: string): Uint8Array[] {
  return password === '' ? [new Uint8Array(0), Uint8Array.of(0)] : [utf8Password(password)];
}

// ---------------------------------------------------------------------------------------------
// PKCS#12 KDF (RFC 7292 Appendix B.2)

/** Output length u and block length v of the hashes the PKCS#12 KDF and MAC accept. */
const HASH_SIZES: Record<string, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
  'sha512-224': { u: 28, v: 128 },
  'sha512-256': { u: 32, v: 128 },
};

export type Pkcs12KdfId = 1 | 2 | 3;

/** How many hash chains of `iterations` the PKCS#12 KDF runs for n bytes: one per u-byte block. */
export function pkcs12KdfBlocks(hash: string, n: number): number {
  const sizes = HASH_SIZES[hash];
  if (sizes === undefined) throw new RangeError(`pkcs12Kdf: unsupported hash ${hash}`);
  return Math.ceil(n / sizes.u);
}

/**
 * Derives n bytes: ID 1 for a key, 2 for an IV, 3 for a MAC key. `password` is already encoded
 * (bmpPassword). Callers bound the iterations (codec/pbe-params.ts MAX_ITERATIONS) and pay for
 * them (KdfBudget).
 */
export function pkcs12Kdf(
  hash: string,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  id: Pkcs12KdfId,
  n: number,
): Uint8Array {
  const sizes = HASH_SIZES[hash];
  if (sizes === undefined) throw new RangeError(`pkcs12Kdf: unsupported hash ${hash}`);
  const { u, v } = sizes;
  // Steps 1-4: D = v bytes of ID; S and P each repeated to a multiple of v bytes; I = S || P.
  const sLen = v * Math.ceil(salt.length / v);
  const pLen = v * Math.ceil(password.length / v);
  const di = new Uint8Array(v + sLen + pLen);
  di.fill(id, 0, v);
  repeatInto(di, v, sLen, salt);
  repeatInto(di, v + sLen, pLen, password);
  const blocks = Math.ceil(n / u);
  const out = new Uint8Array(blocks * u);
  for (let b = 0; b < blocks; b++) {
    // Step 6a: A = H^r(D || I). One-shot crypto.hash is the cheapest call node:crypto has: about
    // 0.7 us a round here, half of createHash().update().digest() (bench/hostile.ts).
    let a = oneShotHash(hash, di, 'buffer');
    for (let r = 1; r < iterations; r++) a = oneShotHash(hash, a, 'buffer');
    out.set(a, b * u);
    if (b + 1 === blocks) break;
    // Steps 6b-6c: B = A repeated to v bytes; each v-byte block I_j = (I_j + B + 1) mod 2^(8v).
    for (let j = v; j < di.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (di[j + k] as number) + (a[k % u] as number) + carry;
        di[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return out.subarray(0, n);
}

/** `src` repeated into out[at, at + length). */
function repeatInto(out: Uint8Array, at: number, length: number, src: Uint8Array): void {
  if (src.length === 0) return;
  for (let o = 0; o < length; o += src.length) out.set(src.subarray(0, Math.min(src.length, length - o)), at + o);
}

/**
 * The password as OpenSSL before 1.1.0 turned it into the PKCS#12 KDF's BMPString: each byte of
 * its UTF-8 became one character (OPENSSL_asc2uni), i.e. the bytes were read as ISO-8859-1.
 * OpenSSL 1.1.0 switched to OPENSSL_utf82uni; its pkcs12 app still tries this form when the MAC
 * does not verify ("Warning: using broken algorithm") and then uses it for everything in the file
 * (apps/pkcs12.c, `badpass`). Undefined for an ASCII password, where both forms are the same.
 */
export function opensslPre110Password(password: string): string | undefined {
  if (!/[^\x00-\x7f]/.test(password)) return undefined;
  return Buffer.from(password, 'utf8').toString('latin1');
}
