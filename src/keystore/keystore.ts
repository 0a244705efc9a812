/**
 * The in-memory keystore: its type, its entries, and how it is read from and written to a file.
 * The format is detected from the content, never from the file name (keytool's .jks files are
 * often PKCS#12); a modified store keeps its format. The PKCS#12 code is loaded only when a
 * PKCS#12 file is met.
 *
 * Reading a store decrypts nothing it does not need, as keytool -list: the integrity digest or
 * MAC and a PKCS#12 file's certificate safes. Private keys stay encrypted until recoverKey, and all
 * the key derivation one file asks for is paid from one budget (crypto/kdf.ts KdfBudget).
 */
import { extname } from 'node:path';
import { CodecError } from '../codec/errors.js';
import type { LooseCertificate, StoredEntry, StoredKeyEntry } from '../codec/model.js';
import { detectFormat, isKeystoreFormat, type KeystoreFormat } from '../codec/detect.js';
import { MailcertError, ExitCode, inputError } from '../errors.js';
import {
  AliasTooLong,
  codecToUser,
  ForeignKeystore,
  KeyPasswordWrong,
  NonAsciiPkcs12Password,
  NotAKeystore,
  StorePasswordNeeded,
  StoreTypeFromName,
  StoreTypeNotWritable,
  StoreTypeUnknown,
  UnkeptParts,
  type AliasSource,
} from './errors.js';
import { readInput, writeFileAtomic, type FileAccess, type Written } from './files.js';
import { BROKEN_PASSWORD_NOTE, lastOfEachAlias, looseNote, replacedNotes, unkeptNote } from './read-notes.js';
import { opensslReason, privateKeyObject } from './private-key.js';
import { enforceRule } from './rules.js';
import { decodeJks, encodeJks } from '../codec/jks.js';
import { jksProtectKey, jksRecoverKey } from '../crypto/jks-keyprotector.js';
import { KdfBudget, opensslPre110Password } from '../crypto/kdf.js';
import { MUTF8_MAX_BYTES, mutf8Length } from '../codec/mutf8.js';
import { shown } from '../display.js';

export type StoreType = KeystoreFormat;

export interface Keystore {
  type: StoreType;
  entries: StoredEntry[];
  /** False when a JKS/JCEKS was read without its password, or a PKCS#12 file has no MAC. */
  integrityChecked: boolean;
  /** The bytes it was read from: an update is refused when the file no longer holds them. */
  source?: Uint8Array;
  /** Why the integrity was not checked: no store password given, or none to check (a PKCS#12 file without a MAC). */
  unverified?: 'no-password' | 'no-mac';
  /**
   * What mailcert has to tell about how it read the file (read-notes.ts): entries sharing an alias,
   * certificates that are no entry, a password in an old encoding. Shown by list and inspect and by
   * the commands that write the keystore.
   */
  notes?: string[];
  /** PKCS#12 certificate bags that are no entry, written back as read. */
  loose?: LooseCertificate[];
  /** What the file holds that a rewrite could not keep: writing the keystore is refused while there is any. */
  unkept?: string[];
  /** The PKCS#12 password opened the file only in OpenSSL's pre-1.1.0 encoding, which a rewrite keeps. */
  passwordForm?: 'openssl-pre-1.1';
}

/**
 * The key-derivation budget of the file each key entry was read from: recoverKey pays from it,
 * so decrypting every key of a file (export) is bounded as the file is. Entries made in memory
 * have none and get a fresh budget.
 */
const budgets = new WeakMap<StoredKeyEntry, KdfBudget>();

/**
 * The password a PKCS#12 key entry's file passed its MAC with: a key bag it does not open was
 * encrypted with another password (the MAC covers the bag's bytes, so it is not damage).
 */
const openedWith = new WeakMap<StoredKeyEntry, string>();

function withBudget(entries: StoredEntry[], budget: KdfBudget, checkedWith?: string): StoredEntry[] {
  for (const e of entries) {
    if (e.kind !== 'key') continue;
    budgets.set(e, budget);
    if (checkedWith !== undefined) openedWith.set(e, checkedWith);
  }
  return entries;
}

/**
 * Asks for the store password only when the format needs one. Undefined (no password, where the
 * caller allows that, e.g. a JKS truststore given as --ca) reads a JKS/JCEKS without checking its
 * integrity digest, as keytool does.
 */
export type StorePassword = () => Promise<string | undefined>;

/** Whether bytes are a keystore mailcert can open (as opposed to PEM, DER or PKCS#7). */
export function keystoreType(bytes: Uint8Array): StoreType | undefined {
  const f = detectFormat(bytes);
  return isKeystoreFormat(f) ? f : undefined;
}

