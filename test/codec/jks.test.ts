import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ByteReader, ByteWriter } from '../../src/codec/bytes.js';
import { CodecError } from '../../src/codec/errors.js';
import { decodeJks, encodeJks, KEY_PROTECTOR_OID, storeDigest } from '../../src/codec/jks.js';
import { encodeEncryptedPrivateKeyInfo, parseEncryptedPrivateKeyInfo } from '../../src/codec/pkcs8-encrypted.js';
import { jksProtectKey, jksRecoverKey } from '../../src/crypto/jks-keyprotector.js';
import type { StoredEntry, StoredKeyEntry, StoredTrustedEntry } from '../../src/codec/model.js';
import { writeJavaUtf } from '../../src/codec/mutf8.js';
import { expected, fingerprint, loadFixture, spkiOfPkcs8, storeOf } from '../helpers/jks-fixtures.js';
import { keytool, openssl, tempDir } from '../helpers/tools.js';

const jksStores = expected.stores.filter((s) => s.type === 'JKS');
const load = loadFixture;

const spkiOfCert = (der: Uint8Array): Buffer =>
  new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function isCodecError(kind: CodecError['kind'], offset?: number, text?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    if (text) assert.match(e.message, text);
    return true;
  };
}

function keyEntries(entries: StoredEntry[]): StoredKeyEntry[] {
  return entries.filter((e): e is StoredKeyEntry => e.kind === 'key');
}

/** Offsets of fields inside the first entry of a JKS file (tag at 12). */
function firstEntryOffsets(bytes: Uint8Array): { tag: number; aliasLen: number; date: number; after: number } {
  const r = new ByteReader(bytes, 'JKS');
  r.skip(16);
  const aliasLen = r.u16();
  return { tag: 12, aliasLen: 16, date: 18 + aliasLen, after: 26 + aliasLen };
}

function flip(bytes: Uint8Array, at: number, mask: number): Uint8Array {
  const out = bytes.slice();
  out[at] = (out[at] ?? 0) ^ mask;
  return out;
}

function setU32(bytes: Uint8Array, at: number, v: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, v);
  return out;
}

