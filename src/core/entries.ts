/** Finding a keystore entry by its alias; PKCS#12 secret keys moved to another store password. */
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

/**
 * PKCS#12 secret keys (keytool -genseckey) under the password `from`, encrypted again under `to`,
 * as keytool -storepasswd does for the secret keys it protects with the store password; one with a
 * password of its own keeps it. The PKCS#12 code is loaded only when there is a secret key.
 */
export async function secretsUnder(entries: StoredEntry[], from: string, to: string): Promise<StoredEntry[]> {
  if (from === to || !entries.some((e) => e.kind === 'secret' && e.secretBag !== undefined)) return entries;
  const { pkcs12ReprotectSecret } = await import('../crypto/pkcs12.js');
  return entries.map((e) => {
    if (e.kind !== 'secret' || e.secretBag === undefined) return e;
    const secretBag = pkcs12ReprotectSecret(e.secretBag, from, to);
    return secretBag === undefined ? e : { ...e, secretBag };
  });
}
