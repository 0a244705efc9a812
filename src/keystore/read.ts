/**
 * Reading inputs, bounded by their kind (limits.ts): a missing, unreadable or oversize file is a
 * clear exit-3 error naming it, and an oversize regular file is refused before it is read.
 */
import { closeSync, fstatSync, openSync, constants } from 'node:fs';
import { MailcertError, inputError } from '../errors.js';
import { type InputKind, inputLimits, readBounded } from './limits.js';
import { fsPath } from './paths.js';

/** Reads an input file, turning a missing, unreadable or oversize file into a clear exit-3 error. */
export function readInput(path: string, what: InputKind = 'file'): Buffer {
  let fd: number;
  try {
    fd = openSync(fsPath(path), 'r');
  } catch (e) {
    throw e instanceof MailcertError ? e : readError(path, what, e);
  }
  try {
    return readBounded(fd, path, what, inputLimits[what]);
  } catch (e) {
    throw e instanceof MailcertError ? e : readError(path, what, e);
  } finally {
    closeSync(fd);
  }
}

/**
 * A regular file's bytes (through any links), or undefined for anything else: a FIFO, a device,
 * a socket or a folder is not read at all. It is opened without blocking (a FIFO with no writer
 * would hang the open) and told apart by fstat of the open file, so a name swapped between a
 * check and the open cannot slip a device through. Errors are left to the caller, which may skip
 * the file (rehash) rather than fail.
 */
export function readRegularFile(path: string, what: InputKind = 'file'): Buffer | undefined {
  const fd = openSync(fsPath(path), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    return readBounded(fd, path, what, inputLimits[what], false, st);
  } finally {
    closeSync(fd);
  }
}

function readError(path: string, what: string, e: unknown): MailcertError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return inputError(`${path}: no such ${what}`, 'check the path');
  if (code === 'EISDIR') return inputError(`${path}: is a folder, not a ${what}`);
  if (code === 'EACCES') return inputError(`${path}: permission denied reading the ${what}`);
  return inputError(`${path}: cannot read the ${what} (${code ?? String(e)})`);
}

