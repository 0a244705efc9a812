// mailcert's reading and rewriting of the keystores from elsewhere in fixtures/wild (their premise,
// each proved with keytool and openssl, is test/codec/wild-fixtures.test.ts): what the codecs and
// the keystore layer make of each, against what expected.json recorded from keytool or openssl.
// The built CLI on the same files is test/cli/wild-stores.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OID } from '../../src/codec/asn1/oid.js';
import { readRoot } from '../../src/codec/asn1/tlv.js';
import { at, explicit, objectId, octetString, sequence } from '../../src/codec/asn1/check.js';
import {
  encodeBmpString as derBmpString,
  encodeExplicit as derExplicit,
  encodeInteger as derInteger,
  encodeOctetString as derOctetString,
  encodeOid as derOid,
  encodeSequence as derSequence,
  encodeSetOf as derSetOf,
} from '../../src/codec/asn1/writer.js';
import { parseEncryptedPrivateKeyInfo } from '../../src/codec/pkcs8-encrypted.js';
import { decryptWithAlgorithm } from '../../src/crypto/pbe.js';
import { bouncyCastleStore } from '../../src/codec/bouncycastle.js';
import { CodecError } from '../../src/codec/errors.js';
import type { StoredEntry, StoredKeyEntry } from '../../src/codec/model.js';
import { KdfBudget } from '../../src/crypto/kdf.js';
import { decodePkcs12, encodePkcs12, pkcs12RecoverKey, pkcs12ReprotectSecret } from '../../src/crypto/pkcs12.js';
import { ExitCode, MailcertError } from '../../src/errors.js';
import { KeyPasswordWrong, UnkeptParts } from '../../src/keystore/errors.js';
import { decodeKeystore, recoverKey, writeKeystoreFile, type StoreType } from '../../src/keystore/keystore.js';
import { fixturesDir, tempDir } from '../helpers/tools.js';
import { expectedView, wildDir, wildStore, type WildStore } from '../helpers/wild.js';

