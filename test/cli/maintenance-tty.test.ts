// Keeping a keystore at a real terminal (tmux): passwd asks the new password twice (again when
// mistyped) and echoes none; a renewal asks for the old key's own password, as keytool asks
// "Enter key password for <alias>", and gives it to the new key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keytool, runOk, tempDir } from '../helpers/tools.js';
import { terminal } from '../helpers/tmux.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);

function keytoolJks(name: string, storepass: string, keypass: string): string {
  runOk('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', p(name), '-storepass', storepass, '-keypass', keypass, '-alias', 'james', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com']);
  return p(name);
}

const certreqOpens = (store: string, storepass: string, keypass: string): boolean =>
  keytool(['-certreq', '-keystore', store, '-storepass', storepass, '-keypass', keypass, '-alias', 'james'], { input: '' }).status === 0;

test('passwd at a terminal: the current password, then the new one twice (again when mistyped)', async () => {
  const store = keytoolJks('tty.jks', 'old-store-1', 'own-key-22');
  const t = terminal(dir, ['passwd', '-k', 'tty.jks']);
  await t.waitFor(/Enter keystore password for keystore tty\.jks:/);
  t.send('old-store-1', 'Enter');
  await t.waitFor(/Enter new keystore password for keystore tty\.jks:/);
  t.send('new-store-1', 'Enter');
  await t.waitFor(/Re-enter the new keystore password:/);
  t.send('new-store-2', 'Enter');
  await t.waitFor(/do not match; try again[\s\S]*Enter new keystore password/);
  t.send('new-store-3', 'Enter');
  await t.waitFor(/do not match; try again[\s\S]*Re-enter the new keystore password:/);
  t.send('new-store-3', 'Enter');
  const screen = await t.waitFor(/EXIT=\d+/);
  assert.match(screen, /EXIT=0/);
  assert.doesNotMatch(screen, /old-store|new-store|own-key/, 'a password was echoed');
  assert.match(screen, /Changed the store password of tty\.jks \(JKS\)/);
  assert.match(screen, /key entry "james": keeps a password of its own/);
  assert.equal(keytool(['-list', '-keystore', store, '-storepass', 'new-store-3']).status, 0);
  assert.ok(certreqOpens(store, 'new-store-3', 'own-key-22'), 'the key kept its own password');
});

test('import --replace at a terminal asks for the old key\'s own password and keeps it for the new key', async () => {
  const store = keytoolJks('renew.jks', 'store-pass-1', 'own-key-22');
  runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('new.key'), '-out', p('new.pem'), '-subj', '/CN=mail.example.com', '-days', '90']);
  const before = readFileSync(store);
  // A wrong key password: refused, nothing written.
  const wrong = terminal(dir, ['import', '-k', 'renew.jks', '--key', 'new.key', '--file', 'new.pem', '--replace'], { MAILCERT_STOREPASS: 'store-pass-1' });
  await wrong.waitFor(/Enter key password for key entry james in renew\.jks:/);
  wrong.send('not-the-key', 'Enter');
  assert.match(await wrong.waitFor(/EXIT=\d+/), /the key password is incorrect[\s\S]*EXIT=3/);
  assert.deepEqual(readFileSync(store), before);
  const t = terminal(dir, ['import', '-k', 'renew.jks', '--key', 'new.key', '--file', 'new.pem', '--replace'], { MAILCERT_STOREPASS: 'store-pass-1' });
  await t.waitFor(/Enter key password for key entry james in renew\.jks:/);
  t.send('own-key-22', 'Enter');
  const screen = await t.waitFor(/EXIT=\d+/);
  assert.match(screen, /EXIT=0/);
  assert.match(screen, /Replaced the server key of renew\.jks \(JKS\): key entry "james"/);
  assert.doesNotMatch(screen, /own-key-22/);
  assert.ok(certreqOpens(store, 'store-pass-1', 'own-key-22'), 'the new key has the old key password');
  writeFileSync(p('listed.txt'), runOk('keytool', ['-list', '-rfc', '-keystore', store, '-storepass', 'store-pass-1']).stdout);
  assert.equal(runOk('openssl', ['x509', '-in', p('listed.txt'), '-noout', '-fingerprint', '-sha256']).stdout, runOk('openssl', ['x509', '-in', p('new.pem'), '-noout', '-fingerprint', '-sha256']).stdout);
});
