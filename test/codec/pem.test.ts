import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodecError } from '../../src/codec/errors.js';
import { decodePem, encodePem, type PemBlock } from '../../src/codec/pem.js';
import { fixturesDir } from '../helpers/tools.js';

const dir = join(fixturesDir, 'pem');
const text = (f: string): string => readFileSync(join(dir, f), 'utf8');
const bytes = (f: string): Uint8Array => new Uint8Array(readFileSync(join(dir, f)));

function only(t: string): PemBlock {
  const blocks = decodePem(t);
  assert.equal(blocks.length, 1);
  return blocks[0]!;
}

function assertPemError(t: string, line: number): void {
  assert.throws(
    () => decodePem(t),
    (e: unknown) => {
      assert.ok(e instanceof CodecError, String(e));
      assert.equal(e.kind, 'format');
      assert.equal(e.format, 'PEM');
      assert.match(e.message, new RegExp(`line ${line}:`));
      assert.equal(typeof e.offset, 'number');
      return true;
    },
  );
}

test('keytool -exportcert -rfc (CRLF inside the block) decodes to the same DER as keytool -exportcert', () => {
  const t = text('keytool-rfc.pem');
  assert.ok(t.includes('\r\n'), 'fixture has CRLF line ends');
  const b = only(t);
  assert.equal(b.label, 'CERTIFICATE');
  assert.deepEqual(b.headers, {});
  assert.deepEqual(b.der, bytes('keytool.cer'));
});

test('every label of the reference table decodes', () => {
  const labels: [string, string][] = [
    ['root-ca.pem', 'CERTIFICATE'],
    ['root-trusted.pem', 'TRUSTED CERTIFICATE'],
    ['crl.pem', 'X509 CRL'],
    ['openssl.csr', 'CERTIFICATE REQUEST'],
    ['keytool.csr', 'NEW CERTIFICATE REQUEST'],
    ['pkcs8.pem', 'PRIVATE KEY'],
    ['rsa-aes256.pem', 'RSA PRIVATE KEY'],
    ['ec-aes128.pem', 'EC PRIVATE KEY'],
    ['public-key.pem', 'PUBLIC KEY'],
    ['chain.p7b', 'PKCS7'],
  ];
  for (const [file, label] of labels) {
    const b = only(text(file));
    assert.equal(b.label, label, file);
    if (b.headers['Proc-Type'] === undefined) assert.equal(b.der[0], 0x30, `${file} holds a DER SEQUENCE`);
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' });
  assert.equal(only(String(encrypted)).label, 'ENCRYPTED PRIVATE KEY');
  assert.deepEqual(only(text('crl.pem')).der, bytes('crl.der'));
  assert.deepEqual(only(text('openssl.csr')).der, bytes('openssl-csr.der'));
});

test('TRUSTED CERTIFICATE keeps the certificate and exposes the X509_CERT_AUX after it', () => {
  const trusted = only(text('root-trusted.pem'));
  const plain = only(text('root-ca.pem'));
  assert.deepEqual(trusted.der, plain.der);
  assert.ok(trusted.aux !== undefined && trusted.aux.length > 0);
  assert.equal(trusted.aux[0], 0x30);
  assert.ok(Buffer.from(trusted.aux).includes(Buffer.from('Example Root')), 'alias is in the aux');
  assert.equal(plain.aux, undefined);
});

test('RFC 1421 headers of a traditional encrypted key', () => {
  const b = only(text('rsa-aes256.pem'));
  assert.equal(b.headers['Proc-Type'], '4,ENCRYPTED');
  assert.match(b.headers['DEK-Info'] ?? '', /^AES-256-CBC,[0-9A-F]{32}$/);
  assert.equal(encodePem(b.label, b.der, b.headers), text('rsa-aes256.pem'), 're-encodes to openssl’s exact text');
});

test('a bundle with text around the blocks (openssl pkcs12 -nodes, x509 -text)', () => {
  const t = text('bundle.txt');
  const blocks = decodePem(t);
  assert.deepEqual(blocks.map((b) => b.label).sort(), ['CERTIFICATE', 'CERTIFICATE', 'CERTIFICATE', 'PRIVATE KEY']);
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => Buffer.from(b.der).toString('hex'));
  for (const f of ['leaf-rsa.pem', 'intermediate-ca.pem', 'root-ca.pem']) {
    assert.ok(certs.includes(Buffer.from(only(text(f)).der).toString('hex')), f);
  }
  for (const b of blocks) {
    assert.match(t.slice(b.start, b.end), new RegExp(`^-----BEGIN ${b.label}-----[\\s\\S]*-----END ${b.label}-----$`));
  }
  assert.ok(t.slice(0, blocks[0]!.start).includes('Bag Attributes'));
});

