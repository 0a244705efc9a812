/**
 * File names as the file system sees them, and what an output name really leads to.
 *
 * - Names that are not UTF-8. Node decodes argv as UTF-8 and replaces bytes that are not with
 *   U+FFFD, so a Latin-1 name such as `caf\xe9.pem` arrives as "caf\ufffd.pem" and cannot be
 *   opened. On Linux the kernel keeps the raw bytes in /proc/self/cmdline; main.ts hands them to
 *   registerRawArguments() (only when an argument holds U+FFFD: no work for other runs), and
 *   fsPath() gives the raw bytes back, as a Buffer path, wherever such an argument is used.
 * - Output names. A symbolic link is followed to the file it names (the whole chain, as open(2)
 *   does), so the real file is updated and the link stays: the Debian layout links
 *   $JAVA_HOME/lib/security/cacerts to /etc/ssl/certs/java/cacerts. /dev/stdout, /dev/fd/N and
 *   /proc/self/fd/N name a descriptor this process already has: it is written to as it is (the
 *   shell may have opened it for appending), never reopened, truncated or replaced.
 */
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ExitCode, MailcertError } from '../errors.js';

/** A name for node:fs: a string, or the raw bytes of a name that is not UTF-8. */
export type FsPath = string | Buffer;

const REPLACEMENT = '\ufffd';
/**
 * The text Node made of an argument -> its raw bytes; null when two arguments share the text.
 * Kept on globalThis: each command is a bundle of its own (scripts/build.mjs), with its own copy
 * of this module, and the registry main.cjs fills must be the one the command reads.
 */
const REGISTRY = Symbol.for('mailcert.rawArguments');
function registry(): Map<string, Buffer | null> {
  const g = globalThis as { [REGISTRY]?: Map<string, Buffer | null> };
  return (g[REGISTRY] ??= new Map<string, Buffer | null>());
}

function register(text: string, raw: Buffer): void {
  const rawByText = registry();
  const known = rawByText.get(text);
  rawByText.set(text, known === undefined || (known !== null && known.equals(raw)) ? raw : null);
}

/**
 * Takes the raw bytes of the arguments from /proc/self/cmdline (`cmdline`, NUL-separated) for
 * the ones Node's UTF-8 decoding changed. Sound only when the two lists agree: the last
 * args.length entries of cmdline must decode to exactly args (Node's own options come before
 * them); otherwise nothing is registered and such names stay unopenable, as before.
 * `--opt=VALUE` and `-kVALUE` arguments register their VALUE as well.
 */
