/**
 * Certificate summaries: as lines for people (what a command wrote: names, expiry, fingerprint;
 * names come from certificates and are escaped with shown()), and as the README's JSON
 * "certificate summary".
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

/** README "JSON shapes": the certificate summary. */
export type SummaryJson = Pick<CertSummary, 'subject' | 'issuer' | 'notBefore' | 'notAfter' | 'sha256' | 'serial' | 'signatureAlgorithm' | 'publicKey'>;

/** The summary's members in their documented order. */
export function summaryJson(c: CertSummary): SummaryJson {
  return {
    subject: c.subject,
    issuer: c.issuer,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    sha256: c.sha256,
    serial: c.serial,
    signatureAlgorithm: c.signatureAlgorithm,
    publicKey: c.publicKey,
  };
}
