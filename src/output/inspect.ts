/**
 * What `mailcert inspect` prints: the file's contents for people, or with --json one document
 * holding only the members the file has (a PEM file may hold several kinds: a key followed by its
 * chain), in the order the report has them:
 *
 *   { "file": "mail.pem" (or "standard input"), "format": "PEM" | "DER" | "PKCS7" | "JKS" | "JCEKS" | "PKCS12",
 *     "certificates": [ { "subject", "issuer", "notBefore", "notAfter", "sha256", "serial",
 *         "signatureAlgorithm", "publicKey": "RSA 2048", "daysLeft", "subjectAltNames": ["DNS:a", "IP:1.2.3.4"],
 *         "keyUsage": [..] | null, "extendedKeyUsage": [..] | null,
 *         "basicConstraints": { "ca", "pathLen" } | null, "selfSigned", "sha1", "publicKeySha256" } ],
 *     "request": { "subject", "publicKey", "signatureAlgorithm", "signatureValid", "subjectAltNames",
 *         "keyUsage", "extendedKeyUsage", "basicConstraints",
 *         "extensions": [ { "oid", "name", "critical" } ], "publicKeySha256" },
 *     "key": { "form", "encrypted", "encryption": string | null, "algorithm": string | null,
 *         "publicKey": string | null, "publicKeySha256": string | null },
 *     "crl": { "issuer", "thisUpdate", "nextUpdate": string | null, "revoked", "crlNumber": string | null },
 *     "keystore": { "type", "entries": [ as in list --json ], "integrityChecked" },
 *     "notes": [ "..." ] }
 *
 * Every value read from the file (names, the file name, a PEM header, notes quoting PEM labels) is
 * escaped with shown() in the text; --json keeps them exact.
 */
import type { BasicConstraintsInfo, InspectedCertificate, InspectedCrl, InspectedKey, InspectedRequest, InspectReport } from '../core/inspect.js';
import type { ListReport } from '../core/list.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { listJson, renderList, type ListJson } from './list.js';
import { day, painter, type Paint } from './style.js';
import { summaryJson } from './summary.js';

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

export async function showInspect(io: Io, opts: GlobalOptions, report: InspectReport): Promise<void> {
  if (opts.json) io.out(JSON.stringify(inspectJson(report), null, 2) + '\n');
  else if (!opts.quiet) io.out(renderInspect(report, await painter(io, opts)));
}

type Json = Record<string, unknown>;

const usageJson = (u: Pick<InspectedCertificate, 'subjectAltNames' | 'keyUsage' | 'extendedKeyUsage' | 'basicConstraints'>): Json => ({
  subjectAltNames: u.subjectAltNames,
  keyUsage: u.keyUsage,
  extendedKeyUsage: u.extendedKeyUsage,
  basicConstraints: u.basicConstraints === null ? null : { ca: u.basicConstraints.ca, pathLen: u.basicConstraints.pathLen },
});

const certificateJson = (c: InspectedCertificate): Json => ({
  ...summaryJson(c),
  daysLeft: c.daysLeft,
  ...usageJson(c),
  selfSigned: c.selfSigned,
  sha1: c.sha1,
  publicKeySha256: c.publicKeySha256,
});

const requestJson = (r: InspectedRequest): Json => ({
  subject: r.subject,
  publicKey: r.publicKey,
  signatureAlgorithm: r.signatureAlgorithm,
  signatureValid: r.signatureValid,
  ...usageJson(r),
  extensions: r.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical })),
  publicKeySha256: r.publicKeySha256,
});

const keyJson = (k: InspectedKey): Json => ({
  form: k.form,
  encrypted: k.encrypted,
  encryption: k.encryption,
  algorithm: k.algorithm,
  publicKey: k.publicKey,
  publicKeySha256: k.publicKeySha256,
});

const crlJson = (c: InspectedCrl): Json => ({ issuer: c.issuer, thisUpdate: c.thisUpdate, nextUpdate: c.nextUpdate, revoked: c.revoked, crlNumber: c.crlNumber });

/** The keystore member: list --json's document plus whether the integrity digest or MAC was checked. */
export const keystoreJson = (report: ListReport): ListJson & { integrityChecked: boolean } => ({ ...listJson(report), integrityChecked: report.integrityChecked });

/** The document; its members in the report's order (a PEM file's key, request and CRL as the file has them, then its certificates). */
export function inspectJson(r: InspectReport): Json {
  const doc: Json = {};
  for (const member of Object.keys(r) as (keyof InspectReport)[]) {
    switch (member) {
      case 'file':
      case 'format':
        doc[member] = r[member];
        break;
      case 'certificates':
        doc.certificates = r.certificates?.map(certificateJson);
        break;
      case 'request':
        if (r.request !== undefined) doc.request = requestJson(r.request);
        break;
      case 'key':
        if (r.key !== undefined) doc.key = keyJson(r.key);
        break;
      case 'crl':
        if (r.crl !== undefined) doc.crl = crlJson(r.crl);
        break;
      case 'keystore':
        if (r.keystore !== undefined) doc.keystore = keystoreJson(r.keystore);
        break;
      case 'notes':
        doc.notes = r.notes;
        break;
    }
  }
  return doc;
}
