/**
 * Trust questions: on a terminal, show the certificate and ask; --yes answers yes; otherwise (a
 * pipe, CI, --json) fail at once saying to pass --yes (CLI.md: never block on a closed stdin).
 */
import type { CertSummary } from '../core/cert-summary.js';
import { usageError } from '../errors.js';
import type { GlobalOptions, Io } from './io.js';

export function confirmer(io: Io, opts: GlobalOptions & { yes?: unknown }): (question: string, cert: CertSummary) => Promise<boolean> {
  return async (question, cert) => {
    if (opts.yes === true) return true;
    if (!io.stdinIsTTY || opts.json === true) {
      throw usageError(`not confirmed: ${question.replace(/\?$/, '')}: ${cert.subject} (SHA-256 ${cert.sha256})`, 'check the certificate, then pass --yes to accept it without a question');
    }
    io.err(
      [`Owner:   ${cert.subject}`, `Issuer:  ${cert.issuer}`, `Valid:   ${cert.notBefore.slice(0, 10)} to ${cert.notAfter.slice(0, 10)}`, `SHA-256: ${cert.sha256}`, ''].join('\n'),
    );
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message: question, default: false });
  };
}
