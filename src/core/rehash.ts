/**
 * mailcert hash --rehash DIR: the `<hash>.N` names `openssl rehash DIR` makes (apps/rehash.c),
 * as relative symbolic links, or with --copy as regular files (hMailServer on Windows, where
 * links are not an option; its docs ask for a CA folder of `<hash>.0` PEM files).
 *
 * What openssl rehash does, and so what this does:
 * - Files are taken in strcmp order of their names (sorted since openssl/openssl#21013).
 * - Only names ending in .pem, .crt, .cer or .crl (any case) are read, and only as PEM
 *   (PEM_X509_INFO_read_bio): a file must hold exactly one certificate or CRL, where a private
 *   key next to it does not count as another item but a second certificate does.
 * - A certificate is named by its subject hash, `HHHHHHHH.N`; a CRL by its issuer hash,
 *   `HHHHHHHH.rN`. N counts up from 0 within one hash (a collision: same hash, other certificate).
 * - An exact duplicate (same SHA-1 fingerprint in the same hash bucket) is skipped with a warning;
 *   the first file in name order wins.
 * - An existing link to a file that still needs one keeps its number if that number is below the
 *   count of links the hash needs; the others get the lowest free numbers in name order.
 *
 * Where this deliberately differs: openssl rehash leaves a stale link in place when its number is
 * below that count (openssl/openssl#25272, "IMO this is a bug"), and leaves the old name behind when
 * it renumbers a link; here every hash link that is not in the new plan is removed, so a hash
 * lookup (X509_LOOKUP_hash_dir, which stops at the first missing or unreadable `.N`) never meets a
 * dangling one. On a folder without old links the names and targets are the same as openssl's.
 */
