/**
 * What mailcert has to tell about how it read a keystore made elsewhere, as notes that `list`,
 * `inspect` and the commands that write the keystore show: entries sharing an alias (the JDK
 * keeps the last one), certificates that are no entry, parts a rewrite could not keep, and a
 * PKCS#12 password in the encoding of OpenSSL before 1.1.0. The notes quote aliases as read; the
 * output escapes them (display.ts shown()).
 */
import type { StoredEntry } from '../codec/model.js';

type Kind = StoredEntry['kind'];

const KIND_TEXT: Readonly<Record<Kind, string>> = { key: 'a key entry', trusted: 'a trusted certificate', secret: 'a secret key' };

/** An entry's kind as messages name it: "a key entry", "a trusted certificate", "a secret key". */
export function entryKindText(kind: Kind): string {
  return KIND_TEXT[kind];
}

/** A command's result field for the notes of the keystore it read: `{ notes }` when there are any. */
export function notesOf(store: { readonly notes?: string[] }): { notes?: string[] } {
  return store.notes === undefined ? {} : { notes: store.notes };
}

const TIMES = ['', 'once', 'twice'];

/** "alias "mail" is in the file twice (a key entry, then a trusted certificate): ..." */
function duplicateNote(alias: string, kinds: readonly Kind[]): string {
  const times = TIMES[kinds.length] ?? `${kinds.length} times`;
  return (
    `alias "${alias}" is in the file ${times} (${kinds.map((k) => KIND_TEXT[k]).join(', then ')}): mailcert takes the last one, as keytool ` +
    `and Java do, and leaves the ${kinds.length === 2 ? 'other' : 'others'} out when it writes the keystore`
  );
}

/**
 * JavaKeyStore and JceKeyStore.engineLoad put each entry into a Hashtable under its alias as read,
 * so of two entries with one alias the last one in the file is the entry keytool lists and Java
 * uses (and writes back). The same here, in file order, with a note for each alias.
 */
export function lastOfEachAlias(entries: readonly StoredEntry[]): { entries: StoredEntry[]; notes: string[] } {
  const last = new Map<string, StoredEntry>();
  for (const e of entries) last.set(e.alias, e);
  // The common case, every alias once, costs one Map: a truststore may hold 10,000 entries.
  if (last.size === entries.length) return { entries: [...entries], notes: [] };
  const byAlias = new Map<string, Kind[]>();
  for (const e of entries) {
    const kinds = byAlias.get(e.alias);
    if (kinds === undefined) byAlias.set(e.alias, [e.kind]);
    else kinds.push(e.kind);
  }
  const kept = entries.filter((e) => last.get(e.alias) === e);
  const notes = [...byAlias].filter(([, kinds]) => kinds.length > 1).map(([alias, kinds]) => duplicateNote(alias, kinds));
  return { entries: kept, notes };
}

/** The notes for PKCS#12 entries that a later bag of the same alias replaced (PKCS12KeyStore's entries.put). */
export function replacedNotes(replaced: readonly { alias: string; kind: Kind; by: Kind }[]): string[] {
  const byAlias = new Map<string, Kind[]>();
  for (const r of replaced) {
    const key = r.alias.toLowerCase();
    const kinds = byAlias.get(key) ?? [r.kind];
    if (byAlias.has(key)) kinds.push(r.kind);
    byAlias.set(key, kinds);
  }
  // Each replaced bag was followed by the one that replaced it; the last of those is the entry.
  const last = new Map(replaced.map((r) => [r.alias.toLowerCase(), r.by]));
  return [...byAlias].map(([alias, kinds]) => duplicateNote(alias, [...kinds, last.get(alias) ?? kinds[0] ?? 'key']));
}

export function looseNote(count: number): string {
  const what = count === 1 ? 'a certificate that is' : `${count} certificates that are`;
  return (
    `the file holds ${what} no entry (no trusted-certificate attribute and in no key's chain, as openssl pkcs12 -export -nokeys writes ` +
    `CA certificates): keytool and Java do not see ${count === 1 ? 'it' : 'them'}; mailcert keeps ${count === 1 ? 'it' : 'them'} when it writes the keystore`
  );
}

export function unkeptNote(what: readonly string[]): string {
  return `the file holds ${what.join(', ')}, which mailcert cannot keep: it lists the keystore but refuses to change it`;
}

export const BROKEN_PASSWORD_NOTE =
  'the password opens this file only in the encoding of OpenSSL before 1.1.0 (its UTF-8 bytes taken as ISO-8859-1 characters): ' +
  'mailcert read it that way, as openssl 3 does ("Warning: using broken algorithm"), and keeps that encoding when it writes the keystore';
