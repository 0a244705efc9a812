/**
 * What `mailcert hash` prints (stdout):
 *   one file              HASH                      (`openssl x509 -hash -noout`)
 *   several files         HASH  FILE                per line, in argument order
 *   --old                 HASH OLDHASH [ FILE]      both hashes on one line, the old (MD5) one second
 *   --json                {"hashes": [{"file", "kind": "certificate"|"crl", "of": "subject"|"issuer",
 *                           "hash", "oldHash"}]}    (oldHash only with --old)
 *   --rehash DIR          one line per change: "link NAME -> TARGET" (or "copy", "replace",
 *                         "remove NAME"), "would ..." with --dry-run; warnings and a summary on stderr
 *   --rehash DIR --json   {"dir", "mode": "symlink"|"copy", "dryRun", "links": [{"name", "target",
 *                           "kind", "action": "keep"|"create"|"replace"}], "removed": [NAME], "warnings": [TEXT]}
 *
 * A FILE in a "HASH  FILE" line is escaped the way sha256sum escapes it (coreutils md5sum.c), so
 * that each line stays one line, nothing reaches the terminal raw, and a script can read the name
 * back: when the name holds a line break or any other character shown() escapes, the line starts
 * with a backslash and the name has `\\` for a backslash, `\n` and `\r` for line breaks, and
 * `\xHH` / `\uXXXX` for the other control and bidi characters (which sha256sum prints raw). A name
 * with backslashes alone is printed as it is, unlike sha256sum: Windows paths stay readable, and
 * the leading backslash still tells an escaped name from a plain one. --json gives the exact names.
 * --rehash lines and messages are for people: names escaped with shown().
 */
import type { HashedFile } from '../core/hash.js';
import type { RehashResult } from '../core/rehash.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';

export interface HashJson {
  hashes: { file: string; kind: 'certificate' | 'crl'; of: 'subject' | 'issuer'; hash: string; oldHash?: string }[];
}

export interface RehashJson {
  dir: string;
  mode: 'symlink' | 'copy';
  dryRun: boolean;
  links: { name: string; target: string; kind: 'certificate' | 'crl'; action: 'keep' | 'create' | 'replace' }[];
  removed: string[];
  warnings: string[];
}

export function hashJson(hashed: readonly HashedFile[]): HashJson {
  return { hashes: hashed.map((h) => ({ file: h.file, kind: h.kind, of: h.of, hash: h.hash, ...(h.oldHash !== undefined ? { oldHash: h.oldHash } : {}) })) };
}

export function rehashJson(r: RehashResult): RehashJson {
  return {
    dir: r.dir,
    mode: r.mode,
    dryRun: r.dryRun,
    links: r.links.map((l) => ({ name: l.name, target: l.target, kind: l.kind, action: l.action })),
    removed: r.removed,
    warnings: r.warnings,
  };
}

export function showHashes(io: Io, opts: GlobalOptions, hashed: readonly HashedFile[]): void {
  if (opts.json) {
    io.out(JSON.stringify(hashJson(hashed), null, 2) + '\n');
    return;
  }
  const single = hashed.length === 1;
  let text = '';
  for (const h of hashed) {
    const value = h.oldHash !== undefined ? `${h.hash} ${h.oldHash}` : h.hash;
    if (single) text += `${value}\n`;
    else {
      const name = lineName(h.file);
      text += name === h.file ? `${value}  ${name}\n` : `\\${value}  ${name}\n`;
    }
  }
  io.out(text);
}

/** The FILE of a "HASH  FILE" line, escaped as the file comment says (sha256sum's convention, extended by shown()). */
function lineName(file: string): string {
  if (shown(file) === file) return file;
  return shown(file.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
}

const VERB: Record<string, string> = { create: 'link', replace: 'replace' };

export function showRehash(io: Io, opts: GlobalOptions, r: RehashResult): void {
  if (opts.json) {
    io.out(JSON.stringify(rehashJson(r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  for (const w of r.warnings) io.err(`mailcert: warning: ${shown(w)}\n`);
  const would = r.dryRun ? 'would ' : '';
  let text = '';
  for (const name of r.removed) text += `${would}remove ${shown(name)}\n`;
  for (const l of r.links) {
    if (l.action === 'keep') continue;
    const verb = r.mode === 'copy' && l.action === 'create' ? 'copy' : (VERB[l.action] ?? l.action);
    text += `${would}${verb} ${shown(l.name)} -> ${shown(l.target)}\n`;
  }
  io.out(text);
  const kept = r.links.filter((l) => l.action === 'keep').length;
  const what = r.mode === 'copy' ? 'copies' : 'links';
  const summary = `${shown(r.dir)}: ${r.links.length} ${what} (${r.links.length - kept} new or replaced, ${kept} unchanged), ${r.removed.length} removed`;
  io.err(`${summary}${r.dryRun ? '; dry run, nothing was changed' : ''}\n`);
}
