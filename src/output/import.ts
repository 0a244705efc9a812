/**
 * What `mailcert import` prints: what changed in the keystore, with the certificates, or with
 * --json on stdout {"keystore", "action": "reply"|"key"|"trusted"|"unchanged", "alias", ...}:
 * "chain": [summary...], "complete", "createdKeystore", "type" for a reply or key; "cert": summary,
 * "createdKeystore", "type", "ignored" for a trusted certificate; "cert", "type" when unchanged;
 * for a renewal ("replaced") "chain", "complete", "type", "keyPassword": "store"|"own" and
 * "previous": {"alias", "cert": summary|null}, the entry that gave way; "notes" about how the
 * keystore was read, when any. Aliases, names and file
 * names are escaped with shown() in the text.
 */
import type { ImportResult } from '../core/import.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { notesJson, showNotes } from './notes.js';
import { day, painter, type Paint } from './style.js';
import { renderCertLines, summaryJson, type SummaryJson } from './summary.js';

export type ImportJson = { keystore: string; action: ImportResult['action']; alias: string; notes?: string[] } & (
  | { chain: SummaryJson[]; complete: boolean; createdKeystore: boolean; type: string }
  | { cert: SummaryJson; createdKeystore: boolean; type: string; ignored: number }
  | { cert: SummaryJson; type: string }
  | { chain: SummaryJson[]; complete: boolean; type: string; keyPassword: 'store' | 'own'; previous: { alias: string; cert: SummaryJson | null } }
);

export function importJson(keystore: string, r: ImportResult): ImportJson {
  const head = { keystore, action: r.action, alias: r.alias, ...notesJson(r.notes) };
  switch (r.action) {
    case 'reply':
    case 'key':
      return { ...head, chain: r.chain.map(summaryJson), complete: r.complete, createdKeystore: r.createdKeystore, type: r.type };
    case 'trusted':
      return { ...head, cert: summaryJson(r.cert), createdKeystore: r.createdKeystore, type: r.type, ignored: r.ignored };
    case 'unchanged':
      return { ...head, cert: summaryJson(r.cert), type: r.type };
    case 'replaced':
      return {
        ...head,
        chain: r.chain.map(summaryJson),
        complete: r.complete,
        type: r.type,
        keyPassword: r.keyPassword,
        previous: { alias: r.previous.alias, cert: r.previous.cert === undefined ? null : summaryJson(r.previous.cert) },
      };
  }
}

/** `keystore` and `file` as given (--keystore, --file). */
export async function showImport(io: Io, opts: GlobalOptions, keystore: string, file: string, r: ImportResult): Promise<void> {
  if (opts.json) {
    io.out(JSON.stringify(importJson(keystore, r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  // The file names and the alias come from the command line or the keystore: escaped for the terminal.
  const [at, from, alias] = [shown(keystore), shown(file), shown(r.alias)];
  const lines: string[] = [];
  switch (r.action) {
    case 'reply':
    case 'key':
      lines.push(
        paint.bold(
          r.action === 'reply'
            ? `Certificate reply was installed in ${at}: key entry "${alias}", chain of ${r.chain.length}`
            : `${r.createdKeystore ? 'Created' : 'Updated'} ${r.type} keystore ${at}: key entry "${alias}", chain of ${r.chain.length}`,
        ),
      );
      r.chain.forEach((c, i) => lines.push(`[${i + 1}]`, ...renderCertLines(c, [], paint)));
      if (!r.complete) lines.push(paint.yellow('note: the chain does not end at a root certificate (servers need not send the root; clients must trust it)'));
      break;
    case 'trusted':
      lines.push(paint.bold(`Certificate was added to ${at} as trusted entry "${alias}"`), ...renderCertLines(r.cert, [], paint));
      if (r.ignored > 0) lines.push(paint.yellow(`note: ${r.ignored} more certificate(s) in ${from} were not imported (CA certificates go in with mailcert import-chain)`));
      break;
    case 'unchanged':
      lines.push(`The certificate is already in ${at} as trusted entry "${alias}"; nothing changed`);
      break;
    case 'replaced':
      lines.push(...replacedLines(r, at, paint));
      break;
  }
  io.out(lines.join('\n') + '\n');
  showNotes(io, r.notes ?? []);
}

/** A renewal: what went and what came, the fingerprints and expiry dates side by side, then the new chain. */
function replacedLines(r: Extract<ImportResult, { action: 'replaced' }>, at: string, paint: Paint): string[] {
  const alias = shown(r.alias);
  const renamed = r.previous.alias === r.alias ? '' : ` (was "${shown(r.previous.alias)}")`;
  const old = r.previous.cert;
  const lines = [
    paint.bold(`Replaced the server key of ${at} (${r.type}): key entry "${alias}"${renamed}, chain of ${r.chain.length}`),
    old === undefined ? '  old  (no certificate)' : `  old  SHA-256 ${old.sha256}  expires ${day(old.notAfter)}`,
  ];
  const leaf = r.chain[0];
  if (leaf !== undefined) lines.push(`  new  SHA-256 ${leaf.sha256}  expires ${day(leaf.notAfter)}`);
  lines.push(r.keyPassword === 'store' ? '  the key is protected by the store password, as before' : '  the key is protected by the old key\'s own password, as before (not the store password)');
  r.chain.forEach((c, i) => lines.push(`[${i + 1}]`, ...renderCertLines(c, [], paint)));
  if (!r.complete) lines.push(paint.yellow('note: the chain does not end at a root certificate (servers need not send the root; clients must trust it)'));
  return lines;
}
