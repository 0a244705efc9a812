import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodecError } from '../../src/codec/errors.js';
import { concatBytes as concat } from '../../src/codec/bytes.js';
import { type Tlv, children, readRoot, tlvBytes } from '../../src/codec/asn1/tlv.js';
import { encodeExplicit as explicit, encodeOid, encodeSequence as sequence } from '../../src/codec/asn1/writer.js';
import { decodePem, encodePem } from '../../src/codec/pem.js';
import { encodePkcs7Certificates, readPkcs7Certificates } from '../../src/codec/pkcs7.js';
import { parseCertificate } from '../../src/codec/x509/certificate.js';
import { fixturesDir, keytool, openssl, tempDir } from '../helpers/tools.js';

const dir = join(fixturesDir, 'pem');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  pkcs7: Record<string, string[]>;
  chain: string[];
  certificates: Record<string, { owner: string }>;
};
const file = (f: string): Uint8Array => new Uint8Array(readFileSync(join(dir, f)));
const chainDers = (): Uint8Array[] => decodePem(readFileSync(join(dir, 'chain.pem'), 'utf8')).map((b) => b.der);
const sha256s = (certs: Uint8Array[]): string[] => certs.map((c) => parseCertificate(c).fingerprints.sha256);

test('PEM, DER and BER (openssl cms -stream) bundles give the certificates openssl prints, in order', () => {
  for (const [f, fingerprints] of Object.entries(expected.pkcs7)) {
    assert.ok(fingerprints.length > 0);
    assert.deepEqual(sha256s(readPkcs7Certificates(file(f))), fingerprints, f);
  }
  const ber = file('signed-ber.p7s');
  assert.equal(ber[1], 0x80, 'the fixture really is indefinite-length BER');
});

/** Rewrites every constructed element above the certificates with indefinite lengths, as Windows does. */
function toIndefinite(tlv: Tlv, depth: number): Uint8Array {
  if (!tlv.constructed || depth > 3) return tlvBytes(tlv);
  const inner = children(tlv).map((c) => toIndefinite(c, depth + 1));
  return concat(Uint8Array.of(tlv.tag, 0x80), ...inner, Uint8Array.of(0, 0));
}

test('a BER re-encoding of a DER bundle reads the same certificates', () => {
  const der = file('chain-p7b.der');
  const ber = toIndefinite(readRoot(der, 'PKCS#7'), 0);
  assert.notDeepEqual(ber, der);
  assert.deepEqual(readPkcs7Certificates(ber), readPkcs7Certificates(der));
});

test('our certs-only SignedData is byte-identical to openssl crl2pkcs7 -nocrl and round-trips', () => {
  const certs = chainDers();
  const ours = encodePkcs7Certificates(certs);
  assert.deepEqual(ours, file('chain-p7b.der'));
  assert.deepEqual(readPkcs7Certificates(ours), certs);
  assert.deepEqual(readPkcs7Certificates(new TextEncoder().encode(encodePem('PKCS7', ours))), certs);
  assert.deepEqual(readPkcs7Certificates(encodePkcs7Certificates([])), []);
});

test('openssl pkcs7 -print_certs and keytool -printcert read what we write', () => {
  const tmp = tempDir();
  const certs = chainDers().reverse(); // root first: order must be kept, not re-sorted
  const p7 = join(tmp, 'bundle.p7b');
  writeFileSync(p7, encodePkcs7Certificates(certs));

  const o = openssl(['pkcs7', '-inform', 'DER', '-in', p7, '-print_certs', '-noout']);
  assert.equal(o.status, 0, o.stderr);
  const subjects = [...o.stdout.matchAll(/^subject=(.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(subjects, ['C = US, O = Example, OU = Fixtures, CN = Test Root CA', 'C = US, O = Example, OU = Fixtures, CN = Test Intermediate CA', 'C = US, O = Example, CN = mail.example.com']);

  const k = keytool(['-J-Duser.language=en', '-printcert', '-file', p7]);
  assert.equal(k.status, 0, k.stderr + k.stdout);
  const owners = [...k.stdout.matchAll(/^Owner: (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(owners, [...expected.chain].reverse().map((f) => expected.certificates[f]?.owner));
});

function assertPkcs7Error(input: Uint8Array, kind: 'format' | 'unsupported'): void {
  assert.throws(
    () => readPkcs7Certificates(input),
    (e: unknown) => {
      assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
      assert.equal(e.kind, kind);
      assert.equal(e.format, 'PKCS#7');
      return true;
    },
  );
}

test('damaged and foreign inputs are CodecErrors', () => {
  const der = file('chain-p7b.der');
  for (const n of [0, 1, 4, 20, 100, der.length - 1]) assertPkcs7Error(der.subarray(0, n), 'format');
  const lying = der.slice();
  lying[3] = (lying[3] ?? 0) + 1; // outer length one too long
  assertPkcs7Error(lying, 'format');
  const ber = file('signed-ber.p7s');
  for (const n of [2, 50, ber.length - 2]) assertPkcs7Error(ber.subarray(0, n), 'format');
  // A ContentInfo of type data (1.2.840.113549.1.7.1) is not a certificate bundle.
  assertPkcs7Error(sequence(encodeOid('1.2.840.113549.1.7.1'), explicit(0, Uint8Array.of(4, 0))), 'unsupported');
  assertPkcs7Error(new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'), 'format');
  assert.throws(() => encodePkcs7Certificates([Uint8Array.of(0x30, 0x05)]), CodecError);
});
