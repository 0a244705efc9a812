// The keystores from elsewhere in fixtures/wild through the built CLI, judged by keytool, openssl
// and a JVM: what list and inspect show (expected.json holds keytool's listing), that keys open
// with the password they were made with and say so when not given it, that a rewrite keeps every
// entry (secret keys, Windows attributes, a key of its own password), what cannot be done is
// refused with the key type or the format named, and a key password given for a PKCS#12 key is
// the one its key bag gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, keytool, mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';
import { parseKeytoolList, type KeytoolListing } from '../helpers/keytool-list.js';
import { makeTestCa } from '../helpers/ca.js';
import { javaServer, jdkSecrets, servedKeys } from '../helpers/java.js';
import { expectedView, wildDir, wildStore, wildStores, type WildStore } from '../helpers/wild.js';

interface ListJson {
  type: string;
  entries: { alias: string; kind: string; chain: { sha256: string; publicKey: string; signatureAlgorithm: string }[] }[];
  notes?: string[];
}

const stores = wildStores;
const wild = wildStore;
const dir = tempDir();
const ca = makeTestCa(dir);
const p = (n: string): string => join(dir, n);
/** A copy of a wild store to change. */
function copy(file: string): string {
  writeFileSync(p(file), readFileSync(join(wildDir, file)));
  return p(file);
}
const pass = (s: WildStore, more: Record<string, string> = {}): Record<string, string> => ({ MAILCERT_STOREPASS: s.storepass, ...more });

