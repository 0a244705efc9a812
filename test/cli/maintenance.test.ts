// delete, rename and passwd on keystores keytool made, judged by keytool and by a JVM loading the
// keystore as a Java mail server does (test/helpers/ServerKeyCheck.java): JKS with a key password
// of its own, PKCS#12 as keytool makes it, and a PKCS#12 whose key has its own password
// (fixtures/wild/keypass-jdk.p12). Every refusal leaves the file byte-identical; every write
// keeps the owner, group and mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, keytool, mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';
import { parseKeytoolList, type KeytoolListing } from '../helpers/keytool-list.js';
import { makeTestCa } from '../helpers/ca.js';
import { javaServer, servedKeys } from '../helpers/java.js';

const dir = tempDir();
const ca = makeTestCa(dir, 'ec');
const p = (n: string): string => join(dir, n);

function listed(store: string, pass: string): KeytoolListing {
  const r = keytool(['-list', '-v', '-keystore', store, '-storepass', pass]);
  assert.equal(r.status, 0, r.stderr);
  return parseKeytoolList(r.stdout);
}

const aliasesOf = (l: KeytoolListing): [string, string][] => l.entries.map((e): [string, string] => [e.alias, e.kind]).sort((a, b) => a[0].localeCompare(b[0]));

function ok(args: string[], env: Record<string, string>): string {
  const r = mailcert(args, { env });
  assert.equal(r.status, 0, `mailcert ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function refused(store: string, args: string[], env: Record<string, string>, code: number, message: RegExp): void {
  const before = readFileSync(store);
  const r = mailcert(args, { env });
  assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  assert.deepEqual(readFileSync(store), before, `${args.join(' ')}: the keystore changed`);
}

/** Owner root, group mail (8), mode 0640: what every write must keep. */
function shareWithGroup(store: string): void {
  chownSync(store, 0, 8);
  chmodSync(store, 0o640);
}

function assertShared(store: string, what: string): void {
  const st = statSync(store);
  assert.deepEqual([st.mode & 0o777, st.uid, st.gid], [0o640, 0, 8], `${what}: owner, group and mode kept`);
}

const certreqOk = (store: string, storepass: string, alias: string, keypass: string): void => {
  assert.match(runOk('keytool', ['-certreq', '-keystore', store, '-storepass', storepass, '-keypass', keypass, '-alias', alias]).stdout, /BEGIN NEW CERTIFICATE REQUEST/);
};

test('JKS made by keytool, key password of its own: delete, rename and passwd as keytool and a JVM see them', () => {
  const store = p('james.jks');
  const [s1, k1] = ['store-pass-1', 'key-pass-22'];
  const kt = (args: string[]): void => void runOk('keytool', [...args, '-storetype', 'JKS', '-keystore', store, '-storepass', s1]);
  kt(['-genkeypair', '-keypass', k1, '-alias', 'mykey', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com']);
  kt(['-importcert', '-noprompt', '-alias', 'rootca', '-file', ca.rootPem]);
  kt(['-importcert', '-noprompt', '-alias', 'interca', '-file', ca.interPem]);
  shareWithGroup(store);
  const leaf = listed(store, s1).entries.find((e) => e.kind === 'key')?.chain[0]?.sha256;
  const env = { MAILCERT_STOREPASS: s1 };

  // delete: an alias in another case is the same alias, as in Java; what went is reported.
  refused(store, ['delete', '-k', store, '--alias', 'nope'], env, 2, /no entry "nope"\n  hint: the entries are: "(mykey|rootca|interca)", /);
  refused(store, ['delete', '-k', store, '--alias', 'rootca'], { MAILCERT_STOREPASS: 'wrong-pass' }, 3, /password is incorrect/);
  const del = JSON.parse(ok(['delete', '-k', store, '--alias', 'InterCA', '--json'], env)) as { alias: string; kind: string; left: number; cert: { subject: string } };
  assert.deepEqual([del.alias, del.kind, del.left, del.cert.subject], ['interca', 'trusted', 2, 'CN=Mailcert Test Intermediate CA, O=Mailcert Test, C=DE']);
  assert.deepEqual(aliasesOf(listed(store, s1)), [['mykey', 'key'], ['rootca', 'trusted']]);
  assertShared(store, 'delete');

  // rename: the key stays protected as it was (its own password); JKS stores the alias lowercased.
  refused(store, ['rename', '-k', store, '--alias', 'mykey', '--to', 'RootCA'], env, 2, /alias "rootca" already exists/);
  refused(store, ['rename', '-k', store, '--alias', 'gone', '--to', 'x'], env, 2, /no entry "gone"/);
  assert.match(ok(['rename', '-k', store, '--alias', 'MyKey', '--to', 'James'], env), /^Renamed key entry "mykey" to "james" in .*james\.jks \(JKS\)\n$/);
  assert.deepEqual(aliasesOf(listed(store, s1)), [['james', 'key'], ['rootca', 'trusted']]);
  certreqOk(store, s1, 'james', k1);
  assertShared(store, 'rename');

  // passwd: the store password changes; the key keeps its own password (keytool -storepasswd does the same for JKS).
  refused(store, ['passwd', '-k', store], env, 2, /no new store password given for keystore .*james\.jks, and standard input is not a terminal[\s\S]*--new-storepass-env/);
  const s2 = 'store-pass-2';
  const changed = JSON.parse(ok(['passwd', '-k', store, '--new-storepass-env', 'NEW', '--json'], { ...env, NEW: s2 })) as { storePasswordChanged: boolean; keys: unknown[] };
  assert.deepEqual(changed, { keystore: store, type: 'JKS', storePasswordChanged: true, written: true, keys: [{ alias: 'james', before: 'own', after: 'own', changed: false }] });
  assert.equal(keytool(['-list', '-keystore', store, '-storepass', s1]).status, 1, 'the old store password no longer opens it');
  certreqOk(store, s2, 'james', k1);
  assert.deepEqual(servedKeys('JKS', store, s2, k1).map((k) => [k.alias, k.sha256]), [['james', leaf]]);
  assert.notEqual(javaServer('JKS', store, s2, s2).status, 0, 'James (one secret for both) cannot open it yet');
  assertShared(store, 'passwd');

  // --keypass-to-storepass: what James needs. The key's password is needed to open it.
  const env2 = { MAILCERT_STOREPASS: s2 };
  refused(store, ['passwd', '-k', store, '--keypass-to-storepass'], env2, 2, /key entry "james" has a password of its own[\s\S]*--keypass-env/);
  refused(store, ['passwd', '-k', store, '--keypass-to-storepass'], { ...env2, MAILCERT_KEYPASS: 'not-it' }, 3, /cannot recover key "james": the key password is incorrect/);
  assert.match(ok(['passwd', '-k', store, '--keypass-to-storepass'], { ...env2, MAILCERT_KEYPASS: k1 }), /key entry "james": now protected by the store password/);
  assert.deepEqual(servedKeys('JKS', store, s2, s2).map((k) => [k.alias, k.sha256]), [['james', leaf]]);
  certreqOk(store, s2, 'james', s2);
  // Nothing left to change: nothing written.
  const same = readFileSync(store);
  assert.match(ok(['passwd', '-k', store, '--keypass-to-storepass'], env2), /Nothing to change/);
  assert.deepEqual(readFileSync(store), same);

  // Now a store password change takes the key along (it was under the store password).
  const s3 = 'store-pass-3';
  assert.match(ok(['passwd', '-k', store, '--new-storepass-file', writeLine('s3.pass', s3)], env2), /key entry "james": follows the store password/);
  assert.deepEqual(servedKeys('JKS', store, s3, s3).map((k) => k.sha256), [leaf]);

  // One key's own password (keytool -keypasswd), new password from standard input.
  const r = mailcert(['passwd', '-k', store, '--alias', 'JAMES', '--new-keypass-stdin'], { env: { MAILCERT_STOREPASS: s3 }, input: 'key-pass-4\n' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /key entry "james": has a new password of its own/);
  certreqOk(store, s3, 'james', 'key-pass-4');
  assert.deepEqual(servedKeys('JKS', store, s3, 'key-pass-4').map((k) => k.sha256), [leaf]);
  refused(store, ['passwd', '-k', store, '--alias', 'rootca', '--new-keypass-env', 'NEW'], { MAILCERT_STOREPASS: s3, NEW: 'whatever1' }, 2, /entry "rootca" is a trusted certificate and holds no private key/);
  assertShared(store, 'passwd --new-keypass');
});

/** A one-line password file. */
function writeLine(name: string, text: string): string {
  writeFileSync(p(name), `${text}\n`);
  return p(name);
}

test('PKCS#12 made by keytool: delete, rename, passwd; the key follows the store password as keytool -storepasswd makes it', () => {
  const store = p('mail.p12');
  const s1 = 'p12-pass-1';
  const kt = (args: string[]): void => void runOk('keytool', [...args, '-storetype', 'PKCS12', '-keystore', store, '-storepass', s1]);
  kt(['-genkeypair', '-alias', 'mail', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com']);
  kt(['-importcert', '-noprompt', '-alias', 'RootCA', '-file', ca.rootPem]);
  kt(['-importcert', '-noprompt', '-alias', 'inter', '-file', ca.interPem]);
  shareWithGroup(store);
  const leaf = servedKeys('PKCS12', store, s1, s1)[0]?.sha256;
  const env = { MAILCERT_STOREPASS: s1 };
  ok(['delete', '-k', store, '--alias', 'INTER'], env);
  // A trusted entry's friendlyName keeps the case it is given, as keytool -importcert writes it
  // (the JDK lists it lowercased); a key entry's is lowercased.
  ok(['rename', '-k', store, '--alias', 'rootca', '--to', 'Mailcert-Root'], env);
  ok(['rename', '-k', store, '--alias', 'mail', '--to', 'Server'], env);
  assert.deepEqual(aliasesOf(listed(store, s1)), [['mailcert-root', 'trusted'], ['server', 'key']]);
  const names = JSON.parse(ok(['list', '-k', store, '--json'], env)) as { entries: { alias: string }[] };
  assert.deepEqual(names.entries.map((e) => e.alias).sort(), ['Mailcert-Root', 'server']);
  assert.deepEqual(servedKeys('PKCS12', store, s1, s1).map((k) => [k.alias, k.sha256]), [['server', leaf]]);
  const s2 = 'p12-pass-2';
  // On the command line it works, with the warning every password option on argv gives.
  const argv = mailcert(['passwd', '-k', store, '--new-storepass', s2, '--json'], { env });
  assert.equal(argv.status, 0, argv.stderr);
  assert.match(argv.stderr, /warning: --new-storepass on the command line is visible to other users; prefer --new-storepass-env or --new-storepass-file/);
  const json = JSON.parse(argv.stdout) as { keys: unknown[] };
  assert.deepEqual(json.keys, [{ alias: 'server', before: 'store', after: 'store', changed: true }]);
  certreqOk(store, s2, 'server', s2);
  assert.deepEqual(servedKeys('PKCS12', store, s2, s2).map((k) => k.sha256), [leaf]);
  runOk('openssl', ['pkcs12', '-in', store, '-passin', `pass:${s2}`, '-nodes', '-noout']);
  // A key password of its own, as the JDK's KeyStore API gives one: the key bag is under it, the
  // MAC and the certificates under the store password. Java opens the key with it, keytool -certreq
  // asks for it, openssl decrypts the key bag with it; the store password no longer opens the key.
  const own = JSON.parse(ok(['passwd', '-k', store, '--alias', 'server', '--new-keypass-env', 'NEW', '--json'], { MAILCERT_STOREPASS: s2, NEW: 'key-pass-9' })) as { keys: unknown[] };
  assert.deepEqual(own.keys, [{ alias: 'server', before: 'store', after: 'own', changed: true }]);
  assert.deepEqual(servedKeys('PKCS12', store, s2, 'key-pass-9').map((k) => [k.alias, k.sha256]), [['server', leaf]]);
  assert.notEqual(javaServer('PKCS12', store, s2, s2).status, 0);
  assert.equal(listed(store, s2).entries.length, 2);
  assert.match(runOk('keytool', ['-certreq', '-keystore', store, '-storepass', s2, '-alias', 'server'], { input: 'key-pass-9\n' }).stdout, /BEGIN NEW CERTIFICATE REQUEST/);
  runOk('openssl', ['pkcs12', '-in', store, '-passin', `pass:${s2}`, '-nokeys', '-noout']);
  const keyBag = openssl(['pkcs12', '-in', store, '-nomacver', '-nocerts', '-nodes', '-passin', 'pass:key-pass-9']);
  assert.match(keyBag.stdout, /-----BEGIN PRIVATE KEY-----/, keyBag.stderr);
  // Back to one password for both, the key password given.
  ok(['passwd', '-k', store, '--keypass-to-storepass'], { MAILCERT_STOREPASS: s2, MAILCERT_KEYPASS: 'key-pass-9' });
  assert.deepEqual(servedKeys('PKCS12', store, s2, s2).map((k) => k.sha256), [leaf]);
  // Java 17 cannot open a PKCS#12 file whose password is not ASCII.
  refused(store, ['passwd', '-k', store, '--new-storepass-env', 'NEW'], { MAILCERT_STOREPASS: s2, NEW: 'pässwörd' }, 2, /Java 17 cannot open a PKCS#12 keystore whose store password is not plain ASCII/);
  assertShared(store, 'PKCS#12');
});

test('PKCS#12 whose key has a password of its own (the JDK API made it): kept through rename and a store password change, then given the store password', () => {
  const store = p('keypass-jdk.p12');
  writeFileSync(store, readFileSync(join(fixturesDir, 'wild', 'keypass-jdk.p12')));
  const expected = JSON.parse(readFileSync(join(fixturesDir, 'wild', 'expected.json'), 'utf8')) as { stores: { file: string; storepass: string; entries: { keypass?: string; chain: string[] }[] }[] };
  const fixture = expected.stores.find((s) => s.file === 'keypass-jdk.p12');
  const keypass = fixture?.entries[0]?.keypass;
  const leaf = fixture?.entries[0]?.chain[0];
  assert.ok(fixture && keypass && leaf);
  const s1 = fixture.storepass;
  assert.deepEqual(servedKeys('PKCS12', store, s1, keypass).map((k) => k.sha256), [leaf]);

  ok(['rename', '-k', store, '--alias', 'mail', '--to', 'james'], { MAILCERT_STOREPASS: s1 });
  assert.deepEqual(servedKeys('PKCS12', store, s1, keypass).map((k) => [k.alias, k.sha256]), [['james', leaf]]);
  // The MAC and the certificates take the new store password; the key bag keeps its own.
  const s2 = 'p12-store-2';
  const kept = JSON.parse(ok(['passwd', '-k', store, '--json'], { MAILCERT_STOREPASS: s1, MAILCERT_NEW_STOREPASS: s2 })) as { keys: unknown[] };
  assert.deepEqual(kept.keys, [{ alias: 'james', before: 'own', after: 'own', changed: false }]);
  assert.equal(listed(store, s2).entries.length, 1);
  assert.deepEqual(servedKeys('PKCS12', store, s2, keypass).map((k) => k.sha256), [leaf]);
  assert.notEqual(javaServer('PKCS12', store, s2, s2).status, 0);
  // One password for both, as James and keytool want it.
  ok(['passwd', '-k', store, '--keypass-to-storepass'], { MAILCERT_STOREPASS: s2, MAILCERT_KEYPASS: keypass });
  assert.deepEqual(servedKeys('PKCS12', store, s2, s2).map((k) => k.sha256), [leaf]);
  certreqOk(store, s2, 'james', s2);
  // And the key entry can go.
  ok(['delete', '-k', store, '--alias', 'james'], { MAILCERT_STOREPASS: s2 });
  assert.match(runOk('keytool', ['-list', '-keystore', store, '-storepass', s2]).stdout, /Your keystore contains 0 entries/);
});

test('aliases from the keystore and the command line are escaped in the text, exact in --json', () => {
  const store = p('hostile.jks');
  const env = { MAILCERT_STOREPASS: 'changeit' };
  ok(['import-chain', '-k', store, '--storetype', 'jks', '--file', ca.rootPem, '--alias', 'root'], env);
  const evil = 'evil\u001b]0;PWNED\u0007\u202e';
  // JKS stores aliases lowercased (JavaKeyStore.convertAlias).
  assert.match(ok(['rename', '-k', store, '--alias', 'root', '--to', evil], env), /to "evil\\x1b\]0;pwned\\x07\\u202e"/);
  const r = mailcert(['delete', '-k', store, '--alias', evil, '--json'], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { alias: string }).alias, evil.toLowerCase());
  assert.equal(runOk('keytool', ['-list', '-keystore', store, '-storepass', 'changeit']).stdout.includes('0 entries'), true);
});

test('a keytool keystore with two server keys: passwd and rename still work, delete is the way back to one, then a renewal', () => {
  const store = p('two-keys.jks');
  const s1 = 'two-keys-1';
  const kt = (args: string[]): void => void runOk('keytool', [...args, '-storetype', 'JKS', '-keystore', store, '-storepass', s1, '-keypass', s1, '-keyalg', 'EC', '-groupname', 'secp256r1']);
  kt(['-genkeypair', '-alias', 'old', '-dname', 'CN=mail.example.com']);
  kt(['-genkeypair', '-alias', 'new', '-dname', 'CN=mail.example.com']);
  const env = { MAILCERT_STOREPASS: s1 };
  // Adding to it is still refused by the rule; keeping it is not.
  refused(store, ['import-chain', '-k', store, '--file', ca.rootPem], env, 4, /2 server keys/);
  const s2 = 'two-keys-2';
  const r = JSON.parse(ok(['passwd', '-k', store, '--json'], { ...env, MAILCERT_NEW_STOREPASS: s2 })) as { keys: { alias: string; changed: boolean }[] };
  assert.deepEqual(r.keys.map((k) => [k.alias, k.changed]).sort(), [['new', true], ['old', true]]);
  ok(['rename', '-k', store, '--alias', 'new', '--to', 'james'], { MAILCERT_STOREPASS: s2 });
  runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('two.key'), '-out', p('two.pem'), '-subj', '/CN=mail.example.com', '-days', '90']);
  const renew = ['import', '-k', store, '--key', p('two.key'), '--file', p('two.pem'), '--replace'];
  refused(store, renew, { MAILCERT_STOREPASS: s2 }, 4, /holds 2 server keys \("(old|james)", "(old|james)"\) and a renewal replaces one\n  hint: .*delete the others first/);
  ok(['delete', '-k', store, '--alias', 'old'], { MAILCERT_STOREPASS: s2 });
  assert.deepEqual(aliasesOf(listed(store, s2)), [['james', 'key']]);
  ok(renew, { MAILCERT_STOREPASS: s2 });
  const fresh = runOk('openssl', ['x509', '-in', p('two.pem'), '-noout', '-fingerprint', '-sha256']).stdout.trim().split('=')[1];
  assert.deepEqual(servedKeys('JKS', store, s2, s2), [{ alias: 'james', sha256: fresh, chainLength: 1 }]);
});
