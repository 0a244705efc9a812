// `mailcert completion bash|zsh|fish`: the bash script is sourced by a real bash and its function
// driven the way readline drives it (COMP_WORDS, COMP_CWORD); the zsh and fish scripts are checked
// by their shells when installed (they are not installed for this), and always by structure: every
// command and option of the command tree is in each script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completionScript } from '../../src/core/completion.js';
import { cliPath, mailcert, run, tempDir } from '../helpers/tools.js';

const dir = tempDir();

/** The commands and some of their options, from `mailcert --help` and `mailcert <cmd> --help`. */
function commandNames(): string[] {
  const help = mailcert(['--help']).stdout;
  const section = help.slice(help.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}
function longOptions(command: string): string[] {
  return [...mailcert([command, '--help']).stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
}

function script(shell: string): string {
  const r = mailcert(['completion', shell]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

const hasShell = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

/**
 * Sources the bash script (through `node bin/mailcert.cjs`, as `source <(mailcert completion bash)`
 * would) and runs _mailcert for a command line whose last word is being completed.
 */
function bashComplete(words: string[], env: Record<string, string> = {}): string[] {
  const lines = [
    `source <("${process.execPath}" "${cliPath}" completion bash)`,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))',
    'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}',
    '_mailcert mailcert "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ];
  const r = run('bash', ['-c', lines.join('\n')], { cwd: dir, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter((l) => l !== '');
}

test('bash: the script sources cleanly and registers the completion function', () => {
  const r = run('bash', ['-c', `source <("${process.execPath}" "${cliPath}" completion bash); complete -p mailcert`]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'complete -F _mailcert mailcert');
  assert.equal(run('bash', ['-n', '-c', script('bash')]).status, 0);
});

test('bash: commands, options, and what option values complete to', () => {
  mkdirSync(join(dir, 'ca-folder'));
  for (const f of ['james.jks', 'mail.p12', 'with space.pem']) writeFileSync(join(dir, f), '');
  assert.deepEqual(bashComplete(['mailcert', 'gen']), ['genkey']);
  assert.deepEqual(bashComplete(['mailcert', 'list', '--key']), ['--keystore']);
  assert.deepEqual(bashComplete(['mailcert', 'i']).sort(), ['import', 'import-chain', 'inspect']);
  assert.deepEqual(bashComplete(['mailcert', '--json', 'ex']), ['export'], 'global options before the command');
  assert.deepEqual(bashComplete(['mailcert', 'export', '--st']).sort(), ['--storepass', '--storepass-env', '--storepass-file', '--storepass-stdin', '--storetype']);
  assert.ok(bashComplete(['mailcert', 'list', '--']).includes('--json'), 'global options after the command');
  // Files where a file goes (names with spaces kept whole), folders for --rehash, lists, env names.
  assert.deepEqual(bashComplete(['mailcert', 'list', '-k', 'ja']), ['james.jks']);
  assert.deepEqual(bashComplete(['mailcert', 'inspect', 'with']), ['with space.pem']);
  assert.deepEqual(bashComplete(['mailcert', 'hash', '--rehash', 'ca']), ['ca-folder']);
  assert.deepEqual(bashComplete(['mailcert', 'genkey', '--key-type', '']).sort(), ['ec', 'rsa']);
  assert.deepEqual(bashComplete(['mailcert', 'export', '--storetype', 'p']), ['pkcs12']);
  assert.deepEqual(bashComplete(['mailcert', 'completion', '']).sort(), ['bash', 'fish', 'zsh']);
  assert.deepEqual(bashComplete(['mailcert', 'list', '--storepass-env', 'JAMES_KS'], { JAMES_KS_PASS: 'x' }), ['JAMES_KS_PASS']);
  assert.deepEqual(bashComplete(['mailcert', 'export', '--keystore', '=', 'mail']), ['mail.p12'], '--keystore=FILE');
  assert.deepEqual(bashComplete(['mailcert', 'strip-password', '--key-group', 'ssl-c']), ['ssl-cert'], 'group names for --key-group');
  // A value of the user's own: nothing offered (no file names for --cn).
  assert.deepEqual(bashComplete(['mailcert', 'genkey', '--cn', '']), []);
  // Keeping a keystore: the commands, the new passwords' sources, the staged keystore of a renewal.
  assert.deepEqual(bashComplete(['mailcert', 'de']), ['delete']);
  assert.deepEqual(bashComplete(['mailcert', 'pas']), ['passwd']);
  assert.deepEqual(bashComplete(['mailcert', 'passwd', '--new-s']).sort(), ['--new-storepass', '--new-storepass-env', '--new-storepass-file', '--new-storepass-stdin']);
  assert.deepEqual(bashComplete(['mailcert', 'passwd', '--new-keypass-env', 'JAMES_KS'], { JAMES_KS_PASS: 'x' }), ['JAMES_KS_PASS']);
  assert.deepEqual(bashComplete(['mailcert', 'import', '--from-keystore', 'ja']), ['james.jks']);
  assert.deepEqual(bashComplete(['mailcert', 'rename', '--to', '']), []);
  // A repeatable option is offered again after it is on the line.
  assert.deepEqual(bashComplete(['mailcert', 'verify', '--connect', 'a.example.com:993', '--conn']), ['--connect']);
});

test('bash: every command and every long option of the tree is offered', () => {
  const commands = commandNames();
  assert.ok(commands.includes('inspect') && commands.includes('export') && commands.includes('completion'), commands.join(' '));
  assert.deepEqual(bashComplete(['mailcert', '']).sort(), [...commands].sort());
  for (const c of commands) {
    const offered = new Set(bashComplete(['mailcert', c, '--']));
    for (const o of longOptions(c)) assert.ok(offered.has(o), `${c} ${o}`);
  }
});

test('zsh: #compdef function with every command and option; zsh -n when zsh is installed', () => {
  const text = script('zsh');
  assert.match(text, /^#compdef mailcert\n/);
  assert.match(text, /^ {2}compdef _mailcert mailcert$/m);
  assert.match(text, /source <\(mailcert completion zsh\)/, 'says how to install it');
  for (const c of commandNames()) {
    assert.match(text, new RegExp(`^ {8}'${c}:`, 'm'), `${c} in the command list`);
    assert.match(text, new RegExp(`^ {8}\\(${c}\\)$`, 'm'), `${c} has its arguments`);
  }
  assert.match(text, /'\(-k --keystore\)'\{-k,--keystore=\}'\[[^\]]*\]:keystore:_files'/);
  assert.match(text, /'--key-type=\[key type\]:key-type:\(rsa ec\)'/);
  assert.match(text, /'--rehash=\[[^\]]*\]:rehash:_files -\/'/);
  assert.match(text, /'1:shell:\(bash zsh fish\)'/);
  assert.match(text, /'--key-group=\[[^\]]*\]:key-group:_groups'/);
  // A repeatable option is offered again once on the line ("*"); the others once.
  const verify = text.slice(text.indexOf('        (verify)'), text.indexOf('        (tlsa)'));
  assert.match(verify, /'\*--connect=\[[^\]]*\]:connect: '/);
  assert.match(verify, /'\*--tlsa=\[[^\]]*\]:tlsa: '/);
  assert.match(verify, /'--targets=\[[^']*\]:targets:_files'/);
  assert.match(verify, /'--tlsa-file=\[/);
  // Quoting balanced: bash parses this subset of zsh (single quotes, case, [[ ]], brace lists).
  assert.equal(run('bash', ['-n', '-c', text]).status, 0);
  if (hasShell('zsh')) assert.equal(run('zsh', ['-n', '-c', text]).status, 0);
});

test('zsh: a repeatable option with a short form keeps both forms, as often as wanted', () => {
  const spec = { name: 'tool', globals: [], commands: [{ name: 'run', summary: 'run', options: [{ long: '--add', short: '-a', description: 'add one', value: { kind: 'file' as const }, repeatable: true }] }] };
  const text = completionScript('zsh', spec);
  assert.match(text, /'\*'\{-a,--add=\}'\[add one\]:add:_files'/);
  assert.doesNotMatch(text, /\(-a --add\)/);
  assert.match(completionScript('zsh', { ...spec, commands: [{ ...spec.commands[0]!, options: [{ ...spec.commands[0]!.options[0]!, repeatable: false }] }] }), /'\(-a --add\)'\{-a,--add=\}'\[add one\]:add:_files'/);
});

test('fish: one complete line per option with file, list and env completions; fish parses it when installed', () => {
  const text = script('fish');
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.ok(lines.every((l) => l.startsWith('complete -c mailcert ')), 'only complete commands');
  assert.match(text, /mailcert completion fish \| source/, 'says how to install it');
  for (const c of commandNames()) {
    assert.ok(lines.some((l) => l.startsWith(`complete -c mailcert -n __fish_use_subcommand -a ${c} -d '`)), c);
    for (const o of longOptions(c).filter((x) => !['--json', '--quiet', '--no-color', '--force', '--help', '--version'].includes(x))) {
      assert.ok(lines.some((l) => l.startsWith(`complete -c mailcert -n '__fish_seen_subcommand_from ${c}'`) && l.includes(` -l ${o.slice(2)} `)), `${c} ${o}`);
    }
  }
  assert.ok(lines.includes(`complete -c mailcert -n '__fish_seen_subcommand_from inspect' -F`));
  assert.match(text, /-s k -l keystore -r -F -d /);
  assert.match(text, /-l key-type -x -a 'rsa ec' -d /);
  assert.match(text, /-l storepass-env -x -a '\(set -nx\)' -d /);
  assert.match(text, /-l key-group -x -a '\(__fish_complete_groups\)' -d /);
  // fish single quotes: \' and \\ are the only escapes; every line's quotes must close.
  for (const l of lines) assert.equal(l.replace(/\\[\\']/g, '').split("'").length % 2, 1, l);
  if (hasShell('fish')) assert.equal(run('fish', ['--no-execute', '-c', text]).status, 0);
});

test('an unknown shell is a usage error (exit 2); the help says how to install', () => {
  const r = mailcert(['completion', 'tcsh']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bash, zsh, fish/);
  const help = mailcert(['completion', '--help']);
  assert.match(help.stdout, /source <\(mailcert completion bash\)/);
});
