import assert from 'node:assert/strict';
import { createCipheriv, createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { CodecError } from '../../src/codec/errors.js';
import { decodeJceks, PBE_MD5_3DES_OID } from '../../src/codec/jceks.js';
import { decodeJks } from '../../src/codec/jks.js';
import { encodeEncryptedPrivateKeyInfo, parseEncryptedPrivateKeyInfo } from '../../src/codec/pkcs8-encrypted.js';
import { deriveDesedeKey, jceksRecoverKey } from '../../src/crypto/jceks.js';
import { KdfBudget } from '../../src/crypto/kdf.js';
import type { StoredKeyEntry } from '../../src/codec/model.js';
import { expected, fingerprint, loadFixture, spkiOfPkcs8, storeOf } from '../helpers/jks-fixtures.js';

const load = loadFixture;

function isCodecError(kind: CodecError['kind'], offset?: number, text?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.format, 'JCEKS');
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    if (text) assert.match(e.message, text);
    return true;
  };
}

function patch(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(values, at);
  return out;
}

function indexOf(bytes: Uint8Array, needle: string | Uint8Array, from = 0): number {
  const i = Buffer.from(bytes).indexOf(typeof needle === 'string' ? Buffer.from(needle, 'latin1') : needle, from);
  assert.ok(i >= 0, `found ${String(needle)}`);
  return i;
}

const keysOf = (file: string): StoredKeyEntry[] =>
  decodeJceks(load(file), storeOf(file).storepass).entries.filter((e): e is StoredKeyEntry => e.kind === 'key');

void describe('decodeJceks on keytool-made fixtures', () => {
  for (const s of expected.stores.filter((x) => x.type === 'JCEKS')) {
    void describe(s.file, () => {
      const bytes = load(s.file);

      void it('decodes with the store password and lists what keytool lists', () => {
        const { entries, integrityChecked } = decodeJceks(bytes, s.storepass);
        assert.equal(integrityChecked, true);
        assert.deepEqual(
          entries.map((e) => `${e.kind}:${e.alias}`).sort(),
          s.entries.map((e) => `${e.kind}:${e.alias}`).sort(),
        );
        for (const e of entries) {
          const want = s.entries.find((x) => x.alias === e.alias);
          if (e.kind === 'trusted') assert.equal(fingerprint(e.cert), want?.fingerprint);
          if (e.kind === 'key') assert.deepEqual(e.chain.map(fingerprint), want?.chain);
        }
        const without = decodeJceks(bytes);
        assert.equal(without.integrityChecked, false);
        assert.deepEqual(without.entries, entries);
      });

      void it('fails with an integrity error on a wrong store password', () => {
        assert.throws(() => decodeJceks(bytes, 'wrong-pass'), isCodecError('integrity', bytes.length - 20));
      });

      void it('recovers every PBEWithMD5AndTripleDES key; it matches the leaf certificate', () => {
        for (const e of keysOf(s.file)) {
          const want = s.entries.find((x) => x.alias === e.alias);
          assert.ok(want?.keypass !== undefined && e.protectedKey && e.chain[0]);
          assert.deepEqual(parseEncryptedPrivateKeyInfo(e.protectedKey, 'JCEKS').oid, PBE_MD5_3DES_OID);
          const spki = spkiOfPkcs8(jceksRecoverKey(e.protectedKey, want.keypass));
          assert.deepEqual(spki, new X509Certificate(e.chain[0]).publicKey.export({ type: 'spki', format: 'der' }));
          assert.equal(createHash('sha256').update(spki).digest('hex'), want.publicKeySha256);
        }
      });

      void it('reports a truncation at every length as a format error, never a RangeError', () => {
        for (let n = 0; n < bytes.length; n++) {
          assert.throws(() => decodeJceks(bytes.subarray(0, n)), isCodecError('format'), `cut at ${n}`);
        }
      });
    });
  }

  void it('ec.jceks: the key password differs from the store password; wrong or non-ASCII passwords fail', () => {
    const s = storeOf('ec.jceks');
    const [key] = keysOf('ec.jceks');
    assert.ok(key?.protectedKey);
    assert.notEqual(s.entries.find((e) => e.kind === 'key')?.keypass, s.storepass);
    assert.throws(
      () => jceksRecoverKey(key.protectedKey!, s.storepass),
      isCodecError('password', undefined, /cannot recover key: the key password is incorrect/),
    );
    assert.throws(() => jceksRecoverKey(key.protectedKey!, 'jcéksKey1'), isCodecError('password', undefined, /ASCII/));
  });

  void it('secret.jceks: secret keys are listed as kind "secret", and one is followed by another entry', () => {
    const { entries } = decodeJceks(load('secret.jceks'), 'secretpass');
    const secrets = entries.filter((e) => e.kind === 'secret');
    assert.deepEqual(secrets.map((e) => e.alias).sort(), ['aes', 'hmac']);
    for (const e of secrets) assert.deepEqual(Object.keys(e).sort(), ['alias', 'created', 'kind']);
    // The walker found where a serialized SealedObject ends: an entry after it was read.
    const firstSecret = entries.findIndex((e) => e.kind === 'secret');
    assert.ok(firstSecret < entries.length - 1);
  });

  void it('reads JKS-magic files like JceKeyStore, and recovers their KeyProtector keys', () => {
    const s = storeOf('rsa.jks');
    const bytes = load('rsa.jks');
    const asJceks = decodeJceks(bytes, s.storepass);
    assert.deepEqual(asJceks.entries, decodeJks(bytes, s.storepass).entries);
    const key = asJceks.entries[0] as StoredKeyEntry;
    const pkcs8 = jceksRecoverKey(key.protectedKey!, s.entries[0]!.keypass!);
    assert.deepEqual(spkiOfPkcs8(pkcs8), new X509Certificate(key.chain[0]!).publicKey.export({ type: 'spki', format: 'der' }));
    assert.throws(() => jceksRecoverKey(key.protectedKey!, s.storepass), isCodecError('password'));
  });

  void it('rejects a wrong magic or version as a format error', () => {
    const bytes = load('ec.jceks');
    assert.throws(() => decodeJceks(patch(bytes, 0, [0x30, 0x82])), isCodecError('format', 0, /not a JCEKS keystore/));
    assert.throws(() => decodeJceks(patch(bytes, 4, [0, 0, 0, 9])), isCodecError('format', 4));
  });
});

