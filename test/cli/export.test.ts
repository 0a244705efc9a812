// `mailcert export` judged by the real tools: a keytool-made JKS with a CA-signed chain becomes a
// PKCS#12 keytool and openssl read with the same aliases, fingerprints and chain; PKCS#12 becomes
// a JKS keytool uses; a key entry becomes the PEM pair Dovecot reads (openssl: key and first
// certificate match). Every refusal leaves every file byte-identical and creates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, keytool, mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';
import { parseKeytoolList, type KeytoolListing } from '../helpers/keytool-list.js';
import { makeTestCa } from '../helpers/ca.js';

const dir = tempDir();
const ca = makeTestCa(dir);
const p = (n: string): string => join(dir, n);
const storepass = 'store-pass-1';
const keypass = 'key-pass-22';

function listed(store: string, pass: string, type?: string): KeytoolListing {
  const r = keytool(['-list', '-v', '-keystore', store, '-storepass', pass, ...(type ? ['-storetype', type] : [])]);
  assert.equal(r.status, 0, r.stderr);
  return parseKeytoolList(r.stdout);
}

/** What must survive a conversion: each entry's alias, kind and chain fingerprints, by alias. */
function entriesOf(l: KeytoolListing): [string, string, string[]][] {
  return l.entries.map((e): [string, string, string[]] => [e.alias, e.kind, e.chain.map((c) => c.sha256)]).sort((a, b) => a[0].localeCompare(b[0]));
}

