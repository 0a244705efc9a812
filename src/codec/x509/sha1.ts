/**
 * SHA-1 (FIPS 180-4 section 6.1) for OpenSSL's subject hash alone (name-hash.ts): the first four
 * bytes of SHA-1 over a canonical Name, which `hash` computes for each certificate it is given.
 *
 * Why not node:crypto: loading it costs a run about 2.5 ms (its module loads Node's streams for
 * the ciphers), a quarter of what `mailcert hash cert.pem` spends beyond Node's own start-up,
 * while hashing a Name of a few hundred bytes here takes microseconds. Nothing else in mailcert
 * uses this: fingerprints, signatures and key derivation stay with node:crypto.
 * test/codec/x509/sha1.test.ts checks it against the FIPS 180 examples and node:crypto.
 */

/** The message schedule, reused: one hash at a time, and no allocation per block. */
const W = new Int32Array(80);
/** The padded message (FIPS 180-4 5.1.1), reused and grown as needed. */
let padded = new Uint8Array(512);

/** SHA-1 of bytes[start, end). */
export function sha1(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const n = end - start;
  // The message, a 1 bit, zeros, and the length in bits as a 64-bit big-endian number.
  const total = (Math.floor((n + 8) / 64) + 1) * 64;
  if (padded.length < total) padded = new Uint8Array(total);
  const m = padded;
  m.set(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  m.fill(0, n, total);
  m[n] = 0x80;
  const high = Math.floor(n / 0x20000000); // n * 8 / 2^32
  const low = (n * 8) >>> 0;
  m[total - 8] = high >>> 24;
  m[total - 7] = high >>> 16;
  m[total - 6] = high >>> 8;
  m[total - 5] = high;
  m[total - 4] = low >>> 24;
  m[total - 3] = low >>> 16;
  m[total - 2] = low >>> 8;
  m[total - 1] = low;

  const w = W;
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let block = 0; block < total; block += 64) {
    for (let i = 0, p = block; i < 16; i++, p += 4) w[i] = ((m[p] as number) << 24) | ((m[p + 1] as number) << 16) | ((m[p + 2] as number) << 8) | (m[p + 3] as number);
    for (let i = 16; i < 80; i++) {
      const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    // The four kinds of rounds (6.1.2 step 3; the functions of 4.1.1, the constants of 4.2.1).
    let i = 0;
    for (; i < 20; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (; i < 40; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (; i < 60; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    for (; i < 80; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const digest = new Uint8Array(20);
  const view = new DataView(digest.buffer);
  view.setInt32(0, h0);
  view.setInt32(4, h1);
  view.setInt32(8, h2);
  view.setInt32(12, h3);
  view.setInt32(16, h4);
  return digest;
}
