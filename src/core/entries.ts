/** Finding a keystore entry by its alias. */
import type { StoredEntry } from '../codec/model.js';
import type { Keystore } from '../keystore/keystore.js';
import { NoSuchEntry } from './errors.js';

/**
 * The entry of this alias, compared as the JDK compares them: JKS and PKCS#12 aliases are
 * case-insensitive (JavaKeyStore.convertAlias, PKCS12KeyStore lowercases on lookup).
 */
export function findEntry(store: Keystore, alias: string): StoredEntry | undefined {
  const wanted = alias.toLowerCase();
  return store.entries.find((e) => e.alias.toLowerCase() === wanted);
}

/** findEntry, or the refusal naming the entries there are (keytool: "Alias <x> does not exist"). */
export function requireEntry(path: string, store: Keystore, alias: string): StoredEntry {
  const e = findEntry(store, alias);
  if (e === undefined) throw new NoSuchEntry(path, alias, store.entries.map((x) => x.alias));
  return e;
}
