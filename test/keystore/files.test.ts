import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertCanCreate, readInput, writeFileAtomic, writeFilesAtomic } from '../../src/keystore/files.js';
import { MailcertError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('a new file gets the requested mode and no temp file is left behind', () => {
  const p = join(dir, 'new.key');
  writeFileAtomic(p, bytes('secret'), { overwrite: false, mode: 0o600 });
  assert.equal(readFileSync(p, 'utf8'), 'secret');
  assert.equal(statSync(p).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('an existing file is not replaced without overwrite, and stays byte-identical', () => {
  const p = join(dir, 'keep.pem');
  writeFileSync(p, 'original');
  assert.throws(
    () => writeFileAtomic(p, bytes('new'), { overwrite: false, what: 'certificate' }),
    (e: unknown) => e instanceof MailcertError && e.exitCode === 2 && /already exists/.test(e.message) && /--force/.test(e.hint ?? ''),
  );
  assert.equal(readFileSync(p, 'utf8'), 'original');
  assert.throws(() => assertCanCreate(p), MailcertError);
});

test('overwriting keeps the existing file mode (a group-readable keystore stays so)', () => {
  const p = join(dir, 'james.jks');
  writeFileSync(p, 'old');
  chmodSync(p, 0o640);
  writeFileAtomic(p, bytes('updated'), { overwrite: true, mode: 0o600 });
  assert.equal(readFileSync(p, 'utf8'), 'updated');
  assert.equal(statSync(p).mode & 0o777, 0o640);
});

test('a path that is not a regular file is written to directly, never replaced', () => {
  writeFileAtomic('/dev/null', bytes('discarded'), { overwrite: false });
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

test('a write into a missing folder fails with exit 3 and leaves nothing behind', () => {
  const p = join(dir, 'no-such-folder', 'x.key');
  assert.throws(
    () => writeFileAtomic(p, bytes('x'), { overwrite: false, what: 'private key' }),
    (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && e.message.includes('cannot write the private key'),
  );
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('readInput names the file and the problem', () => {
  assert.throws(
    () => readInput(join(dir, 'missing.jks'), 'keystore'),
    (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && e.message.endsWith('missing.jks: no such keystore'),
  );
  assert.throws(() => readInput(dir), (e: unknown) => e instanceof MailcertError && /is a folder/.test(e.message));
});

test('several files are written all or none: a failing second file leaves the first as it was', () => {
  const key = join(dir, 'pair.key');
  const missing = join(dir, 'no-such-folder', 'pair.crt');
  assert.throws(
    () => writeFilesAtomic([
      { path: key, data: bytes('new key'), opts: { overwrite: false, mode: 0o600, what: 'private key' } },
      { path: missing, data: bytes('cert'), opts: { overwrite: false, what: 'certificate' } },
    ]),
    (e: unknown) => e instanceof MailcertError && e.message.includes('cannot write the certificate'),
  );
  assert.throws(() => statSync(key), /ENOENT/);
  writeFileSync(key, 'old key');
  assert.throws(() =>
    writeFilesAtomic([
      { path: key, data: bytes('new key'), opts: { overwrite: true, mode: 0o600 } },
      { path: missing, data: bytes('cert'), opts: { overwrite: true } },
    ]),
  );
  assert.equal(readFileSync(key, 'utf8'), 'old key');
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});
