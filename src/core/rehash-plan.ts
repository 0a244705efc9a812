/**
 * The plan of `mailcert hash --rehash DIR`: from a listing of the folder (its names, where the hash
 * links point, the contents of its certificate files), the `<hash>.N` names `openssl rehash DIR`
 * makes (apps/rehash.c), as relative symbolic links or as copies (hMailServer on Windows, where
 * links are not an option; its docs ask for a CA folder of `<hash>.0` PEM files), and the old
 * names to remove. No file system here: rehash.ts reads the folder and carries the plan out.
 *
 * What openssl rehash does, and so what this does:
 * - Files are taken in strcmp order of their names (sorted since openssl/openssl#21013).
 * - Only names ending in .pem, .crt, .cer or .crl (any case) are read, and only as PEM
 *   (PEM_X509_INFO_read_bio): a file must hold exactly one certificate or CRL, where a private
 *   key next to it does not count as another item but a second certificate does.
 * - A certificate is named by its subject hash, `HHHHHHHH.N`; a CRL by its issuer hash,
 *   `HHHHHHHH.rN`. N counts up from 0 within one hash (a collision: same hash, other certificate).
 * - An exact duplicate (the same certificate or CRL in the same hash bucket) is skipped with a
 *   warning; the first file in name order wins. openssl compares SHA-1 fingerprints (X509_digest);
 *   here the DER itself is compared, which is the same test without hashing every file.
 * - An existing link to a file that still needs one keeps its number if that number is below the
 *   count of links the hash needs; the others get the lowest free numbers in name order.
 *
 * Where this deliberately differs: openssl rehash leaves a stale link in place when its number is
 * below that count (openssl/openssl#25272, "IMO this is a bug"), and leaves the old name behind when
 * it renumbers a link; here every hash link that is not in the new plan is removed, so a hash
 * lookup (X509_LOOKUP_hash_dir, which stops at the first missing or unreadable `.N`) never meets a
 * dangling one. On a folder without old links the names and targets are the same as openssl's.
 */
import { CodecError } from '../codec/errors.js';
import { subjectHash, subjectHashOld } from '../codec/x509/name-hash.js';
import { CERT_LABELS, CRL_LABEL, certificateObject, crlObject, derObject, looksLikeDer, pemBlocks, type X509Kind, type X509Object } from './hash.js';

export interface PlanOptions {
  /** Name by the pre-1.0 MD5 hash (openssl rehash -old). */
  old?: boolean;
  /** Regular-file copies instead of symbolic links. */
  copy?: boolean;
}

/**
 * A name of the folder that matters to the plan, with what the plan needs of it: where a hash
 * link points; what a hash-named regular file holds (an earlier copy), undefined when it cannot
 * be read; what a candidate file (isCandidateName) holds, or why it was not read.
 */
export type FolderEntry =
  | { name: string; kind: 'link'; target: string }
  | { name: string; kind: 'copy'; bytes: Buffer | undefined }
  | { name: string; kind: 'candidate'; bytes: Buffer | string };

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

export interface RehashPlan {
  mode: 'symlink' | 'copy';
  /** Every hash name the folder holds afterwards, sorted. */
  links: PlannedLink[];
  /** Old hash names to remove. */
  removed: string[];
  /** Files skipped and other things worth telling, in file order. */
  warnings: string[];
  /** The bytes of each hash name's certificate or CRL file: what a copy of it gets. */
  contents: ReadonlyMap<string, Buffer>;
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

interface Source {
  file: string;
  kind: X509Kind;
  hash: string;
  /** The DER of the certificate or CRL: the duplicate test (openssl: its X509_digest). */
  der: Uint8Array;
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
function classify(file: string, bytes: Buffer, hashOf: (name: Uint8Array) => string): Classified {
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
    return { source: { file, kind: obj.kind, hash: hashOf(obj.subject ?? obj.issuer), der: obj.der, bytes } };
  } catch (e) {
    if (e instanceof CodecError) return { warning: `skipping ${file}, it cannot be read (${e.message})` };
    throw e;
  }
}

function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? undefined : name.slice(dot + 1).toLowerCase();
}

/** A name whose file openssl rehash reads: .pem, .crt, .cer or .crl, in any case. */
export function isCandidateName(name: string): boolean {
  const ext = extensionOf(name);
  return ext !== undefined && EXTENSIONS.has(ext);
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
      if (e.source !== undefined && Buffer.compare(e.source.der, src.der) === 0) return `skipping duplicate ${src.kind === 'crl' ? 'CRL' : 'certificate'} in ${src.file}`;
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

/**
 * do_dir(): the plan for a folder whose entries are these (in any order: they are taken in strcmp
 * order of their UTF-8 names, as openssl sorts them; JavaScript's < compares UTF-16 units, which
 * differs past U+FFFF).
 */
export function planRehash(entries: readonly FolderEntry[], opts: PlanOptions = {}): RehashPlan {
  const copy = opts.copy === true;
  const table = new Table();
  const existing = new Map<string, Existing>();
  const copies: { name: string; link: LinkName; bytes: Buffer | undefined }[] = [];
  const warnings: string[] = [];
  const sorted = entries.map((e) => ({ e, key: Buffer.from(e.name) })).sort((a, b) => Buffer.compare(a.key, b.key));
  const hashOf = opts.old === true ? subjectHashOld : subjectHash;
  // The first pass: existing links, then the candidate files.
  for (const { e } of sorted) {
    if (e.kind === 'candidate') {
      if (typeof e.bytes === 'string') {
        warnings.push(`skipping ${e.name}, ${e.bytes}`);
        continue;
      }
      const c = classify(e.name, e.bytes, hashOf);
      if ('warning' in c) warnings.push(c.warning);
      else {
        const dup = table.addSource(c.source);
        if (dup !== undefined) warnings.push(dup);
      }
      continue;
    }
    const link = parseLinkName(e.name);
    if (link === undefined) continue;
    if (e.kind === 'link') {
      existing.set(e.name, { type: 'symlink', target: e.target });
      table.addLink(link, e.target);
    } else {
      // Not a link: a copy from an earlier --copy run, or one made by hand as hMailServer's docs say.
      copies.push({ name: e.name, link, bytes: e.bytes });
    }
  }
  const strangers = new Set<string>();
  for (const { name, link, bytes } of copies) {
    const owner = bytes === undefined ? undefined : table.copyOwner(link, bytes);
    existing.set(name, { type: 'file', copyOf: owner?.filename });
    if (owner !== undefined) owner.oldId = Math.min(owner.oldId, link.id);
    else strangers.add(name);
  }
  // The second pass: numbers, then what each name needs.
  const contents = new Map<string, Buffer>();
  const links: PlannedLink[] = [];
  for (const a of table.all().flatMap(assign)) {
    const action = actionFor(a.link, existing.get(a.link.name), copy);
    if (action === 'replace' && !copy && strangers.has(a.link.name)) {
      warnings.push(`replacing ${a.link.name}, a regular file that is not a copy of ${a.link.target}`);
    }
    links.push({ ...a.link, action });
    contents.set(a.link.name, a.source.bytes);
  }
  links.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // hash names are ASCII
  // Every old hash link goes unless the plan reuses its name; in link mode a regular file that
  // is not a copy of a file here is someone else's and stays (openssl ignores it as well).
  const removed = [...existing.keys()].filter((name) => !contents.has(name) && (copy || !strangers.has(name))).sort();
  return { mode: copy ? 'copy' : 'symlink', links, removed, warnings, contents };
}
