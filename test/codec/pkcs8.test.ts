import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { objectId, octetString, sequence, smallInteger } from '../../src/codec/asn1/check.js';
import { OID } from '../../src/codec/asn1/oid.js';
import { readRoot as parseBer } from '../../src/codec/asn1/tlv.js';
import { CodecError } from '../../src/codec/errors.js';
import { isEncryptedPkcs8, privateKeyInfo } from '../../src/codec/pkcs8.js';
import { decryptPkcs8, encryptPkcs8 } from '../../src/crypto/pkcs8.js';
import { fixturesDir, openssl, tempDir } from '../helpers/tools.js';

interface ExpectedPkcs8 {
  file: string;
  password: string;
  plain: string;
  scheme: string;
  publicKeySha256: string;
}
const dir = join(fixturesDir, 'pkcs12');
const expected = (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { pkcs8: ExpectedPkcs8[] }).pkcs8;
const load = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
const spkiSha256 = (pkcs8: Uint8Array): string =>
  createHash('sha256')
    .update(createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' }))
    .digest('hex');

function isCodecError(kind: CodecError['kind']) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    return true;
  };
}

describe('decryptPkcs8 on openssl-made files', () => {
  it('covers the schemes the brief names', () => {
    assert.deepEqual(
      new Set(expected.map((e) => e.scheme)),
      new Set([
        'PBES2 PBKDF2-hmacWithSHA256 AES-256-CBC',
        'PBES2 PBKDF2-hmacWithSHA1 AES-128-CBC',
        'PBES2 PBKDF2-hmacWithSHA256 DES-EDE3-CBC',
        'pbeWithSHAAnd3-KeyTripleDES-CBC',
        'pbeWithSHAAnd40BitRC2-CBC',
      ]),
    );
  });

  for (const e of expected) {
    it(`${e.file} (${e.scheme}) decrypts to the plain PKCS#8 and the right key`, () => {
      const epki = load(e.file);
      assert.equal(isEncryptedPkcs8(epki), true);
      const plain = decryptPkcs8(epki, e.password);
      assert.deepEqual(plain, load(e.plain));
      assert.equal(spkiSha256(plain), e.publicKeySha256);
      assert.throws(() => decryptPkcs8(epki, `${e.password}x`), isCodecError('password'));
    });
  }

  it('turns truncation, lying lengths and flipped bytes into CodecErrors', () => {
    const epki = load('rsa-aes256.p8.der');
    for (const cut of [1, 2, 4, 30, 80, epki.length - 17, epki.length - 1]) {
      assert.throws(() => decryptPkcs8(epki.subarray(0, cut), 'pkcs8pass'), isCodecError('format'), `cut at ${cut}`);
    }
    const lying = epki.slice();
    lying[3] = (lying[3] as number) + 1; // 30 82 05 2d: outer length one more than there is
    assert.throws(() => decryptPkcs8(lying, 'pkcs8pass'), (e: unknown) => e instanceof CodecError && e.kind === 'format' && e.offset === 0);
    for (let i = 0; i < epki.length; i += 11) {
      const bad = epki.slice();
      bad[i] = (bad[i] as number) ^ 0x10;
      try {
        decryptPkcs8(bad, 'pkcs8pass');
      } catch (err) {
        assert.ok(err instanceof CodecError, `byte ${i}: ${String(err)}`);
      }
    }
  });
});

describe('encryptPkcs8', () => {
  it('writes PBES2 / PBKDF2-hmacWithSHA256 / AES-256-CBC, 10000 iterations, 20-byte salt by default', () => {
    const epki = encryptPkcs8(load('rsa.pk8.der'), 'Secret-1');
    const [alg] = sequence(parseBer(epki, 't'), 'epki', 2, 2);
    const [oid, params] = sequence(alg!, 'alg', 2, 2);
    assert.equal(objectId(oid!, 'oid'), OID.pbes2);
    const [kdf, scheme] = sequence(params!, 'pbes2', 2, 2);
    const kdfParams = sequence(sequence(kdf!, 'kdf')[1]!, 'pbkdf2');
    assert.equal(octetString(kdfParams[0]!, 'salt').length, 20);
    assert.equal(smallInteger(kdfParams[1]!, 'iterations'), 10_000);
    assert.equal(objectId(sequence(kdfParams[2]!, 'prf')[0]!, 'prf'), OID.hmacWithSHA256);
    assert.equal(objectId(sequence(scheme!, 'scheme')[0]!, 'cipher'), OID.aes256Cbc);
    assert.equal(isEncryptedPkcs8(epki), true);
    assert.deepEqual(decryptPkcs8(epki, 'Secret-1'), load('rsa.pk8.der'));
  });

  it('is read by node:crypto (OpenSSL 3 in process) with the same password', () => {
    for (const file of ['rsa.pk8.der', 'ec.pk8.der']) {
      const epki = encryptPkcs8(load(file), 'pässwörd€', { iterations: 2000 });
      const key = createPrivateKey({ key: Buffer.from(epki), format: 'der', type: 'pkcs8', passphrase: 'pässwörd€' });
      assert.deepEqual(new Uint8Array(key.export({ type: 'pkcs8', format: 'der' })), load(file));
    }
  });

  it('loads with openssl pkey -passin, for each cipher', () => {
    const dirOut = tempDir();
    const options = [{}, { cipher: 'aes-128-cbc', prf: 'sha1' }, { cipher: 'des-ede3-cbc', prf: 'sha512' }] as const;
    options.forEach((opts, i) => {
      for (const file of ['rsa.pk8.der', 'ec.pk8.der']) {
        const out = join(dirOut, `${i}-${file}`);
        writeFileSync(out, encryptPkcs8(load(file), 'openssl-pass', opts));
        const r = openssl(['pkey', '-inform', 'DER', '-in', out, '-passin', 'pass:openssl-pass', '-pubout', '-outform', 'DER']);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(createHash('sha256').update(r.stdoutBytes).digest('hex'), spkiSha256(load(file)), `${file} ${JSON.stringify(opts)}`);
        const wrong = openssl(['pkey', '-inform', 'DER', '-in', out, '-passin', 'pass:wrong', '-noout']);
        assert.notEqual(wrong.status, 0);
      }
    });
  });

  it('refuses to encrypt something that is no PrivateKeyInfo', () => {
    assert.throws(() => encryptPkcs8(load('rsa-aes256.p8.der'), 'x'), isCodecError('format'));
  });
});

describe('isEncryptedPkcs8 and privateKeyInfo', () => {
  it('tells encrypted from plain and from garbage', () => {
    assert.equal(isEncryptedPkcs8(load('rsa.pk8.der')), false);
    assert.equal(isEncryptedPkcs8(new Uint8Array([0x30, 0x03, 0x02, 0x01])), false);
    assert.equal(isEncryptedPkcs8(new Uint8Array(0)), false);
  });

  it('names RSA, EC with its curve, Ed25519 and X25519', () => {
    assert.deepEqual(privateKeyInfo(load('rsa.pk8.der')), { algorithm: 'RSA', oid: OID.rsaEncryption });
    assert.deepEqual(privateKeyInfo(load('ec.pk8.der')), { algorithm: 'EC', oid: OID.ecPublicKey, curve: 'P-256' });
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' });
    assert.equal(privateKeyInfo(new Uint8Array(ed)).algorithm, 'Ed25519');
    const x = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'der' });
    assert.equal(privateKeyInfo(new Uint8Array(x)).algorithm, 'X25519');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'der' });
    assert.equal(privateKeyInfo(new Uint8Array(p384)).curve, 'P-384');
  });
});