import { accessSync, constants, readdirSync, readlinkSync, renameSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { hash } from 'node:crypto';
import { join, sep } from 'node:path';
import { CodecError } from '../codec/errors.js';
import { subjectHash, subjectHashOld } from '../codec/x509/name-hash.js';
import { MailcertError, ExitCode, inputError } from '../errors.js';
import { readRegularFile, writeFileAtomic } from '../keystore/files.js';
import { newTempPath, removeQuietly } from '../keystore/temp.js';
import { CERT_LABELS, CRL_LABEL, certificateObject, crlObject, derObject, looksLikeDer, pemBlocks, type X509Kind, type X509Object } from './hash.js';

export interface RehashOptions {
  /** Name by the pre-1.0 MD5 hash (openssl rehash -old). */
  old?: boolean;
  /** Regular-file copies instead of symbolic links. */
  copy?: boolean;
  /** Work out the plan and change nothing. */
  dryRun?: boolean;
}

export type LinkAction = 'keep' | 'create' | 'replace';

export interface PlannedLink {
  /** `HHHHHHHH.N` or `HHHHHHHH.rN`, in DIR. */
  name: string;
  /** The certificate or CRL file it points to (or is a copy of), in DIR. */
  target: string;
  kind: X509Kind;
  /** keep: already right; create: the name is new; replace: something else was at the name. */
  action: LinkAction;
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

/** The extensions do_file() looks at (apps/rehash.c `extensions`). */
const EXTENSIONS = new Set(['pem', 'crt', 'cer', 'crl']);

/** handle_symlink(): 8 hex digits, '.', an optional 'r' (CRL), a decimal number. */
const LINK_NAME = /^([0-9a-fA-F]{8})\.([rR]?)(\d*)$/;

interface LinkName {
  kind: X509Kind;
  hash: string;
  id: number;
}

export function parseLinkName(name: string): LinkName | undefined {
  const m = LINK_NAME.exec(name);
  if (m === null) return undefined;
  // strtoul of an empty string is 0, so "0a1b2c3d." counts as number 0 in openssl too.
  return { kind: m[2] ? 'crl' : 'certificate', hash: (m[1] as string).toLowerCase(), id: Number(m[3] || '0') };
}

export function linkName(kind: X509Kind, hash: string, id: number): string {
  return `${hash}.${kind === 'crl' ? 'r' : ''}${id}`;
}

function sha1(bytes: Uint8Array): string {
  return hash('sha1', bytes, 'hex');
}

interface Source {
  file: string;
  kind: X509Kind;
  hash: string;
  /** SHA-1 of the certificate or CRL DER: X509_digest / X509_CRL_digest, the duplicate test. */
  fingerprint: string;
  bytes: Buffer;
}

/** HENTRY: a file that needs a link (source set) or that an existing link points to. */
interface Entry {
  filename: string;
  oldId: number;
  source?: Source;
}

/** BUCKET: one (kind, hash). */
interface Bucket {
  kind: X509Kind;
  hash: string;
  entries: Entry[];
}

/** What was at a hash name before the run. */
type Existing = { type: 'symlink'; target: string } | { type: 'file'; copyOf?: string };

/** One X509_INFO of PEM_X509_INFO_read_bio (crypto/pem/pem_info.c). */
interface Info {
  cert?: X509Object;
  crl?: X509Object;
  key?: boolean;
}

/**
 * PEM_X509_INFO_read_bio's grouping: a certificate, CRL or private key starts a new item only when
 * the current item already has one of that kind, so "key + certificate" is one item and
 * "certificate + certificate" two. Other PEM labels are ignored.
 */
function x509Infos(bytes: Uint8Array): Info[] {
  const out: Info[] = [];
  let cur: Info = {};
  const next = (): void => {
    out.push(cur);
    cur = {};
  };
  for (const block of pemBlocks(bytes)) {
    if (CERT_LABELS.has(block.label)) {
      if (cur.cert) next();
      cur.cert = certificateObject(block.der);
    } else if (block.label === CRL_LABEL) {
      if (cur.crl) next();
      cur.crl = crlObject(block.der);
    } else if (block.label.includes('PRIVATE KEY')) {
      if (cur.key) next();
      cur.key = true;
    }
  }
  if (cur.cert || cur.crl || cur.key) out.push(cur);
  return out;
}

function isDerX509(bytes: Uint8Array): boolean {
  if (!looksLikeDer(bytes)) return false;
  try {
    derObject(bytes);
    return true;
  } catch {
    return false;
  }
}

type Classified = { source: Source } | { warning: string };

/** do_file(): the one certificate or CRL of a candidate file, or why it is skipped. */
function classify(file: string, bytes: Buffer, old: boolean): Classified {
  const hashOf = old ? subjectHashOld : subjectHash;
  let infos: Info[];
  try {
    infos = x509Infos(bytes);
  } catch (e) {
    if (e instanceof CodecError) return { warning: `skipping ${file}, it cannot be read (${e.message})` };
    throw e;
  }
  if (infos.length !== 1) {
    const der = infos.length === 0 && isDerX509(bytes);
    return {
      warning: `skipping ${file}, it does not contain exactly one certificate or CRL${der ? " (it is DER; OpenSSL's hash lookup reads PEM only)" : ''}`,
    };
  }
  const info = infos[0] as Info;
  const obj = info.cert ?? info.crl;
  if (obj === undefined) return { warning: `skipping ${file}, it holds a private key but no certificate or CRL` };
  try {
    return { source: { file, kind: obj.kind, hash: hashOf(obj.subject ?? obj.issuer), fingerprint: sha1(obj.der), bytes } };
  } catch (e) {
    if (e instanceof CodecError) return { warning: `skipping ${file}, it cannot be read (${e.message})` };
    throw e;
  }
}

function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? undefined : name.slice(dot + 1).toLowerCase();
}

class Table {
  private readonly buckets = new Map<string, Bucket>();

  bucket(kind: X509Kind, hash: string): Bucket {
    const key = `${kind}:${hash}`;
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { kind, hash, entries: [] };
      this.buckets.set(key, b);
    }
    return b;
  }

  all(): Bucket[] {
    return [...this.buckets.values()];
  }

  /** add_entry() for an existing link: remember the lowest number already pointing at `target`. */
  addLink(link: LinkName, target: string): void {
    const b = this.bucket(link.kind, link.hash);
    let e = b.entries.find((x) => x.filename === target);
    if (e === undefined) {
      e = { filename: target, oldId: Infinity };
      b.entries.push(e);
    }
    e.oldId = Math.min(e.oldId, link.id);
  }

  /** add_entry() for a file: skip an exact duplicate, else mark the file as needing a link. */
  addSource(src: Source): string | undefined {
    const b = this.bucket(src.kind, src.hash);
    let found: Entry | undefined;
    for (const e of b.entries) {
      if (e.source?.fingerprint === src.fingerprint) return `skipping duplicate ${src.kind === 'crl' ? 'CRL' : 'certificate'} in ${src.file}`;
      if (e.filename === src.file) found = e;
    }
    if (found === undefined) {
      found = { filename: src.file, oldId: Infinity };
      b.entries.push(found);
    }
    found.source ??= src;
    return undefined;
  }

  /** The entry a `--copy` file is a copy of: same bucket, same bytes as a file that needs a link. */
  copyOwner(link: LinkName, bytes: Buffer): Entry | undefined {
    return this.buckets.get(`${link.kind}:${link.hash}`)?.entries.find((e) => e.source?.bytes.equals(bytes));
  }
}

