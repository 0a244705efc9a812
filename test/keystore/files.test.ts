import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { assertCanCreate, isExistingFile, OutputExists, readInput, readRegularFile, writeFileAtomic, writeFilesAtomic } from '../../src/keystore/files.js';
import { newTempPath, thisHost } from '../../src/keystore/temp.js';
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
    // The command names the option that allows it ("pass --force to replace it"): test/cli/flag-errors.test.ts.
    (e: unknown) => e instanceof OutputExists && e.exitCode === 2 && /already exists/.test(e.message) && e.path === p && e.what === 'certificate',
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

// ---------------------------------------------------------------------------------------------
// Private keys, owners, links, descriptors, limits

const mode = (p: string): number => statSync(p).mode & 0o777;

test('a private key replacing a 0644 or 0666 file is 0600, and --key-mode wins over both', () => {
  for (const before of [0o644, 0o666, 0o600, 0o640]) {
    const p = join(dir, `replaced-${before.toString(8)}.key`);
    writeFileSync(p, 'old');
    chmodSync(p, before);
    const w = writeFileAtomic(p, bytes('key'), { overwrite: true, secret: true, what: 'private key' });
    assert.equal(mode(p), 0o600, before.toString(8));
    assert.equal(w.mode, 0o600, 'the result says what the file got');
  }
  const p = join(dir, 'key-mode.key');
  writeFileSync(p, 'old');
  chmodSync(p, 0o644);
  assert.equal(writeFileAtomic(p, bytes('key'), { overwrite: true, secret: true, access: { mode: 0o640 } }).mode, 0o640);
  assert.equal(mode(p), 0o640);
  // A new key under a umask that would allow more: still exactly 0600.
  assert.equal(writeFileAtomic(join(dir, 'new-secret.key'), bytes('key'), { overwrite: false, secret: true }).mode, 0o600);
});

test('an in-place keystore update keeps a mode that gives others nothing, and drops one that does', () => {
  const p = join(dir, 'update.jks');
  writeFileSync(p, 'v1');
  chmodSync(p, 0o640);
  writeFileAtomic(p, bytes('v2'), { overwrite: true, secret: true, unchangedSince: bytes('v1') });
  assert.equal(mode(p), 0o640, 'root:james 0640 stays readable by James');
  chmodSync(p, 0o644);
  writeFileAtomic(p, bytes('v3'), { overwrite: true, secret: true, unchangedSince: bytes('v2') });
  assert.equal(mode(p), 0o600, 'a keystore with a key is never left world-readable');
});

test('owner and group of a replaced file are kept; --key-group sets the group (as root)', () => {
  const p = join(dir, 'owned.jks');
  writeFileSync(p, 'old');
  chownSync(p, 8, 8); // mail:mail on Debian
  chmodSync(p, 0o640);
  writeFileAtomic(p, bytes('new'), { overwrite: true, secret: true, unchangedSince: bytes('old') });
  assert.deepEqual([statSync(p).uid, statSync(p).gid, mode(p)], [8, 8, 0o640]);
  writeFileAtomic(p, bytes('newer'), { overwrite: true, secret: true, access: { gid: 103 } });
  assert.deepEqual([statSync(p).uid, statSync(p).gid], [8, 103], 'the owner kept, the group given');
  const fresh = join(dir, 'fresh.key');
  writeFileAtomic(fresh, bytes('k'), { overwrite: false, secret: true, access: { gid: 103, mode: 0o640 } });
  assert.deepEqual([statSync(fresh).gid, mode(fresh)], [103, 0o640]);
});

test('a link is followed to the file it names, through a chain of links; the links stay', () => {
  const real = join(dir, 'real-folder');
  mkdirSync(real);
  writeFileSync(join(real, 'store.jks'), 'old');
  chmodSync(join(real, 'store.jks'), 0o640);
  symlinkSync(join(real, 'store.jks'), join(dir, 'hop2.jks')); // absolute
  symlinkSync('hop2.jks', join(dir, 'hop1.jks')); // relative
  writeFileAtomic(join(dir, 'hop1.jks'), bytes('new'), { overwrite: true, mode: 0o600 });
  assert.ok(lstatSync(join(dir, 'hop1.jks')).isSymbolicLink() && lstatSync(join(dir, 'hop2.jks')).isSymbolicLink());
  assert.equal(readFileSync(join(real, 'store.jks'), 'utf8'), 'new');
  assert.equal(mode(join(real, 'store.jks')), 0o640, "the real file's mode, not the link's");
  // A dangling link: the file is made where it points.
  symlinkSync(join(real, 'later.pem'), join(dir, 'dangling.pem'));
  writeFileAtomic(join(dir, 'dangling.pem'), bytes('x'), { overwrite: false });
  assert.equal(readFileSync(join(real, 'later.pem'), 'utf8'), 'x');
  assert.throws(() => assertCanCreate(join(dir, 'hop1.jks')), /already exists/, 'a link to a file counts as that file');
  // rehash's hash names: the link itself is replaced, its target left alone.
  writeFileAtomic(join(dir, 'hop2.jks'), bytes('copy'), { overwrite: true, replaceLink: true, mode: 0o644 });
  assert.ok(lstatSync(join(dir, 'hop2.jks')).isFile());
  assert.equal(readFileSync(join(real, 'store.jks'), 'utf8'), 'new');
});

