/** Choosing the key entry a command works on: --alias, else the one key entry (CLI.md). */
import type { StoredKeyEntry } from '../codec/model.js';
import type { Keystore } from '../keystore/keystore.js';
import { inputError, usageError } from '../errors.js';
import { entryKindText } from '../keystore/read-notes.js';

export function selectKeyEntry(path: string, store: Keystore, alias: string | undefined): StoredKeyEntry {
  const keys = store.entries.filter((e): e is StoredKeyEntry => e.kind === 'key');
  if (alias !== undefined) {
    const e = store.entries.find((x) => x.alias.toLowerCase() === alias.toLowerCase());
    if (!e) throw usageError(`${path}: no entry "${alias}"`, keys.length > 0 ? `the key entry is "${keys.map((k) => k.alias).join('", "')}"` : 'the keystore has no key entry');
    if (e.kind !== 'key') throw usageError(`${path}: entry "${e.alias}" is ${entryKindText(e.kind)}, not a key entry`);
    return e;
  }
  const [only, ...more] = keys;
  if (!only) throw inputError(`${path}: has no key entry`, 'make one with mailcert genkey --keystore ' + path);
  if (more.length > 0) throw usageError(`${path}: has ${keys.length} key entries (${keys.map((k) => k.alias).join(', ')})`, 'choose one with --alias');
  return only;
}