interface Scan {
  table: Table;
  existing: Map<string, Existing>;
  /** Hash-named regular files that are not copies of anything here. */
  strangers: Set<string>;
  warnings: string[];
}

interface DirEntry {
  name: string;
  symlink: boolean;
  file: boolean;
}

/**
 * The folder's entries in strcmp order (Buffer.compare of the UTF-8 names: JavaScript's < compares
 * UTF-16 units, which differs past U+FFFF); their types come from readdir, saving an lstat each.
 */
function readDir(dir: string): DirEntry[] {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) throw inputError(`${dir}: not a folder`, 'give the folder of CA certificates to rehash');
    const entries = readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, symlink: d.isSymbolicLink(), file: d.isFile(), key: Buffer.from(d.name) }));
    return entries.sort((a, b) => Buffer.compare(a.key, b.key));
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
function candidate(path: string, name: string): Buffer | string {
  try {
    return readRegularFile(path) ?? `skipping ${name}, it is not a regular file`;
  } catch (e) {
    return `skipping ${name}, ${e instanceof MailcertError ? e.message.slice(path.length + 2) : `cannot open file (${(e as NodeJS.ErrnoException).code ?? String(e)})`}`;
  }
}

/** do_dir()'s first pass: existing links, then the candidate files, in strcmp order. */
function scan(dir: string, opts: RehashOptions): Scan {
  const table = new Table();
  const existing = new Map<string, Existing>();
  const copies: { name: string; link: LinkName }[] = [];
  const warnings: string[] = [];
  const prefix = dir.endsWith(sep) || dir.endsWith('/') ? dir : dir + sep;
  for (const { name, symlink, file } of readDir(dir)) {
    const path = prefix + name;
    const link = parseLinkName(name);
    if (link !== undefined && symlink) {
      let target: string | undefined;
      try {
        target = readlinkSync(path);
      } catch {
        // openssl then treats it as an ordinary file, which its extension rules out
      }
      if (target !== undefined) {
        existing.set(name, { type: 'symlink', target });
        table.addLink(link, target);
        continue;
      }
    }
    if (link !== undefined && file) {
      // Not a link: a copy from an earlier --copy run, or one made by hand as hMailServer's docs say.
      copies.push({ name, link });
      continue;
    }
    const ext = extensionOf(name);
    if (ext === undefined || !EXTENSIONS.has(ext)) continue;
    const bytes = candidate(path, name);
    if (typeof bytes === 'string') {
      warnings.push(bytes);
      continue;
    }
    const c = classify(name, bytes, opts.old === true);
    if ('warning' in c) warnings.push(c.warning);
    else {
      const dup = table.addSource(c.source);
      if (dup !== undefined) warnings.push(dup);
    }
  }
  const strangers = new Set<string>();
  for (const { name, link } of copies) {
    let owner: Entry | undefined;
    try {
      const bytes = readRegularFile(join(dir, name));
      if (bytes !== undefined) owner = table.copyOwner(link, bytes);
    } catch {
      // unreadable: not a copy of anything here
    }
    existing.set(name, { type: 'file', copyOf: owner?.filename });
    if (owner !== undefined) owner.oldId = Math.min(owner.oldId, link.id);
    else strangers.add(name);
  }
  return { table, existing, strangers, warnings };
}

