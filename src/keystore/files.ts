/**
 * Reading inputs and writing outputs safely (CLI.md "Files and formats").
 *
 * Writes: a regular file is written atomically (temp file in the real file's folder, fsync,
 * rename, fsync of the folder) and never replaces an existing file unless asked; a link is
 * followed to the file it names, which is updated in its folder (paths.ts); /dev/stdout and the
 * like, FIFOs and devices are written to directly. A file that holds a private key gets mode
 * 0600 (or --key-mode) and a replaced file keeps its owner and group (keytool, which rewrites in
 * place, keeps them too). On any failure the temp file is removed and the target is left as it
 * was. Temp files carry this process's id, so the ones a kill -9 leaves are recognised and
 * removed by the next write into the same folder (temp.ts).
 *
 * Reading is in read.ts (re-exported here): bounded by the kind of input, so a command that only
 * reads loads none of the writing.
 */
import { type Stats, closeSync, fchmodSync, fchownSync, fstatSync, fsyncSync, linkSync, openSync, renameSync, writeSync, constants } from 'node:fs';
import { MailcertError, ExitCode } from '../errors.js';
import { pauseBriefly, readBounded } from './limits.js';
import { parentOf, resolveTarget, type FsPath } from './paths.js';
import { newTempPath, noHardLinks, removeQuietly } from './temp.js';

export { readInput, readRegularFile } from './read.js';

/** --key-mode and --key-group: how a file holding a private key may be read. */
export interface FileAccess {
  /** Permission bits (never any for "other": checked where the option is read). */
  mode?: number;
  /** Group id. */
  gid?: number;
}

export interface WriteOptions {
  /** Replace an existing regular file (--force, or an in-place keystore update). */
  overwrite: boolean;
  /** Mode of a new file that holds no private key (default 0644, less the umask). */
  mode?: number;
  /** The file holds a private key (a PEM key, a keystore with a key entry). */
  secret?: boolean;
  /** --key-mode / --key-group, for a file holding a private key or a keystore. */
  access?: FileAccess;
  /**
   * An in-place update: the bytes the file held when it was read. The write is refused, and
   * nothing written, when the file no longer holds them (another program wrote it meanwhile).
   */
  unchangedSince?: Uint8Array;
  /** Replace the name itself, a symbolic link included, instead of the file it points to. */
  replaceLink?: boolean;
  /** What is being written, for messages: "keystore", "private key". */
  what?: string;
}

/** What a write did, for truthful messages. */
export interface Written {
  path: string;
  /** The permission bits of the file written; undefined when written to a descriptor, FIFO or device. */
  mode?: number;
}

/** Whether anything is at `path` (a link is followed). */
export function exists(path: string): boolean {
  return resolveTarget(path).kind !== 'none';
}

/** Whether `path` leads to a regular file a write would replace (not a descriptor, FIFO or device). */
export function isExistingFile(path: string): boolean {
  try {
    return resolveTarget(path).kind === 'file';
  } catch {
    return false;
  }
}

