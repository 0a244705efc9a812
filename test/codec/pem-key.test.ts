import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodecError, type CodecErrorKind } from '../../src/codec/errors.js';
import { decodePem, type PemBlock } from '../../src/codec/pem.js';
import { isEncryptedPem } from '../../src/codec/pem-key.js';
import { evpBytesToKey, readTraditionalKey } from '../../src/crypto/pem-key.js';
import { fixturesDir, openssl } from '../helpers/tools.js';

const dir = join(fixturesDir, 'pem');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  passphrase: string;
  keys: Record<string, { type: 'rsa' | 'ec'; cipher: string }>;
};
const block = (f: string): PemBlock => {
  const b = decodePem(readFileSync(join(dir, f), 'utf8'))[0];
  assert.ok(b !== undefined, f);
  return b;
};

function assertKeyError(fn: () => unknown, kind: CodecErrorKind, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.equal(e.format, 'PEM');
    if (message) assert.match(e.message, message);
    return true;
  });
}

const supported = Object.entries(expected.keys).filter(([, k]) => k.cipher !== 'DES-CBC');

test('openssl traditional keys decrypt to the key whose public half openssl pkey -pubout printed', () => {
  assert.deepEqual(new Set(supported.map(([, k]) => k.cipher)), new Set(['AES-128-CBC', 'AES-192-CBC', 'AES-256-CBC', 'DES-EDE3-CBC']));
  for (const [f, k] of supported) {
    const b = block(f);
    assert.equal(isEncryptedPem(b), true, f);
    const key = readTraditionalKey(b, expected.passphrase);
    assert.equal(key.type, k.type);
    const priv = createPrivateKey({ key: Buffer.from(key.der), format: 'der', type: k.type === 'rsa' ? 'pkcs1' : 'sec1' });
    const pub = createPublicKey(priv).export({ type: 'spki', format: 'pem' });
    assert.equal(pub, readFileSync(join(dir, f.replace(/\.pem$/, '.pub.pem')), 'utf8'), f);
  }
});

test('the passphrase may be given as bytes', () => {
  const k = readTraditionalKey(block('ec-aes128.pem'), new TextEncoder().encode(expected.passphrase));
  assert.equal(k.type, 'ec');
});

test('a wrong or missing passphrase is a password error', () => {
  for (const [f] of supported) {
    assertKeyError(() => readTraditionalKey(block(f), 'wrong-passphrase'), 'password', /wrong passphrase/);
    assertKeyError(() => readTraditionalKey(block(f)), 'password', /passphrase is needed/);
  }
});

test('single DES is unsupported, and the message names it', () => {
  assertKeyError(() => readTraditionalKey(block('rsa-des.pem'), expected.passphrase), 'unsupported', /DES-CBC/);
  const b = block('rsa-aes256.pem');
  const blowfish = { ...b, headers: { ...b.headers, 'DEK-Info': 'BF-CBC,0011223344556677' } };
  assertKeyError(() => readTraditionalKey(blowfish, expected.passphrase), 'unsupported', /BF-CBC/);
});

test('an unencrypted traditional key is returned as it is', () => {
  const b = block('rsa-plain.pem');
  assert.equal(isEncryptedPem(b), false);
  const k = readTraditionalKey(b);
  assert.deepEqual(k, { type: 'rsa', der: b.der });
  assertKeyError(() => readTraditionalKey(block('pkcs8.pem')), 'format', /not a traditional key/);
});

test('damaged headers and bodies are format errors', () => {
  const b = block('rsa-aes256.pem');
  const iv = (b.headers['DEK-Info'] ?? '').split(',')[1] ?? '';
  const withDek = (dek: string | undefined): PemBlock => {
    const headers: Record<string, string> = { 'Proc-Type': '4,ENCRYPTED' };
    if (dek !== undefined) headers['DEK-Info'] = dek;
    return { ...b, headers };
  };
  assertKeyError(() => readTraditionalKey(withDek(undefined), 'x'), 'format', /no DEK-Info/);
  assertKeyError(() => readTraditionalKey(withDek(`AES-256-CBC,${iv.slice(2)}`), 'x'), 'format', /IV/);
  assertKeyError(() => readTraditionalKey(withDek('AES-256-CBC'), 'x'), 'format', /malformed DEK-Info/);
  assertKeyError(() => readTraditionalKey({ ...b, der: b.der.subarray(0, b.der.length - 3) }, expected.passphrase), 'format', /cipher blocks/);
});

test('EVP_BytesToKey(MD5, count 1) matches openssl enc -P', () => {
  for (const [cipher, keyLength] of [
    ['aes-256-cbc', 32],
    ['des-ede3-cbc', 24],
    ['aes-128-cbc', 16],
  ] as const) {
    const salt = randomBytes(8);
    const r = openssl(['enc', `-${cipher}`, '-P', '-md', 'md5', '-S', salt.toString('hex'), '-pass', 'pass:Pässword']);
    assert.equal(r.status, 0, r.stderr);
    const key = /^key=([0-9A-F]+)$/m.exec(r.stdout)?.[1];
    const ours = evpBytesToKey(new TextEncoder().encode('Pässword'), salt, keyLength);
    assert.equal(Buffer.from(ours).toString('hex').toUpperCase(), key, cipher);
  }
});
