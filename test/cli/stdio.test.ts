// src/cli/stdio.ts against real descriptors: a non-blocking FIFO that fills up, a reader that
// goes away, and telling terminals from pipes, files and /dev/null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAll } from '../../src/cli/stdio.js';
import { run, runOk, tempDir } from '../helpers/tools.js';

test('writeAll on a non-blocking FIFO whose reader is slow: every byte arrives, in order (EAGAIN is waited out)', async () => {
  const dir = tempDir();
  const fifo = join(dir, 'out.fifo');
  const copy = join(dir, 'copy');
  runOk('mkfifo', [fifo]);
  // The reader opens the FIFO at once but reads only after a pause, so the 64 KiB pipe fills
  // and writeSync meets EAGAIN many times before the 2 MiB are through.
  const reader = spawn('sh', ['-c', `exec 3<"${fifo}"; sleep 0.3; cat <&3 >"${copy}"`]);
  const exited = new Promise<number | null>((resolve) => reader.once('exit', resolve));
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e; // no reader yet
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const data = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 12)) & 0xff;
  assert.equal(writeAll(fd, data), true);
  closeSync(fd);
  assert.equal(await exited, 0);
  assert.ok(readFileSync(copy).equals(data));
});

test('writeAll returns false once the reader has gone (EPIPE), and does not throw', async () => {
  const dir = tempDir();
  const fifo = join(dir, 'gone.fifo');
  runOk('mkfifo', [fifo]);
  const reader = spawn('sh', ['-c', `exec 3<"${fifo}"; sleep 0.2`]);
  const exited = new Promise((resolve) => reader.once('exit', resolve));
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO') throw e;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  await exited;
  assert.equal(writeAll(fd, 'anyone there?\n'), false);
  closeSync(fd);
});

// A real terminal is one: test/cli/tty.test.ts runs mailcert in tmux and sees its prompts and colour.
test('terminals: pipes, files and /dev/null are not terminals', () => {
  // This runs under the test runner: stdin is /dev/null or a pipe, stdout and stderr are pipes.
  const probe = `import(${JSON.stringify(new URL('../../src/cli/stdio.js', import.meta.url).href)}).then(async (m) => console.log(JSON.stringify(await m.terminals())))`;
  const file = join(tempDir(), 'stderr.txt');
  const r = run('sh', ['-c', `"${process.execPath}" -e '${probe}' </dev/null 2>"${file}" | cat`]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [false, false, false]);
});
