/**
 * What `mailcert strip-password` prints: on stderr the files written (and a note when the key was
 * not encrypted at all), or with --json {"from", "keyFile", "format", "wasEncrypted", "certFile",
 * "chainLength"} on stdout. File names are escaped with shown() in the text.
 */
import type { StripResult } from '../core/strip-password.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { modeText } from './style.js';

export interface StripJson {
  from: string;
  keyFile: string;
  format: string;
  wasEncrypted: boolean;
  certFile: string | null;
  chainLength: number;
}

export function stripJson(r: StripResult): StripJson {
  return { from: r.from, keyFile: r.keyFile, format: r.format, wasEncrypted: r.wasEncrypted, certFile: r.certFile, chainLength: r.chainLength };
}

export function showStripped(io: Io, opts: GlobalOptions, r: StripResult): void {
  if (opts.json) {
    io.out(JSON.stringify(stripJson(r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const note = r.wasEncrypted ? '' : `note: ${shown(r.file ?? '')} was not encrypted; it was written in the requested form\n`;
  io.err(
    `${note}Wrote unencrypted private key ${shown(r.keyFile)} (${r.format}, ${modeText(r.keyMode)}) from ${shown(r.from)}\n` +
      (r.certFile !== null ? `Wrote certificate chain ${shown(r.certFile)} (${r.chainLength} certificate${r.chainLength === 1 ? '' : 's'}, leaf first)\n` : ''),
  );
}