interface Assignment {
  link: PlannedLink;
  source: Source;
}

/** do_dir()'s second pass: numbers for each bucket, kept where they can be, else the lowest free. */
function assign(bucket: Bucket): Assignment[] {
  const live = bucket.entries.filter((e) => e.source !== undefined);
  const used = new Set(live.filter((e) => e.oldId < live.length).map((e) => e.oldId));
  const out: Assignment[] = [];
  let next = 0;
  for (const e of live) {
    let id = e.oldId;
    if (id >= live.length) {
      while (used.has(next)) next++;
      id = next;
      used.add(id);
    }
    const source = e.source as Source;
    out.push({ link: { name: linkName(bucket.kind, bucket.hash, id), target: e.filename, kind: bucket.kind, action: 'create' }, source });
  }
  return out;
}

function actionFor(link: PlannedLink, before: Existing | undefined, copy: boolean): LinkAction {
  if (before === undefined) return 'create';
  if (!copy && before.type === 'symlink' && before.target === link.target) return 'keep';
  if (copy && before.type === 'file' && before.copyOf === link.target) return 'keep';
  return 'replace';
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
    if (code === 'EPERM' || code === 'ENOSYS') {
      // Windows without the symlink privilege, or a file system without links (FAT, some shares).
      throw new MailcertError(`${path}: cannot create a symbolic link here (${code})`, ExitCode.badInput, 'use --copy to write copies instead (what hMailServer on Windows needs)');
    }
    throw writeError(path, 'create the link', e);
  }
}

function apply(dir: string, result: RehashResult, sources: Map<string, Source>): void {
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new MailcertError(`${dir}: cannot write to the folder`, ExitCode.badInput, 'run as a user who may write there, or use --dry-run to see the plan');
  }
  for (const name of result.removed) {
    try {
      unlinkSync(join(dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(join(dir, name), 'remove the old link', e);
    }
  }
  for (const link of result.links) {
    if (link.action === 'keep') continue;
    if (result.mode === 'symlink') placeSymlink(dir, link);
    // The hash name itself is replaced, an old link included: the file it pointed to stays as it is.
    else writeFileAtomic(join(dir, link.name), (sources.get(link.name) as Source).bytes, { overwrite: true, mode: 0o644, replaceLink: true, what: 'copy' });
  }
}

/** Rehashes DIR (or, with dryRun, only works out how) and says what was done. */
export function rehash(dir: string, opts: RehashOptions = {}): RehashResult {
  const copy = opts.copy === true;
  const s = scan(dir, opts);
  const assigned = s.table.all().flatMap(assign);
  const sources = new Map<string, Source>();
  const links: PlannedLink[] = [];
  for (const a of assigned) {
    const before = s.existing.get(a.link.name);
    const action = actionFor(a.link, before, copy);
    if (action === 'replace' && !copy && s.strangers.has(a.link.name)) {
      s.warnings.push(`replacing ${a.link.name}, a regular file that is not a copy of ${a.link.target}`);
    }
    links.push({ ...a.link, action });
    sources.set(a.link.name, a.source);
  }
  links.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // hash names are ASCII
  // Every old hash link goes unless the plan reuses its name; in link mode a regular file that
  // is not a copy of a file here is someone else's and stays (openssl ignores it as well).
  const removed = [...s.existing.keys()].filter((name) => !sources.has(name) && (copy || !s.strangers.has(name))).sort();
  const result: RehashResult = { dir, mode: copy ? 'copy' : 'symlink', dryRun: opts.dryRun === true, links, removed, warnings: s.warnings };
  if (!result.dryRun) apply(dir, result, sources);
  return result;
}