void describe('decodeJks on keytool-made fixtures', () => {
  for (const s of jksStores) {
    void describe(s.file, () => {
      const bytes = load(s.file);

      void it('decodes with the store password, checks the digest, and lists what keytool lists', () => {
        const { entries, integrityChecked } = decodeJks(bytes, s.storepass);
        assert.equal(integrityChecked, true);
        assert.deepEqual(
          entries.map((e) => `${e.kind}:${e.alias}`).sort(),
          s.entries.map((e) => `${e.kind}:${e.alias}`).sort(),
        );
        for (const want of s.entries) {
          const got = entries.find((e) => e.alias === want.alias);
          assert.ok(got, want.alias);
          assert.ok(got.created.getTime() > Date.UTC(2020, 0, 1), 'a plausible creation date');
          if (got.kind === 'trusted') assert.equal(fingerprint(got.cert), want.fingerprint);
          if (got.kind === 'key') {
            assert.deepEqual(got.chain.map(fingerprint), want.chain);
            assert.ok(got.protectedKey);
          }
        }
      });

      void it('decodes without a password, leaving integrityChecked false', () => {
        const withPass = decodeJks(bytes, s.storepass);
        const without = decodeJks(bytes);
        assert.equal(without.integrityChecked, false);
        assert.deepEqual(without.entries, withPass.entries);
      });

      void it('fails with an integrity error on a wrong store password', () => {
        assert.throws(
          () => decodeJks(bytes, `${s.storepass}x`),
          isCodecError('integrity', undefined, /keystore password is incorrect or the file was changed/),
        );
        assert.throws(() => decodeJks(bytes, ''), isCodecError('integrity'));
      });

      void it('recovers every key with its key password; the key matches the leaf certificate', () => {
        for (const e of keyEntries(decodeJks(bytes, s.storepass).entries)) {
          const want = s.entries.find((x) => x.alias === e.alias);
          assert.ok(want?.keypass !== undefined && e.protectedKey);
          const pkcs8 = jksRecoverKey(e.protectedKey, want.keypass);
          const spki = spkiOfPkcs8(pkcs8);
          const leaf = e.chain[0];
          assert.ok(leaf);
          assert.deepEqual(spki, spkiOfCert(leaf));
          assert.equal(sha256hex(spki), want.publicKeySha256);
        }
      });

      void it('re-protects each key with keytool\'s salt to the identical bytes', () => {
        for (const e of keyEntries(decodeJks(bytes, s.storepass).entries)) {
          const keypass = s.entries.find((x) => x.alias === e.alias)?.keypass;
          assert.ok(keypass !== undefined && e.protectedKey);
          const salt = parseEncryptedPrivateKeyInfo(e.protectedKey, 'JKS').encryptedData.subarray(0, 20);
          assert.deepEqual(jksProtectKey(jksRecoverKey(e.protectedKey, keypass), keypass, salt), e.protectedKey);
        }
      });

      void it('re-encodes byte-for-byte (decode -> encode)', () => {
        assert.deepEqual(encodeJks(decodeJks(bytes, s.storepass).entries, s.storepass), bytes);
      });

      void it('reports a truncation at every length as a format error, never a RangeError', () => {
        for (let n = 0; n < bytes.length; n++) {
          const cut = bytes.subarray(0, n);
          assert.throws(() => decodeJks(cut), isCodecError('format'), `cut at ${n}`);
          assert.throws(() => decodeJks(cut, s.storepass), isCodecError('format'), `cut at ${n}`);
        }
      });
    });
  }

  void it('reads the non-ASCII alias and passwords of unicode.jks (keytool lowercased Ä😀x)', () => {
    const s = storeOf('unicode.jks');
    assert.equal(s.storepass, 'pässwörd€');
    const [e] = keyEntries(decodeJks(load('unicode.jks'), 'pässwörd€').entries);
    assert.ok(e?.protectedKey);
    assert.equal(e.alias, 'ä😀x');
    assert.equal(createPrivateKey({ key: Buffer.from(jksRecoverKey(e.protectedKey, 'kéy€pass')), format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'ec');
  });

  void it('rsa.jks: the key password differs from the store password, and the store password cannot recover it', () => {
    const s = storeOf('rsa.jks');
    const [e] = keyEntries(decodeJks(load('rsa.jks'), s.storepass).entries);
    assert.ok(e?.protectedKey);
    assert.notEqual(s.entries[0]?.keypass, s.storepass);
    assert.throws(
      () => jksRecoverKey(e.protectedKey!, s.storepass),
      isCodecError('password', undefined, /cannot recover key: the key password is incorrect/),
    );
  });

  void it('chain.jks: a 3-certificate chain, leaf first, plus the root and intermediate as trusted entries', () => {
    const s = storeOf('chain.jks');
    const { entries } = decodeJks(load('chain.jks'), s.storepass);
    const [key] = keyEntries(entries);
    assert.ok(key);
    assert.equal(key.chain.length, 3);
    const [leaf, inter, root] = key.chain.map((d) => new X509Certificate(d));
    assert.ok(leaf && inter && root);
    assert.ok(leaf.checkIssued(inter) && inter.checkIssued(root), 'leaf <- intermediate <- root');
    const trusted = entries.filter((e): e is StoredTrustedEntry => e.kind === 'trusted').map((e) => fingerprint(e.cert));
    assert.deepEqual(trusted.sort(), key.chain.slice(1).map(fingerprint).sort());
  });
});

void describe('decodeJks on damaged input', () => {
  const s = storeOf('rsa.jks');
  const bytes = load('rsa.jks');
  const off = firstEntryOffsets(bytes);

  void it('a flipped byte in a certificate or in the digest is an integrity error with the password', () => {
    const inCert = flip(bytes, bytes.length - 100, 0x01);
    assert.throws(() => decodeJks(inCert, s.storepass), isCodecError('integrity'));
    // Without a password the change goes unnoticed, as in the JDK: integrityChecked says so.
    assert.equal(decodeJks(inCert).integrityChecked, false);
    const inDigest = flip(bytes, bytes.length - 1, 0x80);
    assert.throws(() => decodeJks(inDigest, s.storepass), isCodecError('integrity', bytes.length - 20));
  });

  void it('a lying entry count is a format error at the count field', () => {
    assert.throws(() => decodeJks(setU32(bytes, 8, 0x7fffffff)), isCodecError('format', 8, /entry count 2147483647/));
    assert.throws(() => decodeJks(setU32(bytes, 8, 0xffffffff), s.storepass), isCodecError('format', 8));
  });

  void it('a lying key length is a format error at the length field', () => {
    for (const v of [0x7fffffff, 0xffffffff, bytes.length]) {
      assert.throws(() => decodeJks(setU32(bytes, off.after, v)), isCodecError('format', off.after, /protected key/));
    }
  });

  void it('a lying certificate count or certificate length is a format error at that field', () => {
    const keyLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(off.after);
    const chainCountAt = off.after + 4 + keyLen;
    assert.throws(() => decodeJks(setU32(bytes, chainCountAt, 0x7fffffff)), isCodecError('format', chainCountAt));
    const certLenAt = chainCountAt + 4 + 2 + 5; // count, then UTF "X.509", then the length
    assert.throws(() => decodeJks(setU32(bytes, certLenAt, 0x7fffffff)), isCodecError('format', certLenAt));
  });

  void it('a lying alias length is a format error', () => {
    const b = bytes.slice();
    b[off.aliasLen] = 0xff;
    b[off.aliasLen + 1] = 0xff;
    assert.throws(() => decodeJks(b), isCodecError('format', off.aliasLen + 2, /alias/));
  });

  void it('an unknown entry tag is a format error naming the tag and its offset', () => {
    assert.throws(() => decodeJks(setU32(bytes, off.tag, 7)), isCodecError('format', off.tag, /tag 7/));
    // Tag 3 is JCEKS-only (secret keys); JavaKeyStore does not know it.
    assert.throws(() => decodeJks(setU32(bytes, off.tag, 3)), isCodecError('format', off.tag, /tag 3/));
  });

  void it('a malformed alias (4-byte UTF-8) is a format error', () => {
    const b = bytes.slice();
    b[off.aliasLen + 2] = 0xf0;
    assert.throws(() => decodeJks(b), isCodecError('format', off.aliasLen + 2, /modified UTF-8/));
  });

  void it('a creation date outside Date\'s range is a format error', () => {
    const b = bytes.slice();
    new DataView(b.buffer).setBigInt64(off.date, 2n ** 62n);
    assert.throws(() => decodeJks(b), isCodecError('format', off.date, /creation date/));
  });

  void it('a wrong magic, a JCEKS file, or an unknown version is a format error', () => {
    assert.throws(() => decodeJks(setU32(bytes, 0, 0x30820102)), isCodecError('format', 0, /not a JKS keystore/));
    assert.throws(() => decodeJks(load('ec.jceks')), isCodecError('format', 0, /this is a JCEKS keystore/));
    assert.throws(() => decodeJks(setU32(bytes, 4, 3)), isCodecError('format', 4, /version 3/));
  });

  void it('a certificate type other than X.509 is unsupported', () => {
    const b = bytes.slice();
    const keyLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(off.after);
    const typeAt = off.after + 4 + keyLen + 4;
    assert.equal(Buffer.from(b.subarray(typeAt + 2, typeAt + 7)).toString('latin1'), 'X.509');
    b[typeAt + 6] = 0x38; // "X.508"
    assert.throws(() => decodeJks(b), isCodecError('unsupported', typeAt, /X\.508/));
  });

  void it('ignores bytes after the digest, as the JDK does', () => {
    const b = new Uint8Array(bytes.length + 7);
    b.set(bytes);
    const { entries, integrityChecked } = decodeJks(b, s.storepass);
    assert.equal(integrityChecked, true);
    assert.equal(entries.length, 1);
  });
});

void describe('decodeJks version 1', () => {
  void it('reads a version-1 file (no certificate type strings)', () => {
    const s = storeOf('ec-trusted.jks');
    const { entries } = decodeJks(load('ec-trusted.jks'), s.storepass);
    const w = new ByteWriter();
    w.u32(0xfeedfeed).u32(1).u32(entries.length);
    for (const e of entries) {
      w.u32(e.kind === 'key' ? 1 : 2);
      writeJavaUtf(w, e.alias, 'JKS');
      w.i64(e.created.getTime());
      if (e.kind === 'key') {
        w.u32(e.protectedKey!.length).bytes(e.protectedKey!).u32(e.chain.length);
        for (const c of e.chain) w.u32(c.length).bytes(c);
      } else if (e.kind === 'trusted') {
        w.u32(e.cert.length).bytes(e.cert);
      }
    }
    w.bytes(storeDigest(s.storepass, w.toBytes()));
    const v1 = decodeJks(w.toBytes(), s.storepass);
    assert.equal(v1.integrityChecked, true);
    assert.deepEqual(v1.entries, entries);
    // The writer always writes version 2, so the result equals the keytool file.
    assert.deepEqual(encodeJks(v1.entries, s.storepass), load('ec-trusted.jks'));
  });
});

void describe('KeyProtector (jksProtectKey / jksRecoverKey)', () => {
  const keys = [
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    generateKeyPairSync('ed25519').privateKey,
  ].map((k) => new Uint8Array(k.export({ type: 'pkcs8', format: 'der' })));

  void it('round-trips keys of every size with any Unicode password', () => {
    for (const pkcs8 of keys) {
      for (const pass of ['changeit', '', 'kéy€pass😀']) {
        const protectedKey = jksProtectKey(pkcs8, pass);
        assert.deepEqual(jksRecoverKey(protectedKey, pass), pkcs8);
        assert.throws(() => jksRecoverKey(protectedKey, `${pass}!`), isCodecError('password'));
      }
    }
  });

  void it('writes the JDK 17 shape: KeyProtector OID with NULL parameters, salt || data || check', () => {
    const pkcs8 = keys[1]!;
    const p = jksProtectKey(pkcs8, 'pw');
    const header = (p[1] ?? 0) & 0x80 ? 2 + ((p[1] ?? 0) & 0x7f) : 2;
    assert.equal(Buffer.from(p.subarray(header, header + 16)).toString('hex'), '300e060a2b060104012a021101010500');
    const epki = parseEncryptedPrivateKeyInfo(p, 'JKS');
    assert.deepEqual(epki.oid, KEY_PROTECTOR_OID);
    assert.deepEqual(epki.params, Uint8Array.of(0x05, 0x00));
    assert.equal(epki.encryptedData.length, 20 + pkcs8.length + 20);
  });

  void it('uses a fresh random salt unless one is given', () => {
    const pkcs8 = keys[1]!;
    assert.notDeepEqual(jksProtectKey(pkcs8, 'pw'), jksProtectKey(pkcs8, 'pw'));
    const salt = new Uint8Array(20).fill(7);
    assert.deepEqual(jksProtectKey(pkcs8, 'pw', salt), jksProtectKey(pkcs8, 'pw', salt));
    assert.throws(() => jksProtectKey(pkcs8, 'pw', new Uint8Array(8)), RangeError);
  });

  void it('accepts the JDK 25 shape without NULL parameters', () => {
    const pkcs8 = keys[0]!;
    const data = parseEncryptedPrivateKeyInfo(jksProtectKey(pkcs8, 'pw'), 'JKS').encryptedData;
    const j25 = encodeEncryptedPrivateKeyInfo(KEY_PROTECTOR_OID, undefined, data);
    assert.equal(Buffer.from(j25.subarray(4, 6)).toString('hex'), '300c', 'RSA: outer length in 82 form');
    assert.deepEqual(jksRecoverKey(j25, 'pw'), pkcs8);
  });

  void it('refuses another algorithm, and damaged DER, with the right error kind', () => {
    const good = jksProtectKey(keys[1]!, 'pw');
    const other = encodeEncryptedPrivateKeyInfo(Uint8Array.of(0x2a, 0x03), undefined, new Uint8Array(60));
    assert.throws(() => jksRecoverKey(other, 'pw'), isCodecError('unsupported', undefined, /1\.2\.3/));
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    assert.throws(() => jksRecoverKey(trailing, 'pw'), isCodecError('format'));
    for (let n = 0; n < good.length; n++) {
      assert.throws(() => jksRecoverKey(good.subarray(0, n), 'pw'), isCodecError('format'), `cut at ${n}`);
    }
    const short = encodeEncryptedPrivateKeyInfo(KEY_PROTECTOR_OID, Uint8Array.of(5, 0), new Uint8Array(39));
    assert.throws(() => jksRecoverKey(short, 'pw'), isCodecError('format', undefined, /shorter than salt/));
    const lying = good.slice();
    lying[1] = 0x84; // a 4-byte long-form length claiming far more than there is
    assert.throws(() => jksRecoverKey(lying, 'pw'), isCodecError('format'));
  });
});

void describe('encodeJks', () => {
  const rsa = decodeJks(load('rsa.jks'), 'storepass1').entries;
  const created = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));

  void it('lowercases aliases (JavaKeyStore.convertAlias) and writes version 2 with ms dates', () => {
    const key = { ...(rsa[0] as StoredKeyEntry), alias: 'MailServer', created };
    const out = encodeJks([key], 'pw1234');
    const r = new ByteReader(out, 'JKS');
    assert.equal(r.u32(), 0xfeedfeed);
    assert.equal(r.u32(), 2);
    const { entries } = decodeJks(out, 'pw1234');
    assert.equal(entries[0]?.alias, 'mailserver');
    assert.equal(entries[0]?.created.getTime(), created.getTime());
  });

  void it('keeps entry order and allows an empty chain', () => {
    const key = { ...(rsa[0] as StoredKeyEntry), alias: 'z', chain: [] };
    const trusted: StoredTrustedEntry = { kind: 'trusted', alias: 'a', created, cert: (rsa[0] as StoredKeyEntry).chain[0]! };
    const { entries } = decodeJks(encodeJks([key, trusted], 'pw'), 'pw');
    assert.deepEqual(entries.map((e) => e.alias), ['z', 'a']);
    assert.deepEqual((entries[0] as StoredKeyEntry).chain, []);
  });

  void it('refuses secret entries, keys without protectedKey, JCEKS-protected keys and duplicate aliases', () => {
    const key = rsa[0] as StoredKeyEntry;
    assert.throws(() => encodeJks([{ kind: 'secret', alias: 's', created }], 'pw'), isCodecError('unsupported', undefined, /secret/));
    const bare: StoredKeyEntry = { kind: 'key', alias: key.alias, created, chain: key.chain };
    assert.throws(() => encodeJks([bare], 'pw'), isCodecError('unsupported', undefined, /no protected key/));
    const jceksKey = {
      ...key,
      protectedKey: encodeEncryptedPrivateKeyInfo(Uint8Array.of(0x2b, 6, 1, 4, 1, 0x2a, 2, 0x13, 1), undefined, new Uint8Array(48)),
    };
    assert.throws(() => encodeJks([jceksKey], 'pw'), isCodecError('unsupported', undefined, /1\.3\.6\.1\.4\.1\.42\.2\.19\.1/));
    assert.throws(
      () => encodeJks([{ ...key, alias: 'Mail' }, { ...key, alias: 'mail' }], 'pw'),
      isCodecError('unsupported', undefined, /duplicate alias "mail"/),
    );
    assert.throws(() => encodeJks([{ ...key, created: new Date(NaN) }], 'pw'), isCodecError('unsupported'));
  });
});

