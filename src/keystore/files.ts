/**
 * Reading inputs and writing outputs safely (CLI.md "Files and formats"): regular files are
 * written atomically (temp file in the same folder, fsync, rename, fsync of the folder) and never
 * replace an existing file unless asked; a path that exists and is not a regular file (/dev/stdout,
 * a FIFO, a device) is written to directly. On any failure the temp file is removed and the
 * target is left as it was.
 */
import { type Stats, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { MailcertError, ExitCode, inputError } from '../errors.js';

export interface WriteOptions {
  /** Replace an existing regular file (--force, or an in-place keystore update). */
  overwrite: boolean;
  /** Mode for a newly created file: 0o600 for private keys and keystores. */
  mode?: number;
  /** What is being written, for messages: "keystore", "private key". */
  what?: string;
}

/** Reads an input file, turning a missing or unreadable file into a clear exit-3 error. */
export function readInput(path: string, what = 'file'): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(`${path}: no such ${what}`, 'check the path');
    if (code === 'EISDIR') throw inputError(`${path}: is a folder, not a ${what}`);
    if (code === 'EACCES') throw inputError(`${path}: permission denied reading the ${what}`);
    throw inputError(`${path}: cannot read the ${what} (${code ?? String(e)})`);
  }
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Throws the standard "exists, use --force" error when a new output would replace a file. */
export function assertCanCreate(path: string, what = 'file'): void {
  const st = statOrUndefined(path);
  if (st?.isFile()) {
    throw new MailcertError(`${path}: ${what} already exists; not overwriting it`, ExitCode.usage, 'pass --force to replace it, or choose another path');
  }
  if (st?.isDirectory()) throw new MailcertError(`${path}: is a folder`, ExitCode.usage, `give a file name for the ${what}`);
}

export function writeFileAtomic(path: string, data: Uint8Array, opts: WriteOptions): void {
  writeFilesAtomic([{ path, data, opts }]);
}

export interface FileToWrite {
  path: string;
  data: Uint8Array;
  opts: WriteOptions;
}

/**
 * Writes several files as one step as far as a file system allows: every temp file is written
 * and fsynced first, and only then are they renamed into place. A failure while writing (a full
 * disk, a folder without permission) leaves every target as it was: no key without its
 * certificate, no certificate beside the old key.
 */
export function writeFilesAtomic(files: readonly FileToWrite[]): void {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(stage(f.path, f.data, f.opts));
  } catch (e) {
    for (const s of staged) s.discard();
    throw e;
  }
  for (const s of staged) s.commit();
}

interface Staged {
  commit(): void;
  discard(): void;
}

function stage(path: string, data: Uint8Array, opts: WriteOptions): Staged {
  const what = opts.what ?? 'file';
  const st = statOrUndefined(path);
  if (st && !st.isFile()) {
    if (st.isDirectory()) throw new MailcertError(`${path}: is a folder`, ExitCode.usage, `give a file name for the ${what}`);
    return { commit: () => writeDirect(path, data), discard: () => undefined };
  }
  if (st && !opts.overwrite) assertCanCreate(path, what);
  // An existing file keeps its permissions (a James keystore may be group-readable on purpose).
  const mode = st ? st.mode & 0o7777 : (opts.mode ?? 0o644);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const removeTmp = (): void => {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created or is already gone
    }
  };
  const failure = (e: unknown): MailcertError => {
    const code = (e as NodeJS.ErrnoException).code;
    return new MailcertError(`${path}: cannot write the ${what} (${code ?? String(e)})`, ExitCode.badInput, code === 'EACCES' ? 'check the permissions of the folder' : undefined);
  };
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    writeAll(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    removeTmp();
    throw failure(e);
  }
  return {
    commit: () => {
      try {
        renameSync(tmp, path);
      } catch (e) {
        removeTmp();
        throw failure(e);
      }
      syncDir(dir);
    },
    discard: removeTmp,
  };
}

function writeDirect(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** fsync of the folder makes the rename itself durable (POSIX); not possible on every platform. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows and some file systems refuse to open or fsync a folder; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
