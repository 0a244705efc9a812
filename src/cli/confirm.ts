/**
 * Trust questions: on a terminal, show the certificate and ask; --yes answers yes; otherwise (a
 * pipe, CI, --json) fail at once saying to pass --yes (CLI.md: never block on a closed stdin).
 * The certificate's names, the alias in the question and file names are escaped with shown().
 */
import type { CertSummary } from '../core/cert-summary.js';
import { shown } from '../display.js';
import { usageError } from '../errors.js';
import { isExistingFile } from '../keystore/files.js';
import type { GlobalOptions, Io } from '../io.js';

export function confirmer(io: Io, opts: GlobalOptions & { yes?: unknown }): (question: string, cert: CertSummary) => Promise<boolean> {
  return async (question, cert) => {
    if (opts.yes === true) return true;
    if (!io.stdinIsTTY || opts.json === true) {
      throw usageError(`not confirmed: ${question.replace(/\?$/, '')}: ${cert.subject} (SHA-256 ${cert.sha256})`, 'check the certificate, then pass --yes to accept it without a question');
    }
    io.err(
      [`Owner:   ${shown(cert.subject)}`, `Issuer:  ${shown(cert.issuer)}`, `Valid:   ${cert.notBefore.slice(0, 10)} to ${cert.notAfter.slice(0, 10)}`, `SHA-256: ${cert.sha256}`, ''].join('\n'),
    );
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message: shown(question), default: false });
  };
}

/**
 * Whether outputs that already exist may be replaced: --force says yes; on a terminal the user is
 * asked (once, for all of them); otherwise no, and the write then refuses with its hint.
 */
export async function mayOverwrite(io: Io, opts: GlobalOptions, paths: readonly (string | undefined)[]): Promise<boolean> {
  if (opts.force === true) return true;
  const existing = paths.filter((p): p is string => p !== undefined && p !== '-' && isExistingFile(p));
  if (existing.length === 0 || !io.stdinIsTTY || opts.json === true) return false;
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `${shown(existing.join(' and '))} already ${existing.length === 1 ? 'exists' : 'exist'}. Overwrite?`, default: false });
}
