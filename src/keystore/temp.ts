/**
 * Temp files beside the file being written, named so that the ones a killed mailcert leaves
 * behind are recognised: `.mailcert-<host>-<pid>-<random>.tmp`. Such a file is a full copy of a
 * keystore or key; the next write into the same folder removes those whose process is gone on
 * this host (a folder shared between machines keeps the other machines' temp files, which their
 * own next write removes).
 *
 * Linux's O_TMPFILE would leave nothing behind at all, but Node exposes neither the flag nor
 * linkat(AT_EMPTY_PATH) to give such a file a name, and a name is what rename(2) needs.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, unlinkSync } from 'node:fs';
import { childOf, type FsPath } from './paths.js';

let cachedHost: string | undefined;

// node:os is loaded when a temp file is named, not with this module: `hash --rehash` of a folder
// already hashed writes nothing. (node:crypto is loaded by every command that loads this module.)

/** This host, as it can appear in a file name (asked for only when a file is written). */
export function thisHost(): string {
  cachedHost ??= process.getBuiltinModule('node:os').hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'localhost';
  return cachedHost;
}

const TEMP = /^\.mailcert-([A-Za-z0-9._]+)-(\d+)-[0-9a-f]{12}\.tmp$/;

/** Whether a process of this host is still running (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const swept = new Set<string>();

/** Removes the temp files of dead mailcert processes of this host from `dir`, once per folder and run. */
export function removeStaleTemps(dir: FsPath): void {
  const key = typeof dir === 'string' ? dir : dir.toString('hex');
  if (swept.has(key)) return;
  swept.add(key);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('.mailcert-'));
  } catch {
    return; // the write itself reports a folder it cannot use
  }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (m === null || m[1] !== thisHost() || isAlive(Number(m[2]))) continue;
    removeQuietly(childOf(dir, name));
  }
}

/** A new temp file name in `dir` (stale ones of dead processes are removed first). */
export function newTempPath(dir: FsPath): FsPath {
  removeStaleTemps(dir);
  return childOf(dir, `.mailcert-${thisHost()}-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

export function removeQuietly(path: FsPath): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already gone
  }
}

/** link(2) failed because the file system has no hard links (FAT, some network shares). */
export function noHardLinks(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS';
}
