/**
 * What `mailcert rename` prints, or with --json on stdout {"keystore", "type", "kind", "from",
 * "to", "notes"} (notes when any). Aliases and file names are escaped with shown() in the text.
 */
import type { RenameResult } from '../core/rename.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { notesJson, showNotes } from './notes.js';

export interface RenameJson {
  keystore: string;
  type: string;
  kind: RenameResult['kind'];
  from: string;
  to: string;
  notes?: string[];
}

export function renameJson(keystore: string, r: RenameResult): RenameJson {
  return { keystore, type: r.type, kind: r.kind, from: r.from, to: r.to, ...notesJson(r.notes) };
}

const kindText = { key: 'key entry', trusted: 'trusted entry', secret: 'secret-key entry' } as const;

export function showRename(io: Io, opts: GlobalOptions, keystore: string, r: RenameResult): void {
  if (opts.json) {
    io.out(JSON.stringify(renameJson(keystore, r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  io.out(`Renamed ${kindText[r.kind]} "${shown(r.from)}" to "${shown(r.to)}" in ${shown(keystore)} (${r.type})\n`);
  showNotes(io, r.notes ?? []);
}
