/**
 * An advisory lock for a keystore's read-modify-write: without it two updates at once (two
 * `import-chain` runs from a deployment tool) both read the old store and the second rename
 * silently drops the first one's entries; keytool has that race. The lock is a file beside the
 * real store, `.<name>.mailcert-lock`, holding "<pid> <host>"; it is put in place whole with
 * link(2), which fails when the name exists, so a lock file is never seen half-written.
 *
 * A lock whose process is gone (kill -9, a power cut) is taken over. A waiting writer waits a
 * bounded time, then fails clearly, naming the process. Programs that do not know the lock
 * (keytool) are caught by the other half: the update is refused when the file no longer holds
 * what was read (files.ts, WriteOptions.unchangedSince).
 */
import { closeSync, fstatSync, linkSync, openSync, writeSync, constants } from 'node:fs';
import { ExitCode, MailcertError } from '../errors.js';
import { readBounded } from './limits.js';
import { childOf, nameOf, parentOf, resolveTarget, type FsPath } from './paths.js';
import { isAlive, newTempPath, noHardLinks, removeQuietly, thisHost } from './temp.js';

export interface LockOptions {
  /** How long to wait for another writer (default 30 s: an RSA-4096 genkey holds the lock for seconds). */
  waitMs?: number;
}

/**
 * A lock file with no holder in it (made with O_EXCL where there are no hard links, by a process
 * killed before it wrote its pid) is stale after this long.
 */
const GUARD_STALE_MS = 10_000;

function lockPathFor(path: string): FsPath | undefined {
  const t = resolveTarget(path);
  if (t.kind !== 'file' && t.kind !== 'none') return undefined; // a descriptor, FIFO or device is not updated in place
  const name = nameOf(t.path);
  return childOf(parentOf(t.path), typeof name === 'string' ? `.${name}.mailcert-lock` : Buffer.concat([Buffer.from('.'), name, Buffer.from('.mailcert-lock')]));
}

/** Runs `fn` holding the lock of the file `path` leads to (links followed: one lock per real file). */
export async function withFileLock<T>(path: string, what: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = lockPathFor(path);
  if (lock === undefined) return fn();
  // A folder this user cannot write to: no temp file can be made there either, so nothing is
  // written and nothing can be lost; a run that only reads (all certificates already present)
  // still succeeds.
  if (!(await acquire(lock, path, what, opts.waitMs ?? 30_000))) return fn();
  try {
    return await fn();
  } finally {
    removeQuietly(lock);
  }
}

const ours = (): string => `${process.pid} ${thisHost()}\n`;

/** Creates `name` holding our pid, atomically; false when it exists. */
function create(name: FsPath): boolean {
  const tmp = newTempPath(parentOf(name));
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    writeSync(fd, ours());
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, name);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    if (!noHardLinks(e)) throw e;
    // No hard links here (FAT, some shares): O_EXCL, and a reader may meet it empty for a moment.
    return createExclusive(name);
  } finally {
    removeQuietly(tmp);
  }
}

function createExclusive(name: FsPath): boolean {
  let fd: number;
  try {
    fd = openSync(name, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, ours());
  } finally {
    closeSync(fd);
  }
  return true;
}

interface Holder {
  text: string;
  pid?: number;
  host?: string;
  ageMs: number;
}

function holderOf(name: FsPath): Holder | undefined {
  let fd: number;
  try {
    // Non-blocking: a FIFO put in the lock's place must not hang the reader.
    fd = openSync(name, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined; // released meanwhile
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { text: '', ageMs: 0 };
    const text = readBounded(fd, '', 'lock file', 4096).toString('latin1');
    const ageMs = Date.now() - st.mtimeMs;
    const m = /^(\d+) (\S+)\n$/.exec(text);
    return m === null ? { text, ageMs } : { text, pid: Number(m[1]), host: m[2], ageMs };
  } catch {
    return { text: '', ageMs: 0 };
  } finally {
    closeSync(fd);
  }
}

/** Gone for sure: a process of this host that no longer runs, or a file no process finished writing. */
function isStale(h: Holder): boolean {
  if (h.pid === undefined) return h.ageMs > GUARD_STALE_MS;
  return h.host === thisHost() && !isAlive(h.pid);
}

/**
 * Removes a stale lock, unless another process took it over first: the check and the removal
 * happen under a second lock (`...-takeover`), so a fresh lock is never removed in the place of
 * the stale one it replaced.
 */
function takeOver(lock: FsPath, stale: Holder): void {
  const guard = Buffer.concat([Buffer.from(lock), Buffer.from('-takeover')]);
  if (!create(guard)) {
    const g = holderOf(guard);
    if (g !== undefined && isStale(g)) removeQuietly(guard);
    return;
  }
  try {
    if (holderOf(lock)?.text === stale.text) removeQuietly(lock);
  } finally {
    removeQuietly(guard);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the lock; false when the folder cannot be written at all. */
async function acquire(lock: FsPath, path: string, what: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      if (create(lock)) return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return false;
      throw new MailcertError(`${path}: cannot write the ${what} (${code ?? String(e)})`, ExitCode.badInput);
    }
    const holder = holderOf(lock);
    if (holder === undefined) continue;
    if (isStale(holder)) {
      takeOver(lock, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder.pid === undefined ? 'another process' : `process ${holder.pid}${holder.host === thisHost() ? '' : ` on ${holder.host ?? '?'}`}`;
      throw new MailcertError(
        `${path}: the ${what} is being updated by ${who}; gave up waiting after ${Math.round(waitMs / 1000)} s`,
        ExitCode.badInput,
        `run the command again when it is done; if no mailcert is running, remove ${Buffer.from(lock).toString('utf8')}`,
      );
    }
    await sleep(10 + Math.random() * 40);
  }
}
