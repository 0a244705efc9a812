/**
 * mailcert hash --rehash DIR: reads the folder (rehash-plan.ts says what openssl rehash makes of
 * it, and where mailcert differs), then carries the plan out: old hash names removed, relative
 * symbolic links (or, with copy, regular files) put in place by rename, so a name never goes
 * missing while a server looks it up. A dry run reads and plans and changes nothing.
 */
import { accessSync, constants, readdirSync, readlinkSync, renameSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { MailcertError, ExitCode, inputError } from '../errors.js';
import { readRegularFile, writeFileAtomic } from '../keystore/files.js';
import { newTempPath, removeQuietly } from '../keystore/temp.js';
import { FolderNotWritable, NoSymlinks } from './errors.js';
import { isCandidateName, parseLinkName, planRehash, type FolderEntry, type PlannedLink, type PlanOptions, type RehashPlan } from './rehash-plan.js';

export type { LinkAction, PlannedLink } from './rehash-plan.js';

export interface RehashOptions extends PlanOptions {
  /** Work out the plan and change nothing. */
  dryRun?: boolean;
}

export interface RehashResult {
  dir: string;
  mode: 'symlink' | 'copy';
  dryRun: boolean;
  /** Every hash name DIR holds afterwards, sorted. */
  links: PlannedLink[];
  /** Old hash names removed (or, with dryRun, that would be). */
  removed: string[];
  /** Files skipped and other things worth telling, in file order. */
  warnings: string[];
}

/** The folder's entries; their types come from readdir, saving an lstat each. */
function readDir(dir: string): { name: string; symlink: boolean; file: boolean }[] {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) throw inputError(`${dir}: not a folder`, 'give the folder of CA certificates to rehash');
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, symlink: d.isSymbolicLink(), file: d.isFile() }));
  } catch (e) {
    if (e instanceof MailcertError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw inputError(`${dir}: no such folder`, 'check the path');
    throw inputError(`${dir}: cannot read the folder (${code ?? String(e)})`);
  }
}

/**
 * A candidate's bytes, or why it is skipped. openssl rehash opens whatever a name leads to
 * (BIO_new_file): a FIFO hangs it, a link to /dev/zero fills its memory. Here only regular files
 * (or links to one) are read, and no more of them than any certificate or CRL needs.
 */
function candidate(path: string): Buffer | string {
  try {
    return readRegularFile(path) ?? 'it is not a regular file';
  } catch (e) {
    return e instanceof MailcertError ? e.message.slice(path.length + 2) : `cannot open file (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
}

/** What the plan needs of the folder: where its hash links point, and the contents of its hash-named and certificate files. */
export function listFolder(dir: string): FolderEntry[] {
  const prefix = dir.endsWith(sep) || dir.endsWith('/') ? dir : dir + sep;
  const entries: FolderEntry[] = [];
  for (const { name, symlink, file } of readDir(dir)) {
    const path = prefix + name;
    const hashName = parseLinkName(name) !== undefined;
    if (hashName && symlink) {
      let target: string | undefined;
      try {
        target = readlinkSync(path);
      } catch {
        // openssl then treats it as an ordinary file, which its extension rules out
      }
      if (target !== undefined) {
        entries.push({ name, kind: 'link', target });
        continue;
      }
    }
    if (hashName && file) {
      let bytes: Buffer | undefined;
      try {
        bytes = readRegularFile(path);
      } catch {
        // unreadable: not a copy of anything here
      }
      entries.push({ name, kind: 'copy', bytes });
      continue;
    }
    if (isCandidateName(name)) entries.push({ name, kind: 'candidate', bytes: candidate(path) });
  }
  return entries;
}

function writeError(path: string, what: string, e: unknown): MailcertError {
  const code = (e as NodeJS.ErrnoException).code;
  return new MailcertError(`${path}: cannot ${what} (${code ?? String(e)})`, ExitCode.badInput, code === 'EACCES' ? 'check the permissions of the folder' : undefined);
}

/** A relative symbolic link, put in place by rename so the name never goes missing. */
function placeSymlink(dir: string, link: PlannedLink): void {
  const path = join(dir, link.name);
  const tmp = newTempPath(dir); // named so that one a kill leaves behind is removed by the next run
  try {
    symlinkSync(link.target, tmp);
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    const code = (e as NodeJS.ErrnoException).code;
    // Windows without the symlink privilege, or a file system without links (FAT, some shares).
    if (code === 'EPERM' || code === 'ENOSYS') throw new NoSymlinks(path, code);
    throw writeError(path, 'create the link', e);
  }
}

/** Carries the plan out in DIR: the removals first, then each hash name that is not kept. */
export function applyRehash(dir: string, plan: RehashPlan): void {
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new FolderNotWritable(dir);
  }
  for (const name of plan.removed) {
    try {
      unlinkSync(join(dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(join(dir, name), 'remove the old link', e);
    }
  }
  for (const link of plan.links) {
    if (link.action === 'keep') continue;
    if (plan.mode === 'symlink') placeSymlink(dir, link);
    // The hash name itself is replaced, an old link included: the file it pointed to stays as it is.
    else writeFileAtomic(join(dir, link.name), plan.contents.get(link.name) as Buffer, { overwrite: true, mode: 0o644, replaceLink: true, what: 'copy' });
  }
}

/** Rehashes DIR (or, with dryRun, only works out how) and says what was done. */
export function rehash(dir: string, opts: RehashOptions = {}): RehashResult {
  const plan = planRehash(listFolder(dir), opts);
  const dryRun = opts.dryRun === true;
  if (!dryRun) applyRehash(dir, plan);
  return { dir, mode: plan.mode, dryRun, links: plan.links, removed: plan.removed, warnings: plan.warnings };
}
