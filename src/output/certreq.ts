/**
 * What `mailcert certreq` prints: the request (PEM) on stdout, or when it went to a file what it
 * asks for on stderr; with --json {"subject", "subjectAltNames", "file", "pem"} on stdout. Names
 * are escaped with shown() in the text.
 */
import type { Certreq } from '../core/certreq.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';

export interface CertreqJson {
  subject: string;
  subjectAltNames: string[];
  file: string | null;
  pem: string;
}

export function certreqJson(req: Certreq, file: string | undefined): CertreqJson {
  return { subject: req.subject, subjectAltNames: req.altNames, file: file ?? null, pem: req.pem };
}

/** `file`: where the request was written; undefined when it goes to standard output. */
export function showCertreq(io: Io, opts: GlobalOptions, req: Certreq, file: string | undefined): void {
  if (opts.json) io.out(JSON.stringify(certreqJson(req, file), null, 2) + '\n');
  else if (file === undefined) io.out(req.pem);
  else if (!opts.quiet) io.err(`Wrote certificate request ${shown(file)}\n  subject   ${shown(req.subject)}\n  names     ${shown(req.altNames.join(', '))}\n`);
}