/** A new output file that would replace one the user did not allow to be replaced (the command names how: --force). */
export class OutputExists extends MailcertError {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path}: ${what} already exists; not overwriting it`, ExitCode.usage, 'choose another path, or allow replacing it');
  }
}

/** A file that cannot be given to the group asked for: only root or a member of the group can. */
export class GroupNotPermitted extends MailcertError {
  constructor(
    readonly path: string,
    readonly what: string,
    gid: number | undefined,
  ) {
    super(`${path}: cannot give the ${what} to group ${gid ?? ''}: only root or a member of the group can`, ExitCode.badInput, 'run mailcert as root, or leave the group as it is; nothing was written');
  }
}

/** Throws the standard "exists, not overwriting it" error when a new output would replace a file. */
export function assertCanCreate(path: string, what = 'file'): void {
  const t = resolveTarget(path);
  if (t.kind === 'file') {
    throw new OutputExists(path, what);
  }
  if (t.kind === 'folder') throw new MailcertError(`${path}: is a folder`, ExitCode.usage, `give a file name for the ${what}`);
}

export function writeFileAtomic(path: string, data: Uint8Array, opts: WriteOptions): Written {
  return writeFilesAtomic([{ path, data, opts }])[0] as Written;
}

export interface FileToWrite {
  path: string;
  data: Uint8Array;
  opts: WriteOptions;
}

/**
 * Writes several files as one step as far as a file system allows: every temp file is written
 * and fsynced first, and only then are they renamed into place. A failure while writing (a full
 * disk, a folder without permission, an owner that cannot be kept) leaves every target as it
 * was: no key without its certificate, no certificate beside the old key.
 */
export function writeFilesAtomic(files: readonly FileToWrite[]): Written[] {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(stage(f.path, f.data, f.opts));
  } catch (e) {
    for (const s of staged) s.discard();
    throw e;
  }
  return staged.map((s) => s.commit());
}

interface Staged {
  commit(): Written;
  discard(): void;
}

/**
 * The mode of the file written. --key-mode wins. A private key is 0600, whatever mode a file it
 * replaces had (a certificate's 0644, a mistaken 0666); only an in-place update of a keystore
 * keeps a mode that gives "other" nothing (a James keystore root:james 0640 stays readable by
 * James, as keytool would leave it). Other files keep the mode of the file they replace.
 * Undefined: a new file that holds no secret, created with opts.mode less the umask.
 */
function modeFor(existing: Stats | undefined, opts: WriteOptions): number | undefined {
  if (opts.access?.mode !== undefined) return opts.access.mode;
  if (opts.secret === true) {
    const old = existing === undefined ? undefined : existing.mode & 0o777;
    return old !== undefined && opts.unchangedSince !== undefined && (old & 0o007) === 0 ? old : 0o600;
  }
  return existing === undefined ? undefined : existing.mode & 0o7777;
}

function stage(path: string, data: Uint8Array, opts: WriteOptions): Staged {
  const what = opts.what ?? 'file';
  const target = resolveTarget(path, opts.replaceLink !== true);
  switch (target.kind) {
    case 'folder':
      throw new MailcertError(`${path}: is a folder`, ExitCode.usage, `give a file name for the ${what}`);
    case 'descriptor':
      return { commit: () => (writeToDescriptor(target.fd, data, path, what), { path }), discard: () => undefined };
    case 'special':
      return { commit: () => (writeDirect(target.path, data, path, what), { path }), discard: () => undefined };
    case 'file':
      if (!opts.overwrite) assertCanCreate(path, what);
      break;
    case 'none':
      if (opts.unchangedSince !== undefined) throw changedError(path, what);
      break;
  }
  const real = target.path;
  // A link replaced by rehash (replaceLink) has no mode or owner worth keeping.
  const existing = target.kind === 'file' && target.stats.isFile() ? target.stats : undefined;
  const dir = parentOf(real);
  const tmp = newTempPath(dir);
  const failure = (e: unknown): MailcertError =>
    e instanceof MailcertError ? e : writeError(path, what, e);
  let fd: number | undefined;
  let mode: number;
  try {
    // 0600 until the content, the owner and the group are right: a key is never readable by others, not even briefly.
    const wanted = modeFor(existing, opts);
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, wanted === undefined ? (opts.mode ?? 0o644) : 0o600);
    writeAll(fd, data);
    keepOwner(fd, existing, opts.access, path, what);
    if (wanted !== undefined) fchmodSync(fd, wanted);
    fsyncSync(fd);
    mode = fstatSync(fd).mode & 0o7777;
    closeSync(fd);
    fd = undefined;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(tmp);
    throw failure(e);
  }
  return {
    commit: () => {
      try {
        if (opts.unchangedSince !== undefined) assertUnchanged(real, opts.unchangedSince, path, what);
        if (target.kind === 'none' && !opts.overwrite) placeNew(tmp, real, path, what);
        else renameSync(tmp, real);
      } catch (e) {
        removeQuietly(tmp);
        throw failure(e);
      }
      syncDir(dir);
      return { path, mode };
    },
    discard: () => removeQuietly(tmp),
  };
}

function writeError(path: string, what: string, e: unknown): MailcertError {
  const code = (e as NodeJS.ErrnoException).code;
  return new MailcertError(`${path}: cannot write the ${what} (${code ?? String(e)})`, ExitCode.badInput, code === 'EACCES' ? 'check the permissions of the folder' : undefined);
}

function changedError(path: string, what: string): MailcertError {
  return new MailcertError(`${path}: the ${what} was changed by another process while mailcert was updating it; nothing was written`, ExitCode.badInput, 'run the command again');
}

/**
 * The owner and group of the file being replaced (and --key-group), on the temp file before it
 * takes the file's place: as root always possible. Anyone else can keep only their own files in
 * a group of their own; rather than silently hand a server's keystore to another user (which the
 * server then cannot read), the write is refused and nothing changes.
 */
function keepOwner(fd: number, existing: Stats | undefined, access: FileAccess | undefined, path: string, what: string): void {
  const now = fstatSync(fd);
  const wantUid = existing?.uid;
  const wantGid = access?.gid ?? existing?.gid;
  const uid = wantUid !== undefined && wantUid !== now.uid ? wantUid : -1;
  const gid = wantGid !== undefined && wantGid !== now.gid ? wantGid : -1;
  if (uid === -1 && gid === -1) return;
  try {
    fchownSync(fd, uid, gid);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EINVAL') throw e;
    if (existing === undefined || (uid === -1 && access?.gid !== undefined && access.gid !== existing.gid)) {
      throw new GroupNotPermitted(path, what, wantGid);
    }
    throw new MailcertError(
      `${path}: cannot keep the owner and group of the ${what} (uid ${existing.uid}, gid ${existing.gid}) when replacing it as uid ${now.uid}; nothing was written`,
      ExitCode.badInput,
      "run mailcert as root or as the file's owner (a new file would leave the server unable to read it)",
    );
  }
}

/** The file still holds what was read: anything else means another program wrote it meanwhile. */
function assertUnchanged(real: FsPath, expected: Uint8Array, path: string, what: string): void {
  let now: Buffer;
  try {
    const fd = openSync(real, 'r');
    try {
      now = readBounded(fd, path, 'keystore', expected.length + 1);
    } finally {
      closeSync(fd);
    }
  } catch {
    throw changedError(path, what);
  }
  if (!now.equals(expected)) throw changedError(path, what);
}

/**
 * A new file that must not replace anything: link(2) fails with EEXIST when a file appeared
 * since the check, where a rename would silently replace it. File systems without hard links
 * (FAT, some network shares) fall back to the rename.
 */
function placeNew(tmp: FsPath, real: FsPath, path: string, what: string): void {
  try {
    linkSync(tmp, real);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputExists(path, what);
    if (!noHardLinks(e)) throw e;
    renameSync(tmp, real);
    return;
  }
  removeQuietly(tmp);
}

/** A descriptor this process has (/dev/stdout redirected with > or >>): written as the shell opened it. */
function writeToDescriptor(fd: number, data: Uint8Array, path: string, what: string): void {
  try {
    writeAll(fd, data);
  } catch (e) {
    throw writeError(path, what, e);
  }
}

/** A FIFO or a device: opened for writing without O_CREAT or O_TRUNC. */
function writeDirect(real: FsPath, data: Uint8Array, path: string, what: string): void {
  let fd: number;
  try {
    fd = openSync(real, constants.O_WRONLY);
  } catch (e) {
    throw writeError(path, what, e);
  }
  try {
    writeAll(fd, data);
  } catch (e) {
    throw writeError(path, what, e);
  } finally {
    closeSync(fd);
  }
}

/** Every byte, waiting out EAGAIN on a descriptor its opener left non-blocking. */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      pauseBriefly();
    }
  }
}

/** fsync of the folder makes the rename itself durable (POSIX); not possible on every platform. */
function syncDir(dir: FsPath): void {
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
