/**
 * `mailcert list`: what `keytool -list [-v]` shows, as data (output/list.ts prints it, as text
 * or JSON). The plain listing needs only each entry's fingerprint (as keytool's does), so
 * certificates are parsed only for -v and --json: a 10,000-entry truststore lists in a fraction
 * of keytool's time.
 */
import { fingerprint } from '../codec/fingerprint.js';
import type { Keystore } from '../keystore/keystore.js';
import { damagedPart } from '../keystore/damaged.js';
import type { CertSummary } from './cert-summary.js';

export { fingerprint } from '../codec/fingerprint.js';

export interface ListedEntry {
  alias: string;
  kind: 'key' | 'trusted' | 'secret';
  created: Date;
  chainLength: number;
  /** SHA-256 of the first certificate (the leaf), uppercase hex with colons. */
  sha256: string | undefined;
  /** Every certificate summarised: only with detail 'full'. */
  chain: CertSummary[];
}

export interface ListReport {
  type: string;
  path: string;
  integrityChecked: boolean;
  /** Why the integrity was not checked (keystore/keystore.ts): no password given, or no MAC in the file. */
  unverified?: 'no-password' | 'no-mac';
  entries: ListedEntry[];
  /** What mailcert has to tell about how it read the file (keystore/read-notes.ts); quoted aliases are as read. */
  notes: string[];
}

/**
 * With `summarize` (core/cert-summary's certSummary, for -v and --json) every certificate is
 * summarised; without it only fingerprints are computed and the X.509 parser is never loaded.
 */
export function listKeystore(path: string, store: Keystore, summarize?: (der: Uint8Array) => CertSummary): ListReport {
  const entries = store.entries
    .map((e): ListedEntry => {
      const chain = e.kind === 'key' ? e.chain : e.kind === 'trusted' ? [e.cert] : [];
      const leaf = chain[0];
      return {
        alias: e.alias,
        kind: e.kind,
        created: e.created,
        chainLength: chain.length,
        sha256: leaf ? fingerprint(leaf) : undefined,
        chain: summarize ? chain.map((der, i) => summarizeIn(path, e.alias, chain.length, i, der, summarize)) : [],
      };
    })
    // keytool lists in Hashtable order, which means nothing to a reader; we sort by alias.
    .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  const report: ListReport = { type: store.type, path, integrityChecked: store.integrityChecked, entries, notes: store.notes ?? [] };
  if (store.unverified !== undefined) report.unverified = store.unverified;
  return report;
}

/** A certificate of an entry, summarised; a damaged one is named with the file and the entry. */
function summarizeIn(path: string, alias: string, count: number, i: number, der: Uint8Array, summarize: (der: Uint8Array) => CertSummary): CertSummary {
  try {
    return summarize(der);
  } catch (e) {
    throw damagedPart(e, path, count === 1 ? `the certificate of entry "${alias}"` : `certificate ${i + 1} of entry "${alias}"`);
  }
}
