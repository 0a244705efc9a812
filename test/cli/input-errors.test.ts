// Every reader of certificate and key files names the file (and the part of it) when the content
// is damaged: a certificate whose DER an inline byte edit broke, alone, second in a bundle, in a
// --ca folder or inside a keystore entry; a key OpenSSL refuses; a bad line of a --targets file.
// The built CLI runs as a process: exit 3 (2 for --targets), one line naming the file, no
// "internal error" and no stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJks, encodeJks } from '../../src/codec/jks.js';
import { decodePem, encodePem } from '../../src/codec/pem.js';
import { mailcert, runOk, tempDir, type RunResult } from '../helpers/tools.js';

const dir = tempDir('mailcert-input-errors-');
const env = { MAILCERT_STOREPASS: 'input-pass' };
const p = (name: string): string => join(dir, name);

runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '30', '-subj', '/CN=Input Test CA']);
const good = decodePem(readFileSync(p('ca.pem'), 'latin1'))[0]?.der ?? new Uint8Array();

/** The certificate with the first digit of its notBefore UTCTime (tag 0x17, length 13) turned into a letter. */
function brokenTime(der: Uint8Array): Uint8Array {
  const out = Uint8Array.from(der);
  const at = Buffer.from(out).indexOf(Buffer.from([0x17, 0x0d]));
  assert.ok(at > 0, 'the certificate has a UTCTime');
  out[at + 2] = 0x5a; // 'Z'
  return out;
}
const broken = brokenTime(good);
writeFileSync(p('broken.der'), broken);
writeFileSync(p('truncated.der'), good.subarray(0, good.length - 10));
writeFileSync(p('bundle.pem'), encodePem('CERTIFICATE', good) + encodePem('CERTIFICATE', broken));

/** One line naming the file and what is wrong, exit 3, no internal error, no stack. */
function assertNamed(r: RunResult, file: string, what: RegExp, code = 3): void {
  assert.equal(r.status, code, r.stderr);
  const first = r.stderr.split('\n')[0] ?? '';
  assert.ok(first.startsWith(`mailcert: ${file}: `) || first.startsWith(`mailcert: --ca ${file}: `) || first.startsWith(`mailcert: --targets ${file}: `), first);
  assert.match(first, what);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}

test('verify --cert on damaged DER names the file: a broken field, a truncated file, the second certificate of a bundle', () => {
  assertNamed(mailcert(['verify', '--cert', p('broken.der')]), p('broken.der'), /the certificate is damaged \(X\.509: malformed time \(at byte \d+\)\)$/);
  assertNamed(mailcert(['verify', '--cert', p('truncated.der')]), p('truncated.der'), /the certificate is damaged \(X\.509: length \d+ .* exceeds/);
  assertNamed(mailcert(['verify', '--cert', p('bundle.pem')]), p('bundle.pem'), /certificate 2 of 2 is damaged \(X\.509: malformed time/);
});

test('import, import-chain and verify --ca (a file or a folder) name the damaged certificate file', () => {
  assertNamed(mailcert(['import', '-k', p('t1.jks'), '--file', p('bundle.pem'), '--yes'], { env }), p('bundle.pem'), /certificate 2 of 2 is damaged/);
  assertNamed(mailcert(['import-chain', '-k', p('t2.jks'), '--file', p('broken.der')], { env }), p('broken.der'), /the certificate is damaged/);
  assertNamed(mailcert(['verify', '--cert', p('ca.pem'), '--ca', p('bundle.pem')]), p('bundle.pem'), /certificate 2 of 2 is damaged/);
  const folder = p('ca-dir');
  mkdirSync(folder);
  writeFileSync(join(folder, 'good.pem'), readFileSync(p('ca.pem')));
  writeFileSync(join(folder, 'broken.crt'), broken);
  assertNamed(mailcert(['verify', '--cert', p('ca.pem'), '--ca', folder]), join(folder, 'broken.crt'), /the certificate is damaged/);
});

test('a private key OpenSSL refuses is named, not an internal error: verify --key, strip-password, certreq, import --key', () => {
  const key = decodePem(readFileSync(p('ca.key'), 'latin1'))[0]?.der ?? new Uint8Array();
  writeFileSync(p('short.key'), encodePem('PRIVATE KEY', key.subarray(0, key.length - 20)));
  const ec = runOk('openssl', ['ec', '-in', p('ca.key')]).stdout;
  const sec1 = decodePem(ec)[0]?.der ?? new Uint8Array();
  writeFileSync(p('short-ec.key'), encodePem('EC PRIVATE KEY', sec1.subarray(0, 10)));
  for (const file of [p('short.key'), p('short-ec.key')]) {
    const what = /damaged or not a private key file: (PKCS#8|SEC 1): (not a private key|OpenSSL cannot read the private key)/;
    assertNamed(mailcert(['verify', '--cert', p('ca.pem'), '--key', file]), file, what);
    assertNamed(mailcert(['strip-password', '--in', file, '--out', p('out.key')]), file, what);
    assertNamed(mailcert(['certreq', '--key', file, '--cn', 'mail.example.com']), file, what);
    assertNamed(mailcert(['import', '-k', p('k.p12'), '--key', file, '--file', p('ca.pem')], { env }), file, what);
  }
});

test('a damaged certificate inside a keystore is named with the file and the entry: list -v, inspect, verify -k / --ca, certreq -k, import -k', () => {
  const made = mailcert(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', p('made.jks'), '-q'], { env });
  assert.equal(made.status, 0, made.stderr);
  const store = decodeJks(new Uint8Array(readFileSync(p('made.jks'))), env.MAILCERT_STOREPASS);
  const [entry] = store.entries;
  assert.ok(entry?.kind === 'key');
  entry.chain = [broken];
  const keystore = p('damaged.jks');
  writeFileSync(keystore, encodeJks([entry, { kind: 'trusted', alias: 'broken-root', created: new Date(), cert: broken }], env.MAILCERT_STOREPASS));

  const damaged = /is damaged \(X\.509: malformed time/;
  assertNamed(mailcert(['list', '-k', keystore, '-v'], { env }), keystore, /the certificate of entry "broken-root" is damaged|the certificate of entry "mail" is damaged/);
  assertNamed(mailcert(['inspect', keystore], { env }), keystore, damaged);
  assertNamed(mailcert(['verify', '-k', keystore], { env }), keystore, damaged);
  assertNamed(mailcert(['verify', '--cert', p('ca.pem'), '--ca', keystore], { env }), keystore, /the certificate of entry "broken-root" is damaged/);
  assertNamed(mailcert(['certreq', '-k', keystore], { env }), keystore, /the certificate of the key entry is damaged/);
  const before = readFileSync(keystore);
  assertNamed(mailcert(['import', '-k', keystore, '--file', p('ca.pem'), '--yes'], { env }), keystore, damaged);
  assert.deepEqual(readFileSync(keystore), before, 'the refused import left the keystore as it was');
});

test('verify --targets: a bad line is named with the file and its line number (exit 2)', () => {
  const file = p('targets.txt');
  writeFileSync(file, '# mail servers\nmail.example.com:993\nmail.example.com\n');
  assertNamed(mailcert(['verify', '--targets', file]), file, /line 3: "mail\.example\.com": give HOST:PORT/, 2);
  writeFileSync(file, 'mail.example.com:25 smtps\n');
  assertNamed(mailcert(['verify', '--targets', file]), file, /line 1: "mail\.example\.com:25 smtps": the protocol must be one of/, 2);
});
