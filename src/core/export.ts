/**
 * `mailcert export`: a keystore converted into another keystore type (JKS <-> PKCS#12, JCEKS ->
 * either), or one key entry written as the PEM pair Dovecot, Postfix and Exim read (key 0600 +
 * chain leaf first). The way back, a PEM pair into a keystore, is `mailcert import --key`.
 *
 * Keys are recovered from the source with the key password and re-protected for the destination
 * with its store password, which is what James and Hedwig expect (one secret for both) and what
 * keytool -importkeystore does for a PKCS#12 destination; a key that had a password of its own is
 * named in the result, so no one is left to open it with the old one. PKCS#12 secret keys go into a PKCS#12 destination as they are (under its store password
 * when they were under the source's); JKS holds none, and JCEKS ones cannot be moved: those are
 * named as skipped. The destination is a new file: atomic, never over an existing one without
 * --force, and subject to the one-server-certificate rule, checked before any key is recovered so
 * a refusal costs no password prompt and writes nothing. output/export.ts prints the results.
 */
import type { StoredEntry, StoredKeyEntry, StoredTrustedEntry } from '../codec/model.js';
import { encodePem } from '../codec/pem.js';
import { CodecError } from '../codec/errors.js';
import { inputError, usageError } from '../errors.js';
import { assertCanCreate, writeFilesAtomic, type FileAccess, type FileToWrite } from '../keystore/files.js';
import { checkAliasFits, recoverKey, writeKeystoreFile, type Keystore, type StoreType } from '../keystore/keystore.js';
import { codecToUser } from '../keystore/errors.js';
import { findRuleViolation } from '../keystore/rules.js';
import { NoCertificate, NoPrivateKey, TooManyServerKeys } from './errors.js';
import { encodeKey } from './strip-password.js';
import { secretsUnder } from './entries.js';
import { notesOf } from '../keystore/read-notes.js';

export interface Source {
  path: string;
  store: Keystore;
}

export interface ConvertInput {
  source: Source;
  out: string;
  outType: StoreType;
  /** Only this entry (any kind); else every key and trusted entry. */
  alias?: string;
  force: boolean;
  /** --key-mode / --key-group, for the new keystore. */
  access?: FileAccess;
  /** The source key password of an entry (the store password unless one was given). */
  keyPassword(alias: string): Promise<string>;
  /** The source's store password, to tell the keys that had a password of its own (and the secret keys under it). */
  storePassword?(): Promise<string>;
  /** The new keystore's password (asked only once the rule and the keys are known to be fine). */
  outPassword(): Promise<string>;
}

export interface ConvertResult {
  from: string;
  fromType: StoreType;
  out: string;
  outType: StoreType;
  /** keyPasswordWas: a key entry's password in the source; in the destination it is the store password. */
  entries: { alias: string; kind: 'key' | 'trusted' | 'secret'; chainLength: number; keyPasswordWas?: 'store' | 'own' }[];
  /** Secret-key entries the destination cannot hold (JKS) or mailcert cannot move (JCEKS's). */
  skipped: string[];
  /** What mailcert had to say about reading the source (keystore/read-notes.ts), when anything. */
  notes?: string[];
}

/** Fails before any password is asked when the output exists and --force was not given. */
export function checkNewFile(path: string, force: boolean, what: string): void {
  if (path === '-') return;
  if (!force) assertCanCreate(path, what);
}

function pickEntries(source: Source, alias: string | undefined): StoredEntry[] {
  if (alias === undefined) return source.store.entries;
  const e = source.store.entries.find((x) => x.alias.toLowerCase() === alias.toLowerCase());
  if (e === undefined) throw usageError(`${source.path}: no entry "${alias}"`, `the entries are: ${source.store.entries.map((x) => `"${x.alias}"`).join(', ')}`);
  return [e];
}

export async function convertKeystore(input: ConvertInput): Promise<ConvertResult> {
  const { source, out, outType } = input;
  if (out === '-') throw usageError('a keystore cannot be written to standard output', 'give it a file name (.jks or .p12)');
  checkNewFile(out, input.force, 'keystore');
  const picked = pickEntries(source, input.alias);
  // A PKCS#12 secret key moves into PKCS#12 as its bag; nothing else can hold or move one.
  const movable = (e: StoredEntry): boolean => e.kind !== 'secret' || (outType === 'PKCS12' && e.secretBag !== undefined);
  const skipped = picked.filter((e) => !movable(e)).map((e) => e.alias);
  const kept = picked.filter(movable);
  if (kept.length === 0) throw inputError(`${source.path}: nothing to export (only secret-key entries, which mailcert does not convert)`);
  // The rule first: a store with two server keys is refused before any key password is asked.
  const violation = findRuleViolation(kept);
  if (violation !== undefined) {
    throw new TooManyServerKeys(`${out}: refused: ${violation.message}`, violation.aliases);
  }
  for (const e of kept) {
    // The aliases come from the source file; JKS holds at most 65535 bytes of each.
    checkAliasFits(outType, e.alias.toLowerCase(), { file: source.path });
    if (e.kind === 'key' && e.chain.length === 0 && outType === 'PKCS12') {
      throw inputError(`${source.path}: key entry "${e.alias}" has no certificate chain, and a PKCS#12 key entry needs one`, 'install the certificate first (mailcert import), or export to JKS');
    }
  }
  const entries: StoredEntry[] = [];
  const storepass = input.storePassword === undefined ? undefined : await input.storePassword();
  /** The keys that had a password of their own. */
  const hadOwn = new Set<string>();
  for (const e of kept) {
    if (e.kind !== 'key') {
      entries.push(e);
      continue;
    }
    const keypass = await input.keyPassword(e.alias);
    const privateKey = await recoverKey(source.path, source.store.type, e, () => Promise.resolve(keypass));
    if (storepass !== undefined && keypass !== storepass) hadOwn.add(e.alias);
    // Without the source's protectedKey: the destination protects the key under its store password.
    entries.push({ kind: 'key', alias: e.alias, created: e.created, chain: e.chain, privateKey, ...(e.attributes === undefined ? {} : { attributes: e.attributes }) });
  }
  const pass = await input.outPassword();
  const written = storepass === undefined ? entries : await secretsUnder(entries, storepass, pass);
  try {
    const store: Keystore = { type: outType, entries: written, integrityChecked: true };
    await writeKeystoreFile(out, store, pass, () => Promise.resolve(pass), { create: true, force: input.force, access: input.access });
  } catch (e) {
    throw e instanceof CodecError ? codecToUser(e, out, outType) : e;
  }
  return {
    from: source.path,
    fromType: source.store.type,
    out,
    outType,
    entries: kept.map((e) => ({
      alias: e.alias,
      kind: e.kind,
      chainLength: e.kind === 'key' ? e.chain.length : e.kind === 'trusted' ? 1 : 0,
      ...(e.kind === 'key' ? { keyPasswordWas: hadOwn.has(e.alias) ? ('own' as const) : ('store' as const) } : {}),
    })),
    skipped,
    ...notesOf(source.store),
  };
}

