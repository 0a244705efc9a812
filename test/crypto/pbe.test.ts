import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';
import { describe, it } from 'node:test';
import forge from 'node-forge';
import { objectId, octetString, sequence, smallInteger } from '../../src/codec/asn1/check.js';
import { OID } from '../../src/codec/asn1/oid.js';
import { readRoot as parseBer } from '../../src/codec/asn1/tlv.js';
import {
  encodeAlgorithm as derAlgorithm,
  encodeInteger as derInteger,
  encodeOctetString as derOctetString,
  encodeSequence as derSequence,
} from '../../src/codec/asn1/writer.js';
import { CodecError } from '../../src/codec/errors.js';
import { MAX_ITERATIONS, type Pbes2Cipher, type PbeHash, type Pkcs12PbeAlgorithm, describePbe } from '../../src/codec/pbe-params.js';
import { bmpPassword, pkcs12Kdf } from '../../src/crypto/kdf.js';
import { decryptWithAlgorithm, encryptPbes2, encryptPkcs12Pbe } from '../../src/crypto/pbe.js';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** Something shaped like what PKCS#8 and PKCS#12 encrypt: one DER SEQUENCE. */
const payload = derSequence(derOctetString(new Uint8Array(100).fill(7)), derInteger(5));

function isCodecError(kind: CodecError['kind'], text?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (text) assert.match(e.message, text);
    return true;
  };
}

describe('PKCS#12 KDF (RFC 7292 B.2)', () => {
  it('matches the published smeg/queeg vectors', () => {
    assert.equal(toHex(pkcs12Kdf('sha1', bmpPassword('smeg'), hex('0a58cf64530d823f'), 1, 1, 24)), '8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3');
    assert.equal(toHex(pkcs12Kdf('sha1', bmpPassword('smeg'), hex('0a58cf64530d823f'), 1, 2, 8)), '79993dfe048d3b76');
    assert.equal(toHex(pkcs12Kdf('sha1', bmpPassword('queeg'), hex('1682c0fc5b3f7ec5'), 1000, 1, 24)), '483dd6e919d7de2e8e648ba8f862f3fbfbdc2bcb2c02957f');
  });

  it('agrees with node-forge for long outputs, SHA-256 and SHA-512 (v = 128)', () => {
    const salt = hex('00112233445566778899aabbccddeeff0011223344');
    for (const [hash, md] of [
      ['sha1', () => forge.md.sha1.create()],
      ['sha256', () => forge.md.sha256.create()],
      ['sha512', () => forge.md.sha512.create()],
    ] as const) {
      for (const n of [5, 20, 33, 100]) {
        const ours = pkcs12Kdf(hash, bmpPassword('pässwörd€'), salt, 3, 3, n);
        // forge encodes a JS string as UTF-16BE plus 00 00 itself, the same as bmpPassword.
        const theirs = forge.pkcs12.generateKey('pässwörd€', forge.util.createBuffer(Buffer.from(salt).toString('binary')), 3, 3, n, md());
        assert.equal(toHex(ours), theirs.toHex(), `${hash} n=${n}`);
      }
    }
  });

  it('encodes passwords as BMPString with a 00 00 terminator, surrogate pairs kept', () => {
    assert.equal(toHex(bmpPassword('')), '0000');
    assert.equal(toHex(bmpPassword('a€')), '006120ac0000');
    assert.equal(toHex(bmpPassword('😀')), 'd83dde000000');
  });
});

