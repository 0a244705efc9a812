/**
 * Human rendering of `mailcert inspect` (the JSON shape is documented in core/inspect.ts). Every
 * value read from the file (names, the file name, a PEM header, notes quoting PEM labels) is
 * escaped with shown(); --json keeps them exact.
 */
import type { BasicConstraintsInfo, InspectedCertificate, InspectedCrl, InspectedKey, InspectedRequest, InspectReport } from '../core/inspect.js';
import { shown } from '../display.js';
import { renderList } from './list.js';
import { day, type Paint } from './style.js';

const row = (label: string, value: string): string => `  ${label.padEnd(13)} ${value}`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function constraints(bc: BasicConstraintsInfo): string {
  return bc.ca ? `CA:TRUE${bc.pathLen === null ? '' : `, pathlen:${bc.pathLen}`}` : 'CA:FALSE';
}

/** The rows a certificate and a request share: names, key usage, extended key usage, constraints. */
function usageRows(u: Pick<InspectedCertificate, 'subjectAltNames' | 'keyUsage' | 'extendedKeyUsage' | 'basicConstraints'>): string[] {
  return [
    ...(u.subjectAltNames.length > 0 ? [row('names', shown(u.subjectAltNames.join(', ')))] : []),
    ...(u.keyUsage ? [row('key usage', u.keyUsage.join(', '))] : []),
    ...(u.extendedKeyUsage ? [row('ext. usage', u.extendedKeyUsage.join(', '))] : []),
    ...(u.basicConstraints ? [row('constraints', constraints(u.basicConstraints))] : []),
  ];
}

function validity(c: InspectedCertificate, paint: Paint): string {
  const left = c.daysLeft;
  const text = left < 0 ? paint.red(`expired ${-left} days ago`) : left <= 30 ? paint.yellow(`${left} days left`) : paint.green(`${left} days left`);
  return `${day(c.notBefore)} to ${day(c.notAfter)} (${text})`;
}

function certificateLines(c: InspectedCertificate, n: number, count: number, paint: Paint): string[] {
  return [
    paint.bold(count > 1 ? `Certificate [${n}]${c.selfSigned ? ' (self-signed)' : ''}` : `Certificate${c.selfSigned ? ' (self-signed)' : ''}`),
    row('subject', shown(c.subject)),
    row('issuer', shown(c.issuer)),
    row('serial', c.serial),
    row('valid', validity(c, paint)),
    row('public key', c.publicKey),
    row('signature', c.signatureAlgorithm),
    ...usageRows(c),
    row('SHA-256', c.sha256),
    row('SHA-1', c.sha1),
  ];
}

function requestLines(r: InspectedRequest, paint: Paint): string[] {
  return [
    paint.bold('Certificate request (PKCS#10)'),
    row('subject', shown(r.subject)),
    row('public key', r.publicKey),
    row('signature', `${r.signatureAlgorithm}, ${r.signatureValid ? paint.green('verifies') : paint.red('does NOT verify (damaged or altered request)')}`),
    ...usageRows(r),
    row('extensions', r.extensions.length > 0 ? r.extensions.map((e) => `${e.name ?? e.oid}${e.critical ? ' (critical)' : ''}`).join(', ') : 'none requested'),
  ];
}

function keyLines(k: InspectedKey, certs: readonly InspectedCertificate[], paint: Paint): string[] {
  const lines = [paint.bold('Private key'), row('form', k.form)];
  if (k.encrypted) lines.push(row('encrypted', shown(k.encryption ?? 'yes')));
  else lines.push(row('encrypted', 'no'));
  lines.push(row('type', k.publicKey ?? `${k.algorithm ?? 'unknown'} (give the passphrase with --passin-* to see the size)`));
  if (k.publicKeySha256 !== null && certs.length > 0) {
    const match = certs.findIndex((c) => c.publicKeySha256 === k.publicKeySha256);
    lines.push(row('matches', match === -1 ? paint.yellow('no certificate in this file') : certs.length > 1 ? `certificate [${match + 1}]` : 'the certificate'));
  }
  return lines;
}

function crlLines(c: InspectedCrl, paint: Paint): string[] {
  return [
    paint.bold('Certificate revocation list'),
    row('issuer', shown(c.issuer)),
    row('this update', c.thisUpdate),
    row('next update', c.nextUpdate ?? 'none given'),
    row('revoked', plural(c.revoked, 'certificate')),
    ...(c.crlNumber === null ? [] : [row('CRL number', c.crlNumber)]),
  ];
}

/** "2 certificates, private key": what the header line says the file holds. */
function contents(r: InspectReport): string {
  const parts: string[] = [];
  if (r.certificates) parts.push(plural(r.certificates.length, 'certificate'));
  if (r.request) parts.push('certificate request');
  if (r.key) parts.push(r.key.encrypted ? 'encrypted private key' : 'private key');
  if (r.crl) parts.push('CRL');
  return parts.join(', ');
}

export function renderInspect(r: InspectReport, paint: Paint): string {
  if (r.keystore) return renderList(r.keystore, true, paint);
  const sections: string[][] = [];
  const certs = r.certificates ?? [];
  certs.forEach((c, i) => sections.push(certificateLines(c, i + 1, certs.length, paint)));
  if (r.request) sections.push(requestLines(r.request, paint));
  if (r.key) sections.push(keyLines(r.key, certs, paint));
  if (r.crl) sections.push(crlLines(r.crl, paint));
  const head = [`${paint.bold(shown(r.file))}: ${r.format}, ${contents(r)}`];
  const notes = (r.notes ?? []).map((n) => paint.yellow(`note: ${shown(n)}`));
  return [head, ...sections, ...(notes.length > 0 ? [notes] : [])].map((s) => s.join('\n')).join('\n\n') + '\n';
}
