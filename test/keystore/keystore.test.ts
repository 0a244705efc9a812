// The keystore layer on hostile and unusual stores: one key-derivation budget per file, keys
// decrypted only when a command needs one, why an integrity check did not happen, and where an
// alias JKS cannot hold came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePkcs12, encodePkcs12, pkcs12RecoverKey, type Pkcs12Entry } from '../../src/crypto/pkcs12.js';
import { encryptPkcs8 } from '../../src/crypto/pkcs8.js';
import { checkAliasFits, decodeKeystore, recoverKey, writeKeystoreFile } from '../../src/keystore/keystore.js';
import { ExitCode, MailcertError } from '../../src/errors.js';
import { manySafes } from '../helpers/hostile.js';
import { fixturesDir, tempDir } from '../helpers/tools.js';

const p12 = (file: string): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir, 'pkcs12', file)));
const jks = (file: string): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir, 'jks', file)));

function isUserError(exitCode: number, text: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof MailcertError, `expected a MailcertError, got ${String(e)}`);
    assert.equal(e.exitCode, exitCode, e.message);
    assert.match(e.message, text);
    return true;
  };
}

/** A store password callback that counts how often it was asked. */
function password(value: string | undefined): { ask: () => Promise<string | undefined>; asked: () => number } {
  let n = 0;
  return { ask: () => Promise.resolve((n++, value)), asked: () => n };
}

test('a PKCS#12 file asking for more than the budget is refused, naming the file, before a password is asked for', async () => {
  const pass = password('pw');
  await assert.rejects(
    decodeKeystore('hostile.p12', 'PKCS12', manySafes(100, 5_000_000), pass.ask),
    isUserError(ExitCode.badInput, /^hostile\.p12: refused: the file asks for 1,500,000,000 rounds of password-based key derivation, more than the 2,000,000/),
  );
  assert.equal(pass.asked(), 0);
});

test('reading a PKCS#12 store decrypts no key; recoverKey decrypts the one asked for', async () => {
  // The key entry is encrypted under another password than the MAC and certificates: listing
  // works, the key needs its own password (as keytool -list and -keypass).
  const jdk = decodePkcs12(p12('jdk.p12'), 'changeit1');
  const entries: Pkcs12Entry[] = jdk.entries;
  const file = encodePkcs12(entries, 'other-pass', { iterations: 1 });
  const store = await decodeKeystore('two-passwords.p12', 'PKCS12', file, password('other-pass').ask);
  assert.equal(store.integrityChecked, true);
  const key = store.entries.find((e) => e.kind === 'key');
  assert.ok(key?.kind === 'key' && key.privateKey === undefined && key.protectedKey !== undefined);
  await assert.rejects(
    recoverKey('two-passwords.p12', 'PKCS12', key, () => Promise.resolve('other-pass')),
    // The MAC verified with this password, which covers the key bag: not a wrong password, a key of its own.
    isUserError(ExitCode.badInput, /^two-passwords\.p12: the key of entry "server" does not open with the password that opens the file: it was encrypted with another password$/),
  );
  const pkcs8 = await recoverKey('two-passwords.p12', 'PKCS12', key, () => Promise.resolve('changeit1'));
  const original = jdk.entries.find((e) => e.kind === 'key');
  assert.ok(original?.kind === 'key');
  assert.deepEqual(pkcs8, pkcs12RecoverKey(original.protectedKey!, 'changeit1'));
});

test('the keys of one file share its budget: the third 700,000-iteration key is refused', async () => {
  const jdk = decodePkcs12(p12('jdk.p12'), 'changeit1');
  const server = jdk.entries.find((e) => e.kind === 'key');
  assert.ok(server?.kind === 'key');
  const pkcs8 = pkcs12RecoverKey(server.protectedKey!, 'changeit1');
  // Three keys, each shrouded at 700,000 PBKDF2-SHA256 iterations (one block for AES-256).
  const keys: Pkcs12Entry[] = ['a', 'b', 'c'].map((alias) => ({ ...server, alias, protectedKey: encryptPkcs8(pkcs8, 'pw', { iterations: 700_000 }) }));
  const file = encodePkcs12(keys, 'pw', { iterations: 1 });
  const store = await decodeKeystore('three.p12', 'PKCS12', file, password('pw').ask);
  const [a, b, c] = store.entries.filter((e) => e.kind === 'key');
  assert.ok(a?.kind === 'key' && b?.kind === 'key' && c?.kind === 'key');
  await recoverKey('three.p12', 'PKCS12', a, () => Promise.resolve('pw'));
  await recoverKey('three.p12', 'PKCS12', b, () => Promise.resolve('pw'));
  await assert.rejects(recoverKey('three.p12', 'PKCS12', c, () => Promise.resolve('pw')), isUserError(ExitCode.badInput, /^three\.p12: refused: .*2,100,002 rounds/));
});

