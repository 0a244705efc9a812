// Keeping a keystore at the level of core: what each key's password becomes (core/passwd.ts), how
// a key's password is found (core/key-passwords.ts), and the refusals of renew, delete, rename and
// passwd, which speak of keystores and keys and name no flag (the commands word them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeJks } from '../../src/codec/jks.js';
import { jksProtectKey, jksRecoverKey } from '../../src/crypto/jks-keyprotector.js';
import { encodePkcs12, pkcs12RecoverKey } from '../../src/crypto/pkcs12.js';
import { parseCertificate } from '../../src/codec/x509/certificate.js';
import { deleteEntry } from '../../src/core/delete.js';
import { KeyPasswordNeeded, NoSuchEntry, NotInChain, ServerKeyPresent, AliasTaken } from '../../src/core/errors.js';
import { makeSelfSigned, resolveSubject } from '../../src/core/genkey.js';
import { importCertificates } from '../../src/core/import.js';
import { changePasswords, type PasswdInput } from '../../src/core/passwd.js';
import { checkChainIsForKey } from '../../src/core/renew.js';
import { renameEntry } from '../../src/core/rename.js';
import { ExitCode } from '../../src/errors.js';
import { readKeystoreFile } from '../../src/keystore/keystore.js';
import { domainError } from '../helpers/domain-error.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);

const made = await makeSelfSigned({ subject: resolveSubject({ cn: 'mail.example.com' }), key: { type: 'ec', curve: 'P-256' }, days: 30 });
const other = await makeSelfSigned({ subject: resolveSubject({ cn: 'other.example.com' }), key: { type: 'ec', curve: 'P-256' }, days: 30 });
const created = new Date('2026-01-01T00:00:00Z');

/** A JKS with one key entry under `keypass`, and a trusted certificate. */
function jks(name: string, storepass: string, keypass: string): string {
  const bytes = encodeJks(
    [
      { kind: 'key', alias: 'james', created, chain: [made.cert], protectedKey: jksProtectKey(made.pkcs8, keypass) },
      { kind: 'trusted', alias: 'other', created, cert: other.cert },
    ],
    storepass,
  );
  writeFileSync(p(name), bytes);
  return p(name);
}

const never = (): Promise<string> => Promise.reject(new Error('not asked for'));
const noKeyPassword = { given: () => Promise.resolve(undefined), ask: () => Promise.resolve(undefined) };
const passwd = (path: string, storepass: string, more: Partial<PasswdInput>): ReturnType<typeof changePasswords> =>
  changePasswords({ path, storePassword: () => Promise.resolve(storepass), keypassToStorepass: false, keyPassword: noKeyPassword, ...more });

async function keyOf(path: string, storepass: string, keypass: string): Promise<Uint8Array> {
  const store = await readKeystoreFile(path, () => Promise.resolve(storepass));
  const key = store.entries.find((e) => e.kind === 'key');
  assert.ok(key?.kind === 'key' && key.protectedKey);
  return jksRecoverKey(key.protectedKey, keypass);
}

test('passwd: a key under the store password follows it; one of its own keeps it, unopened', async () => {
  const paired = jks('paired.jks', 'store-1', 'store-1');
  const r = await passwd(paired, 'store-1', { newStorePassword: () => Promise.resolve('store-2') });
  assert.deepEqual(r, { type: 'JKS', storePasswordChanged: true, written: true, keys: [{ alias: 'james', before: 'store', after: 'store', changed: true }] });
  assert.deepEqual(await keyOf(paired, 'store-2', 'store-2'), made.pkcs8);

  const own = jks('own.jks', 'store-1', 'key-1');
  const kept = await passwd(own, 'store-1', { newStorePassword: () => Promise.resolve('store-2'), keyPassword: { given: never, ask: never } });
  assert.deepEqual(kept.keys, [{ alias: 'james', before: 'own', after: 'own', changed: false }]);
  assert.deepEqual(await keyOf(own, 'store-2', 'key-1'), made.pkcs8);
});

