// An update of a keystore that another program (keytool, which knows nothing of mailcert's lock)
// wrote after mailcert read it is refused with exit 3, and what that program wrote stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKeystoreFile, writeKeystoreFile } from '../../src/keystore/keystore.js';
import { MailcertError } from '../../src/errors.js';
import { fixturesDir, keytool, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const pass = () => Promise.resolve('changeit');

test('a keystore keytool changed since it was read is not overwritten: exit 3, "run again"', async () => {
  const store = join(dir, 'store.jks');
  const r0 = keytool(['-importcert', '-noprompt', '-alias', 'root', '-file', join(fixturesDir, 'pem', 'root-ca.pem'), '-keystore', store, '-storetype', 'JKS', '-storepass', 'changeit']);
  assert.equal(r0.status, 0, r0.stderr);
  const read = await readKeystoreFile(store, pass);
  // keytool adds an entry meanwhile.
  const r1 = keytool(['-importcert', '-noprompt', '-alias', 'keytools', '-file', join(fixturesDir, 'pem', 'intermediate-ca.pem'), '-keystore', store, '-storepass', 'changeit']);
  assert.equal(r1.status, 0, r1.stderr);
  const theirs = readFileSync(store);
  read.entries = read.entries.filter((e) => e.alias !== 'root');
  await assert.rejects(
    writeKeystoreFile(store, read, 'changeit', pass, { create: false, force: false }),
    (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && e.message === `${store}: the keystore was changed by another process while mailcert was updating it; nothing was written` && e.hint === 'run the command again',
  );
  assert.ok(readFileSync(store).equals(theirs));
  assert.match(keytool(['-list', '-keystore', store, '-storepass', 'changeit']).stdout, /keytools, .*trustedCertEntry/);
  // Read again, the update goes through.
  const again = await readKeystoreFile(store, pass);
  again.entries = again.entries.filter((e) => e.alias !== 'root');
  await writeKeystoreFile(store, again, 'changeit', pass, { create: false, force: false });
  assert.match(keytool(['-list', '-keystore', store, '-storepass', 'changeit']).stdout, /Your keystore contains 1 entry/);
});

test('a store read from a copy of the fixture keeps its bytes for the check', async () => {
  const store = join(dir, 'rsa.jks');
  copyFileSync(join(fixturesDir, 'jks', 'rsa.jks'), store);
  const read = await readKeystoreFile(store, () => Promise.resolve(undefined));
  assert.ok(read.source !== undefined && Buffer.from(read.source).equals(readFileSync(store)));
});
