/**
 * `mailcert list`: what `keytool -list [-v]` shows, as data. The JSON shape is CLI.md's:
 * {"type", "entries": [{"alias", "kind", "created", "chain": [{"subject", "issuer", "notBefore",
 * "notAfter", "sha256"}]}]}. Certificates are parsed only as far as the report needs.
 */
import type { Keystore } from '../keystore/keystore.js';
import { certSummary, type CertSummary } from './cert-summary.js';

export interface ListedEntry {
  alias: string;
  kind: 'key' | 'trusted' | 'secret';
  created: string;
  chain: CertSummary[];
}

export interface ListReport {
  type: string;
  path: string;
  integrityChecked: boolean;
  entries: ListedEntry[];
}

export function listKeystore(path: string, store: Keystore): ListReport {
  const entries = store.entries
    .map((e): ListedEntry => {
      const chain = e.kind === 'key' ? e.chain : e.kind === 'trusted' ? [e.cert] : [];
      return { alias: e.alias, kind: e.kind, created: e.created.toISOString(), chain: chain.map(certSummary) };
    })
    // keytool lists in Hashtable order, which means nothing to a reader; we sort by alias.
    .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  return { type: store.type, path, integrityChecked: store.integrityChecked, entries };
}

/** The documented --json shape (CLI.md), without the fields only the human view uses. */
export function listJson(report: ListReport): unknown {
  return {
    type: report.type,
    entries: report.entries.map((e) => ({
      alias: e.alias,
      kind: e.kind,
      created: e.created,
      chain: e.chain.map((c) => ({
        subject: c.subject,
        issuer: c.issuer,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        sha256: c.sha256,
        serial: c.serial,
        signatureAlgorithm: c.signatureAlgorithm,
        publicKey: c.publicKey,
      })),
    })),
  };
}
