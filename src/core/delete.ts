/**
 * `mailcert delete`: one entry out of a keystore (keytool -delete). Every other entry is written
 * back as it was read: keys stay under the passwords they had, which need not be known.
 */
import type { StoredKeyEntry } from '../codec/model.js';
import type { FileAccess } from '../keystore/files.js';
import { writeKeystoreFile } from '../keystore/keystore.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { requireEntry } from './entries.js';
import { withKeystore } from './keep.js';
import { notesOf } from '../keystore/read-notes.js';

export interface DeleteInput {
  path: string;
  alias: string;
  storePassword: () => Promise<string>;
  access?: FileAccess;
}

export interface DeleteResult {
  /** The alias as the keystore held it. */
  alias: string;
  kind: 'key' | 'trusted' | 'secret';
  type: string;
  /** The entry's certificate (a key entry's leaf), so the user sees what went. */
  cert?: CertSummary;
  /** Entries left. */
  left: number;
  /** What mailcert had to say about reading the keystore (keystore/read-notes.ts), when anything. */
  notes?: string[];
}

export async function deleteEntry(input: DeleteInput): Promise<DeleteResult> {
  return withKeystore(input.path, input.storePassword, async (store, storepass) => {
    const entry = requireEntry(input.path, store, input.alias);
    const asRead = store.entries;
    const der = entry.kind === 'trusted' ? entry.cert : entry.kind === 'key' ? entry.chain[0] : undefined;
    store.entries = store.entries.filter((e) => e !== entry);
    const kept = new Set(store.entries.filter((e): e is StoredKeyEntry => e.kind === 'key'));
    await writeKeystoreFile(input.path, store, storepass, () => Promise.resolve(storepass), { create: false, force: false, access: input.access, ownKeyPassword: kept, asRead });
    return { alias: entry.alias, kind: entry.kind, type: store.type, ...(der === undefined ? {} : { cert: certSummary(der) }), left: store.entries.length, ...notesOf(store) };
  });
}
