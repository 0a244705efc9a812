// The keystore lock: one writer at a time, stale locks of dead processes taken over, a bounded
// wait that ends in a clear error. Real processes stand for the other holders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../../src/keystore/lock.js';
import { thisHost } from '../../src/keystore/temp.js';
import { MailcertError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('two holders of one file take turns; a link and its target share one lock', async () => {
  const store = join(dir, 'store.jks');
  writeFileSync(store, '');
  symlinkSync('store.jks', join(dir, 'link.jks'));
  const events: string[] = [];
  const holder = (name: string, path: string) =>
    withFileLock(path, 'keystore', async () => {
      events.push(`${name} in`);
      assert.ok(existsSync(join(dir, '.store.jks.mailcert-lock')), 'the lock sits beside the real file');
      await sleep(50);
      events.push(`${name} out`);
    });
  await Promise.all([holder('a', store), holder('b', join(dir, 'link.jks'))]);
  assert.deepEqual(events, ['a in', 'a out', 'b in', 'b out']);
  assert.equal(existsSync(join(dir, '.store.jks.mailcert-lock')), false, 'released');
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('the lock of a process that is gone is taken over', async () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(join(dir, '.dead.jks.mailcert-lock'), `${dead} ${thisHost()}\n`);
  let ran = false;
  await withFileLock(join(dir, 'dead.jks'), 'keystore', () => {
    ran = true;
    return Promise.resolve();
  }, { waitMs: 2000 });
  assert.ok(ran);
  // A lock file no process finished writing is stale once it is old.
  writeFileSync(join(dir, '.empty.jks.mailcert-lock'), '');
  const old = new Date(Date.now() - 60_000);
  utimesSync(join(dir, '.empty.jks.mailcert-lock'), old, old);
  await withFileLock(join(dir, 'empty.jks'), 'keystore', () => Promise.resolve(), { waitMs: 2000 });
});

test('a live holder makes a writer wait a bounded time, then fail naming the process and the lock file', async () => {
  const live = spawn('sleep', ['30']);
  try {
    writeFileSync(join(dir, '.busy.jks.mailcert-lock'), `${live.pid ?? 0} ${thisHost()}\n`);
    const started = Date.now();
    await assert.rejects(
      withFileLock(join(dir, 'busy.jks'), 'keystore', () => Promise.resolve(), { waitMs: 300 }),
      (e: unknown) =>
        e instanceof MailcertError &&
        e.exitCode === 3 &&
        e.message === `${join(dir, 'busy.jks')}: the keystore is being updated by process ${live.pid ?? 0}; gave up waiting after 0 s` &&
        (e.hint ?? '').includes(join(dir, '.busy.jks.mailcert-lock')),
    );
    assert.ok(Date.now() - started >= 300);
    // Another host's lock is never judged from here.
    writeFileSync(join(dir, '.remote.jks.mailcert-lock'), `1 elsewhere.example\n`);
    await assert.rejects(withFileLock(join(dir, 'remote.jks'), 'keystore', () => Promise.resolve(), { waitMs: 100 }), /process 1 on elsewhere\.example/);
  } finally {
    live.kill();
  }
});
