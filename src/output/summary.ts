/**
 * Human summaries of what a command wrote: files, the certificate's names, expiry and
 * fingerprint. Names come from certificates: escaped with shown().
 */
import type { CertSummary } from '../core/cert-summary.js';
import { shown } from '../display.js';
import { day, type Paint } from './style.js';

export function renderCertLines(c: CertSummary, altNames: readonly string[], paint: Paint, now = new Date()): string[] {
  const days = Math.round((Date.parse(c.notAfter) - now.getTime()) / 86_400_000);
  return [
    `  subject   ${shown(c.subject)}`,
    ...(altNames.length > 0 ? [`  names     ${shown(altNames.join(', '))}`] : []),
    `  issuer    ${shown(c.issuer)}`,
    `  key       ${c.publicKey}, ${c.signatureAlgorithm}`,
    `  valid     ${day(c.notBefore)} to ${day(c.notAfter)} (${paint.green(`${days} days`)})`,
    `  SHA-256   ${c.sha256}`,
  ];
}