function ok(args: string[], env: Record<string, string>): string {
  const r = mailcert(args, { env });
  assert.equal(r.status, 0, `mailcert ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** keytool-made JKS: key pair with its own key password, signed by the test CA, chain of 3, both CAs trusted. */
function keytoolJks(name: string): string {
  const store = p(name);
  const kt = (args: string[]): void => {
    runOk('keytool', [...args, '-keystore', store, '-storepass', storepass, '-storetype', 'JKS']);
  };
  kt(['-genkeypair', '-alias', 'james', '-keypass', keypass, '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=mail.example.com, O=Example', '-ext', 'SAN=dns:mail.example.com']);
  kt(['-importcert', '-noprompt', '-alias', 'root', '-file', ca.rootPem]);
  kt(['-importcert', '-noprompt', '-alias', 'inter', '-file', ca.interPem]);
  kt(['-certreq', '-alias', 'james', '-keypass', keypass, '-file', p(`${name}.csr`)]);
  const reply = ca.sign(p(`${name}.csr`), `${name}-reply.pem`, 'DNS:mail.example.com');
  kt(['-importcert', '-noprompt', '-alias', 'james', '-keypass', keypass, '-file', reply]);
  return store;
}

const jks = keytoolJks('james.jks');
const env = { MAILCERT_STOREPASS: storepass, MAILCERT_KEYPASS: keypass };

test('JKS (keytool-made, separate key password) -> PKCS#12: keytool and openssl read it with the same entries', () => {
  const before = listed(jks, storepass);
  assert.equal(before.entries.find((e) => e.kind === 'key')?.chainLength, 3);
  const out = p('james.p12');
  const r = mailcert(['export', '-k', jks, '--out', out], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Wrote PKCS12 keystore .*james\.p12 from JKS .*james\.jks: .*key "james" \(chain of 3\)/);
  const after = listed(out, storepass, 'PKCS12');
  assert.equal(after.type, 'PKCS12');
  assert.deepEqual(entriesOf(after), entriesOf(before));
  assert.equal(after.entries.find((e) => e.alias === 'james')?.chainLength, 3);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const info = openssl(['pkcs12', '-in', out, '-passin', `pass:${storepass}`, '-info', '-nodes']);
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stderr, /MAC: sha256/);
  assert.equal((info.stdout.match(/BEGIN CERTIFICATE/g) ?? []).length, 5, 'chain of 3 plus two trusted CAs');
  assert.match(info.stdout, /BEGIN PRIVATE KEY/);
  // The key is usable under the store password (the PKCS#12 key password): keytool signs a request with it.
  assert.equal(keytool(['-certreq', '-storetype', 'PKCS12', '-keystore', out, '-storepass', storepass, '-alias', 'james']).status, 0);
});

test('PKCS#12 (openssl- and keytool-made) -> JKS: keytool lists the same entries and uses the key with one password', () => {
  const stores = JSON.parse(readFileSync(join(fixturesDir, 'pkcs12', 'expected.json'), 'utf8')) as { stores: { file: string; storepass: string; entries: { alias: string; chain?: string[]; fingerprint?: string }[] }[] };
  for (const file of ['ossl.p12', 'jdk.p12']) {
    const fx = stores.stores.find((s) => s.file === file)!;
    const out = p(`${file}.jks`);
    ok(['export', '-k', join(fixturesDir, 'pkcs12', file), '--out', out, '--passout-env', 'NEW'], { MAILCERT_STOREPASS: fx.storepass, NEW: 'new-jks-pass' });
    const l = listed(out, 'new-jks-pass');
    assert.equal(l.type, 'JKS', file);
    assert.deepEqual(
      entriesOf(l).map(([alias, kind, chain]) => [alias, kind, chain]),
      fx.entries.map((e) => [e.alias, e.chain ? 'key' : 'trusted', e.chain ?? [e.fingerprint!]]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      file,
    );
    const key = fx.entries.find((e) => e.chain)!;
    assert.equal(keytool(['-certreq', '-keystore', out, '-storepass', 'new-jks-pass', '-alias', key.alias]).status, 0, `${file}: key password is the new store password`);
  }
});

test('JKS -> PEM pair (the James keystore into Dovecot): key 0600 matching the first certificate, chain leaf first', () => {
  const key = p('dovecot.key');
  const crt = p('dovecot.crt');
  const r = mailcert(['export', '-k', jks, '--key-out', key, '--cert-out', crt], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.match(readFileSync(key, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
  const pub = runOk('openssl', ['pkey', '-in', key, '-pubout']).stdout;
  assert.equal(pub, runOk('openssl', ['x509', '-in', crt, '-pubkey', '-noout']).stdout);
  const subjects = [...readFileSync(crt, 'utf8').matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g)].map(
    (m) => runOk('openssl', ['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], { input: m[0] }).stdout.trim(),
  );
  assert.deepEqual(subjects, ['subject=CN=mail.example.com,O=Example', 'subject=CN=Mailcert Test Intermediate CA,O=Mailcert Test,C=DE', 'subject=CN=Mailcert Test Root CA,O=Mailcert Test,C=DE']);
  assert.equal(openssl(['verify', '-CAfile', ca.rootPem, '-untrusted', ca.interPem, crt]).status, 0);

  // The way back: import --key makes a keystore with the same key and chain.
  const back = p('back.p12');
  ok(['import', '-k', back, '--key', key, '--file', crt], { MAILCERT_STOREPASS: 'back-pass-1' });
  const l = listed(back, 'back-pass-1', 'PKCS12');
  const original = listed(jks, storepass).entries.find((e) => e.alias === 'james')!;
  assert.deepEqual(l.entries.find((e) => e.kind === 'key')?.chain.map((c) => c.sha256), original.chain.map((c) => c.sha256));
});

test('--format pkcs1, --passout (encrypted PKCS#8), "-" for stdout, --cert-out alone for a trusted entry', () => {
  ok(['export', '-k', jks, '--key-out', p('pkcs1.key'), '--format', 'pkcs1'], env);
  assert.match(readFileSync(p('pkcs1.key'), 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.equal(openssl(['rsa', '-in', p('pkcs1.key'), '-check', '-noout']).status, 0);
  ok(['export', '-k', jks, '--key-out', p('enc.key'), '--passout-env', 'KP'], { ...env, KP: 'dovecot-key-pass' });
  assert.match(readFileSync(p('enc.key'), 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  const dec = openssl(['pkey', '-in', p('enc.key'), '-passin', 'pass:dovecot-key-pass', '-pubout']);
  assert.equal(dec.status, 0, dec.stderr);
  assert.equal(dec.stdout, runOk('openssl', ['pkey', '-in', p('pkcs1.key'), '-pubout']).stdout);
  const stdout = mailcert(['export', '-k', jks, '--cert-out', '-'], { env });
  assert.equal(stdout.status, 0, stdout.stderr);
  assert.equal((stdout.stdout.match(/BEGIN CERTIFICATE/g) ?? []).length, 3);
  const root = JSON.parse(ok(['export', '-k', jks, '--alias', 'root', '--cert-out', p('root-out.pem'), '--json'], env)) as { alias: string; chainLength: number; keyFile: string | null };
  assert.deepEqual([root.alias, root.chainLength, root.keyFile], ['root', 1, null]);
  assert.equal(runOk('openssl', ['x509', '-in', p('root-out.pem'), '-noout', '-fingerprint', '-sha256']).stdout, runOk('openssl', ['x509', '-in', ca.rootPem, '-noout', '-fingerprint', '-sha256']).stdout);
});

test('a JCEKS store with secret keys: the key and certificates are exported, the secret keys named as skipped', () => {
  const r = mailcert(['export', '-k', join(fixturesDir, 'jks', 'secret.jceks'), '--out', p('from-jceks.p12'), '--json'], { env: { MAILCERT_STOREPASS: 'secretpass' } });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { skipped: string[]; entries: { alias: string; kind: string }[]; outType: string };
  assert.deepEqual(j.skipped.sort(), ['aes', 'hmac']);
  assert.deepEqual(j.entries.map((e) => [e.alias, e.kind]), [['mail', 'key']]);
  assert.deepEqual(listed(p('from-jceks.p12'), 'secretpass', 'PKCS12').entries.map((e) => e.alias), ['mail']);
});

test('refusals: exit code, message, and every file byte-identical, nothing created', () => {
  // Two server keys in one keytool-made store: the destination would break the rule.
  const two = p('two.jks');
  for (const alias of ['one', 'two']) {
    runOk('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', two, '-storepass', storepass, '-keypass', storepass, '-alias', alias, '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', `CN=${alias}.example.com`]);
  }
  writeFileSync(p('exists.p12'), 'an existing file\n');
  writeFileSync(p('exists.key'), 'an existing key\n');
  const unicode = join(fixturesDir, 'jks', 'unicode.jks');
  const cases: [string, string[], Record<string, string>, number, RegExp][] = [
    ['output exists', ['export', '-k', jks, '--out', p('exists.p12')], env, 2, /exists\.p12: keystore already exists; not overwriting it/],
    ['key output exists', ['export', '-k', jks, '--key-out', p('exists.key'), '--cert-out', p('new.crt')], env, 2, /exists\.key: private key already exists/],
    ['two server keys', ['export', '-k', two, '--out', p('two.p12')], { MAILCERT_STOREPASS: storepass }, 4, /two\.p12: refused: the keystore would hold 2 server keys \("(one|two)", "(one|two)"\)[\s\S]*hint: .*--alias NAME/],
    ['wrong key password', ['export', '-k', jks, '--out', p('wrong.p12')], { MAILCERT_STOREPASS: storepass }, 3, /cannot recover key "james": the key password is incorrect/],
    ['wrong store password', ['export', '-k', jks, '--out', p('wrong.p12')], { MAILCERT_STOREPASS: 'nope' }, 3, /password is incorrect/],
    ['non-ASCII password for a new PKCS#12', ['export', '-k', unicode, '--out', p('unicode.p12')], { MAILCERT_STOREPASS: 'pässwörd€', MAILCERT_KEYPASS: 'kéy€pass' }, 2, /Java 17 cannot open a PKCS#12 keystore whose password is not plain ASCII/],
    ['both modes', ['export', '-k', jks, '--out', p('x.p12'), '--key-out', p('x.key')], env, 2, /give --out FILE .* or --key-out FILE/],
    ['no type from the name', ['export', '-k', jks, '--out', p('x.store')], env, 2, /cannot tell the keystore type/],
    ['a key from a trusted entry', ['export', '-k', jks, '--alias', 'root', '--key-out', p('x.key')], env, 2, /"root" is a trusted certificate/],
    ['pkcs1 for an EC key', ['export', '-k', two, '--alias', 'one', '--key-out', p('x.key'), '--format', 'pkcs1'], { MAILCERT_STOREPASS: storepass }, 2, /--format pkcs1 is for RSA keys/],
    ['no password, no terminal', ['export', '-k', jks, '--out', p('x.p12')], {}, 2, /no store password given/],
  ];
  const watched = [jks, two, p('exists.p12'), p('exists.key'), unicode];
  for (const [name, args, caseEnv, code, message] of cases) {
    const before = watched.map((f) => readFileSync(f));
    const r = mailcert(args, { env: caseEnv });
    assert.equal(r.status, code, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, name);
    watched.forEach((f, i) => assert.deepEqual(readFileSync(f), before[i], `${name}: ${f} changed`));
    for (const created of ['two.p12', 'wrong.p12', 'unicode.p12', 'new.crt', 'x.p12', 'x.key', 'x.store']) assert.equal(existsSync(p(created)), false, `${name}: ${created} was created`);
  }
  // The fixes the messages name: --alias for one key, --force to replace, an ASCII --passout.
  ok(['export', '-k', two, '--alias', 'two', '--out', p('two.p12')], { MAILCERT_STOREPASS: storepass });
  assert.deepEqual(listed(p('two.p12'), storepass, 'PKCS12').entries.map((e) => e.alias), ['two']);
  ok(['export', '-k', jks, '--out', p('exists.p12'), '--force'], env);
  assert.equal(listed(p('exists.p12'), storepass, 'PKCS12').entries.length, 3);
  ok(['export', '-k', unicode, '--out', p('unicode.p12'), '--passout-env', 'NEW'], { MAILCERT_STOREPASS: 'pässwörd€', MAILCERT_KEYPASS: 'kéy€pass', NEW: 'ascii-pass-1' });
  assert.equal(listed(p('unicode.p12'), 'ascii-pass-1', 'PKCS12').entries[0]?.alias, 'ä😀x');
});
