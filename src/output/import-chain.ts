/**
 * What `mailcert import-chain` prints: each CA certificate added or already present, or with
 * --json on stdout {"keystore", "type", "createdKeystore", "added": [{"alias", "cert"}],
 * "present": [{"alias", "cert"}], "notes"} (notes about how the keystore was read, when any). Aliases and names are escaped with shown() in the text.
 */
import type { CertSummary } from '../core/cert-summary.js';
import type { ImportChainResult } from '../core/import-chain.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { notesJson, showNotes } from './notes.js';
import { painter } from './style.js';
import { summaryJson, type SummaryJson } from './summary.js';

export interface ImportChainJson {
  keystore: string;
  type: string;
  createdKeystore: boolean;
  added: { alias: string; cert: SummaryJson }[];
  present: { alias: string; cert: SummaryJson }[];
  notes?: string[];
}

export function importChainJson(keystore: string, r: ImportChainResult): ImportChainJson {
  const entry = (e: { alias: string; cert: CertSummary }): { alias: string; cert: SummaryJson } => ({ alias: e.alias, cert: summaryJson(e.cert) });
  return { keystore, type: r.type, createdKeystore: r.createdKeystore, added: r.added.map(entry), present: r.present.map(entry), ...notesJson(r.notes) };
}

export async function showImportChain(io: Io, opts: GlobalOptions, keystore: string, r: ImportChainResult): Promise<void> {
  if (opts.json) {
    io.out(JSON.stringify(importChainJson(keystore, r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  const lines = r.added.map((a) => `${paint.green('added')}    "${shown(a.alias)}"  ${shown(a.cert.subject)}  (SHA-256 ${a.cert.sha256})`);
  lines.push(...r.present.map((p) => `present  "${shown(p.alias)}"  ${shown(p.cert.subject)}  (already trusted; unchanged)`));
  io.out(`${r.createdKeystore ? 'Created' : 'Updated'} ${r.type} keystore ${shown(keystore)}\n${lines.join('\n')}\n`);
  showNotes(io, r.notes ?? []);
}