function ok(args: string[], env: Record<string, string>): string {
  const r = mailcert(args, { env });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  return r.stdout;
}
/** A refused command: its exit code, one error line and a hint, and the file byte-identical. */
function refused(file: string, args: string[], env: Record<string, string>, code: number, message: RegExp): string {
  const before = readFileSync(file);
  const r = mailcert(args, { env });
  assert.equal(r.status, code, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.deepEqual(readFileSync(file), before, `${args.join(' ')}: the file changed`);
  return r.stderr;
}
function keytoolListed(file: string, storepass: string): KeytoolListing {
  const r = keytool(['-list', '-v', '-keystore', file, '-storepass', storepass]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return parseKeytoolList(r.stdout);
}
const byAlias = (a: [string, ...unknown[]], b: [string, ...unknown[]]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
/** keytool's listing as expected.json records it: [alias, kind, fingerprints], sorted by alias. */
const keytoolView = (l: KeytoolListing): [string, string, string[]][] => l.entries.map((e): [string, string, string[]] => [e.alias, e.kind, e.chain.map((c) => c.sha256)]).sort(byAlias);
const listView = (j: ListJson): [string, string, string[]][] => j.entries.map((e) => [e.alias, e.kind, e.chain.map((c) => c.sha256)]);
const sha256hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
/** SHA-256 of a PEM private key's SubjectPublicKeyInfo, as openssl derives it. */
const spkiOfKey = (pem: string): string => sha256hex(runOk('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: pem }).stdoutBytes);

test('list --json of every store mailcert reads shows what keytool (or openssl, where keytool cannot) lists', () => {
  const readable = stores.filter((s) => ['JKS', 'JCEKS', 'PKCS12'].includes(s.type));
  assert.equal(readable.length, 14);
  for (const s of readable) {
    const j = JSON.parse(ok(['list', '-k', join(wildDir, s.file), '--json'], pass(s))) as ListJson;
    assert.equal(j.type, s.type, s.file);
    assert.deepEqual(listView(j), expectedView(s), s.file);
  }
});

test('Windows exports (Microsoft Local Key Set with no values) list, give their key, and keep their attributes through import-chain', () => {
  for (const file of ['windows-aes256-sha256.pfx', 'windows-3des-rc2.pfx', 'windows-lmk-openssl.pfx']) {
    const s = wild(file);
    const [want] = s.entries;
    assert.ok(want);
    const key = ok(['strip-password', '-k', join(wildDir, file), '--out', '-'], pass(s));
    assert.equal(spkiOfKey(key), want.publicKeySha256, file);
    const store = copy(file);
    ok(['import-chain', '-k', store, '--file', ca.rootPem], pass(s));
    const root: [string, string, string[]] = ['mailcert-test-root-ca', 'trusted', [runOk('openssl', ['x509', '-in', ca.rootPem, '-noout', '-fingerprint', '-sha256']).stdout.replace(/^.*=/, '').trim()]];
    assert.deepEqual(keytoolView(keytoolListed(store, s.storepass)), [...expectedView(s), root].sort(byAlias), file);
    const info = openssl(['pkcs12', '-in', store, '-passin', `pass:${s.storepass}`, '-info', '-nodes']);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /Microsoft Local Key set: <No Values>/, file);
    assert.match(info.stdout, /Microsoft CSP Name: Microsoft /, file);
  }
});

test('secret keys in a keytool PKCS#12 are listed and survive import-chain and a store password change, as keytool and Java load them', () => {
  const s = wild('secret-keys.p12');
  const store = copy('secret-keys.p12');
  const j = JSON.parse(ok(['list', '-k', store, '--json'], pass(s))) as ListJson;
  assert.deepEqual(j.entries.filter((e) => e.kind === 'secret').map((e) => e.alias), ['aes', 'hmac']);
  assert.deepEqual(jdkSecrets(store, s.storepass), s.secrets);
  // A new key under a secret key's alias is refused, naming what holds the alias.
  refused(store, ['genkey', '-k', store, '--alias', 'aes', '--cn', 'mail.example.com'], pass(s), 4, /alias "aes" already exists \(a secret key\)/);
  ok(['import-chain', '-k', store, '--file', ca.rootPem], pass(s));
  const listed = keytoolListed(store, s.storepass);
  assert.deepEqual(listed.entries.filter((e) => e.kind === 'secret').map((e) => e.alias), ['aes', 'hmac']);
  assert.equal(listed.entries.length, 5);
  assert.deepEqual(jdkSecrets(store, s.storepass), s.secrets);
  // keytool -storepasswd re-encrypts the secret keys; so does mailcert.
  ok(['passwd', '-k', store], pass(s, { MAILCERT_NEW_STOREPASS: 'secret-new-2' }));
  assert.deepEqual(jdkSecrets(store, 'secret-new-2'), s.secrets);
  // delete and rename keep them too; a secret key can be deleted like any entry.
  ok(['rename', '-k', store, '--alias', 'hmac', '--to', 'mac-key'], { MAILCERT_STOREPASS: 'secret-new-2' });
  ok(['delete', '-k', store, '--alias', 'aes'], { MAILCERT_STOREPASS: 'secret-new-2' });
  assert.deepEqual(jdkSecrets(store, 'secret-new-2'), [{ alias: 'mac-key', algorithm: 'HmacSHA256', keySha256: s.secrets?.find((x) => x.alias === 'hmac')?.keySha256 }]);
  // Exported into a new PKCS#12 under a new password, they come along; into JKS, which holds none, they are named as left out.
  const out = JSON.parse(ok(['export', '-k', store, '--out', p('secrets-out.p12'), '--passout-env', 'NEW', '--json'], { MAILCERT_STOREPASS: 'secret-new-2', NEW: 'secret-out-3' })) as { entries: { alias: string; kind: string }[]; skipped: string[] };
  assert.deepEqual(out.skipped, []);
  assert.deepEqual(jdkSecrets(p('secrets-out.p12'), 'secret-out-3').map((x) => [x.alias, x.keySha256]), [['mac-key', s.secrets?.find((x) => x.alias === 'hmac')?.keySha256]]);
  const jks = JSON.parse(ok(['export', '-k', store, '--out', p('secrets-out.jks'), '--json'], { MAILCERT_STOREPASS: 'secret-new-2' })) as { skipped: string[] };
  assert.deepEqual(jks.skipped, ['mac-key']);
});

test('a PKCS#12 key with a password of its own: listed with the store password, opened with the key password, told apart from a wrong password', () => {
  for (const file of ['keypass-jdk.p12', 'keypass-openssl.p12']) {
    const s = wild(file);
    const [want] = s.entries;
    assert.ok(want?.keypass !== undefined);
    const path = join(wildDir, file);
    const out = p(`${file}.key`);
    const stderr = refused(path, ['strip-password', '-k', path, '--out', out], pass(s), 3, /the key of entry "mail" does not open with the password that opens the file: it was encrypted with another password\n\s+hint: give it with --keypass-env VAR or --keypass-file FILE/);
    assert.doesNotMatch(stderr, /keystore password is incorrect|damaged/);
    ok(['strip-password', '-k', path, '--out', out, '--keypass-env', 'KP'], pass(s, { KP: want.keypass }));
    assert.equal(spkiOfKey(readFileSync(out, 'utf8')), want.publicKeySha256, file);
    refused(path, ['strip-password', '-k', path, '--out', p('x.key'), '--keypass-env', 'KP'], pass(s, { KP: 'not-the-key-pass' }), 3, /cannot recover key "mail": the key password is incorrect/);
    // verify says the key password differs from the store password, as it does for a JKS key.
    const v = mailcert(['verify', '-k', path], { env: pass(s) });
    assert.equal(v.status, 1, v.stderr);
    assert.match(v.stdout, /FAIL\s+key password\s+the key of "mail" does not open with the store password; James and most Java servers need key password = store password/);
  }
  const s = wild('mac-ok-key-other.p12');
  const path = join(wildDir, 'mac-ok-key-other.p12');
  refused(path, ['strip-password', '-k', path, '--alias', 'submission', '--out', p('sub.key')], pass(s), 3, /the key of entry "submission" does not open with the password that opens the file: it was encrypted with another password/);
  ok(['strip-password', '-k', path, '--alias', 'submission', '--out', p('sub.key'), '--keypass-env', 'KP'], pass(s, { KP: 'other-key-9' }));
  assert.equal(spkiOfKey(readFileSync(p('sub.key'), 'utf8')), s.entries.find((e) => e.alias === 'submission')?.publicKeySha256);
  ok(['strip-password', '-k', path, '--alias', 'mail', '--out', p('mail.key')], pass(s));
});

test('import-chain on a PKCS#12 whose key has its own password keeps the key under it, as Java loads it', () => {
  const s = wild('keypass-jdk.p12');
  const [want] = s.entries;
  assert.ok(want?.keypass !== undefined && want.chain?.[0] !== undefined);
  const store = copy('keypass-jdk.p12');
  ok(['import-chain', '-k', store, '--file', ca.rootPem], pass(s));
  assert.equal(keytoolListed(store, s.storepass).entries.length, 2);
  assert.deepEqual(servedKeys('PKCS12', store, s.storepass, want.keypass).map((k) => [k.alias, k.sha256]), [['mail', want.chain[0]]]);
  assert.notEqual(javaServer('PKCS12', store, s.storepass, s.storepass).status, 0);
});

test('a key password given for a PKCS#12 key (genkey, import --key) is the password of its key bag: keytool, openssl and Java open the key with it', () => {
  const storepass = 'p12-store-1';
  const keypass = 'p12-key-22';
  const env = { MAILCERT_STOREPASS: storepass, KP: keypass };
  const made = p('genkey.p12');
  ok(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', made, '--keypass-env', 'KP'], env);
  const imported = p('import.p12');
  runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('pair.key'), '-out', p('pair.crt'), '-subj', '/CN=mail.example.com', '-days', '30']);
  ok(['import', '-k', imported, '--key', p('pair.key'), '--file', p('pair.crt'), '--keypass-env', 'KP'], env);
  for (const store of [made, imported]) {
    const [leaf] = keytoolListed(store, storepass).entries.map((e) => e.chain[0]?.sha256);
    assert.ok(leaf !== undefined);
    // KeyStore.load with the store password, getKey (KeyManagerFactory.init) with the key password.
    assert.deepEqual(servedKeys('PKCS12', store, storepass, keypass).map((k) => k.sha256), [leaf]);
    assert.notEqual(javaServer('PKCS12', store, storepass, storepass).status, 0, `${store}: the store password does not open the key`);
    // keytool -certreq on PKCS#12 ignores -keypass ("Different store and key passwords not
    // supported") and asks for the key password at its prompt.
    assert.match(runOk('keytool', ['-certreq', '-keystore', store, '-storepass', storepass, '-alias', 'mail'], { input: `${keypass}\n` }).stdout, /BEGIN NEW CERTIFICATE REQUEST/);
    // openssl: the MAC and the certificates with the store password; the key bag with the key password.
    runOk('openssl', ['pkcs12', '-in', store, '-passin', `pass:${storepass}`, '-nokeys', '-noout']);
    const keyBag = openssl(['pkcs12', '-in', store, '-nomacver', '-nocerts', '-nodes', '-passin', `pass:${keypass}`]);
    assert.match(keyBag.stdout, /-----BEGIN PRIVATE KEY-----/, keyBag.stderr);
    // And mailcert opens it the same way.
    ok(['strip-password', '-k', store, '--out', '-', '--keypass-env', 'KP'], env);
  }
  // Without a key password the key gets the store password, as before.
  const plain = p('plain.p12');
  ok(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', plain], env);
  assert.equal(servedKeys('PKCS12', plain, storepass, storepass).length, 1);
});

test('export of a JKS whose key has its own password says that the new keystore has the key under the store password', () => {
  const jks = p('own.jks');
  runOk('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', jks, '-storepass', 'jks-store-1', '-keypass', 'jks-key-22', '-alias', 'james', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com']);
  const env = { MAILCERT_STOREPASS: 'jks-store-1', MAILCERT_KEYPASS: 'jks-key-22' };
  const r = mailcert(['export', '-k', jks, '--out', p('own.p12')], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: key entry "james" had a key password of its own; in .*own\.p12 it is under the store password, as Java servers such as James need/);
  const j = JSON.parse(ok(['export', '-k', jks, '--out', p('own-2.p12'), '--json'], env)) as { entries: { alias: string; keyPasswordWas?: string }[] };
  assert.deepEqual(j.entries, [{ alias: 'james', kind: 'key', chainLength: 1, keyPasswordWas: 'own' }]);
  assert.equal(servedKeys('PKCS12', p('own.p12'), 'jks-store-1', 'jks-store-1').length, 1);
});

test('two entries with one alias in a JKS or JCEKS: the last one is the entry, noted in list and inspect, and what a rewrite writes', () => {
  for (const file of ['dup-key-trusted.jks', 'dup-trusted-key.jks', 'dup-trusted.jceks']) {
    const s = wild(file);
    const path = join(wildDir, file);
    const j = JSON.parse(ok(['list', '-k', path, '--json'], pass(s))) as ListJson;
    assert.equal(j.notes?.length, 1, file);
    assert.match(j.notes?.[0] ?? '', /^alias "(mail|rootca)" is in the file twice \(.*\): mailcert takes the last one, as keytool and Java do, and leaves the other out when it writes the keystore$/);
    assert.match(ok(['list', '-k', path], pass(s)), /^Note: alias "(mail|rootca)" is in the file twice/m);
    const inspected = JSON.parse(ok(['inspect', path, '--json'], pass(s))) as { keystore: ListJson };
    assert.deepEqual(inspected.keystore.notes, j.notes);
  }
  for (const file of ['dup-key-trusted.jks', 'dup-trusted-key.jks']) {
    const s = wild(file);
    const store = copy(file);
    const r = mailcert(['import-chain', '-k', store, '--file', ca.rootPem, '--json'], { env: pass(s) });
    assert.equal(r.status, 0, r.stderr);
    assert.match((JSON.parse(r.stdout) as { notes: string[] }).notes.join('\n'), /alias "mail" is in the file twice/);
    // What keytool listed before is what the file holds now, once, beside the CA added.
    ok(['delete', '-k', store, '--alias', 'mailcert-test-root-ca'], pass(s));
    assert.deepEqual(keytoolView(keytoolListed(store, s.storepass)), expectedView(s), file);
    assert.equal((JSON.parse(ok(['list', '-k', store, '--json'], pass(s))) as ListJson).notes, undefined);
    // In the text of a command that writes, the note is on stderr.
    const again = copy(file);
    const text = mailcert(['rename', '-k', again, '--alias', 'mail', '--to', 'server'], { env: pass(s) });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stderr, /^note: alias "mail" is in the file twice/m);
  }
});

test('an SM2 key lists, and a request it would have to sign is refused naming the key type (exit 3)', () => {
  const s = wild('sm2.p12');
  const j = JSON.parse(ok(['list', '-k', join(wildDir, 'sm2.p12'), '--json'], pass(s))) as ListJson;
  assert.deepEqual([j.entries[0]?.chain[0]?.publicKey, j.entries[0]?.chain[0]?.signatureAlgorithm], ['EC SM2 (curve 1.2.156.10197.1.301)', 'SM3withSM2']);
  for (const [file, env] of [['sm2.p12', pass(s)], ['sm2.jks', pass(wild('sm2.jks'), { MAILCERT_KEYPASS: 'sm2key123' })]] as const) {
    const path = join(wildDir, file);
    const r = mailcert(['certreq', '-k', path], { env });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^mailcert: .*${file.replace('.', '\\.')}: key entry "gm" holds an SM2 \\(curve 1\\.2\\.156\\.10197\\.1\\.301\\) key, which mailcert cannot sign a request with`));
    assert.doesNotMatch(r.stderr, /internal error|bug in mailcert/);
  }
  // The entry itself is kept: a rewrite writes it back, and openssl still reads the key.
  const store = copy('sm2.p12');
  ok(['import-chain', '-k', store, '--file', ca.rootPem], pass(s));
  const key = ok(['strip-password', '-k', store, '--out', '-'], pass(s));
  assert.equal(spkiOfKey(key), s.entries[0]?.publicKeySha256);
});

test('BouncyCastle keystores are named, with the keytool command that converts them (exit 3)', () => {
  for (const [file, type, name] of [
    ['bc.bks', 'BKS', 'BouncyCastle BKS keystore \\(version 2\\)'],
    ['bc-v1.bks', 'BKS', 'BouncyCastle BKS keystore \\(version 1\\)'],
    ['bc.uber', 'UBER', 'BouncyCastle UBER keystore'],
    ['bc.bcfks', 'BCFKS', 'BouncyCastle BCFKS keystore'],
  ]) {
    const path = join(wildDir, file as string);
    for (const args of [['list', '-k', path], ['inspect', path], ['import-chain', '-k', path, '--file', ca.rootPem], ['verify', '--cert', ca.rootPem, '--ca', path]]) {
      const r = mailcert(args, { env: { MAILCERT_STOREPASS: 'bcstore1' } });
      assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^mailcert: .*${(file as string).replace('.', '\\.')}: a ${name as string}, which mailcert does not read\\n`));
      assert.match(r.stderr, new RegExp(`hint: convert it to PKCS#12 with keytool and BouncyCastle's provider: keytool -importkeystore -srckeystore \\S+ -srcstoretype ${type as string} -providerpath bcprov\\.jar -providerclass org\\.bouncycastle\\.jce\\.provider\\.BouncyCastleProvider -destkeystore out\\.p12 -deststoretype PKCS12`));
      assert.doesNotMatch(r.stderr, /damaged|PEM and DER/);
    }
    // The command as the hint gives it, with Debian's bcprov.jar (libbcprov-java), converts the file for mailcert.
    const hint = /hint: .*?: keytool (-importkeystore .*)$/m.exec(mailcert(['list', '-k', path]).stderr)?.[1];
    assert.ok(hint !== undefined);
    const out = join(dir, `${file as string}.p12`);
    const args = hint.split(' ').map((w) => (w === 'bcprov.jar' ? '/usr/share/java/bcprov.jar' : w === 'out.p12' ? out : w));
    runOk('keytool', ['-noprompt', ...args, '-srcstorepass', 'bcstore1', '-deststorepass', 'bcstore1']);
    assert.match(ok(['list', '-k', out], { MAILCERT_STOREPASS: 'bcstore1' }), /rootca/);
  }
});

test('a PKCS#12 password in the encoding of OpenSSL before 1.1.0 opens the file, with a note; import-chain keeps the encoding openssl reads', () => {
  const s = wild('latin1-openssl10.p12');
  const path = join(wildDir, 'latin1-openssl10.p12');
  const text = ok(['list', '-k', path], pass(s));
  assert.match(text, /^Note: the password opens this file only in the encoding of OpenSSL before 1\.1\.0/m);
  const store = copy('latin1-openssl10.p12');
  const r = mailcert(['import-chain', '-k', store, '--file', ca.rootPem], { env: pass(s) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^note: the password opens this file only in the encoding of OpenSSL before 1\.1\.0/m);
  // openssl 3 reads the rewritten file as it read the original: with its warning about the old encoding.
  const info = openssl(['pkcs12', '-in', store, '-passin', `pass:${s.storepass}`, '-nodes', '-info'], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stderr, /Warning: using broken algorithm/);
  assert.equal((info.stdout.match(/BEGIN CERTIFICATE/g) ?? []).length, 4);
  assert.match(info.stdout, /BEGIN PRIVATE KEY/);
});

test('certificates that are no entry (openssl pkcs12 -nokeys) are noted and kept when the keystore is written', () => {
  const expected = JSON.parse(readFileSync(join(fixturesDir, 'pkcs12', 'expected.json'), 'utf8')) as { stores: { file: string; storepass: string }[] };
  const storepass = expected.stores.find((x) => x.file === 'nokeys.p12')?.storepass;
  assert.ok(storepass !== undefined);
  writeFileSync(p('nokeys.p12'), readFileSync(join(fixturesDir, 'pkcs12', 'nokeys.p12')));
  const count = (file: string): number => (openssl(['pkcs12', '-in', file, '-passin', `pass:${storepass}`, '-nokeys']).stdout.match(/BEGIN CERTIFICATE/g) ?? []).length;
  const before = count(p('nokeys.p12'));
  assert.ok(before > 0);
  const j = JSON.parse(ok(['list', '-k', p('nokeys.p12'), '--json'], { MAILCERT_STOREPASS: storepass })) as ListJson;
  assert.match(j.notes?.join('\n') ?? '', /that (is|are) no entry .*keytool and Java do not see/);
  ok(['import-chain', '-k', p('nokeys.p12'), '--file', ca.rootPem], { MAILCERT_STOREPASS: storepass });
  assert.equal(count(p('nokeys.p12')), before + 1);
  assert.deepEqual(keytoolListed(p('nokeys.p12'), storepass).entries.map((e) => [e.alias, e.kind]), [['mailcert-test-root-ca', 'trusted']]);
});