export type PemKeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

export interface PemOutput {
  keyOut?: string;
  certOut?: string;
  format: PemKeyFormat;
  force: boolean;
  /** --key-mode / --key-group, for the key file. */
  access?: FileAccess;
}

export interface PemInput extends PemOutput {
  source: Source;
  entry: StoredKeyEntry | StoredTrustedEntry;
  keyPassword(): Promise<string>;
  /** A passphrase to encrypt the key with (PKCS#8 PBES2), or undefined for an unencrypted key. */
  passout(): Promise<string | undefined>;
  toStdout(data: Uint8Array): void;
}

export interface PemResult {
  from: string;
  fromType: StoreType;
  alias: string;
  keyFile: string | null;
  keyFormat: PemKeyFormat;
  keyEncrypted: boolean;
  certFile: string | null;
  chainLength: number;
  /** The mode the key file got; undefined for a stream or device (not in --json). */
  keyFileMode?: number;
}

/** Checks both outputs before anything is asked or written, so a refusal leaves every file as it was. */
export function checkPemOutputs(o: PemOutput): void {
  if (o.keyOut === undefined && o.certOut === undefined) throw usageError('nothing to export: neither a key file nor a certificate file was named');
  if (o.keyOut !== undefined) checkNewFile(o.keyOut, o.force, 'private key');
  if (o.certOut !== undefined) checkNewFile(o.certOut, o.force, 'certificate file');
}

export async function exportPem(input: PemInput): Promise<PemResult> {
  checkPemOutputs(input);
  const { entry, source } = input;
  const chain = entry.kind === 'key' ? entry.chain : [entry.cert];
  if (entry.kind === 'trusted' && input.keyOut !== undefined) {
    throw new NoPrivateKey(source.path, entry.alias);
  }
  if (input.certOut !== undefined && chain.length === 0) {
    throw new NoCertificate(source.path, entry.alias);
  }
  let key: Uint8Array | undefined;
  let encrypted = false;
  if (input.keyOut !== undefined && entry.kind === 'key') {
    const pkcs8 = await recoverKey(source.path, source.store.type, entry, () => input.keyPassword());
    const pass = await input.passout();
    if (pass === undefined) key = encodeKey(pkcs8, input.format);
    else {
      if (input.format !== 'pkcs8') throw usageError(`an encrypted key is written as PKCS#8; a ${input.format} key is written unencrypted`, 'write it as PKCS#8, or unencrypted');
      const { encryptPkcs8 } = await import('../crypto/pkcs8.js');
      key = new TextEncoder().encode(encodePem('ENCRYPTED PRIVATE KEY', encryptPkcs8(pkcs8, pass)));
      encrypted = true;
    }
  }
  // Everything that can fail has run; now the writes, both files or neither.
  const files: FileToWrite[] = [];
  if (key !== undefined && input.keyOut !== undefined) {
    if (input.keyOut === '-') input.toStdout(key);
    else files.push({ path: input.keyOut, data: key, opts: { overwrite: input.force, secret: true, access: input.access, what: 'private key' } });
  }
  if (input.certOut !== undefined) {
    const pem = new TextEncoder().encode(chain.map((c) => encodePem('CERTIFICATE', c)).join(''));
    if (input.certOut === '-') input.toStdout(pem);
    else files.push({ path: input.certOut, data: pem, opts: { overwrite: input.force, mode: 0o644, what: 'certificate file' } });
  }
  const written = writeFilesAtomic(files);
  const keyFileMode = key !== undefined && input.keyOut !== undefined && input.keyOut !== '-' ? written[0]?.mode : undefined;
  return {
    from: source.path,
    fromType: source.store.type,
    alias: entry.alias,
    keyFile: key === undefined ? null : (input.keyOut ?? null),
    keyFormat: input.format,
    keyEncrypted: encrypted,
    certFile: input.certOut ?? null,
    chainLength: chain.length,
    ...(keyFileMode === undefined ? {} : { keyFileMode }),
  };
}
