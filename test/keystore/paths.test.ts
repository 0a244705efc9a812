// Names that are not UTF-8 (raw bytes from /proc/self/cmdline), and what an output name leads to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { childOf, descriptorOf, fsPath, nameOf, parentOf, registerRawArguments, resolveTarget } from '../../src/keystore/paths.js';
import { MailcertError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();
const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x6b, 0x73]); // "café.jks" in Latin-1
const cmdline = (...args: (string | Buffer)[]): Buffer => Buffer.concat(args.flatMap((a) => [Buffer.from(a), Buffer.from([0])]));

test('an argument Node decoded lossily gets its raw bytes back, also inside derived paths', () => {
  const lossy = latin1.toString('utf8');
  assert.equal(lossy, 'caf\ufffd.jks');
  const args = ['list', '-k', lossy, `--out=${lossy}`];
  // Node's own options come before the script's arguments in cmdline: only the tail must match.
  assert.equal(registerRawArguments(args, cmdline('node', '--no-warnings', '/usr/bin/mailcert', 'list', '-k', latin1, Buffer.concat([Buffer.from('--out='), latin1]))), true);
  assert.deepEqual(fsPath(lossy), latin1);
  assert.deepEqual(fsPath(resolve('/srv', lossy)), Buffer.concat([Buffer.from('/srv/'), latin1]));
  assert.deepEqual(fsPath(`${lossy}.lock`), Buffer.concat([latin1, Buffer.from('.lock')]));
  assert.equal(fsPath('plain.jks'), 'plain.jks');
  assert.equal(fsPath('a real \ufffd typed in UTF-8'), 'a real \ufffd typed in UTF-8', 'U+FFFD that no argument lost stays text');
});

test('a cmdline that does not match the arguments is not used; two names alike but for such bytes are refused', () => {
  const other = Buffer.from([0x78, 0xe8, 0x2e, 0x70, 0x65, 0x6d]); // x\xe8.pem
  assert.equal(registerRawArguments(['hash', other.toString('utf8')], cmdline('node', 'mailcert', 'hash', 'something else')), false);
  assert.equal(fsPath(other.toString('utf8')), other.toString('utf8'));
  const a = Buffer.from([0x79, 0xe8, 0x2e, 0x70, 0x65, 0x6d]);
  const b = Buffer.from([0x79, 0xe9, 0x2e, 0x70, 0x65, 0x6d]);
  const text = a.toString('utf8');
  assert.equal(b.toString('utf8'), text);
  assert.equal(registerRawArguments(['hash', text, text], cmdline('node', 'mailcert', 'hash', a, b)), true);
  assert.throws(() => fsPath(text), (e: unknown) => e instanceof MailcertError && e.exitCode === 2 && /not UTF-8/.test(e.message));
});

test('path parts of raw names', () => {
  const raw = Buffer.concat([Buffer.from('/srv/'), latin1]);
  assert.equal(parentOf(raw).toString(), '/srv');
  assert.deepEqual(nameOf(raw), latin1);
  assert.deepEqual(childOf(Buffer.from('/srv'), latin1), raw);
  assert.equal(childOf('/srv', 'x'), '/srv/x');
});

test("descriptor names are this process's descriptors", () => {
  assert.equal(descriptorOf('/dev/stdout'), 1);
  assert.equal(descriptorOf('/dev/stderr'), 2);
  assert.equal(descriptorOf('/dev/fd/7'), 7);
  assert.equal(descriptorOf('/proc/self/fd/9'), 9);
  assert.equal(descriptorOf(`/proc/${process.pid}/fd/3`), 3);
  assert.equal(descriptorOf('/proc/1/fd/3'), undefined, "another process's descriptor is a file like any other");
  assert.equal(descriptorOf('/dev/fd'), undefined);
  assert.equal(descriptorOf('out/dev/fd/1'), undefined);
});

test('resolveTarget follows links to the end, and sees a link to /dev/stdout as descriptor 1', () => {
  mkdirSync(join(dir, 'd'));
  writeFileSync(join(dir, 'd', 'f'), 'x');
  symlinkSync('d/f', join(dir, 'l1'));
  symlinkSync(join(dir, 'l1'), join(dir, 'l2'));
  symlinkSync('/dev/stdout', join(dir, 'to-stdout'));
  symlinkSync('loop-b', join(dir, 'loop-a'));
  symlinkSync('loop-a', join(dir, 'loop-b'));
  const t = resolveTarget(join(dir, 'l2'));
  assert.equal(t.kind, 'file');
  assert.equal(t.kind === 'file' && t.path, join(dir, 'd', 'f'));
  assert.deepEqual(resolveTarget(join(dir, 'to-stdout')), { kind: 'descriptor', fd: 1 });
  assert.equal(resolveTarget('/dev/null').kind, 'special');
  assert.equal(resolveTarget(dir).kind, 'folder');
  assert.deepEqual(resolveTarget(join(dir, 'nothing')), { kind: 'none', path: join(dir, 'nothing') });
  assert.throws(() => resolveTarget(join(dir, 'loop-a')), (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && /too many levels of symbolic links/.test(e.message));
});
