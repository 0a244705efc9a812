// strip-password on every encrypted key form admins meet, made by openssl and keytool (fixtures
// and their make.sh scripts): the output loads in `openssl pkey` without a passphrase and has the
// same public key; a wrong passphrase writes nothing (exit 3); outputs are 0600 and never replace
// a file without --force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const pem = JSON.parse(readFileSync(join(fixturesDir, 'pem', 'expected.json'), 'utf8')) as { passphrase: string; keys: Record<string, { type: string; cipher: string }> };
const p12 = JSON.parse(readFileSync(join(fixturesDir, 'pkcs12', 'expected.json'), 'utf8')) as {
  pkcs8: { file: string; password: string; scheme: string; publicKeySha256: string }[];
  stores: { file: string; storepass: string; entries: { alias: string; kind: string; chain?: string[]; publicKeySha256?: string }[] }[];
};
const jks = JSON.parse(readFileSync(join(fixturesDir, 'jks', 'expected.json'), 'utf8')) as {
  stores: { file: string; type: string; storepass: string; entries: { alias: string; kind: string; keypass?: string; chain?: string[]; publicKeySha256?: string }[] }[];
};

/** SHA-256 of the SPKI DER openssl derives from an unencrypted key file: openssl is the judge. */
function opensslPublicKeySha256(keyFile: string): string {
  const r = runOk('openssl', ['pkey', '-in', keyFile, '-passin', 'pass:', '-pubout', '-outform', 'DER']);
  return createHash('sha256').update(r.stdoutBytes).digest('hex');
}

let n = 0;
function strip(args: string[], env: Record<string, string>, format?: string): string {
  const out = join(dir, `out-${n++}.key`);
  const r = mailcert(['strip-password', ...args, '--out', out, ...(format ? ['--format', format] : [])], { env });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  return out;
}

test('traditional "Proc-Type: 4,ENCRYPTED" keys (RSA and EC; AES, DES-EDE3)', () => {
  for (const [file, info] of Object.entries(pem.keys)) {
    if (info.cipher === 'DES-CBC') continue; // single DES: the refusal is tested below
    const src = join(fixturesDir, 'pem', file);
    const want = createHash('sha256').update(runOk('openssl', ['pkey', '-in', src, '-passin', `pass:${pem.passphrase}`, '-pubout', '-outform', 'DER']).stdoutBytes).digest('hex');
    for (const format of ['pkcs8', info.type === 'rsa' ? 'pkcs1' : 'sec1', 'der']) {
      const out = strip(['--in', src, '--passin-env', 'PW'], { PW: pem.passphrase }, format);
      const text = readFileSync(out, 'latin1');
      if (format === 'pkcs8') assert.match(text, /^-----BEGIN PRIVATE KEY-----/, file);
      if (format === 'pkcs1') assert.match(text, /^-----BEGIN RSA PRIVATE KEY-----/, file);
      if (format === 'sec1') assert.match(text, /^-----BEGIN EC PRIVATE KEY-----/, file);
      assert.doesNotMatch(text, /ENCRYPTED/, file);
      assert.equal(opensslPublicKeySha256(out), want, `${file} ${format}`);
    }
  }
});

test('single-DES traditional keys are refused with a message naming the cipher', () => {
  const r = mailcert(['strip-password', '--in', join(fixturesDir, 'pem', 'rsa-des.pem'), '--out', join(dir, 'des.key'), '--passin-env', 'PW'], { env: { PW: pem.passphrase } });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /DES-CBC/);
  assert.equal(existsSync(join(dir, 'des.key')), false);
});

test('PKCS#8: PBES2 (AES, DES-EDE3; SHA-1 and SHA-256 PRF), PKCS#12 PBE 3DES and RC2-40, as DER', () => {
  assert.ok(p12.pkcs8.length >= 7);
  for (const k of p12.pkcs8) {
    const out = strip(['--in', join(fixturesDir, 'pkcs12', k.file), '--passin-env', 'PW'], { PW: k.password });
    assert.equal(opensslPublicKeySha256(out), k.publicKeySha256, `${k.file} (${k.scheme})`);
  }
});

test('keytool-made JKS, JCEKS and PKCS#12 key entries, with --cert-out for the PEM pair', () => {
  const stores = [...jks.stores.map((s) => ({ ...s, dir: 'jks' })), ...p12.stores.filter((s) => s.file === 'jdk.p12' || s.file === 'jdk-legacy.p12' || s.file === 'ossl-legacy.p12').map((s) => ({ ...s, dir: 'pkcs12' }))];
  let checked = 0;
  for (const s of stores) {
    for (const e of s.entries) {
      if (e.kind !== 'key' || !e.publicKeySha256) continue;
      const keypass = 'keypass' in e && typeof e.keypass === 'string' ? e.keypass : s.storepass;
      const certOut = join(dir, `chain-${n}.pem`);
      const out = strip(['-k', join(fixturesDir, s.dir, s.file), '--alias', e.alias, '--cert-out', certOut, '--storepass-env', 'SP', '--keypass-env', 'KP'], { SP: s.storepass, KP: keypass });
      assert.equal(opensslPublicKeySha256(out), e.publicKeySha256, `${s.file} ${e.alias}`);
      const certs = readFileSync(certOut, 'latin1').match(/BEGIN CERTIFICATE/g) ?? [];
      assert.equal(certs.length, e.chain?.length, `${s.file} chain`);
      const fp = runOk('openssl', ['x509', '-in', certOut, '-noout', '-fingerprint', '-sha256']).stdout.trim().replace(/^.*=/, '');
      assert.equal(fp, e.chain?.[0], `${s.file} leaf first`);
      checked++;
    }
  }
  assert.ok(checked >= 7, `checked ${checked} key entries`);
});

test('a wrong passphrase writes nothing and exits 3; an existing output needs --force', () => {
  const src = join(fixturesDir, 'pkcs12', 'rsa-aes256.p8.der');
  const out = join(dir, 'wrong.key');
  const r = mailcert(['strip-password', '--in', src, '--out', out, '--passin-env', 'PW'], { env: { PW: 'not-it' } });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /passphrase for this key is incorrect/);
  assert.equal(existsSync(out), false);
  writeFileSync(out, 'keep me');
  const again = mailcert(['strip-password', '--in', src, '--out', out, '--passin-env', 'PW'], { env: { PW: 'pkcs8pass' } });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already exists/);
  assert.equal(readFileSync(out, 'utf8'), 'keep me');
  assert.equal(mailcert(['strip-password', '--in', src, '--out', out, '--passin-env', 'PW', '--force'], { env: { PW: 'pkcs8pass' } }).status, 0);
  assert.equal(opensslPublicKeySha256(out), p12.pkcs8.find((k) => k.file === 'rsa-aes256.p8.der')?.publicKeySha256);
});

test('an unencrypted key is said to be so, and is still written in the form asked for', () => {
  const r = mailcert(['strip-password', '--in', join(fixturesDir, 'pem', 'rsa-plain.pem'), '--out', join(dir, 'plain.key'), '--format', 'pkcs1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /was not encrypted/);
  assert.match(readFileSync(join(dir, 'plain.key'), 'latin1'), /BEGIN RSA PRIVATE KEY/);
  const wrongForm = mailcert(['strip-password', '--in', join(fixturesDir, 'pem', 'rsa-plain.pem'), '--out', join(dir, 'plain2.key'), '--format', 'sec1']);
  assert.equal(wrongForm.status, 2);
  assert.match(wrongForm.stderr, /sec1 is for EC keys/);
  assert.equal(openssl(['pkey', '-in', join(dir, 'plain.key'), '-noout']).status, 0);
});
