/**
 * What `mailcert delete` prints: the entry removed, with its certificate, or with --json on
 * stdout {"keystore", "type", "alias", "kind", "cert": summary|null, "left", "notes"} (notes when any). Aliases, names and
 * file names are escaped with shown() in the text.
 */
import type { DeleteResult } from '../core/delete.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { notesJson, showNotes } from './notes.js';
import { painter } from './style.js';
import { renderCertLines, summaryJson, type SummaryJson } from './summary.js';

export interface DeleteJson {
  keystore: string;
  type: string;
  alias: string;
  kind: DeleteResult['kind'];
  cert: SummaryJson | null;
  left: number;
  notes?: string[];
}

export function deleteJson(keystore: string, r: DeleteResult): DeleteJson {
  return { keystore, type: r.type, alias: r.alias, kind: r.kind, cert: r.cert === undefined ? null : summaryJson(r.cert), left: r.left, ...notesJson(r.notes) };
}

const kindText = { key: 'key entry', trusted: 'trusted entry', secret: 'secret-key entry' } as const;

export async function showDelete(io: Io, opts: GlobalOptions, keystore: string, r: DeleteResult): Promise<void> {
  if (opts.json) {
    io.out(JSON.stringify(deleteJson(keystore, r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  const lines = [paint.bold(`Deleted ${kindText[r.kind]} "${shown(r.alias)}" from ${shown(keystore)} (${r.type}); ${r.left} ${r.left === 1 ? 'entry' : 'entries'} left`)];
  if (r.cert !== undefined) lines.push(...renderCertLines(r.cert, [], paint));
  io.out(lines.join('\n') + '\n');
  showNotes(io, r.notes ?? []);
}
