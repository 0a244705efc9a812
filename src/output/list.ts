/**
 * What `mailcert list` prints: keytool -list's text (-v: every certificate), or with --json
 * README's document: {"type", "entries": [{"alias", "kind", "created", "chain": [summary, ...]}],
 * "notes"}, entries sorted by alias, notes only when there are any. Aliases, names and the file name come from the keystore and the command line:
 * in the text each is escaped with shown(); the JSON keeps them exact.
 */
import type { ListReport } from '../core/list.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { painter, type Paint } from './style.js';
import { notesJson } from './notes.js';
import { summaryJson, type SummaryJson } from './summary.js';

export interface ListJson {
  type: string;
  entries: { alias: string; kind: 'key' | 'trusted' | 'secret'; created: string; chain: SummaryJson[] }[];
  /** Only when there is something to say about how the file was read (duplicate aliases, ...). */
  notes?: string[];
}

export function listJson(report: ListReport): ListJson {
  return {
    type: report.type,
    entries: report.entries.map((e) => ({ alias: e.alias, kind: e.kind, created: e.created.toISOString(), chain: e.chain.map(summaryJson) })),
    ...notesJson(report.notes),
  };
}

export async function showList(io: Io, opts: GlobalOptions, report: ListReport, verbose: boolean): Promise<void> {
  if (opts.json) io.out(JSON.stringify(listJson(report), null, 2) + '\n');
  else if (!opts.quiet) io.out(renderList(report, verbose, await painter(io, opts)));
}

const kindLabel = { key: 'PrivateKeyEntry', trusted: 'trustedCertEntry', secret: 'SecretKeyEntry' } as const;

/** YYYY-MM-DD in UTC, memoised per day: entries of one store mostly share a few dates. */
function dayOf(cache: Map<number, string>, d: Date): string {
  const key = Math.floor(d.getTime() / 86_400_000);
  let text = cache.get(key);
  if (text === undefined) {
    text = d.toISOString().slice(0, 10);
    cache.set(key, text);
  }
  return text;
}

export function renderList(report: ListReport, verbose: boolean, c: Paint, now = new Date()): string {
  const n = report.entries.length;
  const color = c.level > 0;
  const days = new Map<number, string>();
  const day = (d: Date): string => dayOf(days, d);
  const lines = [`Keystore type: ${report.type}`, `Keystore: ${shown(report.path)}`, '', `Your keystore contains ${n} ${n === 1 ? 'entry' : 'entries'}`];
  if (!report.integrityChecked) {
    const why = report.unverified === 'no-mac' ? 'the file has no integrity MAC' : 'no password given';
    lines.push(c.yellow(`Warning: the integrity of this keystore was not verified (${why}).`));
  }
  for (const note of report.notes) lines.push(c.yellow(`Note: ${shown(note)}`));
  for (const e of report.entries) {
    lines.push('');
    if (!verbose) {
      // keytool -list's shape: alias, date, type, then the fingerprint of the (leaf) certificate.
      // (Plain text when there is no colour: chalk costs time per call on a 10,000-entry store.)
      const alias = shown(e.alias);
      lines.push(`${color ? c.bold(alias) : alias}, ${day(e.created)}, ${kindLabel[e.kind]}${e.kind === 'key' ? `, chain of ${e.chainLength}` : ''}`);
      if (e.sha256) lines.push(`Certificate fingerprint (SHA-256): ${e.sha256}`);
      continue;
    }
    lines.push(`Alias name: ${c.bold(shown(e.alias))}`, `Creation date: ${day(e.created)}`, `Entry type: ${kindLabel[e.kind]}`);
    if (e.kind === 'key') lines.push(`Certificate chain length: ${e.chainLength}`);
    e.chain.forEach((cert, i) => {
      const left = Math.floor((Date.parse(cert.notAfter) - now.getTime()) / 86_400_000);
      const validity =
        left < 0 ? c.red(`expired ${-left} days ago`) : left <= 30 ? c.yellow(`expires in ${left} days`) : c.green(`expires in ${left} days`);
      if (e.kind === 'key') lines.push(`Certificate[${i + 1}]:`);
      lines.push(
        `Owner: ${shown(cert.subject)}`,
        `Issuer: ${shown(cert.issuer)}`,
        `Serial number: ${cert.serial}`,
        `Valid from: ${cert.notBefore} until: ${cert.notAfter} (${validity})`,
        `Certificate fingerprints:`,
        `\t SHA256: ${cert.sha256}`,
        `Signature algorithm name: ${cert.signatureAlgorithm}`,
        `Subject Public Key Algorithm: ${cert.publicKey}`,
      );
    });
  }
  return lines.join('\n') + '\n';
}
