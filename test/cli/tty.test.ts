// mailcert at a real terminal (tmux): prompts where they help, masked passwords asked twice,
// Ctrl-C that leaves nothing behind, and colour on the terminal only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keytool, mailcert, tempDir } from '../helpers/tools.js';
import { terminal } from '../helpers/tmux.js';

const dir = tempDir();

test('genkey asks for the DN and a new password twice (again when mistyped), then writes the keystore', async () => {
  const t = terminal(dir, ['genkey', '-k', 'mail.jks']);
  await t.waitFor(/DNS name of the mail server \(CN\)/);
  t.send('mail.example.org', 'Enter');
  await t.waitFor(/Organizational unit/);
  t.send('IT', 'Enter');
  await t.waitFor(/Organization \(O\)/);
  t.send('Example Mail', 'Enter');
  await t.waitFor(/City or locality/);
  t.send('Enter');
  await t.waitFor(/State or province/);
  t.send('Enter');
  await t.waitFor(/country code/);
  t.send('DE', 'Enter');
  await t.waitFor(/Enter new keystore password/);
  t.send('first-try-1', 'Enter');
  await t.waitFor(/Re-enter the new keystore password/);
  t.send('first-try-2', 'Enter');
  await t.waitFor(/do not match; try again[\s\S]*Enter new keystore password/);
  t.send('right-pass-3', 'Enter');
  await t.waitFor(/Re-enter the new keystore password:\s*$|Re-enter the new keystore password: \*{0,3}\s*$/m);
  t.send('right-pass-3', 'Enter');
  const screen = await t.waitFor(/EXIT=\d+/);
  assert.match(screen, /EXIT=0/);
  assert.doesNotMatch(screen, /right-pass-3|first-try/, 'a password was echoed');
  assert.match(screen, /\*{12}/);
  const l = keytool(['-list', '-v', '-keystore', join(dir, 'mail.jks'), '-storepass', 'right-pass-3']);
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, /Owner: CN=mail\.example\.org, OU=IT, O=Example Mail, C=DE/);
});

test('Ctrl-C at a prompt exits 130 and leaves no file behind', async () => {
  const before = readdirSync(dir).sort();
  const t = terminal(dir, ['genkey', '-k', 'cancelled.jks']);
  await t.waitFor(/DNS name of the mail server/);
  t.send('mail.example.org', 'Enter');
  await t.waitFor(/Organizational unit/);
  t.send('C-c');
  const screen = await t.waitFor(/EXIT=\d+/);
  assert.match(screen, /EXIT=130/);
  assert.match(screen, /mailcert: cancelled/);
  assert.equal(existsSync(join(dir, 'cancelled.jks')), false);
  assert.deepEqual(readdirSync(dir).sort(), before);
});

test('colour on the terminal, never in a pipe or with NO_COLOR', async () => {
  const t = terminal(dir, ['genkey', '--cn', 'colour.example.org']);
  await t.waitFor(/EXIT=0/);
  assert.match(t.screen(true), /\x1b\[[0-9;]*m/, 'no colour on the terminal');
  const piped = mailcert(['genkey', '--cn', 'pipe.example.org'], { cwd: dir, env: { NO_COLOR: '' } });
  assert.equal(piped.status, 0, piped.stderr);
  assert.doesNotMatch(piped.stdout + piped.stderr, /\x1b\[/);
  const t2 = terminal(dir, ['genkey', '--cn', 'nocolour.example.org'], { NO_COLOR: '1' });
  await t2.waitFor(/EXIT=0/);
  assert.doesNotMatch(t2.screen(true).replace(/\x1b\[(?:0|39|49)?m/g, ''), /\x1b\[[0-9;]*m/);
});

test('overwriting asks on a terminal: no keeps the files (exit 2), yes replaces them', async () => {
  const first = terminal(dir, ['genkey', '--cn', 'again.example.org', '--key-type', 'ec']);
  await first.waitFor(/EXIT=0/);
  const before = readFileSync(join(dir, 'again.example.org.key'));
  const no = terminal(dir, ['genkey', '--cn', 'again.example.org', '--key-type', 'ec']);
  await no.waitFor(/again\.example\.org\.key and again\.example\.org\.crt already exist\. Overwrite\?/);
  no.send('n', 'Enter');
  assert.match(await no.waitFor(/EXIT=\d+/), /EXIT=2/);
  assert.deepEqual(readFileSync(join(dir, 'again.example.org.key')), before);
  const yes = terminal(dir, ['genkey', '--cn', 'again.example.org', '--key-type', 'ec']);
  await yes.waitFor(/Overwrite\?/);
  yes.send('y', 'Enter');
  assert.match(await yes.waitFor(/EXIT=\d+/), /EXIT=0/);
  assert.notDeepEqual(readFileSync(join(dir, 'again.example.org.key')), before);
});

test('without a terminal nothing is asked: no password or an existing output fails at once (exit 2) with the hint', () => {
  const r = mailcert(['genkey', '--cn', 'mail.example.org', '-k', join(dir, 'nopass.jks')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no store password given for keystore .*nopass\.jks/);
  assert.match(r.stderr, /--storepass-env VAR, --storepass-file FILE or --storepass-stdin/);
  assert.equal(existsSync(join(dir, 'nopass.jks')), false);
  const again = mailcert(['genkey', '--cn', 'again.example.org', '--key-type', 'ec'], { cwd: dir });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already exists; not overwriting it/);
  assert.match(again.stderr, /--force/);
});