void describe('secret-key entries the walker cannot or must not follow', () => {
  const bytes = load('secret.jceks');
  const stream = indexOf(bytes, Uint8Array.of(0xac, 0xed, 0x00, 0x05));
  const top = stream + 4;

  void it('a bad stream header is a format error', () => {
    assert.throws(() => decodeJceks(patch(bytes, stream, [0xac, 0xee])), isCodecError('format', stream, /stream header/));
  });

  void it('another class at the top is unsupported, naming the alias', () => {
    const name = indexOf(bytes, 'SealedObjectForKeyProtector', stream);
    const changed = patch(bytes, name + 26, [0x58]); // ...KeyProtectoX
    assert.throws(
      () => decodeJceks(changed),
      isCodecError('unsupported', top, /secret-key entry "(aes|hmac)" cannot be read by mailcert: .*KeyProtectoX/),
    );
  });

  void it('class data written by writeObject or writeExternal is unsupported', () => {
    const sealed = indexOf(bytes, 'javax.crypto.SealedObject', stream);
    const flagsAt = sealed + 'javax.crypto.SealedObject'.length + 8;
    assert.equal(bytes[flagsAt], 0x02);
    assert.throws(() => decodeJceks(patch(bytes, flagsAt, [0x03])), isCodecError('unsupported', flagsAt, /writeObject/));
    assert.throws(() => decodeJceks(patch(bytes, flagsAt, [0x0c])), isCodecError('unsupported', flagsAt, /Externalizable/));
  });

  void it('a serialized exception or reset is unsupported; an unknown type code is a format error', () => {
    assert.throws(() => decodeJceks(patch(bytes, top, [0x7b])), isCodecError('unsupported', top, /exception/));
    assert.throws(() => decodeJceks(patch(bytes, top, [0x79])), isCodecError('unsupported', top, /reset/));
    assert.throws(() => decodeJceks(patch(bytes, top, [0x60])), isCodecError('format', top, /type code 0x60/));
  });

  void it('a lying array length or handle is a format error at that field', () => {
    // TC_ARRAY, TC_CLASSDESC "[B", serialVersionUID, flags, 0 fields, TC_ENDBLOCKDATA, TC_NULL, size.
    const arr = indexOf(bytes, Uint8Array.of(0x75, 0x72, 0x00, 0x02, 0x5b, 0x42), stream);
    const sizeAt = arr + 2 + 4 + 8 + 1 + 2 + 1 + 1;
    assert.throws(() => decodeJceks(patch(bytes, sizeAt, [0x7f, 0xff, 0xff, 0xff])), isCodecError('format', sizeAt, /array length/));
    assert.throws(() => decodeJceks(patch(bytes, sizeAt, [0xff, 0xff, 0xff, 0xff])), isCodecError('format', sizeAt, /negative/));
    // The second field's type signature is TC_REFERENCE 0x7e0002 ("[B"); point it past the table.
    const ref = indexOf(bytes, Uint8Array.of(0x71, 0x00, 0x7e, 0x00, 0x02), stream);
    assert.throws(() => decodeJceks(patch(bytes, ref + 3, [0x7f, 0x7f])), isCodecError('format', ref + 1, /points nowhere/));
  });
});