test('why the integrity was not checked: no password given (JKS), no MAC in the file (PKCS#12)', async () => {
  const noPassword = await decodeKeystore('rsa.jks', 'JKS', jks('rsa.jks'), password(undefined).ask);
  assert.equal(noPassword.integrityChecked, false);
  assert.equal(noPassword.unverified, 'no-password');
  // keytool's password-less PKCS#12: no MAC; the password given decrypts keys, checks nothing.
  const noMac = await decodeKeystore('nopass-jdk.p12', 'PKCS12', p12('nopass-jdk.p12'), password('nopass123').ask);
  assert.equal(noMac.integrityChecked, false);
  assert.equal(noMac.unverified, 'no-mac');
  const checked = await decodeKeystore('jdk.p12', 'PKCS12', p12('jdk.p12'), password('changeit1').ask);
  assert.equal(checked.integrityChecked, true);
  assert.equal(checked.unverified, undefined);
});

test('an alias a JKS cannot hold: usage when given, bad input naming the file it came from', () => {
  const long = 'a'.repeat(65_536);
  // The command names its option ("--alias: the alias is too long"): test/cli/limits.test.ts.
  assert.throws(() => checkAliasFits('JKS', long, 'given'), isUserError(ExitCode.usage, /^the alias is too long for a JKS keystore: 65536 bytes/));
  assert.throws(() => checkAliasFits('JKS', long, 'cn'), isUserError(ExitCode.usage, /^the alias made from the CN is too long for a JKS keystore: 65536 bytes/));
  assert.throws(() => checkAliasFits('JKS', long, { file: 'in.p12' }), isUserError(ExitCode.badInput, /^in\.p12: alias "a{40}\.\.\." is too long for a JKS keystore: 65536 bytes/));
  // Modified UTF-8: U+0000 takes two bytes, so 32,768 of them do not fit (DataOutputStream.writeUTF).
  assert.throws(() => checkAliasFits('JKS', '\0'.repeat(32_768), { file: 'in\n.p12' }), isUserError(ExitCode.badInput, /^in\\x0a\.p12: alias "(\\x00){40}\.\.\."/));
  checkAliasFits('JKS', 'a'.repeat(65_535), 'given');
  checkAliasFits('PKCS12', long, 'given');
});

test('a PKCS#12 key kept encrypted is written back only under the store password it was made with', async () => {
  // keytool's password-less store: no MAC, certificates in the clear, the key under "nopass123".
  const dir = tempDir();
  const path = join(dir, 'nopass.p12');
  writeFileSync(path, p12('nopass-jdk.p12'));
  const store = await decodeKeystore(path, 'PKCS12', p12('nopass-jdk.p12'), password(undefined).ask);
  const key = store.entries.find((e) => e.kind === 'key');
  assert.ok(key?.kind === 'key' && key.protectedKey !== undefined && key.privateKey === undefined);
  await assert.rejects(
    writeKeystoreFile(path, store, 'another-pass', () => Promise.resolve('another-pass'), { create: false, force: false }),
    isUserError(ExitCode.badInput, /nopass\.p12: key entry "imap" is encrypted with another password than the store password given$/),
  );
  assert.deepEqual(new Uint8Array(readFileSync(path)), p12('nopass-jdk.p12'));
  await writeKeystoreFile(path, store, 'nopass123', () => Promise.resolve('nopass123'), { create: false, force: false });
  const again = await decodeKeystore(path, 'PKCS12', new Uint8Array(readFileSync(path)), password('nopass123').ask);
  assert.equal(again.integrityChecked, true);
  const written = again.entries.find((e) => e.kind === 'key');
  assert.ok(written?.kind === 'key');
  assert.deepEqual(written.protectedKey, key.protectedKey);
  assert.deepEqual(await recoverKey(path, 'PKCS12', written, () => Promise.resolve('nopass123')), await recoverKey(path, 'PKCS12', key, () => Promise.resolve('nopass123')));
});