/** CLI.md: the type asked for (--storetype), else .jks/.keystore/.ks -> JKS, .p12/.pfx -> PKCS#12. */
export function typeForNewStore(path: string, storetype?: string): StoreType {
  if (storetype !== undefined) {
    const t = storetype.toLowerCase();
    if (t === 'jks') return 'JKS';
    if (t === 'pkcs12' || t === 'p12') return 'PKCS12';
    throw new StoreTypeUnknown(storetype);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.jks' || ext === '.keystore' || ext === '.ks') return 'JKS';
  if (ext === '.p12' || ext === '.pfx') return 'PKCS12';
  throw new StoreTypeFromName(path);
}

export async function readKeystoreFile(path: string, storePassword: StorePassword): Promise<Keystore> {
  const bytes = readInput(path, 'keystore');
  const type = keystoreType(bytes);
  if (type === undefined) throw await notAKeystore(path, bytes);
  return { ...(await decodeKeystore(path, type, bytes, storePassword)), source: bytes };
}

/** The refusal of bytes that are no keystore mailcert reads: a BouncyCastle keystore is named as one. */
export async function notAKeystore(path: string, bytes: Uint8Array): Promise<MailcertError> {
  const { bouncyCastleStore } = await import('../codec/bouncycastle.js');
  const bc = bouncyCastleStore(bytes);
  return bc === undefined ? new NotAKeystore(path) : new ForeignKeystore(path, bc.name, bc.storetype);
}

export async function decodeKeystore(path: string, type: StoreType, bytes: Uint8Array, storePassword: StorePassword): Promise<Keystore> {
  try {
    const budget = new KdfBudget(type === 'PKCS12' ? 'PKCS#12' : type);
    if (type === 'JKS' || type === 'JCEKS') {
      const pass = await storePassword();
      // JCEKS (read-only, rare) is loaded only when one is met.
      const r = type === 'JKS' ? decodeJks(bytes, pass) : (await import('../codec/jceks.js')).decodeJceks(bytes, pass);
      const { entries, notes } = lastOfEachAlias(r.entries);
      const store: Keystore = { type, entries: withBudget(entries, budget), integrityChecked: r.integrityChecked };
      if (notes.length > 0) store.notes = notes;
      return r.integrityChecked ? store : { ...store, unverified: 'no-password' };
    }
    const { decodePkcs12 } = await import('../crypto/pkcs12.js');
    // A password-less PKCS#12 (no MAC, no encrypted safe) opens without asking; otherwise ask.
    let r;
    let pass: string | undefined;
    try {
      r = decodePkcs12(bytes, undefined, { budget });
    } catch (e) {
      if (!(e instanceof CodecError) || e.kind !== 'password') throw e;
      pass = await storePassword();
      if (pass === undefined) throw new StorePasswordNeeded(path);
      r = decodePkcs12(bytes, pass, { budget });
    }
    // With a MAC the password was needed and checked; without one there is nothing to check.
    const checkedWith = r.macChecked ? (r.brokenPassword ?? pass) : undefined;
    const store: Keystore = { type, entries: withBudget(r.entries, budget, checkedWith), integrityChecked: r.macChecked };
    const notes = [...(r.brokenPassword === undefined ? [] : [BROKEN_PASSWORD_NOTE]), ...replacedNotes(r.replaced)];
    if (r.loose.length > 0) {
      store.loose = r.loose;
      notes.push(looseNote(r.loose.length));
    }
    if (r.unkept.length > 0) {
      store.unkept = r.unkept;
      notes.push(unkeptNote(r.unkept));
    }
    if (notes.length > 0) store.notes = notes;
    if (r.brokenPassword !== undefined) store.passwordForm = 'openssl-pre-1.1';
    return r.macChecked ? store : { ...store, unverified: 'no-mac' };
  } catch (e) {
    throw codecToUser(e, path, type);
  }
}

/**
 * A JKS alias is a Java modified UTF-8 string of at most 65535 bytes (DataOutputStream.writeUTF,
 * "encoded string too long"); checked before anything is asked for or written, so the error can
 * name where the alias came from. PKCS#12 friendlyNames have no such limit.
 */
export function checkAliasFits(type: StoreType, alias: string, from: AliasSource): void {
  if (type !== 'JKS') return;
  const n = mutf8Length(alias);
  if (n <= MUTF8_MAX_BYTES) return;
  const size = `${n} bytes in modified UTF-8, and a JKS alias holds at most ${MUTF8_MAX_BYTES}`;
  if (typeof from === 'string') {
    throw new AliasTooLong(from, size, `${from === 'cn' ? 'the alias made from the CN' : 'the alias'} is too long for a JKS keystore: ${size}`, ExitCode.usage, 'choose a shorter alias');
  }
  const start = shown(alias.slice(0, 40));
  throw new AliasTooLong(from, size, `${shown(from.file)}: alias "${start}..." is too long for a JKS keystore: ${size}`, ExitCode.badInput, 'write PKCS#12 instead');
}

/** Encodes a keystore; key entries need the key password only when they must be (re)protected. */
export async function encodeKeystore(
  store: Keystore,
  storepass: string,
  keyPassword: (alias: string) => Promise<string>,
): Promise<Uint8Array> {
  if (store.type === 'JKS') {
    const entries: StoredEntry[] = [];
    for (const e of store.entries) {
      if (e.kind === 'key' && e.protectedKey === undefined) {
        if (e.privateKey === undefined) throw new Error(`key entry ${e.alias} has no key`);
        entries.push({ ...e, protectedKey: jksProtectKey(e.privateKey, await keyPassword(e.alias)) });
      } else entries.push(e);
    }
    return encodeJks(entries, storepass);
  }
  if (store.type === 'PKCS12') {
    const { encodePkcs12 } = await import('../crypto/pkcs12.js');
    // Each key to protect under its own password (PKCS12KeyStore.engineSetKeyEntry takes one per entry).
    const keyPasswords = new Map<StoredKeyEntry, string>();
    for (const e of store.entries) if (e.kind === 'key' && e.protectedKey === undefined) keyPasswords.set(e, await keyPassword(e.alias));
    return encodePkcs12(store.entries, storepass, { keyPassword: (e) => keyPasswords.get(e) ?? storepass, ...(store.loose === undefined ? {} : { loose: store.loose }) });
  }
  throw new StoreTypeNotWritable(store.type);
}

/**
 * Recovers the PKCS#8 DER of a key entry, decrypting it with the key password where the format
 * protects keys separately, and checks that OpenSSL can read it: a key a command cannot use is
 * bad input naming the file and the entry.
 */
export async function recoverKey(path: string, type: StoreType, entry: StoredKeyEntry, keypass: () => Promise<string>): Promise<Uint8Array> {
  return usableKey(path, entry, entry.privateKey ?? (await decryptKey(path, type, entry, keypass)));
}

/** The PKCS#8 DER of a key entry, once OpenSSL has read it: a key a command cannot use is bad input naming the file and the entry. */
export function usableKey(path: string, entry: StoredKeyEntry, pkcs8: Uint8Array): Uint8Array {
  try {
    privateKeyObject(pkcs8, 'pkcs8');
  } catch (e) {
    throw inputError(`${shown(path)}: key entry "${shown(entry.alias)}" holds a private key OpenSSL cannot read (${opensslReason(e)})`, 'the keystore is damaged: restore it from a backup', e);
  }
  return pkcs8;
}

async function decryptKey(path: string, type: StoreType, entry: StoredKeyEntry, keypass: () => Promise<string>): Promise<Uint8Array> {
  if (!entry.protectedKey) throw inputError(`${shown(path)}: key entry "${shown(entry.alias)}" holds no key`);
  const password = await keypass();
  const pkcs8 = await keyUnder(path, type, entry, password);
  if (pkcs8 === undefined) throw keyPasswordWrong(path, entry, password);
  return pkcs8;
}

/**
 * A key that the password given does not open. When that is the password a PKCS#12 file's MAC
 * verified with, the key was encrypted with another one: the MAC covers the key bag's bytes, so it
 * is neither a wrong store password nor damage (the JDK API and openssl -twopass make such keys).
 */
export function keyPasswordWrong(path: string, entry: StoredKeyEntry, password: string): KeyPasswordWrong {
  const own = openedWith.get(entry) === password;
  const why = own
    ? `the key of entry "${shown(entry.alias)}" does not open with the password that opens the file: it was encrypted with another password`
    : `cannot recover key "${shown(entry.alias)}": the key password is incorrect`;
  return new KeyPasswordWrong(path, `${shown(path)}: ${why}`, own);
}

/**
 * The PKCS#8 DER of a key entry when `password` opens it, undefined when it does not (the key has
 * another password): what keytool does when it tries the store password before asking for the
 * key's own (Main.recoverKey). Any other failure is the file's, and an error.
 */
export async function keyUnder(path: string, type: StoreType, entry: StoredKeyEntry, password: string): Promise<Uint8Array | undefined> {
  if (entry.privateKey !== undefined) return entry.privateKey;
  if (!entry.protectedKey) throw inputError(`${shown(path)}: key entry "${shown(entry.alias)}" holds no key`);
  const budget = budgets.get(entry) ?? new KdfBudget(type === 'PKCS12' ? 'PKCS#12' : type);
  try {
    if (type === 'JCEKS') {
      const { jceksRecoverKey } = await import('../crypto/jceks.js');
      return jceksRecoverKey(entry.protectedKey, password, budget);
    }
    if (type === 'PKCS12') {
      const { pkcs12RecoverKey } = await import('../crypto/pkcs12.js');
      return pkcs12RecoverKey(entry.protectedKey, password, budget);
    }
    return jksRecoverKey(entry.protectedKey, password);
  } catch (e) {
    if (e instanceof CodecError && e.kind === 'password') return undefined;
    throw codecToUser(e, path, type);
  }
}

/**
 * A PKCS#12 key read and not decrypted is written back as it was (PKCS12KeyStore.engineStore).
 * Written under the password whose MAC the file passed, it keeps its relation to the store
 * password: under it or under one of its own, as before. Written under another (a password-less
 * store given one), it must already be under that password, which keytool uses to open PKCS#12
 * keys: checked by decrypting it once.
 */
async function checkStoredKeys(path: string, store: Keystore, storepass: string, ownPassword: ReadonlySet<StoredKeyEntry>): Promise<void> {
  for (const e of store.entries) {
    if (e.kind !== 'key' || e.privateKey !== undefined || e.protectedKey === undefined || ownPassword.has(e)) continue;
    const { pkcs12RecoverKey } = await import('../crypto/pkcs12.js');
    try {
      pkcs12RecoverKey(e.protectedKey, storepass, budgets.get(e) ?? new KdfBudget('PKCS#12'));
    } catch (err) {
      if (!(err instanceof CodecError) || err.kind !== 'password') throw codecToUser(err, path, store.type);
      throw inputError(
        `${shown(path)}: key entry "${shown(e.alias)}" is encrypted with another password than the store password given`,
        'give the password the key was made with as the store password: keytool opens PKCS#12 keys with it',
        err,
      );
    }
  }
}

export interface SaveOptions {
  /** True when the file is being created (a new store); false for an in-place update. */
  create: boolean;
  /** --force: a new store may replace an existing file. */
  force: boolean;
  /** --key-mode / --key-group. */
  access?: FileAccess;
  /**
   * The store password is new (a password change): held to the rules of a new store's password.
   */
  newPassword?: boolean;
  /**
   * PKCS#12 key entries written back as they were read, knowingly under a password of their own
   * (PKCS12KeyStore.engineSetKeyEntry takes one per entry): not held to the store password.
   */
  ownKeyPassword?: ReadonlySet<StoredKeyEntry>;
  /** The entries as read, for a change that adds no server certificate (rules.ts enforceRule). */
  asRead?: readonly StoredEntry[];
}

/**
 * Writes a keystore after checking the rule. Nothing is written when the rule, a password or the
 * encoding fails, so a refused command leaves the file byte-identical. An update (opts.create
 * false) of a store read from the file is refused when the file changed since (store.source);
 * callers hold the keystore's lock (lock.ts) from the read to here.
 */
export async function writeKeystoreFile(
  path: string,
  store: Keystore,
  storepass: string,
  keyPassword: (alias: string) => Promise<string>,
  opts: SaveOptions,
): Promise<Written> {
  enforceRule(path, store.entries, opts.asRead);
  // JDK 17 neither writes nor reads PKCS#12 files with non-ASCII passwords (keystore-formats.md
  // 3.3): a new store the Java server cannot open would be a trap.
  if ((opts.create || opts.newPassword === true) && store.type === 'PKCS12' && /[^\x20-\x7e]/.test(storepass)) {
    throw new NonAsciiPkcs12Password(path);
  }
  if (store.unkept !== undefined && store.unkept.length > 0) throw new UnkeptParts(path, store.unkept);
  const sameAsRead = store.integrityChecked && opts.newPassword !== true && !opts.create;
  if (store.type === 'PKCS12' && !sameAsRead) await checkStoredKeys(path, store, storepass, opts.ownKeyPassword ?? new Set());
  // A file that opened only in OpenSSL's pre-1.1.0 password encoding is written in it again, keys
  // under the store password too, so the tools that read it before still do.
  const broken = store.passwordForm === 'openssl-pre-1.1' && opts.newPassword !== true ? opensslPre110Password(storepass) : undefined;
  const pass = broken ?? storepass;
  const keyPass = broken === undefined ? keyPassword : async (alias: string): Promise<string> => {
    const p = await keyPassword(alias);
    return p === storepass ? broken : p;
  };
  let bytes: Uint8Array;
  try {
    bytes = await encodeKeystore(store, pass, keyPass);
  } catch (e) {
    // A codec's refusal to write (an alias JKS cannot hold, a key it cannot protect) names the file.
    throw codecToUser(e, path, store.type);
  }
  return writeFileAtomic(path, bytes, {
    overwrite: !opts.create || opts.force,
    // A new keystore is 0600 whatever it holds (README "Files"): a key entry may come later.
    mode: 0o600,
    secret: store.entries.some((e) => e.kind === 'key'),
    ...(opts.access === undefined ? {} : { access: opts.access }),
    ...(!opts.create && store.source !== undefined ? { unchangedSince: store.source } : {}),
    what: 'keystore',
  });
}