test('passwd: every key to the store password needs the key password; nothing to change writes nothing', async () => {
  const own = jks('own-2.jks', 'store-1', 'key-1');
  const needed = await domainError(() => passwd(own, 'store-1', { keypassToStorepass: true }));
  assert.ok(needed instanceof KeyPasswordNeeded);
  assert.equal(needed.exitCode, ExitCode.usage);
  // Asked for (a terminal) when not given, as keytool asks "Enter key password for <alias>".
  const asked: string[] = [];
  const r = await passwd(own, 'store-1', { keypassToStorepass: true, keyPassword: { given: () => Promise.resolve(undefined), ask: (alias) => (asked.push(alias), Promise.resolve('key-1')) } });
  assert.deepEqual(asked, ['james']);
  assert.deepEqual(r.keys, [{ alias: 'james', before: 'own', after: 'store', changed: true }]);
  assert.deepEqual(await keyOf(own, 'store-1', 'store-1'), made.pkcs8);
  const before = readFileSync(own);
  const again = await passwd(own, 'store-1', { keypassToStorepass: true });
  assert.equal(again.written, false);
  assert.deepEqual(readFileSync(own), before);
});

test('passwd on PKCS#12: a key gets a password of its own; the store password still opens the file, and follows to a new one', async () => {
  const path = p('mail.p12');
  writeFileSync(path, encodePkcs12([{ kind: 'key', alias: 'mail', created, chain: [made.cert], privateKey: made.pkcs8 }], 'store-1', { iterations: 1 }));
  const r = await passwd(path, 'store-1', { newKeyPassword: { password: () => Promise.resolve('key-2') } });
  assert.deepEqual(r.keys, [{ alias: 'mail', before: 'store', after: 'own', changed: true }]);
  const key = async (storepass: string): Promise<{ protectedKey?: Uint8Array }> => {
    const store = await readKeystoreFile(path, () => Promise.resolve(storepass));
    const k = store.entries.find((e) => e.kind === 'key');
    assert.ok(k?.kind === 'key' && k.protectedKey !== undefined);
    return k;
  };
  const first = await key('store-1');
  assert.deepEqual(pkcs12RecoverKey(first.protectedKey!, 'key-2'), made.pkcs8);
  assert.throws(() => pkcs12RecoverKey(first.protectedKey!, 'store-1'), /password/);
  // A new store password leaves the key under its own, its bag untouched.
  const moved = await passwd(path, 'store-1', { newStorePassword: () => Promise.resolve('store-3') });
  assert.deepEqual(moved.keys, [{ alias: 'mail', before: 'own', after: 'own', changed: false }]);
  const second = await key('store-3');
  assert.deepEqual(second.protectedKey, first.protectedKey);
});

test('delete, rename: no such entry, and an alias taken in any case', async () => {
  const path = jks('entries.jks', 'store-1', 'store-1');
  const missing = await domainError(() => deleteEntry({ path, alias: 'nope', storePassword: () => Promise.resolve('store-1') }));
  assert.ok(missing instanceof NoSuchEntry);
  assert.equal(missing.exitCode, ExitCode.usage);
  assert.match(missing.hint ?? '', /the entries are: "james", "other"/);
  const taken = await domainError(() => renameEntry({ path, alias: 'james', to: 'OTHER', toSource: 'given', storePassword: () => Promise.resolve('store-1') }));
  assert.ok(taken instanceof AliasTaken);
  assert.equal((await deleteEntry({ path, alias: 'OTHER', storePassword: () => Promise.resolve('store-1') })).alias, 'other');
});

test('renew: a second server key is the rule refusing it, told as a renewal; certificates of another chain are refused', async () => {
  const path = jks('renew.jks', 'store-1', 'store-1');
  const before = readFileSync(path);
  const second = await domainError(() =>
    importCertificates({ path, certs: [other.cert], key: other.pkcs8, trustcacerts: false, storePassword: () => Promise.resolve('store-1'), keyPassword: never, confirm: () => Promise.resolve(false) }),
  );
  assert.ok(second instanceof ServerKeyPresent);
  assert.equal(second.exitCode, ExitCode.ruleBroken);
  assert.equal(second.alias, 'james');
  assert.deepEqual(readFileSync(path), before);
  const stray = await domainError(() => checkChainIsForKey(parseCertificate(made.cert), [parseCertificate(made.cert), parseCertificate(other.cert)]));
  assert.ok(stray instanceof NotInChain);
  assert.deepEqual(stray.strays, ['CN=other.example.com']);
  checkChainIsForKey(parseCertificate(made.cert), [parseCertificate(made.cert)]);
});
