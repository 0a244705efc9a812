// --json on every subcommand: stdout is one JSON document with the shape the README documents,
// and nothing else is printed there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailcert, runOk, tempDir } from '../helpers/tools.js';
import { makeTestCa } from '../helpers/ca.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);
const ca = makeTestCa(dir);
const env = { MAILCERT_STOREPASS: 'json-pass-1', PW: 'key-phrase' };
const summaryKeys = ['subject', 'issuer', 'notBefore', 'notAfter', 'sha256', 'serial', 'signatureAlgorithm', 'publicKey'];

function json(args: string[], expectStatus = 0): Record<string, unknown> {
  const r = mailcert([...args, '--json'], { env, cwd: dir });
  assert.equal(r.status, expectStatus, `${args.join(' ')}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(typeof doc, 'object');
  return doc;
}
function hasKeys(obj: unknown, keys: string[], what: string): void {
  assert.ok(obj !== null && typeof obj === 'object', `${what} is not an object`);
  for (const k of keys) assert.ok(k in (obj), `${what} lacks "${k}": ${JSON.stringify(obj).slice(0, 300)}`);
}

test('every subcommand prints one JSON document of its documented shape', () => {
  const pem = json(['genkey', '--cn', 'mail.example.com', '--key-out', p('mail.key'), '--cert-out', p('mail.crt')]);
  hasKeys(pem, ['keyFile', 'certFile', 'certificate'], 'genkey (PEM)');
  hasKeys(pem.certificate, [...summaryKeys, 'subjectAltNames'], 'genkey certificate');

  const ks = json(['genkey', '--cn', 'mail.example.com', '-k', p('mail.jks')]);
  hasKeys(ks, ['keystore', 'type', 'alias', 'createdKeystore', 'certificate'], 'genkey (keystore)');
  assert.equal(ks.type, 'JKS');

  const req = json(['certreq', '-k', p('mail.jks')]);
  hasKeys(req, ['subject', 'subjectAltNames', 'file', 'pem'], 'certreq');
  assert.match(String(req.pem), /^-----BEGIN CERTIFICATE REQUEST-----/);

  runOk('openssl', ['req', '-new', '-key', p('mail.key'), '-subj', '/CN=mail.example.com', '-out', p('mail.csr')]);
  const reply = ca.sign(p('mail.csr'), 'reply.pem', 'DNS:mail.example.com');
  const chain = json(['import-chain', '-k', p('mail.jks'), '--file', ca.rootPem]);
  hasKeys(chain, ['keystore', 'type', 'createdKeystore', 'added', 'present'], 'import-chain');
  hasKeys((chain.added as unknown[])[0], ['alias', 'cert'], 'import-chain added');

  runOk('keytool', ['-importcert', '-noprompt', '-storetype', 'JKS', '-keystore', p('pem.jks'), '-storepass', 'json-pass-1', '-alias', 'root', '-file', ca.rootPem]);
  const keyImport = json(['import', '-k', p('pem.jks'), '--key', p('mail.key'), '--file', reply, '--alias', 'mail']);
  hasKeys(keyImport, ['keystore', 'action', 'alias', 'type', 'chain', 'complete'], 'import --key');
  assert.equal(keyImport.action, 'key');

  const trusted = json(['import', '-k', p('client.ks'), '--file', p('mail.crt'), '--yes']);
  hasKeys(trusted, ['keystore', 'action', 'alias', 'type', 'cert'], 'import (trusted)');
  hasKeys(trusted.cert, summaryKeys, 'import cert');

  const list = json(['list', '-k', p('pem.jks')]);
  hasKeys(list, ['type', 'entries'], 'list');
  hasKeys((list.entries as unknown[])[0], ['alias', 'kind', 'created', 'chain'], 'list entry');

  const strip = json(['strip-password', '-k', p('pem.jks'), '--alias', 'mail', '--out', p('plain.key')]);
  hasKeys(strip, ['from', 'keyFile', 'format', 'wasEncrypted', 'certFile', 'chainLength'], 'strip-password');

  const hash = json(['hash', ca.rootPem, ca.interPem, '--old']);
  hasKeys(hash, ['hashes'], 'hash');
  hasKeys((hash.hashes as unknown[])[1], ['file', 'kind', 'of', 'hash', 'oldHash'], 'hash entry');
  mkdirSync(p('cadir'));
  copyFileSync(ca.rootPem, join(p('cadir'), 'root.pem'));
  const rehash = json(['hash', '--rehash', p('cadir')]);
  hasKeys(rehash, ['dir', 'mode', 'dryRun', 'links', 'removed', 'warnings'], 'hash --rehash');

  const verify = json(['verify', '--cert', reply, '--ca', ca.rootPem], 1);
  hasKeys(verify, ['target', 'ok', 'checks'], 'verify');
  hasKeys((verify.checks as unknown[])[0], ['name', 'status', 'detail'], 'verify check');

  const inspect = json(['inspect', reply]);
  hasKeys(inspect, ['file', 'format', 'certificates'], 'inspect');

  const exported = json(['export', '-k', p('pem.jks'), '--out', p('pem.p12')]);
  hasKeys(exported, ['from', 'fromType', 'out', 'outType', 'entries', 'skipped'], 'export');

  // Keeping a keystore: a renewal, rename, delete and passwd.
  runOk('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('next.key'), '-subj', '/CN=mail.example.com', '-out', p('next.csr')]);
  const next = ca.sign(p('next.csr'), 'next.pem', 'DNS:mail.example.com');
  const renewed = json(['import', '-k', p('pem.jks'), '--key', p('next.key'), '--file', next, '--replace']);
  hasKeys(renewed, ['keystore', 'action', 'alias', 'type', 'chain', 'complete', 'keyPassword', 'previous'], 'import --replace');
  assert.equal(renewed.action, 'replaced');
  hasKeys(renewed.previous, ['alias', 'cert'], 'import --replace previous');
  hasKeys((renewed.previous as { cert: unknown }).cert, summaryKeys, 'import --replace previous cert');
  const renamed = json(['rename', '-k', p('pem.jks'), '--alias', 'root', '--to', 'test-root']);
  assert.deepEqual(renamed, { keystore: p('pem.jks'), type: 'JKS', kind: 'trusted', from: 'root', to: 'test-root' });
  const passwd = json(['passwd', '-k', p('pem.jks'), '--new-storepass-env', 'PW']);
  hasKeys(passwd, ['keystore', 'type', 'storePasswordChanged', 'written', 'keys'], 'passwd');
  hasKeys((passwd.keys as unknown[])[0], ['alias', 'before', 'after', 'changed'], 'passwd key');
  const deleted = json(['delete', '-k', p('pem.jks'), '--alias', 'test-root', '--storepass-env', 'PW']);
  hasKeys(deleted, ['keystore', 'type', 'alias', 'kind', 'cert', 'left'], 'delete');
  hasKeys(deleted.cert, summaryKeys, 'delete cert');

  const error = json(['list', '-k', p('missing.jks')], 3);
  hasKeys(error, ['error'], 'an error');
  hasKeys(error.error, ['message', 'hint', 'exitCode'], 'the error');
});
