import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { withSpinner } from '../../src/output/spinner.js';
import type { Io } from '../../src/io.js';

function io(stderrIsTTY: boolean): Io & { written: string } {
  const o = {
    written: '',
    out: () => undefined,
    err: (t: string) => void (o.written += t),
    env: {},
    cwd: '/',
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY,
    readStdin: () => Promise.resolve(Buffer.alloc(0)),
  };
  return o;
}

test('slow work on a terminal shows the spinner, then erases its line', async () => {
  const t = io(true);
  const result = await withSpinner(t, {}, 'Generating an RSA-4096 key', sleep(300).then(() => 42), 20);
  assert.equal(result, 42);
  assert.match(t.written, /\r⠋ Generating an RSA-4096 key/);
  assert.ok(t.written.endsWith('\r\x1b[2K'));
});

test('quick work, a pipe, --json or --quiet: nothing at all is written', async () => {
  for (const [stderrTTY, opts] of [[true, {}], [false, {}], [true, { json: true }], [true, { quiet: true }]] as const) {
    const t = io(stderrTTY);
    const delay = stderrTTY && Object.keys(opts).length === 0 ? 500 : 10;
    assert.equal(await withSpinner(t, opts, 'work', sleep(50).then(() => 'done'), delay), 'done');
    assert.equal(t.written, '');
  }
});

test('a failure still clears the line and is passed on', async () => {
  const t = io(true);
  await assert.rejects(withSpinner(t, {}, 'work', sleep(200).then(() => Promise.reject(new Error('boom'))), 20), /boom/);
  assert.ok(t.written.endsWith('\r\x1b[2K'));
});
