// mailcert at a real terminal (tmux): prompts where they help, masked passwords asked twice,
// Ctrl-C that leaves nothing behind, and colour on the terminal only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
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
