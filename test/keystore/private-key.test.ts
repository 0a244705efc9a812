import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { CodecError } from '../../src/codec/errors.js';
import { opensslReason, privateKeyObject } from '../../src/keystore/private-key.js';
import { nestedBer } from '../helpers/hostile.js';

const isFormatError = (format: string, text: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
  assert.equal(e.kind, 'format');
  assert.equal(e.format, format);
  assert.match(e.message, text);
  return true;
};

test('a key OpenSSL reads comes back as a KeyObject, in each encoding', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  const sec1 = new Uint8Array(privateKey.export({ type: 'sec1', format: 'der' }));
  assert.equal(privateKeyObject(pkcs8, 'pkcs8').asymmetricKeyType, 'ec');
  assert.equal(privateKeyObject(sec1, 'sec1').asymmetricKeyType, 'ec');
});

test("OpenSSL's refusal is a CodecError with its reason, not a plain Error", () => {
  // PrivateKeyInfo { 0, rsaEncryption, OCTET STRING { SEQUENCE { INTEGER 0 } } }: no RSA key inside.
  const hollow = new Uint8Array(Buffer.from('3016020100300d06092a864886f70d010101050004023000', 'hex'));
  assert.throws(() => privateKeyObject(hollow, 'pkcs8'), isFormatError('PKCS#8', /^PKCS#8: OpenSSL cannot read the private key \(.+\)$/));
  assert.equal(opensslReason(new Error('error:06800079:asn1 encoding routines::field missing')), 'field missing');
});

test('what is not SEQUENCE { INTEGER, ... } never reaches OpenSSL: deep BER, other types, trailing bytes', () => {
  assert.throws(() => privateKeyObject(nestedBer(100_000), 'pkcs1'), isFormatError('PKCS#1', /not a private key: nesting deeper than 64 levels/));
  assert.throws(() => privateKeyObject(Uint8Array.of(0x31, 0x03, 0x02, 0x01, 0x00), 'sec1'), isFormatError('SEC 1', /expected SEQUENCE \{ INTEGER version/));
  assert.throws(() => privateKeyObject(Uint8Array.of(0x30, 0x03, 0x04, 0x01, 0x00), 'sec1'), isFormatError('SEC 1', /expected SEQUENCE \{ INTEGER version/));
  assert.throws(() => privateKeyObject(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00, 0x00), 'pkcs8'), isFormatError('PKCS#8', /unexpected bytes after the end/));
});
