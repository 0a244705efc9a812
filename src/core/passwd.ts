/**
 * `mailcert passwd`: a keystore's store password and its key entries' passwords (keytool
 * -storepasswd and -keypasswd).
 *
 * What happens to each key when the store password changes:
 * - a key under the old store password (the default pairing) follows it to the new one. keytool
 *   does that for PKCS#12 (it re-encrypts the keys) but not for JKS, where the key keeps the old
 *   password and Apache James, which opens both with one secret (LegacyJavaEncryptionFactory),
 *   then fails with "Cannot recover key";
 * - a key with a password of its own keeps it, unless asked: `keypassToStorepass` gives every key
 *   the store password (what James and Hedwig need), `newKeyPassword` one key a new password. Its
 *   current password is found as keytool finds it (core/key-passwords.ts).
 * Keys kept are written back as they were read, without being decrypted. PKCS#12 key bags have
 * their own encryption (PKCS12KeyStore.engineSetKeyEntry takes a password per entry), so the MAC
 * and the certificate safe take the new store password while a key of its own keeps its bag, and
 * a PKCS#12 key can be given a password of its own as a JKS key can (keytool refuses -keypasswd
 * on PKCS#12 altogether; Java reads such a key with KeyStore.getKey(alias, password)). PKCS#12
 * secret keys under the old store password follow it too, as keytool -storepasswd does.
 */
import type { StoredKeyEntry } from '../codec/model.js';
import { usageError } from '../errors.js';
import type { FileAccess } from '../keystore/files.js';
import { writeKeystoreFile, type Keystore } from '../keystore/keystore.js';
import { requireEntry, secretsUnder } from './entries.js';
import { NoPrivateKey, TooManyServerKeys } from './errors.js';
import { withKeystore } from './keep.js';
import { keyUnderStorePassword, openKeyEntry, type KeyPasswordSource } from './key-passwords.js';
import { notesOf } from '../keystore/read-notes.js';

export interface PasswdInput {
  path: string;
  storePassword: () => Promise<string>;
  /** The new store password; absent: the store password stays. */
  newStorePassword?: () => Promise<string>;
  /** A new password for one key entry (the one key entry when alias is absent). */
  newKeyPassword?: { alias?: string; password: () => Promise<string> };
  /** Every key entry gets the store password. */
  keypassToStorepass: boolean;
  /** The current password of a key the store password does not open. */
  keyPassword: KeyPasswordSource;
  access?: FileAccess;
}

export interface KeyOutcome {
  alias: string;
  /** Which password protected the key: the store password (before: the old one), or one of its own. */
  before: 'store' | 'own';
  after: 'store' | 'own';
  /** The key was encrypted again, under another password. */
  changed: boolean;
}

export interface PasswdResult {
  type: string;
  storePasswordChanged: boolean;
  keys: KeyOutcome[];
  /** False when nothing changed: the file was left as it was. */
  written: boolean;
  /** What mailcert had to say about reading the keystore (keystore/read-notes.ts), when anything. */
  notes?: string[];
}

/** A new password a keystore of this type can hold and Java can open. */
function checkNewPassword(path: string, type: string, password: string, what: string): void {
  if (password === '') throw usageError(`${path}: refused: an empty ${what}`, 'choose a password (keytool asks for at least 6 characters)');
  // JDK 17 neither writes nor reads PKCS#12 files with non-ASCII passwords (keystore-formats.md 3.3).
  if (type === 'PKCS12' && /[^\x20-\x7e]/.test(password)) {
    throw usageError(`${path}: refused: Java 17 cannot open a PKCS#12 keystore whose ${what} is not plain ASCII`, 'choose an ASCII password');
  }
}

/** The key entry whose password is to change: the one named, else the only one. */
function targetEntry(path: string, store: Keystore, alias: string | undefined): StoredKeyEntry {
  if (alias !== undefined) {
    const e = requireEntry(path, store, alias);
    if (e.kind !== 'key') throw new NoPrivateKey(path, e.alias, e.kind);
    return e;
  }
  const keys = store.entries.filter((e): e is StoredKeyEntry => e.kind === 'key');
  if (keys.length === 1 && keys[0] !== undefined) return keys[0];
  if (keys.length === 0) throw usageError(`${path}: the keystore holds no key entry, so no key password`);
  throw new TooManyServerKeys(`${path}: the keystore holds ${keys.length} key entries (${keys.map((k) => `"${k.alias}"`).join(', ')})`, keys.map((k) => k.alias));
}

export async function changePasswords(input: PasswdInput): Promise<PasswdResult> {
  const { path } = input;
  return withKeystore(path, input.storePassword, async (store, oldpass) => {
    const newpass = input.newStorePassword === undefined ? oldpass : await input.newStorePassword();
    if (newpass !== oldpass) checkNewPassword(path, store.type, newpass, 'store password');
    const target = input.newKeyPassword === undefined ? undefined : targetEntry(path, store, input.newKeyPassword.alias);
    const keys: KeyOutcome[] = [];
    const keyPasswords = new Map<StoredKeyEntry, string>();
    const kept = new Set<StoredKeyEntry>();
    const entries = [];
    for (const e of store.entries) {
      if (e.kind !== 'key') {
        entries.push(e);
        continue;
      }
      const viaStore = await keyUnderStorePassword(path, store, e, oldpass);
      const underOld = viaStore !== undefined;
      // A key of its own password is opened only when it is to get another one.
      const opened = e === target || (input.keypassToStorepass && !underOld) ? await openKeyEntry(path, store, e, oldpass, input.keyPassword) : undefined;
      const current = opened?.password ?? (underOld ? oldpass : undefined);
      let wanted: string | undefined;
      if (e === target && input.newKeyPassword !== undefined) {
        wanted = await input.newKeyPassword.password();
        checkNewPassword(path, store.type, wanted, 'key password');
      } else if (input.keypassToStorepass || underOld) wanted = newpass;
      const after = wanted === undefined ? 'own' : wanted === newpass ? 'store' : 'own';
      const changed = wanted !== undefined && wanted !== current;
      keys.push({ alias: e.alias, before: underOld ? 'store' : 'own', after, changed });
      if (!changed || wanted === undefined) {
        kept.add(e);
        entries.push(e);
        continue;
      }
      const privateKey = opened?.pkcs8 ?? viaStore;
      if (privateKey === undefined) throw new Error(`key entry ${e.alias} was not opened`);
      const fresh: StoredKeyEntry = { kind: 'key', alias: e.alias, created: e.created, chain: e.chain, privateKey };
      keyPasswords.set(fresh, wanted);
      entries.push(fresh);
    }
    const storePasswordChanged = newpass !== oldpass;
    const notes = notesOf(store);
    if (!storePasswordChanged && keyPasswords.size === 0) return { type: store.type, storePasswordChanged, keys, written: false, ...notes };
    const asRead = store.entries;
    store.entries = await secretsUnder(entries, oldpass, newpass);
    const byAlias = new Map([...keyPasswords].map(([e, p]) => [e.alias, p]));
    await writeKeystoreFile(path, store, newpass, (alias) => Promise.resolve(byAlias.get(alias) ?? newpass), {
      create: false,
      force: false,
      access: input.access,
      newPassword: storePasswordChanged,
      ownKeyPassword: kept,
      asRead,
    });
    return { type: store.type, storePasswordChanged, keys, written: true, ...notes };
  });
}
