// Renewal in place, judged by keytool and by a JVM loading the keystore as a Java mail server does
// (test/helpers/ServerKeyCheck.java): a keytool-made keystore gets a new key and chain made with
// openssl through `import --replace`, keeps its alias, type and both passwords, and holds one key
// entry with the new fingerprint; every refusal leaves the file byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, keytool, mailcert, runOk, tempDir } from '../helpers/tools.js';
import { parseKeytoolList, type KeytoolListing } from '../helpers/keytool-list.js';
import { makeTestCa } from '../helpers/ca.js';
import { javaServer, servedKeys } from '../helpers/java.js';

const dir = tempDir();
const ca = makeTestCa(dir);
const p = (n: string): string => join(dir, n);

function listed(store: string, pass: string): KeytoolListing {
  const r = keytool(['-list', '-v', '-keystore', store, '-storepass', pass]);
  assert.equal(r.status, 0, r.stderr);
  return parseKeytoolList(r.stdout);
}

/** A new key and its CA-signed certificate, made with openssl: NAME.key, NAME.pem, and NAME-fullchain.pem (leaf + intermediate, as certbot writes it). */
function renewedPair(name: string): { key: string; cert: string; fullchain: string } {
  const key = p(`${name}.key`);
  runOk('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', p(`${name}.csr`), '-subj', '/CN=mail.example.com']);
  const cert = ca.sign(p(`${name}.csr`), `${name}.pem`, 'DNS:mail.example.com');
  const fullchain = p(`${name}-fullchain.pem`);
  writeFileSync(fullchain, readFileSync(cert, 'utf8') + readFileSync(ca.interPem, 'utf8'));
  return { key, cert, fullchain };
}

