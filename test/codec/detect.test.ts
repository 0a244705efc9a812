import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatBytes as concat } from '../../src/codec/bytes.js';
import {
  encodeBitString as bitString,
  encodeInteger as integer,
  encodeOctetString as octetString,
  encodeOid,
  encodeSequence as sequence,
  encodeSet as set,
  encodeUtcTime as utcTime,
  encodeUtf8String as utf8String,
} from '../../src/codec/asn1/writer.js';
import { detectFormat, type DetectedFormat } from '../../src/codec/detect.js';
import { decodePem } from '../../src/codec/pem.js';
import { fixturesDir } from '../helpers/tools.js';

const pemDir = join(fixturesDir, 'pem');
const expected = JSON.parse(readFileSync(join(pemDir, 'expected.json'), 'utf8')) as { detect: Record<string, DetectedFormat> };
const file = (d: string, f: string): Uint8Array => new Uint8Array(readFileSync(join(d, f)));

/** What the other codecs' fixtures are, by their names (fixtures/jks, fixtures/pkcs12 make.sh). */
function byName(f: string): DetectedFormat | undefined {
  if (f.endsWith('.jks')) return 'JKS';
  if (f.endsWith('.jceks')) return 'JCEKS';
  if (f.endsWith('.p12') || f.endsWith('.pfx')) return 'PKCS12';
  if (/\.(p8|pk8)\.der$/.test(f)) return 'PKCS8';
  return undefined;
}

test('every PEM fixture is detected as what make.sh made it', () => {
  const entries = Object.entries(expected.detect);
  assert.ok(entries.length >= 30);
  for (const [f, format] of entries) assert.equal(detectFormat(file(pemDir, f)), format, f);
  // Every fixture file except the script and the expectations has an expected format.
  const listed = new Set(entries.map(([f]) => f));
  for (const f of readdirSync(pemDir)) if (f !== 'make.sh' && f !== 'expected.json') assert.ok(listed.has(f), `${f} has an expected format`);
});

test('keystores and keys committed by the other codecs are detected too', () => {
  let seen = 0;
  for (const sub of ['jks', 'pkcs12']) {
    const d = join(fixturesDir, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) {
      const want = byName(f);
      if (want === undefined) continue;
      assert.equal(detectFormat(file(d, f)), want, `${sub}/${f}`);
      seen++;
    }
  }
  // The PEM fixtures hold one of each keystore type, so this runs even without the other folders.
  for (const f of ['keytool.jks', 'keytool.jceks', 'keytool.p12', 'openssl.p12']) {
    assert.equal(detectFormat(file(pemDir, f)), byName(f));
    seen++;
  }
  assert.ok(seen >= 4);
});

test('DER structures told apart by their first fields', () => {
  const v1 = decodePem(readFileSync(join(pemDir, 'odd-names.pem'), 'utf8'))[0]?.der;
  assert.ok(v1 !== undefined);
  assert.equal(detectFormat(v1), 'DER-CERT'); // no [0] version: a v1 certificate
  const name = sequence(set(sequence(encodeOid('2.5.4.3'), utf8String('CA'))));
  const alg = sequence(encodeOid('1.2.840.113549.1.1.11'));
  const v1Crl = sequence(sequence(alg, name, utcTime(new Date('2024-01-01T00:00:00Z'))), alg, bitString(Uint8Array.of(1)));
  assert.equal(detectFormat(v1Crl), 'CRL');
  // A Windows-style PFX with indefinite lengths: SEQUENCE { INTEGER 3, ContentInfo(data) ... }.
  const indefinite = (tag: number, ...parts: Uint8Array[]): Uint8Array => concat(Uint8Array.of(tag, 0x80), ...parts, Uint8Array.of(0, 0));
  const berPfx = indefinite(0x30, integer(3), indefinite(0x30, encodeOid('1.2.840.113549.1.7.1'), indefinite(0xa0, octetString(randomBytes(40)))));
  assert.equal(detectFormat(berPfx), 'PKCS12');
  // The version alone does not make a PFX.
  assert.equal(detectFormat(sequence(integer(3), sequence(encodeOid('1.2.840.113549.1.7.2')))), 'unknown');
});

test('damaged, truncated and foreign bytes never throw', () => {
  const cert = file(pemDir, 'leaf-rsa.der');
  assert.equal(detectFormat(cert.subarray(0, 300)), 'DER-CERT', 'a truncated certificate is still recognisable');
  for (const f of ['chain-p7b.der', 'signed-ber.p7s', 'openssl.p12', 'crl.der']) {
    const bytes = file(pemDir, f);
    for (let n = 0; n <= bytes.length; n += 7) {
      const r = detectFormat(bytes.subarray(0, n));
      assert.equal(typeof r, 'string');
    }
  }
  assert.equal(detectFormat(new Uint8Array(0)), 'unknown');
  assert.equal(detectFormat(new TextEncoder().encode('hello world\n')), 'unknown');
  assert.equal(detectFormat(Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02)), 'unknown');
  assert.equal(detectFormat(Uint8Array.of(0xfe, 0xed, 0xfe)), 'unknown');
  for (let i = 0; i < 200; i++) assert.equal(typeof detectFormat(concat(Uint8Array.of(0x30), randomBytes(i))), 'string');
  const pemAfterText = new TextEncoder().encode(`\ufeffCertificate:\n    Data: ...\n${readFileSync(join(pemDir, 'root-ca.pem'), 'utf8')}`);
  assert.equal(detectFormat(pemAfterText), 'PEM');
});
