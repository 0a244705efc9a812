// Every input has a size limit suited to its kind: `yes |`, /dev/zero, a sparse 600 MB file or a
// FIFO in a CA folder end in a clear error (exit 3, naming the input, its size and the limit) or
// are skipped, and never fill the memory of the machine. Each run is held to 2 GB of address
// space and 60 s, so a regression fails here instead of taking the machine down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, lstatSync, mkdirSync, copyFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, fixturesDir, openssl, run, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);
const jks = join(fixturesDir, 'jks', 'rsa.jks');
const storepass = (JSON.parse(readFileSync(join(fixturesDir, 'jks', 'expected.json'), 'utf8')) as { stores: { file: string; storepass: string }[] }).stores.find((s) => s.file === 'rsa.jks')?.storepass ?? '';

/** A shell line with "$M" for the CLI, under a 2 GB address-space limit. */
function sh(line: string): ReturnType<typeof run> {
  return run('sh', ['-c', `ulimit -v 2000000; ${line}`], { cwd: dir, env: { ...process.env, NO_COLOR: '1', M: `${process.execPath} ${cliPath}` }, timeoutMs: 60_000 });
}

test('--storepass-stdin reads one line: `yes PASS |` works instead of reading forever', () => {
  const r = sh(`yes '${storepass}' | $M list -k ${jks} --storepass-stdin`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /server, .*PrivateKeyEntry/);
});

test('a password source without a line break is refused at 64 KiB (exit 3)', () => {
  const file = sh(`$M list -k ${jks} --storepass-file /dev/zero`);
  assert.equal(file.status, 3, file.stderr);
  assert.match(file.stderr, /^mailcert: --storepass-file \/dev\/zero: too large for a password \(more than 64 KiB; mailcert reads at most 64 KiB\)$/m);
  const stdin = sh(`$M list -k ${jks} --storepass-stdin < /dev/zero`);
  assert.equal(stdin.status, 3, stdin.stderr);
  assert.match(stdin.stderr, /^mailcert: standard input: too large for a password \(more than 64 KiB/m);
});

test('list -k /dev/zero and inspect - < /dev/zero stop at their limits', () => {
  const list = sh(`$M list -k /dev/zero --storepass-env P`);
  assert.equal(list.status, 3, list.stderr);
  assert.match(list.stderr, /^mailcert: \/dev\/zero: too large for a keystore \(more than 128 MiB; mailcert reads at most 128 MiB\)$/m);
  const inspect = sh(`$M inspect - < /dev/zero`);
  assert.equal(inspect.status, 3, inspect.stderr);
  assert.match(inspect.stderr, /^mailcert: standard input: too large for a file \(more than 256 MiB/m);
  const targets = sh(`$M verify --targets /dev/zero`);
  assert.equal(targets.status, 3, targets.stderr);
  assert.match(targets.stderr, /\/dev\/zero: too large for a targets file/);
});

test('an oversize regular file is refused from its size, before it is read (no "internal error")', () => {
  writeFileSync(p('huge.pem'), '');
  truncateSync(p('huge.pem'), 600 * 1024 * 1024); // sparse
  const cases: [string[], RegExp][] = [
    [['inspect', 'huge.pem'], /^mailcert: huge\.pem: too large for a file \(600 MiB; mailcert reads at most 256 MiB\)$/m],
    [['hash', 'huge.pem'], /huge\.pem: too large for a file \(600 MiB/],
    [['import-chain', '-k', 'x.jks', '--file', 'huge.pem', '--storepass-env', 'P'], /huge\.pem: too large for a certificate file \(600 MiB; mailcert reads at most 64 MiB\)/],
    [['strip-password', '--in', 'huge.pem', '--out', 'x.key'], /huge\.pem: too large for a key file \(600 MiB; mailcert reads at most 1 MiB\)/],
    [['list', '-k', 'huge.pem', '--storepass-env', 'P'], /huge\.pem: too large for a keystore \(600 MiB; mailcert reads at most 128 MiB\)/],
  ];
  for (const [args, message] of cases) {
    const r = sh(`P=x $M ${args.join(' ')}`);
    assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /hint: check that this is the right file/);
    assert.doesNotMatch(r.stderr, /internal error|this is a bug/);
  }
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('x.')), []);
});

test('hash --rehash skips what is not a regular file (a FIFO, a link to /dev/zero) and links the rest', () => {
  const ca = p('ca');
  mkdirSync(ca);
  copyFileSync(join(fixturesDir, 'pem', 'root-ca.pem'), join(ca, 'root.pem'));
  assert.equal(spawnSync('mkfifo', [join(ca, 'pipe.pem')]).status, 0);
  symlinkSync('/dev/zero', join(ca, 'zero.crt'));
  mkdirSync(join(ca, 'folder.cer'));
  symlinkSync('root.pem', join(ca, 'alias.pem')); // a link to a regular file is read (and is a duplicate here)
  const r = sh(`$M hash --rehash ca`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: skipping pipe\.pem, it is not a regular file/);
  assert.match(r.stderr, /warning: skipping zero\.crt, it is not a regular file/);
  assert.match(r.stderr, /warning: skipping folder\.cer, it is not a regular file/);
  assert.match(r.stderr, /skipping duplicate certificate in root\.pem/);
  const hash = openssl(['x509', '-hash', '-noout', '-in', join(ca, 'root.pem')]).stdout.trim();
  assert.ok(lstatSync(join(ca, `${hash}.0`)).isSymbolicLink());
});
