// program.ts: which command files a run loads and registers (start-up time is a goal), and that
// each registered command is its file's declaration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { buildProgram, RepeatableOption } from '../../src/cli/program.js';
import type { Io } from '../../src/io.js';

const io: Io = {
  out: () => undefined,
  err: () => undefined,
  env: {},
  cwd: '/',
  stdinIsTTY: false,
  stdoutIsTTY: false,
  stderrIsTTY: false,
  readStdin: () => Promise.reject(new Error('no standard input here')),
};
const registered = async (...args: string[]): Promise<string[]> => (await buildProgram(io, undefined, ['node', 'mailcert', ...args])).commands.map((c) => c.name());
const every = ['genkey', 'certreq', 'import', 'import-chain', 'delete', 'rename', 'passwd', 'strip-password', 'hash', 'verify', 'tlsa', 'inspect', 'export', 'completion', 'list'];

test('a run registers the command it names and no other; --version none', async () => {
  assert.deepEqual(await registered('hash', 'ca.pem'), ['hash']);
  assert.deepEqual(await registered('--json', '-q', 'list', '-k', 'james.jks'), ['list']);
  assert.deepEqual(await registered('verify', '--connect', 'mail.example.com:993'), ['verify']);
  assert.deepEqual(await registered('genkey', '--help'), ['genkey']);
  assert.deepEqual(await registered('--version'), []);
  assert.deepEqual(await registered('-V'), []);
});

test('top-level help, an unknown name and completion register every command, in the order of the help', async () => {
  assert.deepEqual(await registered(), every);
  assert.deepEqual(await registered('--help'), every);
  assert.deepEqual(await registered('frobnicate'), every);
  assert.deepEqual(await registered('completion', 'bash'), every);
});

test("a registered command has its file's options, arguments and summary", async () => {
  const program = await buildProgram(io, undefined, ['node', 'mailcert', 'hash']);
  const hash = program.commands[0];
  assert.ok(hash);
  const { command } = await import('../../src/cli/commands/hash.js');
  assert.equal(hash.summary(), command.summary);
  assert.deepEqual(hash.options.map((o) => o.flags), command.options.map((o) => o.flags));
  assert.deepEqual(hash.registeredArguments.map((a) => a.name()), ['files']);
});

test("verify is its file's declaration; a repeatable option collects every value, in order", async () => {
  const program = await buildProgram(io, undefined, ['node', 'mailcert', 'verify']);
  const verify = program.commands[0];
  assert.ok(verify);
  const { command } = await import('../../src/cli/commands/verify.js');
  assert.equal(verify.summary(), command.summary);
  assert.deepEqual(verify.options.map((o) => o.flags), command.options.map((o) => o.flags));
  assert.deepEqual(command.options.filter((o) => o.repeatable === true).map((o) => o.flags), ['--connect <host:port>', '--tlsa <record>']);
  verify.parseOptions(['--connect', 'a.example.com:993', '--tlsa', '3 1 1 aa', '--connect', '[2001:db8::1]:25', '--targets', 'one.txt', '--targets', 'two.txt']);
  const opts = verify.opts();
  assert.deepEqual(opts.connect, ['a.example.com:993', '[2001:db8::1]:25']);
  assert.deepEqual(opts.tlsa, ['3 1 1 aa']);
  assert.equal(opts.targets, 'two.txt', 'an option not repeatable keeps the last value');
});

test('a repeatable option with choices checks each value', () => {
  const cmd = new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }).addOption(new RepeatableOption('--starttls <protocol>', 'protocols', ['smtp', 'imap']));
  cmd.parseOptions(['--starttls', 'smtp', '--starttls', 'imap']);
  assert.deepEqual(cmd.opts().starttls, ['smtp', 'imap']);
  assert.throws(() => cmd.parseOptions(['--starttls', 'pop3']), /argument 'pop3' is invalid\. Allowed choices are smtp, imap\./);
});