/** A refused command: its exit code, its message, and the keystore byte-identical. */
function refused(store: string, args: string[], env: Record<string, string>, code: number, message: RegExp): string {
  const before = readFileSync(store);
  const r = mailcert(args, { env });
  assert.equal(r.status, code, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
  assert.deepEqual(readFileSync(store), before, `${args.join(' ')}: the keystore changed`);
  return r.stderr;
}

interface ReplacedJson {
  action: string;
  alias: string;
  type: string;
  keyPassword: string;
  chain: { sha256: string; notAfter: string }[];
  previous: { alias: string; cert: { sha256: string; notAfter: string } | null };
}

test('JKS with a key password of its own (keytool -keypass): renewed in place, both passwords still open it', () => {
  const store = p('james.jks');
  const [storepass, keypass] = ['store-pass-1', 'key-pass-22'];
  runOk('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', store, '-storepass', storepass, '-keypass', keypass, '-alias', 'james', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=mail.example.com', '-validity', '30']);
  chmodSync(store, 0o640);
  chownSync(store, 0, 8); // root:mail, as a keystore the server's group reads
  const old = listed(store, storepass).entries[0]?.chain[0]?.sha256;
  assert.ok(old);
  const next = renewedPair('next');
  const other = renewedPair('other');
  const env = { MAILCERT_STOREPASS: storepass };
  const withKeypass = { ...env, MAILCERT_KEYPASS: keypass };
  const replace = ['import', '-k', store, '--key', next.key, '--file', next.fullchain, '--replace'];

  // Without --replace: the rule refuses a second server key, and says how to renew.
  const second = refused(store, ['import', '-k', store, '--key', next.key, '--file', next.fullchain], env, 4, /refused: the keystore would hold 2 server keys \("james", "mail"\)/);
  assert.match(second, /hint: .*add --replace/);
  // A key that is not the certificate's, and a chain that is not the key's: refused before anything is asked.
  refused(store, ['import', '-k', store, '--key', other.key, '--file', next.fullchain, '--replace'], env, 3, /none of the 2 certificate\(s\) in --file matches the key in --key/);
  writeFileSync(p('mixed.pem'), readFileSync(next.cert, 'utf8') + readFileSync(other.cert, 'utf8'));
  refused(store, ['import', '-k', store, '--key', next.key, '--file', p('mixed.pem'), '--replace'], env, 3, /--file: the certificate "CN=mail\.example\.com" is not in the chain of the key's certificate/);
  // The old key has its own password: without it (no terminal to ask on), or with a wrong one, nothing is written.
  refused(store, replace, env, 2, /key entry "james" has a password of its own[\s\S]*hint: .*--keypass-env/);
  refused(store, replace, { ...env, MAILCERT_KEYPASS: 'not-it' }, 3, /cannot recover key "james": the key password is incorrect/);

  const r = mailcert([...replace, '--json'], { env: withKeypass });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as ReplacedJson;
  assert.equal(json.action, 'replaced');
  assert.equal(json.alias, 'james');
  assert.equal(json.type, 'JKS');
  assert.equal(json.keyPassword, 'own');
  assert.equal(json.previous.alias, 'james');
  assert.equal(json.previous.cert?.sha256, old);
  const fresh = runOk('openssl', ['x509', '-in', next.cert, '-noout', '-fingerprint', '-sha256', '-enddate']).stdout;
  const freshSha = /Fingerprint=(\S+)/.exec(fresh)?.[1];
  assert.equal(json.chain[0]?.sha256, freshSha);
  assert.equal(json.chain.length, 2);
  assert.notEqual(json.chain[0]?.notAfter, json.previous.cert?.notAfter);

  // keytool: one PrivateKeyEntry, the old alias, the new certificate and its intermediate.
  const l = listed(store, storepass);
  assert.equal(l.type, 'JKS');
  assert.deepEqual(l.entries.map((e) => [e.alias, e.kind, e.chainLength]), [['james', 'key', 2]]);
  assert.equal(l.entries[0]?.chain[0]?.sha256, freshSha);
  // The key kept its own password: keytool -certreq opens it with -keypass, not with the store password.
  assert.match(runOk('keytool', ['-certreq', '-keystore', store, '-storepass', storepass, '-keypass', keypass, '-alias', 'james']).stdout, /BEGIN NEW CERTIFICATE REQUEST/);
  assert.notEqual(keytool(['-certreq', '-keystore', store, '-storepass', storepass, '-alias', 'james'], { input: '' }).status, 0);
  // A Java server configured with both passwords serves the new key.
  assert.deepEqual(servedKeys('JKS', store, storepass, keypass), [{ alias: 'james', sha256: freshSha, chainLength: 2 }]);
  assert.notEqual(javaServer('JKS', store, storepass, storepass).status, 0, 'the store password does not open the key');
  // Owner, group and mode as they were.
  const st = statSync(store);
  assert.deepEqual([st.mode & 0o777, st.uid, st.gid], [0o640, 0, 8]);

  // The text summary: old and new fingerprint and expiry.
  const again = renewedPair('again');
  const text = mailcert(['import', '-k', store, '--key', again.key, '--file', again.fullchain, '--replace'], { env: withKeypass });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^Replaced the server key of .*james\\.jks \\(JKS\\): key entry "james", chain of 2\\n  old  SHA-256 ${freshSha ?? ''}  expires \\d{4}-\\d\\d-\\d\\d\\n  new  SHA-256 [0-9A-F:]{95}  expires \\d{4}-\\d\\d-\\d\\d\\n`));
});

test('PKCS#12 (keytool: the key under the store password): renewed in place, keytool and a JVM read the new key', () => {
  const store = p('mail.p12');
  const storepass = 'p12-pass-1';
  runOk('keytool', ['-genkeypair', '-storetype', 'PKCS12', '-keystore', store, '-storepass', storepass, '-alias', 'mail', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com', '-validity', '30']);
  runOk('keytool', ['-importcert', '-noprompt', '-storetype', 'PKCS12', '-keystore', store, '-storepass', storepass, '-alias', 'root', '-file', ca.rootPem]);
  const env = { MAILCERT_STOREPASS: storepass };
  const next = renewedPair('p12-next');
  const other = renewedPair('p12-other');
  refused(store, ['import', '-k', store, '--key', other.key, '--file', next.fullchain, '--replace'], env, 3, /matches the key in --key/);
  const r = mailcert(['import', '-k', store, '--key', next.key, '--file', next.fullchain, '--replace', '--json'], { env });
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as ReplacedJson;
  assert.deepEqual([json.action, json.alias, json.type, json.keyPassword, json.chain.length], ['replaced', 'mail', 'PKCS12', 'store', 3]);
  const l = listed(store, storepass);
  assert.equal(l.type, 'PKCS12');
  assert.deepEqual(l.entries.map((e) => [e.alias, e.kind]).sort(), [['mail', 'key'], ['root', 'trusted']]);
  const key = l.entries.find((e) => e.kind === 'key');
  assert.equal(key?.chain[0]?.sha256, json.chain[0]?.sha256);
  assert.equal(key?.chainLength, 3, 'leaf, intermediate, and the trusted root');
  assert.deepEqual(servedKeys('PKCS12', store, storepass, storepass), [{ alias: 'mail', sha256: json.chain[0]?.sha256, chainLength: 3 }]);
  runOk('openssl', ['pkcs12', '-in', store, '-passin', `pass:${storepass}`, '-nokeys', '-noout']);
});

test('a staged keystore (genkey, certreq, the reply) renews the live one: import --from-keystore --replace', () => {
  const live = p('live.jks');
  const staged = p('next.jks');
  const env = { MAILCERT_STOREPASS: 'james-secret' };
  const ok = (args: string[]): string => {
    const r = mailcert(args, { env });
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  ok(['genkey', '--cn', 'mail.example.com', '-k', live, '--alias', 'james', '--key-type', 'ec']);
  ok(['genkey', '--cn', 'mail.example.com', '-k', staged, '--alias', 'next', '--key-type', 'ec']);
  ok(['certreq', '-k', staged, '--out', p('staged.csr')]);
  const reply = ca.sign(p('staged.csr'), 'staged-reply.pem', 'DNS:mail.example.com');
  ok(['import-chain', '-k', staged, '--file', ca.rootPem]);
  writeFileSync(p('staged-reply-chain.pem'), readFileSync(reply, 'utf8') + readFileSync(ca.interPem, 'utf8'));
  ok(['import', '-k', staged, '--file', p('staged-reply-chain.pem')]);
  const stagedLeaf = listed(staged, 'james-secret').entries.find((e) => e.kind === 'key')?.chain[0]?.sha256;
  refused(live, ['import', '-k', live, '--from-keystore', staged], env, 4, /2 server keys[\s\S]*--replace/);
  const json = JSON.parse(ok(['import', '-k', live, '--from-keystore', staged, '--replace', '--json'])) as ReplacedJson;
  assert.deepEqual([json.action, json.alias, json.chain.length, json.chain[0]?.sha256], ['replaced', 'james', 3, stagedLeaf]);
  const l = listed(live, 'james-secret');
  assert.deepEqual(l.entries.map((e) => [e.alias, e.kind, e.chainLength]), [['james', 'key', 3]]);
  assert.deepEqual(servedKeys('JKS', live, 'james-secret', 'james-secret').map((k) => k.sha256), [stagedLeaf]);
  // A staged PKCS#12 under a password of its own: --passin-* opens it; the live keystore keeps its password.
  runOk('keytool', ['-genkeypair', '-storetype', 'PKCS12', '-keystore', p('next.p12'), '-storepass', 'staging-9', '-alias', 'next', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com']);
  refused(live, ['import', '-k', live, '--from-keystore', p('next.p12'), '--replace'], env, 3, /next\.p12: the PKCS12 keystore password is incorrect/);
  const again = mailcert(['import', '-k', live, '--from-keystore', p('next.p12'), '--replace', '--passin-env', 'STAGING', '--json'], { env: { ...env, STAGING: 'staging-9' } });
  assert.equal(again.status, 0, again.stderr);
  const second = JSON.parse(again.stdout) as ReplacedJson;
  assert.equal(second.previous.cert?.sha256, stagedLeaf);
  assert.deepEqual(servedKeys('JKS', live, 'james-secret', 'james-secret').map((k) => [k.alias, k.sha256]), [['james', second.chain[0]?.sha256]]);
});

test('a PKCS#12 key with a password of its own (the JDK API made it) is renewed under that password, as Java loads it', () => {
  const store = p('keypass-jdk.p12');
  writeFileSync(store, readFileSync(join(fixturesDir, 'wild', 'keypass-jdk.p12')));
  const next = renewedPair('jdk-next');
  const env = { MAILCERT_STOREPASS: 'p12store1', MAILCERT_KEYPASS: 'p12key22' };
  // A wrong key password is still refused, the file unchanged.
  refused(store, ['import', '-k', store, '--key', next.key, '--file', next.fullchain, '--replace'], { ...env, MAILCERT_KEYPASS: 'not-it' }, 3, /cannot recover key "mail": the key password is incorrect/);
  const r = mailcert(['import', '-k', store, '--key', next.key, '--file', next.fullchain, '--replace', '--json'], { env });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as ReplacedJson;
  assert.deepEqual([j.action, j.alias, j.type, j.keyPassword], ['replaced', 'mail', 'PKCS12', 'own']);
  // KeyStore.load with the store password, KeyManagerFactory.init (getKey) with the key password.
  assert.deepEqual(servedKeys('PKCS12', store, 'p12store1', 'p12key22').map((k) => [k.alias, k.sha256]), [['mail', j.chain[0]?.sha256]]);
  assert.notEqual(javaServer('PKCS12', store, 'p12store1', 'p12store1').status, 0);
  assert.deepEqual(listed(store, 'p12store1').entries.map((e) => [e.alias, e.kind, e.chain[0]?.sha256]), [['mail', 'key', j.chain[0]?.sha256]]);
});