test('one-line base64, mixed line ends, indentation and no text at all around', () => {
  const der = only(text('root-ca.pem')).der;
  const b64 = Buffer.from(der).toString('base64');
  assert.deepEqual(only(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----`).der, der);
  assert.deepEqual(only(`-----BEGIN CERTIFICATE-----${b64}-----END CERTIFICATE-----`).der, der);
  const mixed = `junk\r\n-----BEGIN CERTIFICATE-----\r\n${b64.slice(0, 64)}\n  ${b64.slice(64, 128)}  \r${b64.slice(128)}\r\n-----END CERTIFICATE-----\r\n`;
  assert.deepEqual(only(mixed).der, der);
  assert.deepEqual(decodePem('no blocks here\n'), []);
});

test('encodePem writes RFC 7468 text that decodes back, byte-identical to openssl x509 output', () => {
  for (const f of ['root-ca.pem', 'leaf-ec.pem', 'odd-names.pem']) {
    const b = only(text(f));
    const out = encodePem('CERTIFICATE', b.der);
    assert.equal(out, text(f));
    for (const line of out.split('\n').slice(1, -2)) assert.ok(line.length <= 64);
    assert.deepEqual(only(out).der, b.der);
  }
  const odd = new Uint8Array([1, 2, 3, 4, 5]);
  assert.deepEqual(only(encodePem('X509 CRL', odd)).der, odd);
  assert.throws(() => encodePem('bad--label', odd));
});

test('mismatched labels, missing END and bad base64 name the line', () => {
  const b64 = Buffer.from(only(text('root-ca.pem')).der).toString('base64');
  assertPemError(`text\n-----BEGIN CERTIFICATE-----\n${b64}\n-----END X509 CRL-----\n`, 4);
  assertPemError(`-----BEGIN CERTIFICATE-----\n${b64}\n`, 1);
  assertPemError(`-----BEGIN CERTIFICATE-----\n${b64}\n-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`, 1);
  assertPemError(`-----BEGIN CERTIFICATE-----\nMIIB\nMI*B\n-----END CERTIFICATE-----\n`, 3);
  assertPemError(`-----BEGIN CERTIFICATE-----\nMIIBA===\n-----END CERTIFICATE-----\n`, 2);
  assertPemError(`-----BEGIN CERTIFICATE-----\nMIIBA\n-----END CERTIFICATE-----\n`, 2); // 5 chars: truncated
  assertPemError(`-----BEGIN CERTIFICATE-----\nMA==\nMIIB\n-----END CERTIFICATE-----\n`, 3); // data after padding
  assertPemError(`-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n`, 1);
  assertPemError(`-----BEGIN TRUSTED CERTIFICATE-----\nMIIB\n-----END TRUSTED CERTIFICATE-----\n`, 1); // not DER
});

test('error offsets are bytes even after non-ASCII text', () => {
  const t = `Zürich\n-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n`;
  assert.throws(
    () => decodePem(t),
    (e: unknown) => e instanceof CodecError && e.offset === Buffer.byteLength('Zürich\n-----BEGIN CERTIFICATE-----\n'),
  );
});
