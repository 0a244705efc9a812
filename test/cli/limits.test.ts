// What mailcert refuses to spend on a hostile keystore, and what it says about stores it reads
// without checking them, through the built CLI: exit codes, the one line on stderr, no file left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePkcs12, encodePkcs12 } from '../../src/crypto/pkcs12.js';
import { manySafes, wrongPasswordMaxIterations } from '../helpers/hostile.js';
import { fixturesDir, mailcert, runOk, tempDir } from '../helpers/tools.js';

const dir = tempDir();

/** stderr is the error line and its hint, nothing else (no stack, no second message). */
function oneError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  const [first = '', hint] = lines;
  assert.ok(lines.length <= 2 && first.startsWith('mailcert: ') && (hint === undefined || hint.startsWith('  hint: ')), stderr);
  return first;
}

test('list refuses a PKCS#12 file that asks for more key derivation than the budget: exit 3, naming file and budget', () => {
  for (const [name, bytes] of [['safes.p12', manySafes(100, 5_000_000)], ['small.p12', wrongPasswordMaxIterations()]] as const) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    for (const env of [{ MAILCERT_STOREPASS: 'wrong' }, {}]) {
      const r = mailcert(['list', '-k', file], { env });
      assert.equal(r.status, 3, r.stderr);
      assert.match(oneError(r.stderr), new RegExp(`^mailcert: ${file}: refused: the file asks for [\\d,]+ rounds of password-based key derivation, more than the 2,000,000 mailcert spends on one file`));
    }
  }
});

test('a PKCS#12 without a MAC read with its password says there is no MAC, not that no password was given', () => {
  const key = join(dir, 'nomac.key');
  const crt = join(dir, 'nomac.crt');
  runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=nomac.example.com']);
  const file = join(dir, 'nomac.p12');
  runOk('openssl', ['pkcs12', '-export', '-nomac', '-inkey', key, '-in', crt, '-name', 'nomac', '-passout', 'pass:nomac-pass', '-out', file]);
  const r = mailcert(['list', '-k', file], { env: { MAILCERT_STOREPASS: 'nomac-pass' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^nomac, \d{4}-\d\d-\d\d, PrivateKeyEntry, chain of 1$/m);
  assert.match(r.stdout, /^Warning: the integrity of this keystore was not verified \(the file has no integrity MAC\)\.$/m);
  assert.doesNotMatch(r.stdout, /no password given/);
});

test('list never decrypts a PKCS#12 key: a key under another password lists, and strip-password asks for that one', () => {
  const jdk = decodePkcs12(new Uint8Array(readFileSync(join(fixturesDir, 'pkcs12', 'jdk.p12'))), 'changeit1');
  // The MAC and certificates under "store-pass", the key as keytool wrote it, under "changeit1".
  const file = join(dir, 'key-pass.p12');
  writeFileSync(file, encodePkcs12(jdk.entries, 'store-pass', { iterations: 1 }));
  const env = { MAILCERT_STOREPASS: 'store-pass' };
  const list = mailcert(['list', '-k', file], { env });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^server, \d{4}-\d\d-\d\d, PrivateKeyEntry, chain of 3$/m);
  const out = join(dir, 'server.key');
  const wrong = mailcert(['strip-password', '-k', file, '--out', out], { env });
  assert.equal(wrong.status, 3, wrong.stderr);
  assert.match(oneError(wrong.stderr), /the key of entry "server" does not open with the password that opens the file: it was encrypted with another password/);
  assert.equal(existsSync(out), false);
  const right = mailcert(['strip-password', '-k', file, '--out', out], { env: { ...env, MAILCERT_KEYPASS: 'changeit1' } });
  assert.equal(right.status, 0, right.stderr);
  assert.match(readFileSync(out, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
});

test('an --alias a JKS cannot hold is a usage error (exit 2); one read from a file is bad input naming that file', () => {
  const env = { MAILCERT_STOREPASS: 'alias-pass' };
  const long = 'a'.repeat(70_000);
  const jks = join(dir, 'long.jks');
  const r = mailcert(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', jks, '--alias', long], { env });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(oneError(r.stderr), 'mailcert: --alias: the alias is too long for a JKS keystore: 70000 bytes in modified UTF-8, and a JKS alias holds at most 65535');
  assert.equal(existsSync(jks), false);

  // PKCS#12 holds such an alias; converting that store to JKS names the file it came from.
  const p12 = join(dir, 'long.p12');
  const made = mailcert(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', p12, '--alias', long], { env });
  assert.equal(made.status, 0, made.stderr);
  const out = join(dir, 'converted.jks');
  const x = mailcert(['export', '-k', p12, '--out', out], { env });
  assert.equal(x.status, 3, x.stderr);
  assert.match(oneError(x.stderr), new RegExp(`^mailcert: ${p12}: alias "a{40}\\.\\.\\." is too long for a JKS keystore: 70000 bytes`));
  assert.equal(existsSync(out), false);
});
