// --key-mode and --key-group parsing: octal modes without "other" bits, groups by name or number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupId, keyAccess, parseKeyMode } from '../../src/cli/key-access.js';
import { modeText } from '../../src/output/style.js';
import { MailcertError } from '../../src/errors.js';
import { run } from '../helpers/tools.js';

test('modes: three or four octal digits, nothing for other users', () => {
  assert.equal(parseKeyMode('0600'), 0o600);
  assert.equal(parseKeyMode('640'), 0o640);
  assert.equal(parseKeyMode('0440'), 0o440);
  for (const bad of ['0644', '0601', '0777', '6', '0o640', 'u=rw', '04600', '']) {
    assert.throws(() => parseKeyMode(bad), (e: unknown) => e instanceof MailcertError && e.exitCode === 2, bad);
  }
  assert.equal(modeText(0o640), 'mode 0640');
});

test('groups: a number as it is, a name through the group database', async () => {
  assert.equal(await groupId('1234'), 1234);
  assert.equal(await groupId('mail'), Number(run('getent', ['group', 'mail']).stdout.split(':')[2]));
  await assert.rejects(groupId('no-such-group-here'), (e: unknown) => e instanceof MailcertError && e.exitCode === 2 && /no such group/.test(e.message));
  assert.deepEqual(await keyAccess({ keyMode: '0640', keyGroup: '8' }), { mode: 0o640, gid: 8 });
  assert.equal(await keyAccess({}), undefined);
});