describe('PBES2', () => {
  const ciphers: Pbes2Cipher[] = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'des-ede3-cbc'];
  const prfs: PbeHash[] = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

  it('round-trips every cipher and PRF, and a wrong password is a password error', () => {
    for (const cipher of ciphers) {
      for (const prf of prfs) {
        const enc = encryptPbes2(payload, 'pw', { cipher, prf, iterations: 50 });
        assert.deepEqual(decryptWithAlgorithm(enc.algorithm, 'pw', enc.ciphertext), payload, `${cipher}/${prf}`);
        assert.throws(() => decryptWithAlgorithm(enc.algorithm, 'pW', enc.ciphertext), isCodecError('password'));
      }
    }
  });

  it('writes the JDK parameters when asked: 20-byte salt, 10000 iterations, keyLength 32, hmacWithSHA256', () => {
    const enc = encryptPbes2(payload, 'pw', { includeKeyLength: true });
    const alg = parseBer(enc.algorithm, 'test');
    const [oid, params] = sequence(alg, 'alg', 2, 2);
    assert.equal(objectId(oid!, 'oid'), OID.pbes2);
    const [kdf, scheme] = sequence(params!, 'pbes2', 2, 2);
    const [kdfOid, kdfParams] = sequence(kdf!, 'kdf', 2, 2);
    assert.equal(objectId(kdfOid!, 'kdf'), OID.pbkdf2);
    const [salt, iterations, keyLength, prf] = sequence(kdfParams!, 'pbkdf2', 4, 4);
    assert.equal(octetString(salt!, 'salt').length, 20);
    assert.equal(smallInteger(iterations!, 'it'), 10_000);
    assert.equal(smallInteger(keyLength!, 'kl'), 32);
    assert.equal(objectId(sequence(prf!, 'prf')[0]!, 'prf'), OID.hmacWithSHA256);
    const [cipherOid, iv] = sequence(scheme!, 'scheme', 2, 2);
    assert.equal(objectId(cipherOid!, 'cipher'), OID.aes256Cbc);
    assert.equal(octetString(iv!, 'iv').length, 16);
    assert.equal(describePbe(enc.algorithm), 'PBES2 hmacWithSHA256 aes-256-cbc, 10000 iterations');
  });

  it('leaves out the DEFAULT hmacWithSHA1 PRF and the optional keyLength by default', () => {
    const enc = encryptPbes2(payload, 'pw', { prf: 'sha1', iterations: 1 });
    const kdfParams = sequence(sequence(sequence(sequence(parseBer(enc.algorithm, 't'), 'a')[1]!, 'p')[0]!, 'k')[1]!, 'kp');
    assert.equal(kdfParams.length, 2);
    assert.deepEqual(decryptWithAlgorithm(enc.algorithm, 'pw', enc.ciphertext), payload);
  });

  it('uses the UTF-8 bytes of the password (what OpenSSL 3 does)', () => {
    const enc = encryptPbes2(payload, 'pässwörd€', { iterations: 3, prf: 'sha256', cipher: 'aes-256-cbc' });
    const [kdf, scheme] = sequence(sequence(parseBer(enc.algorithm, 't'), 'a')[1]!, 'p');
    const salt = octetString(sequence(sequence(kdf!, 'k')[1]!, 'kp')[0]!, 'salt');
    const iv = octetString(sequence(scheme!, 's')[1]!, 'iv');
    const key = pbkdf2Sync(Buffer.from('pässwörd€', 'utf8'), salt, 3, 32, 'sha256');
    const d = createDecipheriv('aes-256-cbc', key, iv);
    assert.deepEqual(new Uint8Array(Buffer.concat([d.update(enc.ciphertext), d.final()])), payload);
    assert.deepEqual(decryptWithAlgorithm(enc.algorithm, 'pässwörd€', enc.ciphertext), payload);
  });

  it('refuses iteration counts above 5,000,000 before deriving anything (a hostile file cannot hang us)', () => {
    const alg = pbes2Alg(MAX_ITERATIONS + 1);
    const started = Date.now();
    assert.throws(() => decryptWithAlgorithm(alg, 'pw', new Uint8Array(16)), isCodecError('format', /iteration count 5000001 is too large/));
    assert.ok(Date.now() - started < 1000);
    assert.throws(() => decryptWithAlgorithm(pbes2Alg(0), 'pw', new Uint8Array(16)), isCodecError('format', /at least 1/));
  });

  it('refuses a keyLength that does not fit the cipher, and unknown PRFs and ciphers as unsupported', () => {
    assert.throws(() => decryptWithAlgorithm(pbes2Alg(10, 16), 'pw', new Uint8Array(16)), isCodecError('format', /key length 16/));
    const badPrf = derAlgorithm(
      OID.pbes2,
      derSequence(
        derAlgorithm(OID.pbkdf2, derSequence(derOctetString(new Uint8Array(8)), derInteger(10), derAlgorithm('1.2.840.113549.2.5'))),
        derAlgorithm(OID.aes256Cbc, derOctetString(new Uint8Array(16))),
      ),
    );
    assert.throws(() => decryptWithAlgorithm(badPrf, 'pw', new Uint8Array(16)), isCodecError('unsupported', /PRF/));
    const rc4 = derAlgorithm(OID.pbeWithSHAAnd128BitRC4, derSequence(derOctetString(new Uint8Array(8)), derInteger(1)));
    assert.throws(() => decryptWithAlgorithm(rc4, 'pw', new Uint8Array(16)), isCodecError('unsupported', /RC4/));
    assert.throws(() => decryptWithAlgorithm(derAlgorithm('1.2.3.4'), 'pw', new Uint8Array(16)), isCodecError('unsupported'));
  });

  it('turns a damaged AlgorithmIdentifier into a format error, never another error', () => {
    const enc = encryptPbes2(payload, 'pw', { iterations: 2 });
    for (let cut = 1; cut < enc.algorithm.length; cut += 3) {
      assert.throws(() => decryptWithAlgorithm(enc.algorithm.subarray(0, cut), 'pw', enc.ciphertext), isCodecError('format'));
    }
    for (let i = 0; i < enc.algorithm.length; i++) {
      const bad = enc.algorithm.slice();
      bad[i] = (bad[i] as number) ^ 0x41;
      try {
        decryptWithAlgorithm(bad, 'pw', enc.ciphertext);
      } catch (e) {
        assert.ok(e instanceof CodecError, `byte ${i}: ${String(e)}`);
      }
    }
  });
});