void describe('PBEWithMD5AndTripleDES (PBES1Core.deriveCipherKey)', () => {
  const pkcs8 = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }));

  function pbeParams(salt: Uint8Array, iterations: number): Uint8Array {
    const it = Buffer.alloc(4);
    it.writeUInt32BE(iterations);
    const body = Buffer.concat([Buffer.from([0x04, salt.length]), salt, Buffer.from([0x02, 0x04]), it]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  }
  function protect(pass: string, salt: Uint8Array, iterations: number): Uint8Array {
    const { key, iv } = deriveDesedeKey(Buffer.from(pass, 'latin1'), salt, iterations);
    const c = createCipheriv('des-ede3-cbc', key, iv);
    const ct = Buffer.concat([c.update(pkcs8), c.final()]);
    return encodeEncryptedPrivateKeyInfo(PBE_MD5_3DES_OID, pbeParams(salt, iterations), ct);
  }

  void it('recovers a key protected with other salts and iteration counts', () => {
    const salt = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    for (const n of [1, 1000]) assert.deepEqual(jceksRecoverKey(protect('secret', salt, n), 'secret'), pkcs8);
    assert.throws(() => jceksRecoverKey(protect('secret', salt, 1000), 'secreT'), isCodecError('password'));
  });

  void it('reverses the first salt half when both halves are equal', () => {
    const pw = Buffer.from('pw');
    const same = deriveDesedeKey(pw, Uint8Array.of(1, 2, 3, 4, 1, 2, 3, 4), 5);
    const reversed = deriveDesedeKey(pw, Uint8Array.of(4, 3, 2, 1, 1, 2, 3, 4), 5);
    const plain = deriveDesedeKey(pw, Uint8Array.of(1, 2, 3, 4, 1, 2, 3, 5), 5);
    assert.deepEqual(same, reversed);
    assert.notDeepEqual(same.key.subarray(0, 16), plain.key.subarray(0, 16));
    assert.equal(same.key.length, 24);
    assert.equal(same.iv.length, 8);
  });

  void it('refuses iteration counts above the JDK limit, wrong salts and missing parameters', () => {
    const salt = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const ct = new Uint8Array(pkcs8.length + 8 - (pkcs8.length % 8));
    const epki = (params: Uint8Array | undefined): Uint8Array => encodeEncryptedPrivateKeyInfo(PBE_MD5_3DES_OID, params, ct);
    assert.throws(() => jceksRecoverKey(epki(pbeParams(salt, 5_000_001)), 'pw'), isCodecError('unsupported', undefined, /iteration count/));
    assert.throws(() => jceksRecoverKey(epki(pbeParams(salt, 0)), 'pw'), isCodecError('unsupported'));
    assert.throws(() => jceksRecoverKey(epki(pbeParams(salt.subarray(0, 7), 10)), 'pw'), isCodecError('format', undefined, /salt/));
    assert.throws(() => jceksRecoverKey(epki(undefined), 'pw'), isCodecError('format', undefined, /parameters/));
    assert.throws(
      () => jceksRecoverKey(encodeEncryptedPrivateKeyInfo(PBE_MD5_3DES_OID, pbeParams(salt, 10), ct.subarray(1)), 'pw'),
      isCodecError('format', undefined, /3DES blocks/),
    );
    const unknown = encodeEncryptedPrivateKeyInfo(Uint8Array.of(0x2a, 0x03), undefined, ct);
    assert.throws(() => jceksRecoverKey(unknown, 'pw'), isCodecError('unsupported', undefined, /1\.2\.3/));
  });

  void it('pays for both MD5 chains from the file budget: a key at the cap is refused before hashing', () => {
    const salt = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const ct = new Uint8Array(pkcs8.length + 8 - (pkcs8.length % 8));
    const atCap = encodeEncryptedPrivateKeyInfo(PBE_MD5_3DES_OID, pbeParams(salt, 5_000_000), ct);
    const budget = new KdfBudget('JCEKS');
    assert.throws(() => jceksRecoverKey(atCap, 'pw', budget), isCodecError('limit', undefined, /10,000,000 rounds/));
    assert.equal(budget.spent, 0);
    // Keys of one file share it: JDK 17's 200,000 iterations are 400,000 rounds a key.
    const shared = new KdfBudget('JCEKS', 1_000);
    const key = protect('secret', salt, 300);
    assert.deepEqual(jceksRecoverKey(key, 'secret', shared), pkcs8);
    assert.equal(shared.spent, 600);
    assert.throws(() => jceksRecoverKey(key, 'secret', shared), isCodecError('limit', undefined, /1,200 rounds/));
  });
});
