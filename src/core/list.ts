/**
 * `mailcert list`: what `keytool -list [-v]` shows, as data (output/list.ts prints it, as text
 * or JSON). The plain listing needs only each entry's fingerprint (as keytool's does), so
 * certificates are parsed only for -v and --json: a 10,000-entry truststore lists in a fraction
 * of keytool's time.
 */
import { hash } from 'node:crypto';
import type { Keystore } from '../keystore/keystore.js';
import { damagedPart } from '../keystore/damaged.js';
import type { CertSummary } from './cert-summary.js';

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
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/**
 * Uppercase hex with colons, as keytool and openssl print fingerprints. The digest comes back as
 * a 'binary' (latin1) string (cheaper than a Buffer per call) and one join gives a flat string: a large
 * truststore computes 10,000 of these.
 */
export function fingerprint(der: Uint8Array, algorithm = 'sha256'): string {
  const digest = hash(algorithm, der, 'binary');
  const pairs = new Array<string>(digest.length);
  for (let i = 0; i < digest.length; i++) pairs[i] = HEX[digest.charCodeAt(i)] ?? '';
  return pairs.join(':');
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
  const report: ListReport = { type: store.type, path, integrityChecked: store.integrityChecked, entries };
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
