/**
 * Which password opens a key entry. keytool tries the store password first and asks for the key's
 * own only when that fails (sun.security.tools.keytool.Main.recoverKey: "Enter key password for
 * <alias>"); mailcert does the same, so a key made with a separate password (keytool -genkeypair
 * -keypass) is found out rather than silently given a new one. A key password the user gave is
 * tried alone: a wrong one is an error, not a reason to try others.
 */
import type { StoredKeyEntry } from '../codec/model.js';
import { inputError } from '../errors.js';
import { keyUnder, usableKey, type Keystore } from '../keystore/keystore.js';
import { KeyPasswordNeeded } from './errors.js';

export interface KeyPasswordSource {
  /** The key password the user gave (--keypass-*), undefined when none was given. */
  given(): Promise<string | undefined>;
  /** The key password asked for on a terminal; undefined when there is none to ask on. */
  ask(alias: string): Promise<string | undefined>;
}

export interface OpenedKey {
  /** The PKCS#8 DER of the key. */
  pkcs8: Uint8Array;
  /** The password that opened it. */
  password: string;
  /** It is the store password (the default pairing, which James and Hedwig need). */
  isStorePassword: boolean;
}

/** Opens a key entry with the password given, else the store password, else one asked for. */
export async function openKeyEntry(path: string, store: Keystore, entry: StoredKeyEntry, storepass: string, source: KeyPasswordSource): Promise<OpenedKey> {
  const given = await source.given();
  if (given !== undefined) return { pkcs8: await openWith(path, store, entry, given), password: given, isStorePassword: given === storepass };
  const viaStore = await keyUnder(path, store.type, entry, storepass);
  if (viaStore !== undefined) return { pkcs8: usableKey(path, entry, viaStore), password: storepass, isStorePassword: true };
  const asked = await source.ask(entry.alias);
  if (asked === undefined) throw new KeyPasswordNeeded(path, entry.alias, 'there is no terminal to ask for it on');
  return { pkcs8: await openWith(path, store, entry, asked), password: asked, isStorePassword: asked === storepass };
}

/** The key when the store password opens it (a key kept as it was needs no other password), else undefined. */
export async function keyUnderStorePassword(path: string, store: Keystore, entry: StoredKeyEntry, storepass: string): Promise<Uint8Array | undefined> {
  const pkcs8 = await keyUnder(path, store.type, entry, storepass);
  return pkcs8 === undefined ? undefined : usableKey(path, entry, pkcs8);
}

async function openWith(path: string, store: Keystore, entry: StoredKeyEntry, password: string): Promise<Uint8Array> {
  const pkcs8 = await keyUnder(path, store.type, entry, password);
  if (pkcs8 === undefined) throw inputError(`${path}: cannot recover key "${entry.alias}": the key password is incorrect`, 'give the password the key entry was made with');
  return usableKey(path, entry, pkcs8);
}
