// The Java mail-server workflow (Hedwig, Apache James guides) done by mailcert alone and checked
// by keytool and openssl: genkey, certreq, import-chain, import of the CA reply; PEM pairs brought
// into keystores; and every refusal, which must leave the keystore byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keytool, mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';
import { parseKeytoolList } from '../helpers/keytool-list.js';
import { makeTestCa } from '../helpers/ca.js';

const dir = tempDir();
const ca = makeTestCa(dir);
const p = (n: string): string => join(dir, n);

function listed(store: string, pass: string) {
  const r = keytool(['-list', '-v', '-keystore', store, '-storepass', pass]);
  assert.equal(r.status, 0, r.stderr);
  return parseKeytoolList(r.stdout);
}

function ok(args: string[], env: Record<string, string>): string {
  const r = mailcert(args, { env });
  assert.equal(r.status, 0, `mailcert ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Flow {
  name: string;
  store: string;
  alias?: string;
  keyType?: 'rsa' | 'ec';
  env: Record<string, string>;
  keyArgs?: string[];
}

function javaFlow(f: Flow): void {
  const aliasArgs = f.alias ? ['--alias', f.alias] : [];
  ok(['genkey', '--cn', 'mail.example.com', '--san', 'DNS:imap.example.com', '-k', f.store, ...aliasArgs, '--key-type', f.keyType ?? 'rsa', ...(f.keyArgs ?? [])], f.env);
  const csr = `${f.store}.csr`;
  ok(['certreq', '-k', f.store, '--out', csr, ...(f.keyArgs ?? [])], f.env);
  const req = openssl(['req', '-in', csr, '-verify', '-noout', '-text']);
  assert.equal(req.status, 0, req.stderr);
  assert.match(req.stdout + req.stderr, /verify OK/);
  assert.match(req.stdout, /DNS:mail\.example\.com, DNS:imap\.example\.com/);
  assert.match(req.stdout, /Subject Key Identifier/);
  const reply = ca.sign(csr, `${f.name}-reply.pem`, 'DNS:mail.example.com,DNS:imap.example.com');
  const bundle = p(`${f.name}-ca.pem`);
  writeFileSync(bundle, readFileSync(ca.interPem, 'utf8') + readFileSync(ca.rootPem, 'utf8'));
  ok(['import-chain', '-k', f.store, '--file', bundle], f.env);
  const out = ok(['import', '-k', f.store, '--file', reply, ...(f.keyArgs ?? [])], f.env);
  assert.match(out, /Certificate reply was installed/);
}

test('Hedwig: JKS, alias hedwig, storepass = keypass: keytool sees chain length 3', () => {
  const store = p('hedwig.jks');
  javaFlow({ name: 'hedwig', store, alias: 'hedwig', env: { MAILCERT_STOREPASS: 'hedwig-secret' } });
  const l = listed(store, 'hedwig-secret');
  assert.equal(l.type, 'JKS');
  const keys = l.entries.filter((e) => e.kind === 'key');
  assert.equal(keys.length, 1);
  assert.equal(keys[0]?.alias, 'hedwig');
  assert.equal(keys[0]?.chainLength, 3);
  assert.deepEqual(keys[0]?.chain.map((c) => c.subject), ['CN=mail.example.com', 'CN=Mailcert Test Intermediate CA, O=Mailcert Test, C=DE', 'CN=Mailcert Test Root CA, O=Mailcert Test, C=DE']);
  assert.equal(l.entries.filter((e) => e.kind === 'trusted').length, 2);
  // keytool can use the key with the store password (Hedwig passes one secret for both).
  const kt = keytool(['-certreq', '-keystore', store, '-storepass', 'hedwig-secret', '-alias', 'hedwig']);
  assert.equal(kt.status, 0, kt.stderr);
});

test('James: JKS with a separate key password', () => {
  const store = p('james.jks');
  javaFlow({ name: 'james', store, alias: 'james', env: { MAILCERT_STOREPASS: 'store-secret', KP: 'key-secret-2' }, keyArgs: ['--keypass-env', 'KP'] });
  const l = listed(store, 'store-secret');
  assert.equal(l.entries.find((e) => e.kind === 'key')?.chainLength, 3);
  assert.equal(keytool(['-certreq', '-keystore', store, '-storepass', 'store-secret', '-alias', 'james', '-keypass', 'key-secret-2']).status, 0);
  const wrong = keytool(['-certreq', '-keystore', store, '-storepass', 'store-secret', '-alias', 'james', '-keypass', 'store-secret']);
  assert.notEqual(wrong.status, 0);
});

test('the same with PKCS#12 and with EC keys', () => {
  for (const [name, keyType, store] of [['p12', 'rsa', p('mail.p12')], ['ec', 'ec', p('ec.jks')], ['ecp12', 'ec', p('ec.p12')]] as const) {
    javaFlow({ name, store, keyType, env: { MAILCERT_STOREPASS: 'changeit-123' } });
    const l = listed(store, 'changeit-123');
    assert.equal(l.type, store.endsWith('.p12') ? 'PKCS12' : 'JKS', name);
    const key = l.entries.find((e) => e.kind === 'key');
    assert.equal(key?.alias, 'mail', name);
    assert.equal(key?.chainLength, 3, name);
  }
  const info = openssl(['pkcs12', '-in', p('mail.p12'), '-passin', 'pass:changeit-123', '-nokeys', '-info']);
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stderr, /MAC: sha256/);
});

test('a reply as a shuffled bundle, and as PKCS#7, builds the chain from the file itself', () => {
  const env = { MAILCERT_STOREPASS: 'bundle-pass' };
  for (const form of ['bundle', 'p7b'] as const) {
    const store = p(`${form}.jks`);
    ok(['genkey', '--cn', 'mail.example.com', '-k', store], env);
    ok(['certreq', '-k', store, '--out', p(`${form}.csr`)], env);
    const leaf = ca.sign(p(`${form}.csr`), `${form}-leaf.pem`, 'DNS:mail.example.com');
    const file = p(`${form}-reply`);
    if (form === 'bundle') writeFileSync(file, [ca.rootPem, leaf, ca.interPem].map((f) => readFileSync(f, 'utf8')).join('\n'));
    else runOk('openssl', ['crl2pkcs7', '-nocrl', '-certfile', ca.interPem, '-certfile', leaf, '-certfile', ca.rootPem, '-outform', 'DER', '-out', file]);
    // The root comes only from the reply: not trusted yet, so a script must say --yes.
    const before = readFileSync(store);
    const refused = mailcert(['import', '-k', store, '--file', file], { env });
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /not confirmed: .*root certificate.*not trusted/);
    assert.match(refused.stderr, /--yes/);
    assert.deepEqual(readFileSync(store), before);
    ok(['import', '-k', store, '--file', file, '--yes'], env);
    const key = listed(store, 'bundle-pass').entries.find((e) => e.kind === 'key');
    assert.equal(key?.chainLength, 3, form);
    assert.equal(key?.chain[1]?.subject, 'CN=Mailcert Test Intermediate CA, O=Mailcert Test, C=DE');
  }
});

test('a keytool-made keystore taken through mailcert certreq and import', () => {
  const store = p('keytool-made.jks');
  runOk('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', store, '-storepass', 'kt-store-1', '-keypass', 'kt-key-22', '-alias', 'mail', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=mail.example.com, O=Example', '-ext', 'SAN=dns:mail.example.com']);
  const env = { MAILCERT_STOREPASS: 'kt-store-1', MAILCERT_KEYPASS: 'kt-key-22' };
  ok(['certreq', '-k', store, '--out', p('kt.csr')], env);
  const reply = ca.sign(p('kt.csr'), 'kt-reply.pem', 'DNS:mail.example.com');
  ok(['import-chain', '-k', store, '--file', ca.rootPem], env);
  // The reply alone lacks the intermediate: refused like keytool's "Failed to establish chain from reply".
  const before = readFileSync(store);
  const lone = mailcert(['import', '-k', store, '--file', reply, '--trustcacerts'], { env });
  assert.equal(lone.status, 3, lone.stderr);
  assert.match(lone.stderr, /cannot build the chain from the reply: no certificate for the issuer "CN=Mailcert Test Intermediate CA, O=Mailcert Test, C=DE"/);
  assert.deepEqual(readFileSync(store), before);
  writeFileSync(p('kt-inter-reply.pem'), readFileSync(reply, 'utf8') + readFileSync(ca.interPem, 'utf8'));
  ok(['import', '-k', store, '--file', p('kt-inter-reply.pem')], env);
  const key = listed(store, 'kt-store-1').entries.find((e) => e.kind === 'key');
  assert.equal(key?.chainLength, 3);
  assert.equal(key?.chain[0]?.subject, 'CN=mail.example.com, O=Example');
  assert.equal(keytool(['-certreq', '-keystore', store, '-storepass', 'kt-store-1', '-keypass', 'kt-key-22', '-alias', 'mail']).status, 0);
});

test('import --key: an openssl-made key, certificate and chain become one key entry with the full chain', () => {
  runOk('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('dovecot.key'), '-out', p('dovecot.csr'), '-subj', '/CN=mail.example.com']);
  const crt = ca.sign(p('dovecot.csr'), 'dovecot.crt', 'DNS:mail.example.com');
  writeFileSync(p('dovecot-chain.pem'), [crt, ca.interPem, ca.rootPem].map((f) => readFileSync(f, 'utf8')).join(''));
  runOk('openssl', ['pkcs8', '-topk8', '-in', p('dovecot.key'), '-out', p('dovecot-enc.key'), '-passout', 'pass:keyphrase']);
  for (const [store, key, extra] of [
    [p('from-pem.jks'), p('dovecot.key'), [] as string[]],
    [p('from-pem.p12'), p('dovecot-enc.key'), ['--passin-env', 'PASSIN']],
  ] as const) {
    ok(['import', '-k', store, '--key', key, '--file', p('dovecot-chain.pem'), ...extra], { MAILCERT_STOREPASS: 'frompem-1', PASSIN: 'keyphrase' });
    const l = listed(store, 'frompem-1');
    assert.equal(l.entries.length, 1);
    assert.equal(l.entries[0]?.kind, 'key');
    assert.equal(l.entries[0]?.alias, 'mail');
    assert.equal(l.entries[0]?.chainLength, 3);
  }
});

test('genkey certificates and requests carry the SANs asked for and pass openssl', () => {
  const env = { MAILCERT_STOREPASS: 'unused-here' };
  ok(['genkey', '--cn', 'mx.example.org', '--san', 'DNS:smtp.example.org,IP:192.0.2.25,IP:2001:db8::25', '--key-out', p('mx.key'), '--cert-out', p('mx.crt')], env);
  const x = openssl(['x509', '-in', p('mx.crt'), '-noout', '-text']);
  assert.equal(x.status, 0);
  assert.match(x.stdout, /DNS:mx\.example\.org, DNS:smtp\.example\.org, IP Address:192\.0\.2\.25, IP Address:2001:DB8:0:0:0:0:0:25/);
  assert.match(x.stdout, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.match(x.stdout, /CA:FALSE/);
  assert.match(x.stdout, /TLS Web Server Authentication/);
  assert.equal(openssl(['verify', '-CAfile', p('mx.crt'), p('mx.crt')]).status, 0);
  const pub1 = openssl(['pkey', '-in', p('mx.key'), '-pubout']).stdout;
  const pub2 = openssl(['x509', '-in', p('mx.crt'), '-pubkey', '-noout']).stdout;
  assert.equal(pub1, pub2);
  const badCn = mailcert(['genkey', '--cn', 'Mail Server!', '--key-out', p('bad.key'), '--cert-out', p('bad.crt')]);
  assert.equal(badCn.status, 2);
  assert.match(badCn.stderr, /the CN "Mail Server!" is not a host name/);
  assert.equal(existsSync(p('bad.key')), false);
  const req = mailcert(['certreq', '--key', p('mx.key'), '--cn', 'mx.example.org', '--san', 'DNS:smtp.example.org']);
  assert.equal(req.status, 0, req.stderr);
  const v = openssl(['req', '-verify', '-noout', '-text'], { input: req.stdout });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /DNS:mx\.example\.org, DNS:smtp\.example\.org/);
});

test('refusals: right exit code, a clear message, the keystore byte-identical', () => {
  const env = { MAILCERT_STOREPASS: 'refuse-pass' };
  const store = p('refuse.jks');
  ok(['genkey', '--cn', 'mail.example.com', '-k', store], env);
  runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('other.key'), '-out', p('other.pem'), '-subj', '/CN=other.example.net', '-days', '30', '-addext', 'basicConstraints=critical,CA:FALSE']);
  const cases: [string, string[], number, RegExp, Record<string, string>?][] = [
    ['second genkey', ['genkey', '--cn', 'other.example.com', '-k', store, '--alias', 'other'], 4, /2 server keys \("mail", "other"\)/],
    ['foreign server certificate beside the key', ['import', '-k', store, '--file', p('other.pem'), '--yes'], 4, /"other\.example\.net" is a server certificate \(not a CA\) beside the key entry "mail"/],
    ['non-CA through import-chain', ['import-chain', '-k', store, '--file', p('other.pem')], 3, /is not a CA certificate/],
    ['identical reply', ['import', '-k', store, '--file', p('refuse-self.pem')], 3, /identical/],
    ['wrong password', ['import-chain', '-k', store, '--file', ca.rootPem], 3, /password is incorrect/, { MAILCERT_STOREPASS: 'not-the-password' }],
    ['genkey over an existing alias', ['genkey', '--cn', 'mail.example.com', '-k', store], 4, /alias "mail" already exists/],
  ];
  // The keystore's own certificate, exported, as a "reply".
  const own = JSON.parse(ok(['list', '-k', store, '--json'], env)) as { entries: { chain: { sha256: string }[] }[] };
  assert.ok(own.entries[0]?.chain[0]?.sha256);
  runOk('keytool', ['-exportcert', '-rfc', '-keystore', store, '-storepass', 'refuse-pass', '-alias', 'mail', '-file', p('refuse-self.pem')]);
  for (const [name, args, code, message, envOverride] of cases) {
    const before = readFileSync(store);
    const r = mailcert(args, { env: envOverride ?? env });
    assert.equal(r.status, code, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.match(r.stderr, /hint: |refused/, name);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, name);
    assert.deepEqual(readFileSync(store), before, `${name}: the keystore changed`);
  }
});

test('a new PKCS#12 keystore with a non-ASCII password is refused (Java 17 could not open it); JKS takes it', () => {
  const env = { MAILCERT_STOREPASS: 'pässwörd€' };
  const r = mailcert(['genkey', '--cn', 'mail.example.com', '-k', p('umlaut.p12')], { env });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Java 17 cannot open a PKCS#12 keystore whose password is not plain ASCII/);
  ok(['genkey', '--cn', 'mail.example.com', '-k', p('umlaut.jks')], env);
  assert.equal(listed(p('umlaut.jks'), 'pässwörd€').entries.length, 1);
});
