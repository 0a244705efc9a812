/**
 * What `mailcert genkey` prints: what was written and the certificate (names, key, validity,
 * fingerprint), or with --json {"keystore", "type", "alias", "createdKeystore"} or {"keyFile",
 * "certFile"}, plus "certificate": summary + "subjectAltNames". Names and file names are escaped
 * with shown() in the text.
 */
import type { GenkeyResult } from '../core/genkey.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { notesJson, showNotes } from './notes.js';
import { modeText, painter } from './style.js';
import { renderCertLines, summaryJson, type SummaryJson } from './summary.js';

export interface GenkeyJson {
  keystore?: string;
  type?: string;
  alias?: string;
  createdKeystore?: boolean;
  keyFile?: string;
  certFile?: string;
  certificate: SummaryJson & { subjectAltNames: string[] };
  notes?: string[];
}

export function genkeyJson(r: GenkeyResult): GenkeyJson {
  return {
    ...(r.keystore ? { keystore: r.keystore.path, type: r.keystore.type, alias: r.keystore.alias, createdKeystore: r.keystore.created } : {}),
    ...(r.files ? { keyFile: r.files.keyFile, certFile: r.files.certFile } : {}),
    certificate: { ...summaryJson(r.certificate), subjectAltNames: r.altNames },
    ...notesJson(r.keystore?.notes),
  };
}

export async function showGenkey(io: Io, opts: GlobalOptions, r: GenkeyResult): Promise<void> {
  if (opts.json) {
    io.out(JSON.stringify(genkeyJson(r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  const ks = r.keystore;
  const head = ks
    ? `${ks.created ? 'Created' : 'Updated'} ${ks.type} keystore ${shown(ks.path)} with key entry "${shown(ks.alias)}"`
    : `Wrote private key ${shown(r.files?.keyFile ?? '')} (${modeText(r.files?.keyMode)}) and certificate ${shown(r.files?.certFile ?? '')}`;
  io.out([paint.bold(head), ...renderCertLines(r.certificate, r.altNames, paint)].join('\n') + '\n');
  showNotes(io, r.keystore?.notes ?? []);
}