void describe('encodeJks output in the real keytool', () => {
  const dir = tempDir('mailcert-jks-');
  const storepass = 'store-pass-1';
  const keypass = 'key-pass-2';

  const file = join(dir, 'interop.jks');
  let pkcs8: Uint8Array = new Uint8Array(0);
  let cert: Uint8Array = new Uint8Array(0);
  let rootCert: Uint8Array = new Uint8Array(0);

  before(() => {
    // A fresh key and self-signed certificate from openssl; a trusted root from a fixture.
    const gen = openssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-subj', '/CN=interop.example.org', '-days', '30',
    ]);
    assert.equal(gen.status, 0, gen.stderr);
    pkcs8 = new Uint8Array(createPrivateKey(readFileSync(join(dir, 'k.pem'))).export({ type: 'pkcs8', format: 'der' }));
    cert = new Uint8Array(new X509Certificate(readFileSync(join(dir, 'c.pem'))).raw);
    const root = decodeJks(load('chain.jks')).entries.find((e): e is StoredTrustedEntry => e.alias === 'rootca');
    assert.ok(root);
    rootCert = root.cert;
    const entries: StoredEntry[] = [
      { kind: 'key', alias: 'MailServer', created: new Date(), chain: [cert], protectedKey: jksProtectKey(pkcs8, keypass) },
      { kind: 'trusted', alias: 'RootCA', created: new Date(), cert: rootCert },
    ];
    writeFileSync(file, encodeJks(entries, storepass));
  });

  void it('keytool -list -v reads it: type JKS, lowercased aliases, entry kinds, fingerprints', () => {
    const r = keytool(['-list', '-v', '-keystore', file, '-storepass', storepass]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Keystore type: JKS/);
    assert.match(r.stdout, /Your keystore contains 2 entries/);
    assert.match(r.stdout, /Alias name: mailserver\nCreation date: .*\nEntry type: PrivateKeyEntry/);
    assert.match(r.stdout, /Alias name: rootca\nCreation date: .*\nEntry type: trustedCertEntry/);
    assert.ok(r.stdout.includes(`SHA256: ${fingerprint(cert)}`));
    assert.ok(r.stdout.includes(`SHA256: ${fingerprint(rootCert)}`));
  });

  void it('keytool -certreq signs with the key under a key password different from the store password', () => {
    const r = keytool(['-certreq', '-alias', 'MailServer', '-keystore', file, '-storepass', storepass, '-keypass', keypass]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /-----BEGIN NEW CERTIFICATE REQUEST-----/);
    const wrong = keytool(['-certreq', '-alias', 'mailserver', '-keystore', file, '-storepass', storepass, '-keypass', storepass]);
    assert.notEqual(wrong.status, 0);
  });

  void it('keytool reads a non-ASCII alias and non-ASCII passwords written by encodeJks', () => {
    const uni = join(dir, 'unicode.jks');
    const entry: StoredKeyEntry = {
      kind: 'key', alias: 'Ä😀x', created: new Date(), chain: [cert], protectedKey: jksProtectKey(pkcs8, 'kéy€pass'),
    };
    writeFileSync(uni, encodeJks([entry], 'pässwörd€'));
    const env = { ...process.env, LC_ALL: 'C.UTF-8' };
    const list = keytool(['-list', '-keystore', uni, '-storepass', 'pässwörd€'], { env });
    assert.equal(list.status, 0, list.stderr + list.stdout);
    assert.ok(list.stdout.includes('ä😀x, '), list.stdout);
    const req = keytool(['-certreq', '-alias', 'ä😀x', '-keystore', uni, '-storepass', 'pässwörd€', '-keypass', 'kéy€pass'], { env });
    assert.equal(req.status, 0, req.stderr + req.stdout);
  });
});
