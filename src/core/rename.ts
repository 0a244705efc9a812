/**
 * `mailcert rename`: an entry under a new alias (keytool -changealias). The entry is otherwise
 * written back as it was: a JKS key stays protected as it was (the Sun KeyProtector does not bind
 * the alias), a PKCS#12 key keeps its key bag and only its friendlyName changes. Aliases are
 * case-insensitive as the JDK treats them, so NEW may not be another entry's alias in any case;
 * JKS stores them lowercased (JavaKeyStore.convertAlias), PKCS#12 lowercases key entries' and
 * keeps trusted entries' as given (PKCS12KeyStore, keystore-formats.md 3.2).
 */
import type { StoredKeyEntry } from '../codec/model.js';
import { ExitCode, usageError } from '../errors.js';
import type { FileAccess } from '../keystore/files.js';
import { checkAliasFits, writeKeystoreFile, type Keystore } from '../keystore/keystore.js';
import type { AliasSource } from '../keystore/errors.js';
import { requireEntry, findEntry } from './entries.js';
import { AliasTaken } from './errors.js';
import { withKeystore } from './keep.js';
import { notesOf } from '../keystore/read-notes.js';

export interface RenameInput {
  path: string;
  alias: string;
  to: string;
  /** Where the new alias came from, for the error when a JKS cannot hold it. */
  toSource: AliasSource;
  storePassword: () => Promise<string>;
  access?: FileAccess;
}

export interface RenameResult {
  /** The alias the keystore held, and the one it holds now. */
  from: string;
  to: string;
  kind: 'key' | 'trusted' | 'secret';
  type: string;
  /** What mailcert had to say about reading the keystore (keystore/read-notes.ts), when anything. */
  notes?: string[];
}

/** The alias as the format stores it. */
export function storedAlias(store: Keystore, kind: 'key' | 'trusted' | 'secret', alias: string): string {
  return store.type === 'PKCS12' && kind === 'trusted' ? alias : alias.toLowerCase();
}

export async function renameEntry(input: RenameInput): Promise<RenameResult> {
  if (input.to === '') throw usageError(`${input.path}: refused: an alias cannot be empty`);
  return withKeystore(input.path, input.storePassword, async (store, storepass) => {
    const entry = requireEntry(input.path, store, input.alias);
    const to = storedAlias(store, entry.kind, input.to);
    checkAliasFits(store.type, to, input.toSource);
    const clash = findEntry(store, to);
    if (clash !== undefined && clash !== entry) throw new AliasTaken(`${input.path}: alias "${clash.alias}" already exists`, ExitCode.usage, clash.alias);
    if (to === entry.alias) throw usageError(`${input.path}: entry "${entry.alias}" already has that alias`);
    const from = entry.alias;
    entry.alias = to;
    const kept = new Set(store.entries.filter((e): e is StoredKeyEntry => e.kind === 'key'));
    await writeKeystoreFile(input.path, store, storepass, () => Promise.resolve(storepass), { create: false, force: false, access: input.access, ownKeyPassword: kept, asRead: store.entries });
    return { from, to, kind: entry.kind, type: store.type, ...notesOf(store) };
  });
}
