// The SHA-1 that OpenSSL's subject hash is made of (codec/x509/sha1.ts): the examples of FIPS 180
// (NIST's SHA1.pdf "example algorithms"), and node:crypto on every length around the block and
// padding boundaries, on ranges of a larger array and on the system's canonical Names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha1 } from '../../../src/codec/x509/sha1.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const node = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

test('the FIPS 180 examples', () => {
  assert.equal(hex(sha1(ascii('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(hex(sha1(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  assert.equal(hex(sha1(new Uint8Array(0))), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  assert.equal(hex(sha1(new Uint8Array(1_000_000).fill(0x61))), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
});

test('every length from 0 to 300 bytes, and ranges of a larger array, as node:crypto hashes them', () => {
  const data = randomBytes(1000);
  for (let n = 0; n <= 300; n++) assert.equal(hex(sha1(data.subarray(0, n))), node(data.subarray(0, n)), `${n} bytes`);
  for (const [start, end] of [[0, 1000], [1, 56], [7, 71], [500, 628], [999, 1000], [300, 300]] as const) {
    assert.equal(hex(sha1(data, start, end)), node(data.subarray(start, end)), `[${start}, ${end})`);
  }
  // After a long message the reused buffers still give the right digest of a short one.
  assert.equal(hex(sha1(randomBytes(5000))).length, 40);
  assert.equal(hex(sha1(ascii('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
});