const dir = wildDir;
const wild = wildStore;
const bytesOf = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const fingerprint = (der: Uint8Array): string => sha256hex(der).toUpperCase().match(/../g)!.join(':');
const spkiSha256 = (pkcs8: Uint8Array): string =>
  sha256hex(createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' }));
const given = (password: string) => (): Promise<string> => Promise.resolve(password);

/** Entries as expected.json writes them: alias, kind, certificate fingerprints, sorted by alias. */
function asExpected(entries: readonly StoredEntry[]): { alias: string; kind: string; certs: string[] }[] {
  return entries
    .map((e) => ({ alias: e.alias, kind: e.kind, certs: (e.kind === 'key' ? e.chain : e.kind === 'trusted' ? [e.cert] : []).map(fingerprint) }))
    .sort((a, b) => (a.alias < b.alias ? -1 : 1));
}
const expectedOf = (s: WildStore): { alias: string; kind: string; certs: string[] }[] => expectedView(s).map(([alias, kind, certs]) => ({ alias, kind, certs }));

async function read(file: string, password?: string): Promise<Awaited<ReturnType<typeof decodeKeystore>>> {
  const s = wild(file);
  return decodeKeystore(join(dir, file), s.type as StoreType, bytesOf(file), given(password ?? s.storepass));
}
const keyOf = (entries: readonly StoredEntry[], alias: string): StoredKeyEntry => {
  const e = entries.find((x) => x.alias === alias);
  assert.ok(e?.kind === 'key', `${alias} is a key entry`);
  return e;
};

/** The DER of a key bag's attribute, found by type. */
function keyBagAttribute(p12: Uint8Array, password: string, type: string): Uint8Array | undefined {
  const r = decodePkcs12(p12, password);
  const key = r.entries.find((e) => e.kind === 'key');
  assert.ok(key?.kind === 'key');
  return key.attributes?.find((a) => objectId(sequence(readRoot(a, 't'), 'attr', 2, 2)[0]!, 'id') === type);
}

// Microsoft Local Key Set with no values: 30 0d 06 09 2b 06 01 04 01 82 37 11 02 31 00.
const LOCAL_KEY_SET = Uint8Array.from([0x30, 0x0d, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x11, 0x02, 0x31, 0x00]);
const MS_CSP_NAME = '1.3.6.1.4.1.311.17.1';

for (const file of ['windows-aes256-sha256.pfx', 'windows-3des-rc2.pfx', 'windows-lmk-openssl.pfx']) {
  test(`${file}: a Windows export with an attribute of no values reads as keytool lists it, and keeps its attributes when written again`, async () => {
    const s = wild(file);
    const store = await read(file);
    assert.equal(store.integrityChecked, true);
    assert.deepEqual(asExpected(store.entries), expectedOf(s));
    const [want] = s.entries;
    assert.ok(want);
    const key = keyOf(store.entries, want.alias);
    assert.equal(spkiSha256(await recoverKey(file, 'PKCS12', key, given(s.storepass))), want.publicKeySha256);
    // The attributes mailcert does not read ride along on the entry and go back on the key bag.
    assert.deepEqual(keyBagAttribute(bytesOf(file), s.storepass, '1.3.6.1.4.1.311.17.2'), LOCAL_KEY_SET);
    const csp = keyBagAttribute(bytesOf(file), s.storepass, MS_CSP_NAME);
    assert.ok(csp !== undefined);
    const again = encodePkcs12(store.entries, 'rewritten-1', { iterations: 1 });
    assert.deepEqual(keyBagAttribute(again, 'rewritten-1', '1.3.6.1.4.1.311.17.2'), LOCAL_KEY_SET);
    assert.deepEqual(keyBagAttribute(again, 'rewritten-1', MS_CSP_NAME), csp);
  });
}

/**
 * The key inside a JDK secret bag: its EncryptedPrivateKeyInfo decrypted to SEQUENCE { INTEGER 0,
 * AlgorithmIdentifier, OCTET STRING key } (PKCS12KeyStore.engineSetEntry), the key's SHA-256.
 */
function secretKeySha256(secretBag: Uint8Array, password: string): string {
  const epki = parseEncryptedPrivateKeyInfo(octetString(explicit(sequence(readRoot(secretBag, 't'), 'SecretBag', 2, 2)[1]!, 0, 'value'), 'value'), 't', true);
  const plain = decryptWithAlgorithm(epki.algorithm, password, epki.encryptedData, 'PKCS#12');
  const root = readRoot(plain, 't');
  return sha256hex(octetString(at(sequence(root, 'secret key', 3, 3), 2, root, 'secret key'), 'key'));
}

test("secret-keys.p12: keytool's secret keys are entries, written back as they were read, and follow a new store password", async () => {
  const s = wild('secret-keys.p12');
  assert.ok(s.secrets !== undefined);
  const store = await read('secret-keys.p12');
  assert.deepEqual(asExpected(store.entries), expectedOf(s));
  const bags = (entries: readonly StoredEntry[]): [string, Uint8Array][] =>
    entries.flatMap((e): [string, Uint8Array][] => (e.kind === 'secret' && e.secretBag !== undefined ? [[e.alias, e.secretBag]] : [])).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  // The key bytes the JDK loads (expected.json, from KeyStore.getKey) are in the bags as read.
  assert.deepEqual(bags(store.entries).map(([alias, bag]) => [alias, secretKeySha256(bag, s.storepass)]), s.secrets.map((x) => [x.alias, x.keySha256]));
  const again = decodePkcs12(encodePkcs12(store.entries, s.storepass, { iterations: 1 }), s.storepass);
  assert.deepEqual(bags(again.entries), bags(store.entries));
  // Encrypted again from the store password to a new one: the same key, which only the new password opens.
  for (const [alias, bag] of bags(store.entries)) {
    const moved = pkcs12ReprotectSecret(bag, s.storepass, 'new-store-2');
    assert.ok(moved !== undefined, alias);
    assert.equal(secretKeySha256(moved, 'new-store-2'), s.secrets.find((x) => x.alias === alias)?.keySha256);
    assert.equal(pkcs12ReprotectSecret(moved, s.storepass, 'x'), undefined, `${alias}: the old password no longer opens it`);
  }
});

for (const file of ['keypass-jdk.p12', 'keypass-openssl.p12']) {
  test(`${file}: lists with the store password; the key opens with the key password, and the store password is told apart from a wrong one`, async () => {
    const s = wild(file);
    const [want] = s.entries;
    assert.ok(want?.keypass !== undefined);
    const store = await read(file);
    assert.equal(store.integrityChecked, true);
    assert.deepEqual(asExpected(store.entries), expectedOf(s));
    const key = keyOf(store.entries, want.alias);
    assert.equal(spkiSha256(await recoverKey(file, 'PKCS12', key, given(want.keypass))), want.publicKeySha256);
    // The MAC verified with the store password and covers the key bag: the key has a password of its own.
    await assert.rejects(recoverKey(file, 'PKCS12', key, given(s.storepass)), (e: unknown) => {
      assert.ok(e instanceof KeyPasswordWrong && e.ownPassword && e.exitCode === ExitCode.badInput);
      assert.match(e.message, new RegExp(`${file.replace('.', '\\.')}: the key of entry "mail" does not open with the password that opens the file: it was encrypted with another password$`));
      return true;
    });
    await assert.rejects(recoverKey(file, 'PKCS12', key, given('neither-1')), (e: unknown) => e instanceof KeyPasswordWrong && !e.ownPassword && /the key password is incorrect$/.test(e.message));
  });
}

test('mac-ok-key-other.p12: the key under the store password opens, the other one is told as encrypted with another password', async () => {
  const s = wild('mac-ok-key-other.p12');
  const store = await read('mac-ok-key-other.p12');
  assert.deepEqual(asExpected(store.entries), expectedOf(s));
  for (const want of s.entries) {
    const key = keyOf(store.entries, want.alias);
    assert.equal(spkiSha256(await recoverKey('m.p12', 'PKCS12', key, given(want.keypass!))), want.publicKeySha256, want.alias);
  }
  const other = keyOf(store.entries, 'submission');
  await assert.rejects(recoverKey('m.p12', 'PKCS12', other, given(s.storepass)), /^MailcertError: m\.p12: the key of entry "submission" does not open with the password that opens the file/);
});

test('PKCS#12 keys are written under their own password when they have one: the store password opens the file, the key password the key', async () => {
  const s = wild('keypass-jdk.p12');
  const [want] = s.entries;
  const key = keyOf((await read('keypass-jdk.p12')).entries, 'mail');
  const pkcs8 = pkcs12RecoverKey(key.protectedKey!, want!.keypass!);
  const made: StoredKeyEntry = { kind: 'key', alias: 'mail', created: new Date(), chain: key.chain, privateKey: pkcs8 };
  const file = encodePkcs12([made], 'store-pass-1', { iterations: 1, keyPassword: () => 'key-pass-2' });
  const back = keyOf(decodePkcs12(file, 'store-pass-1').entries, 'mail');
  assert.deepEqual(pkcs12RecoverKey(back.protectedKey!, 'key-pass-2'), pkcs8);
  assert.throws(() => pkcs12RecoverKey(back.protectedKey!, 'store-pass-1'), (e: unknown) => e instanceof CodecError && e.kind === 'password');
  // Through the keystore layer: the key password a command gives for a new key is the one used.
  const path = join(tempDir(), 'own.p12');
  await writeKeystoreFile(path, { type: 'PKCS12', entries: [made], integrityChecked: true }, 'store-pass-1', given('key-pass-3'), { create: true, force: false });
  const written = keyOf((await decodeKeystore(path, 'PKCS12', new Uint8Array(readFileSync(path)), given('store-pass-1'))).entries, 'mail');
  assert.deepEqual(pkcs12RecoverKey(written.protectedKey!, 'key-pass-3'), pkcs8);
});

test('latin1-openssl10.p12: the password as OpenSSL before 1.1.0 encoded it opens the file, with a note; a rewrite keeps that encoding', async () => {
  const s = wild('latin1-openssl10.p12');
  assert.ok(s.kdfPassword !== undefined);
  const r = decodePkcs12(bytesOf('latin1-openssl10.p12'), s.storepass);
  assert.equal(r.brokenPassword, s.kdfPassword);
  const store = await read('latin1-openssl10.p12');
  assert.deepEqual(asExpected(store.entries), expectedOf(s));
  assert.equal(store.passwordForm, 'openssl-pre-1.1');
  assert.match(store.notes?.join('\n') ?? '', /encoding of OpenSSL before 1\.1\.0/);
  const [want] = s.entries;
  const key = keyOf(store.entries, 'server');
  assert.equal(spkiSha256(await recoverKey('l.p12', 'PKCS12', key, given(s.storepass))), want!.publicKeySha256);
  // Written back with the password the user types, in the file's own encoding: the bytes OpenSSL 1.0 made.
  const path = join(tempDir(), 'latin1.p12');
  writeFileSync(path, bytesOf('latin1-openssl10.p12'));
  await writeKeystoreFile(path, { ...store, source: bytesOf('latin1-openssl10.p12') }, s.storepass, given(s.storepass), { create: false, force: false });
  const rewritten = new Uint8Array(readFileSync(path));
  assert.equal(decodePkcs12(rewritten, s.storepass).brokenPassword, s.kdfPassword);
  assert.doesNotThrow(() => decodePkcs12(rewritten, s.kdfPassword));
});

for (const file of ['dup-key-trusted.jks', 'dup-trusted-key.jks', 'dup-trusted.jceks']) {
  test(`${file}: of two entries with one alias the last one is the entry, as keytool lists it, with a note`, async () => {
    const s = wild(file);
    assert.ok(s.fileEntries !== undefined && s.fileEntries.length > s.entries.length);
    const store = await read(file);
    assert.deepEqual(asExpected(store.entries), expectedOf(s));
    const dup = s.fileEntries.find((e, i) => s.fileEntries!.findIndex((x) => x.alias === e.alias) !== i);
    assert.ok(dup !== undefined);
    const kinds = s.fileEntries.filter((e) => e.alias === dup.alias).map((e) => (e.kind === 'key' ? 'a key entry' : 'a trusted certificate'));
    assert.deepEqual(store.notes, [
      `alias "${dup.alias}" is in the file twice (${kinds.join(', then ')}): mailcert takes the last one, as keytool and Java do, and leaves the other out when it writes the keystore`,
    ]);
  });
}

test('sm2.p12 and sm2.jks: an SM2 entry lists, its key is read, its curve named', async () => {
  for (const file of ['sm2.p12', 'sm2.jks']) {
    const s = wild(file);
    const store = await read(file);
    assert.deepEqual(asExpected(store.entries), expectedOf(s), file);
    const key = keyOf(store.entries, 'gm');
    const pkcs8 = await recoverKey(file, s.type as StoreType, key, given(s.entries[0]?.keypass ?? s.storepass));
    assert.equal(spkiSha256(pkcs8), s.entries[0]?.publicKeySha256, file);
  }
  const { parseCertificate } = await import('../../src/codec/x509/certificate.js');
  const { certSummary } = await import('../../src/core/cert-summary.js');
  const cert = keyOf((await read('sm2.p12')).entries, 'gm').chain[0]!;
  const summary = certSummary(cert);
  assert.equal(summary.publicKey, 'EC SM2 (curve 1.2.156.10197.1.301)');
  assert.equal(summary.signatureAlgorithm, 'SM3withSM2');
  assert.equal(parseCertificate(cert).signatureAlgorithm.oid, OID.sm2WithSm3);
});

test('BouncyCastle keystores are recognised by content and named; keystores mailcert reads and other files are not taken for them', () => {
  assert.deepEqual(
    ['bc.bks', 'bc-v1.bks', 'bc.uber', 'bc.bcfks'].map((f) => bouncyCastleStore(bytesOf(f))),
    [
      { storetype: 'BKS', name: 'BouncyCastle BKS keystore (version 2)' },
      { storetype: 'BKS', name: 'BouncyCastle BKS keystore (version 1)' },
      { storetype: 'UBER', name: 'BouncyCastle UBER keystore' },
      { storetype: 'BCFKS', name: 'BouncyCastle BCFKS keystore' },
    ],
  );
  for (const f of ['jks/rsa.jks', 'pkcs12/jdk.p12', 'pkcs12/ossl.p12', 'wild/dup-trusted.jceks', 'pem/rsa-des3.pem']) {
    assert.equal(bouncyCastleStore(new Uint8Array(readFileSync(join(fixturesDir, f)))), undefined, f);
  }
  // A BKS whose MAC is cut short no longer walks as one.
  const bks = bytesOf('bc.bks');
  assert.equal(bouncyCastleStore(bks.subarray(0, bks.length - 1)), undefined);
});

test('legacy-six.p12: listing pays for the MAC and the certificates only, never for the six 3DES keys', () => {
  const budget = new KdfBudget('PKCS#12');
  const r = decodePkcs12(bytesOf('legacy-six.p12'), 'sixkeys1', { budget });
  // HMAC-SHA1 MAC at 100,000 iterations, and the RC2-40 certificate safe's key and IV at 50,000 each.
  assert.equal(budget.spent, 200_000);
  assert.equal(r.entries.filter((e) => e.kind === 'key' && e.privateKey === undefined && e.protectedKey !== undefined).length, 6);
  assert.deepEqual(asExpected(r.entries), expectedOf(wild('legacy-six.p12')));
});

/** A password-less PKCS#12 (no MAC, plain data) of the given bags: keytool and openssl read such files. */
function openStore(bags: Uint8Array[]): Uint8Array {
  const data = (content: Uint8Array): Uint8Array => derSequence(derOid(OID.data), derExplicit(0, derOctetString(content)));
  return derSequence(derInteger(3), data(derSequence(data(derSequence(...bags)))));
}
const bag = (id: string, value: Uint8Array, attrs: Uint8Array[] = []): Uint8Array => derSequence(derOid(id), derExplicit(0, value), ...(attrs.length > 0 ? [derSetOf(...attrs)] : []));
const attr = (id: string, value: Uint8Array): Uint8Array => derSequence(derOid(id), derSetOf(value));

test('what a rewrite could not keep (a CRL bag) is noted when read, and writing the keystore is refused with the file untouched', async () => {
  const root = keyOf((await read('keypass-jdk.p12')).entries, 'mail').chain[2]!;
  const trusted = bag(OID.certBag, derSequence(derOid(OID.x509Certificate), derExplicit(0, derOctetString(root))), [
    attr(OID.friendlyName, derBmpString('rootca')),
    attr(OID.oracleTrustedKeyUsage, derOid(OID.anyExtendedKeyUsage)),
  ]);
  const crl = bag(OID.crlBag, derSequence(derOid('1.2.840.113549.1.9.23.1'), derExplicit(0, derOctetString(Uint8Array.of(0x30, 0x00)))));
  const bytes = openStore([trusted, crl]);
  const path = join(tempDir(), 'crl.p12');
  writeFileSync(path, bytes);
  const store = await decodeKeystore(path, 'PKCS12', bytes, given('unused'));
  assert.deepEqual(store.unkept, ['a CRL bag']);
  assert.match(store.notes?.join('\n') ?? '', /the file holds a CRL bag, which mailcert cannot keep: it lists the keystore but refuses to change it/);
  await assert.rejects(writeKeystoreFile(path, { ...store, source: bytes }, 'new-pass-1', given('new-pass-1'), { create: false, force: false }), (e: unknown) => {
    assert.ok(e instanceof UnkeptParts && e instanceof MailcertError && e.exitCode === ExitCode.badInput);
    assert.match(e.message, /crl\.p12: refused: the keystore holds a CRL bag, which mailcert cannot keep, and writing it would lose it$/);
    return true;
  });
  assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
});

test('certificates that are no entry (openssl -nokeys) are noted and written back, attributes and all', async () => {
  const bytes = new Uint8Array(readFileSync(join(fixturesDir, 'pkcs12', 'nokeys.p12')));
  const expected = JSON.parse(readFileSync(join(fixturesDir, 'pkcs12', 'expected.json'), 'utf8')) as { stores: { file: string; storepass: string }[] };
  const pass = expected.stores.find((s) => s.file === 'nokeys.p12')?.storepass;
  assert.ok(pass !== undefined);
  const store = await decodeKeystore('nokeys.p12', 'PKCS12', bytes, given(pass));
  assert.ok(store.loose !== undefined && store.loose.length > 0);
  assert.match(store.notes?.join('\n') ?? '', /no entry \(no trusted-certificate attribute and in no key's chain/);
  const again = decodePkcs12(encodePkcs12(store.entries, pass, { iterations: 1, loose: store.loose }), pass);
  assert.deepEqual(again.loose.map((l) => [fingerprint(l.cert), l.attributes.map((a) => Buffer.from(a).toString('hex'))]), store.loose.map((l) => [fingerprint(l.cert), l.attributes.map((a) => Buffer.from(a).toString('hex'))]));
});

test('PKCS#12 bags sharing a friendlyName: the later one is the entry, as the JDK loads it, with the same note as JKS', async () => {
  const chain = keyOf((await read('keypass-jdk.p12')).entries, 'mail').chain;
  const certBag = (der: Uint8Array, attrs: Uint8Array[]): Uint8Array => bag(OID.certBag, derSequence(derOid(OID.x509Certificate), derExplicit(0, derOctetString(der))), attrs);
  const trusted = (der: Uint8Array): Uint8Array => certBag(der, [attr(OID.friendlyName, derBmpString('ca')), attr(OID.oracleTrustedKeyUsage, derOid(OID.anyExtendedKeyUsage))]);
  const bytes = openStore([trusted(chain[2]!), trusted(chain[1]!)]);
  const store = await decodeKeystore('two.p12', 'PKCS12', bytes, given('unused'));
  assert.deepEqual(asExpected(store.entries), [{ alias: 'ca', kind: 'trusted', certs: [fingerprint(chain[1]!)] }]);
  assert.deepEqual(store.notes, ['alias "ca" is in the file twice (a trusted certificate, then a trusted certificate): mailcert takes the last one, as keytool and Java do, and leaves the other out when it writes the keystore']);
});
