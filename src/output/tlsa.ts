/**
 * Human rendering of `mailcert tlsa`: the records alone, one per line, ready for a zone file or
 * `$(mailcert tlsa ...)`; with --next a comment line (`;`, valid in zone files and nsupdate)
 * before each says whose it is. Sources and names come from outside: escaped with shown().
 */
import { shown } from '../display.js';
import type { TlsaResult } from '../core/tlsa-records.js';

export function renderTlsa(result: TlsaResult, rollover: boolean): string {
  const lines: string[] = [];
  for (const r of result.records) {
    if (rollover) {
      const about = r.certificate === undefined ? 'a key' : `"${r.certificate.subject}", valid to ${r.certificate.notAfter.slice(0, 10)}`;
      lines.push(`; ${r.role === 'current' ? 'current' : 'next (publish before the swap)'}: ${shown(r.source)}, ${shown(about)}`);
    }
    lines.push(r.zoneLine ?? r.rdata);
  }
  return lines.join('\n') + '\n';
}

/** The notes, for stderr (stdout stays records only). */
export function renderTlsaNotes(result: TlsaResult): string {
  return result.notes.map((n) => `note: ${shown(n)}\n`).join('');
}