export function registerRawArguments(args: readonly string[], cmdline: Buffer): boolean {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < cmdline.length; i++) {
    if (cmdline[i] === 0) {
      parts.push(cmdline.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < cmdline.length) parts.push(cmdline.subarray(start));
  if (parts.length < args.length) return false;
  const raws = parts.slice(parts.length - args.length);
  if (raws.some((raw, i) => raw.toString('utf8') !== args[i])) return false;
  raws.forEach((raw, i) => {
    const text = args[i] as string;
    if (!text.includes(REPLACEMENT) || Buffer.from(text).equals(raw)) return;
    register(text, Buffer.from(raw));
    const eq = raw.indexOf(0x3d);
    if (text.startsWith('--') && eq !== -1) register(text.slice(text.indexOf('=') + 1), Buffer.from(raw.subarray(eq + 1)));
    else if (/^-[A-Za-z]./.test(text)) register(text.slice(2), Buffer.from(raw.subarray(2)));
  });
  return true;
}

/**
 * The name to give node:fs for `path`: itself, or, when it holds an argument whose raw bytes were
 * recovered (registerRawArguments), those bytes in its place, so `join(dir, arg)` and
 * `resolve(cwd, arg)` work too. Two arguments that differ only in such bytes are ambiguous.
 */
export function fsPath(path: string): FsPath {
  if (!path.includes(REPLACEMENT)) return path;
  const rawByText = registry();
  let best: string | undefined;
  for (const text of rawByText.keys()) if (path.includes(text) && (best === undefined || text.length > best.length)) best = text;
  if (best === undefined) return path;
  const raw = rawByText.get(best);
  if (raw === null || raw === undefined) {
    throw new MailcertError(`${path}: the name is not UTF-8, and another argument differs from it only in such bytes`, ExitCode.usage, 'rename the files to UTF-8 names (convmv does it)');
  }
  const at = path.indexOf(best);
  return Buffer.concat([Buffer.from(path.slice(0, at)), raw, Buffer.from(path.slice(at + best.length))]);
}

/** The folder of a name (node:path for text; the bytes before the last "/" for a raw name). */
export function parentOf(path: FsPath): FsPath {
  if (typeof path === 'string') return dirname(path);
  const slash = path.lastIndexOf(0x2f);
  return slash === -1 ? '.' : slash === 0 ? '/' : path.subarray(0, slash);
}

/** The last part of a name. */
export function nameOf(path: FsPath): FsPath {
  if (typeof path === 'string') return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return path.subarray(path.lastIndexOf(0x2f) + 1);
}

/** `dir` + "/" + `name`, keeping raw bytes raw. */
export function childOf(dir: FsPath, name: FsPath): FsPath {
  if (typeof dir === 'string' && typeof name === 'string') return join(dir, name);
  return Buffer.concat([Buffer.from(dir), Buffer.from('/'), Buffer.from(name)]);
}

/** readlink, as text when the target is UTF-8 and as bytes otherwise. */
function linkTarget(path: FsPath): FsPath {
  const raw = readlinkSync(path, { encoding: 'buffer' });
  const text = raw.toString('utf8');
  return Buffer.from(text).equals(raw) ? text : raw;
}

function isAbsoluteName(p: FsPath): boolean {
  return typeof p === 'string' ? isAbsolute(p) : p[0] === 0x2f;
}

/**
 * The descriptor a name stands for when it is one of this process's own: /dev/stdin, /dev/stdout,
 * /dev/stderr, /dev/fd/N, /proc/self/fd/N (and /proc/thread-self, /proc/<our pid>).
 */
export function descriptorOf(path: FsPath): number | undefined {
  if (typeof path !== 'string') return undefined;
  const std = /^\/dev\/std(in|out|err)$/.exec(path);
  if (std) return ['in', 'out', 'err'].indexOf(std[1] as string);
  const m = /^\/(?:dev|proc\/(self|thread-self|\d+))\/fd\/(\d+)$/.exec(path);
  if (m === null || (path.startsWith('/proc/') && /^\d+$/.test(m[1] ?? '') && Number(m[1]) !== process.pid)) return undefined;
  return Number(m[2]);
}

/** What an output name leads to. */
export type Target =
  /** A descriptor of this process (/dev/stdout, /dev/fd/N, /proc/self/fd/N, or a link to one). */
  | { kind: 'descriptor'; fd: number }
  /** A FIFO, a device or a socket: written to as it is. */
  | { kind: 'special'; path: FsPath }
  /** A regular file, at the end of any chain of links. */
  | { kind: 'file'; path: FsPath; stats: Stats }
  /** Nothing yet: `path` is where the new file goes (a dangling link's target included). */
  | { kind: 'none'; path: FsPath }
  | { kind: 'folder'; path: FsPath };

/** Linux's limit on links followed in one lookup (MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * Follows `path` through its links to what is at the end. With followLinks false the name itself
 * is the target, a link included (rehash's hash names: the link is what is replaced).
 */
export function resolveTarget(path: string, followLinks = true): Target {
  let cur: FsPath = fsPath(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const fd = descriptorOf(cur);
    if (fd !== undefined) return { kind: 'descriptor', fd };
    let st: Stats;
    try {
      st = lstatSync(cur);
      if (st.isSymbolicLink() && followLinks) {
        const to = linkTarget(cur);
        cur = isAbsoluteName(to) ? to : childOf(parentOf(cur), to);
        continue;
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Nothing there; or a file where a folder should be, which the read or write then reports.
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'none', path: cur };
      throw new MailcertError(`${path}: cannot look it up (${code ?? String(e)})`, ExitCode.badInput, code === 'EACCES' ? 'check the permissions of the folders on the way' : undefined);
    }
    if (st.isFile() || st.isSymbolicLink()) return { kind: 'file', path: cur, stats: st };
    if (st.isDirectory()) return { kind: 'folder', path: cur };
    return { kind: 'special', path: cur };
  }
  throw new MailcertError(`${path}: too many levels of symbolic links`, ExitCode.badInput, 'check where the links point (ls -l)');
}
