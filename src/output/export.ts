/**
 * What `mailcert export` prints: on stderr what was written, or with --json on stdout
 *   keystore -> keystore: { "from", "fromType", "out", "outType",
 *                           "entries": [{ "alias", "kind": "key"|"trusted"|"secret", "chainLength", "keyPasswordWas" }],
 *                           "skipped": [alias], "notes" }   (keyPasswordWas, for key entries: "store"|"own", the
 *                           key's password in the source; in the new keystore every key has the store password)
 *   key entry -> PEM:     { "from", "fromType", "alias", "keyFile": string|null, "keyFormat", "keyEncrypted",
 *                           "certFile": string|null, "chainLength" }
 * Aliases and file names are escaped with shown() in the text.
 */
import type { ConvertResult, PemResult } from '../core/export.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { modeText } from './style.js';
import { notesJson, showNotes } from './notes.js';

export interface ConvertJson {
  from: string;
  fromType: string;
  out: string;
  outType: string;
  entries: { alias: string; kind: 'key' | 'trusted' | 'secret'; chainLength: number; keyPasswordWas?: 'store' | 'own' }[];
  skipped: string[];
  notes?: string[];
}

export interface PemJson {
  from: string;
  fromType: string;
  alias: string;
  keyFile: string | null;
  keyFormat: string;
  keyEncrypted: boolean;
  certFile: string | null;
  chainLength: number;
}

export function convertJson(r: ConvertResult): ConvertJson {
  const doc: ConvertJson = {
    from: r.from,
    fromType: r.fromType,
    out: r.out,
    outType: r.outType,
    entries: r.entries.map((e) => ({ alias: e.alias, kind: e.kind, chainLength: e.chainLength, ...(e.keyPasswordWas === undefined ? {} : { keyPasswordWas: e.keyPasswordWas }) })),
    skipped: r.skipped,
  };
  return { ...doc, ...notesJson(r.notes) };
}

export function pemJson(r: PemResult): PemJson {
  return {
    from: r.from,
    fromType: r.fromType,
    alias: r.alias,
    keyFile: r.keyFile,
    keyFormat: r.keyFormat,
    keyEncrypted: r.keyEncrypted,
    certFile: r.certFile,
    chainLength: r.chainLength,
  };
}

export function showConverted(io: Io, opts: GlobalOptions, r: ConvertResult): void {
  if (opts.json) io.out(JSON.stringify(convertJson(r), null, 2) + '\n');
  else if (!opts.quiet) {
    const what = { key: 'key', trusted: 'trusted', secret: 'secret key' } as const;
    const listed = r.entries.map((e) => `${what[e.kind]} "${shown(e.alias)}"${e.kind === 'key' ? ` (chain of ${e.chainLength})` : ''}`).join(', ');
    io.err(`Wrote ${r.outType} keystore ${shown(r.out)} from ${r.fromType} ${shown(r.from)}: ${listed}\n`);
    for (const e of r.entries.filter((x) => x.keyPasswordWas === 'own')) {
      io.err(`note: key entry "${shown(e.alias)}" had a key password of its own; in ${shown(r.out)} it is under the store password, as Java servers such as James need\n`);
    }
    if (r.skipped.length > 0) io.err(`note: secret-key entries not exported: ${shown(r.skipped.join(', '))}\n`);
    showNotes(io, r.notes ?? []);
  }
}

export function showPem(io: Io, opts: GlobalOptions, r: PemResult): void {
  if (opts.json) io.out(JSON.stringify(pemJson(r), null, 2) + '\n');
  else if (!opts.quiet) {
    const lines: string[] = [];
    if (r.keyFile !== null) lines.push(`Wrote private key ${shown(r.keyFile)} (${r.keyEncrypted ? 'encrypted PKCS#8' : r.keyFormat}, ${modeText(r.keyFileMode)}) from entry "${shown(r.alias)}" of ${shown(r.from)}`);
    if (r.certFile !== null) lines.push(`Wrote certificate chain ${shown(r.certFile)} (${r.chainLength} certificate${r.chainLength === 1 ? '' : 's'}, leaf first)`);
    io.err(lines.join('\n') + '\n');
  }
}