test('a file changed since it was read is not replaced (exit 3), nor recreated once removed', () => {
  const p = join(dir, 'raced.jks');
  writeFileSync(p, 'what keytool wrote');
  assert.throws(
    () => writeFileAtomic(p, bytes('ours'), { overwrite: true, secret: true, unchangedSince: bytes('what we read'), what: 'keystore' }),
    (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && /changed by another process/.test(e.message) && /again/.test(e.hint ?? ''),
  );
  assert.equal(readFileSync(p, 'utf8'), 'what keytool wrote');
  unlinkSync(p);
  assert.throws(() => writeFileAtomic(p, bytes('ours'), { overwrite: true, unchangedSince: bytes('x') }), /changed by another process/);
  assert.equal(existsSync(p), false);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test("temp files of dead mailcert processes are removed by the next write into the folder; a live process's stay", () => {
  const folder = join(dir, 'temps');
  mkdirSync(folder);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const names = {
    dead: `.mailcert-${thisHost()}-${dead}-0123456789ab.tmp`,
    live: `.mailcert-${thisHost()}-${process.pid}-0123456789ab.tmp`,
    otherHost: `.mailcert-elsewhere.example-${dead}-0123456789ab.tmp`,
    notOurs: `.store.jks.0123456789ab.tmp`,
  };
  for (const n of Object.values(names)) writeFileSync(join(folder, n), 'a copy of a keystore');
  writeFileAtomic(join(folder, 'next.pem'), bytes('x'), { overwrite: false });
  assert.deepEqual(readdirSync(folder).sort(), [names.live, names.otherHost, names.notOurs, 'next.pem'].sort());
  const t = newTempPath(dir);
  assert.match(String(t), new RegExp(`/\\.mailcert-${thisHost().replace(/\./g, '\\.')}-${process.pid}-[0-9a-f]{12}\\.tmp$`));
});

test('a descriptor name is written as it was opened: at its offset, appended, never truncated or replaced', () => {
  const p = join(dir, 'appended.txt');
  writeFileSync(p, 'before\n');
  const fd = openSync(p, 'a');
  try {
    writeFileAtomic(`/dev/fd/${fd}`, bytes('one\n'), { overwrite: false, secret: true });
    writeFileAtomic(`/proc/self/fd/${fd}`, bytes('two\n'), { overwrite: true });
    assert.equal(isExistingFile(`/dev/fd/${fd}`), false, 'never "already exists"');
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(p, 'utf8'), 'before\none\ntwo\n');
  assert.ok(lstatSync('/dev/stdout').isSymbolicLink(), '/dev/stdout is still the link it was');
});

test('inputs are bounded by kind: an oversize file is refused from its size, a device at the limit', () => {
  const big = join(dir, 'sparse.jks');
  writeFileSync(big, '');
  truncateSync(big, 600 * 1024 * 1024); // sparse: no disk used
  assert.throws(
    () => readInput(big, 'keystore'),
    (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && e.message === `${big}: too large for a keystore (600 MiB; mailcert reads at most 128 MiB)`,
  );
  assert.throws(() => readInput('/dev/zero', 'key file'), (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && /\/dev\/zero: too large for a key file \(more than 1 MiB/.test(e.message));
  const fifo = join(dir, 'reader.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.equal(readRegularFile(fifo), undefined, 'a FIFO is not opened for reading (it would block)');
  assert.equal(readRegularFile('/dev/zero'), undefined);
  assert.equal(readRegularFile(join(dir, 'appended.txt'))?.toString(), 'before\none\ntwo\n');
});