describe('PKCS#12 PBE (RFC 7292 C)', () => {
  const algorithms: Pkcs12PbeAlgorithm[] = [
    'pbeWithSHAAnd3-KeyTripleDES-CBC',
    'pbeWithSHAAnd2-KeyTripleDES-CBC',
    'pbeWithSHAAnd128BitRC2-CBC',
    'pbeWithSHAAnd40BitRC2-CBC',
  ];

  it('round-trips all four, and a wrong password is a password error', () => {
    for (const a of algorithms) {
      const enc = encryptPkcs12Pbe(payload, 'päss', a, { iterations: 20 });
      assert.deepEqual(decryptWithAlgorithm(enc.algorithm, 'päss', enc.ciphertext), payload, a);
      assert.throws(() => decryptWithAlgorithm(enc.algorithm, 'pass', enc.ciphertext), isCodecError('password'), a);
      assert.match(describePbe(enc.algorithm), new RegExp(`^${a}, 20 iterations$`));
    }
  });

  it('writes 3DES that node-forge decrypts, and decrypts RC2-40 that node-forge wrote', () => {
    const enc = encryptPkcs12Pbe(payload, 'secret', 'pbeWithSHAAnd3-KeyTripleDES-CBC', { iterations: 7 });
    const params = sequence(sequence(parseBer(enc.algorithm, 't'), 'a')[1]!, 'p');
    const salt = forge.util.createBuffer(Buffer.from(octetString(params[0]!, 's')).toString('binary'));
    const key = forge.pkcs12.generateKey('secret', salt, 1, 7, 24);
    const iv = forge.pkcs12.generateKey('secret', salt, 2, 7, 8);
    const d = forge.cipher.createDecipher('3DES-CBC', key);
    d.start({ iv });
    d.update(forge.util.createBuffer(Buffer.from(enc.ciphertext).toString('binary')));
    assert.ok(d.finish());
    assert.equal(Buffer.from(d.output.getBytes(), 'binary').toString('hex'), toHex(payload));

    const saltBytes = hex('0102030405060708');
    const fsalt = forge.util.createBuffer(Buffer.from(saltBytes).toString('binary'));
    const rc2 = forge.rc2.createEncryptionCipher(forge.pkcs12.generateKey('secret', fsalt, 1, 9, 5), 40);
    rc2.start(forge.pkcs12.generateKey('secret', fsalt, 2, 9, 8));
    rc2.update(forge.util.createBuffer(Buffer.from(payload).toString('binary')));
    assert.ok(rc2.finish());
    const ct = new Uint8Array(Buffer.from(rc2.output.getBytes(), 'binary'));
    const alg = derAlgorithm(OID.pbeWithSHAAnd40BitRC2CBC, derSequence(derOctetString(saltBytes), derInteger(9)));
    assert.deepEqual(decryptWithAlgorithm(alg, 'secret', ct), payload);
  });

  it('retries an empty password with no terminator, like PKCS12KeyStore.RetryWithZero', () => {
    const salt = hex('0011223344556677');
    const empty = new Uint8Array(0);
    const key = pkcs12Kdf('sha1', empty, salt, 5, 1, 24);
    const iv = pkcs12Kdf('sha1', empty, salt, 5, 2, 8);
    const c = createCipheriv('des-ede3-cbc', key, iv);
    const ct = new Uint8Array(Buffer.concat([c.update(payload), c.final()]));
    const alg = derAlgorithm(OID.pbeWithSHAAnd3KeyTripleDESCBC, derSequence(derOctetString(salt), derInteger(5)));
    assert.deepEqual(decryptWithAlgorithm(alg, '', ct), payload);
    // And the usual "" (00 00) works too.
    const enc = encryptPkcs12Pbe(payload, '', 'pbeWithSHAAnd3-KeyTripleDES-CBC', { iterations: 5 });
    assert.deepEqual(decryptWithAlgorithm(enc.algorithm, '', enc.ciphertext), payload);
  });

  it('treats a plaintext that is not one DER element as a wrong password', () => {
    const enc = encryptPkcs12Pbe(new Uint8Array(createHash('sha256').update('x').digest()), 'pw', 'pbeWithSHAAnd3-KeyTripleDES-CBC', {
      iterations: 1,
    });
    assert.throws(() => decryptWithAlgorithm(enc.algorithm, 'pw', enc.ciphertext), isCodecError('password'));
  });
});

function pbes2Alg(iterations: number, keyLength?: number): Uint8Array {
  const kdf = derSequence(
    derOctetString(new Uint8Array(8)),
    derInteger(iterations),
    ...(keyLength === undefined ? [] : [derInteger(keyLength)]),
  );
  return derAlgorithm(OID.pbes2, derSequence(derAlgorithm(OID.pbkdf2, kdf), derAlgorithm(OID.aes256Cbc, derOctetString(new Uint8Array(16)))));
}
