// The built CLI run as a process: exit codes, stdout, stderr (CLI.md "Output and exit codes").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailcert, repoRoot, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const commands = ['genkey', 'certreq', 'import', 'import-chain', 'strip-password', 'hash', 'verify', 'list'];

test('--help lists every subcommand, examples first, and the exit codes', () => {
  const r = mailcert(['--help']);
  assert.equal(r.status, 0);
  for (const c of commands) assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'), c);
  assert.ok(r.stdout.indexOf('Examples:') < r.stdout.indexOf('Usage:'));
  assert.match(r.stdout, /4 {2}the keystore rule would be broken/);
});

test('each subcommand has examples-first help with options and exit codes', () => {
  for (const c of commands) {
    const r = mailcert([c, '--help']);
    assert.equal(r.status, 0, c);
    assert.ok(r.stdout.startsWith('Examples:\n'), c);
    assert.match(r.stdout, new RegExp(`\\$ mailcert ${c}`), c);
    assert.match(r.stdout, /Exit codes:/, c);
  }
});

/** The codes a command's help (or with no command, the program's) lists under "Exit codes:", its last section. */
function exitCodes(command?: string): number[] {
  const help = mailcert(command === undefined ? ['--help'] : [command, '--help']).stdout;
  const section = help.slice(help.indexOf('\nExit codes:\n'));
  assert.match(section, /^\nExit codes:\n(  \d+  .+\n)+\n*$/, `${command ?? 'mailcert'}: the exit codes end the help`);
  return [...section.matchAll(/^ {2}(\d+) {2}/gm)].map((m) => Number(m[1]));
}

test('each command lists the exit codes it can end with, and only those', () => {
  // Only verify reports problems (1) and talks to servers (5); only what writes a keystore meets its rule (4);
  // only what may prompt (a password, a question) can be cancelled there (130).
  assert.deepEqual(exitCodes('hash'), [0, 2, 3]);
  assert.deepEqual(exitCodes('completion'), [0, 2]);
  assert.deepEqual(exitCodes('list'), [0, 2, 3, 130]);
  assert.deepEqual(exitCodes('inspect'), [0, 2, 3, 130]);
  assert.deepEqual(exitCodes('certreq'), [0, 2, 3, 130]);
  assert.deepEqual(exitCodes('strip-password'), [0, 2, 3, 130]);
  for (const c of ['genkey', 'import', 'import-chain', 'export']) assert.deepEqual(exitCodes(c), [0, 2, 3, 4, 130], c);
  assert.ok(exitCodes('verify').includes(5));
  assert.deepEqual(exitCodes(), [0, 1, 2, 3, 4, 5, 130], 'mailcert --help lists them all');
});

test("verify's help lists its own exit codes: problems (1) and servers (5), no keystore rule (4)", () => {
  assert.deepEqual(exitCodes('verify'), [0, 1, 2, 3, 5, 130]);
});

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const r = mailcert(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('an unknown option is a usage error: exit 2, one line, no stack trace', () => {
  const r = mailcert(['list', '--no-such-option']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^mailcert: unknown option '--no-such-option'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('list without --keystore is a usage error with a hint', () => {
  const r = mailcert(['list']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /list needs --keystore FILE/);
  assert.match(r.stderr, /hint: /);
});

test('a missing keystore is bad input (exit 3) naming the file', () => {
  const r = mailcert(['list', '-k', join(dir, 'missing.jks')]);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /missing\.jks: no such keystore/);
});

test('a file that is no keystore is exit 3', () => {
  const p = join(dir, 'notes.jks');
  writeFileSync(p, 'just some text\n');
  const r = mailcert(['list', '-k', p, '--storepass-env', 'P'], { env: { P: 'changeit' } });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /notes\.jks: not a keystore/);
});

test('--json errors are one JSON document on stdout as well', () => {
  const r = mailcert(['list', '-k', join(dir, 'missing.jks'), '--json']);
  assert.equal(r.status, 3);
  const doc = JSON.parse(r.stdout) as { error: { message: string; exitCode: number } };
  assert.equal(doc.error.exitCode, 3);
  assert.match(doc.error.message, /no such keystore/);
});
