/**
 * Name constraints (RFC 5280 4.2.1.10) of the CAs on a certification path, applied as path
 * validation does (6.1.3 (b)(c), 6.1.4 (g)) and as OpenSSL 3.0 does (crypto/x509/x509_vfy.c
 * check_name_constraints, crypto/x509/v3_ncons.c), which is what `openssl verify` and the mail
 * servers linked against it decide.
 *
 * Every certificate below a constrained CA is checked against that CA's constraints: all of its
 * names (subject DN, subject emailAddress attributes, every subjectAltName, and for the leaf the
 * subject CN when that is its host name), each against every CA above it. That is RFC 5280's
 * intersection of permitted subtrees and union of excluded subtrees, kept per CA instead of being
 * computed, so each problem names the CA whose constraint is broken. Self-issued certificates
 * are not checked unless they are the leaf (6.1.3 (b)); their own constraints still apply below
 * them. The trust anchor's constraints apply too, as in OpenSSL ("if it includes constraints it
 * is to be assumed it expects them to be obeyed").
 *
 * A name form mailcert does not compare (otherName other than SmtpUTF8Mailbox, x400Address,
 * ediPartyName, registeredID) fails only when a CA constrains that same form and a certificate
 * below carries it: RFC 5280 4.2.1.10 ("MUST either process the constraint or reject the
 * certificate"), OpenSSL's X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE; an otherName is of the same
 * form only with the same type-id, as in OpenSSL since the CVE-2022-4203 fix. Unlike the RFC's
 * minimum, this holds for non-critical constraints too, as in OpenSSL.
 *
 * Deliberate differences from OpenSSL 3.0, each stricter except the last:
 * - a wildcard DNS name ("*.good.com") inside an excluded subtree's reach ("bad.good.com")
 *   breaks it (nc_dns compares the wildcard as a plain string and lets it pass);
 * - a wildcard CN of a leaf without a DNS subjectAltName is checked (cn2dnsid skips it);
 * - malformed constraints fail the CA whatever names are below it (codec/x509/general-names.ts);
 * - a URI whose host OpenSSL 3.0 and RFC 3986 read differently, or whose host is an IP address,
 *   fails (RFC 5280 4.2.1.10 says such a URI MUST be rejected);
 * - the work bound counts the whole path, not each certificate and CA pair;
 * - SmtpUTF8Mailbox names are compared as RFC 8398 section 6 says, as later OpenSSL versions do.
 *   OpenSSL 3.0's nc_email_eai keeps the leading dot when it converts ".example.com" to U-labels
 *   and ignores a mailbox's local part, so it refuses every such name under those two forms.
 */
import { OID } from '../codec/asn1/oid.js';
import { CodecError } from '../codec/errors.js';
import type { CertInfo } from '../codec/x509/certificate.js';
import { canonicalName } from '../codec/x509/name-hash.js';
import {
  SMTP_UTF8_MAILBOX,
  formatGeneralName,
  otherNameUtf8,
  parseGeneralNames,
  parseNameConstraints,
  type GeneralName,
} from '../codec/x509/general-names.js';
import { cnHostName, dirNameMatches, dnsMatches, emailMatches, ipMatches, smtpUtf8Matches, uriHost, uriMatches, wildcardReaches } from './name-match.js';

/** At most this many name-to-constraint comparisons for one path (NAME_CHECK_MAX, v3_ncons.c). */
export const NAME_CHECK_MAX = 1 << 20;

const OID_NAME_CONSTRAINTS = OID.nameConstraints;
const OID_SUBJECT_ALT_NAME = OID.subjectAltName;
const OID_COMMON_NAME = OID.commonName;
const OID_EMAIL_ADDRESS = OID.emailAddress;
const IA5_STRING = 0x16;

// ---------------------------------------------------------------------------------------------
// The names of a certificate and the constraints of a CA

/** The form a constraint of this type applies to; an otherName only to its own type-id. */
function formOf(name: GeneralName): string {
  return name.type === 'otherName' ? `otherName:${name.typeId}` : name.type;
}

const FORM_LABELS: Readonly<Record<string, string>> = {
  dNSName: 'DNS',
  rfc822Name: 'email',
  uniformResourceIdentifier: 'URI',
  iPAddress: 'IP',
  directoryName: 'dirName',
  registeredID: 'RID',
};

const COMPARED = new Set(['dNSName', 'rfc822Name', 'uniformResourceIdentifier', 'iPAddress', 'directoryName']);

/** What a name is compared as; each kind matches constraints of one form. */
type Probe =
  | { kind: 'dns'; text: string }
  | { kind: 'email'; text: string }
  | { kind: 'smtpUtf8'; text: string }
  | { kind: 'uri'; host: string }
  | { kind: 'ip'; bytes: Uint8Array }
  | { kind: 'dir'; der: Uint8Array; canon?: Uint8Array };

interface CertName {
  /** The constraint form it meets (formOf; an SmtpUTF8Mailbox meets rfc822Name, RFC 8398). */
  form: string;
  /** As written in problems: `DNS:mail.good.com`. */
  shown: string;
  source: 'subject' | 'emailAddress' | 'cn' | 'san';
  probe?: Probe;
  /** Why it cannot be compared with constraints of its form (X509_V_ERR_UNSUPPORTED_NAME_SYNTAX). */
  unreadable?: string;
}

interface Checked {
  who: string;
  serialHex: string;
  names: CertName[];
  /** A fault OpenSSL reports under any name constraints, whatever their forms. */
  fault?: string;
}

interface Constrainer {
  who: string;
  permitted: Map<string, GeneralName[]>;
  excluded: Map<string, GeneralName[]>;
  count: number;
  /** canonicalName of each directoryName base, computed on first use. */
  canon: Map<GeneralName, Uint8Array>;
}

function whoIs(cert: CertInfo): string {
  return cert.subject.text === '' ? `the certificate with serial ${cert.serialHex} (empty subject)` : `"${cert.subject.text}"`;
}

function sanName(name: GeneralName): CertName {
  const shown = formatGeneralName(name);
  const form = formOf(name);
  switch (name.type) {
    case 'dNSName':
      return { form, shown, source: 'san', probe: { kind: 'dns', text: name.text } };
    case 'rfc822Name':
      return name.text.includes('@')
        ? { form, shown, source: 'san', probe: { kind: 'email', text: name.text } }
        : { form, shown, source: 'san', unreadable: 'it is not a mailbox (no @)' };
    case 'uniformResourceIdentifier': {
      const host = uriHost(name.text);
      return host === undefined
        ? { form, shown, source: 'san', unreadable: 'it has no host name that can be compared (RFC 5280 4.2.1.10)' }
        : { form, shown, source: 'san', probe: { kind: 'uri', host } };
    }
    case 'iPAddress':
      return name.bytes.length === 4 || name.bytes.length === 16
        ? { form, shown, source: 'san', probe: { kind: 'ip', bytes: name.bytes } }
        : { form, shown, source: 'san', unreadable: `it has ${name.bytes.length} octets, not 4 or 16` };
    case 'directoryName':
      return { form, shown, source: 'san', probe: { kind: 'dir', der: name.name } };
    case 'otherName': {
      if (name.typeId !== SMTP_UTF8_MAILBOX) return { form, shown, source: 'san' };
      const text = otherNameUtf8(name);
      return text?.includes('@')
        ? { form: 'rfc822Name', shown, source: 'san', probe: { kind: 'smtpUtf8', text } }
        : { form: 'rfc822Name', shown, source: 'san', unreadable: 'it is not a UTF8String mailbox (RFC 8398 section 3)' };
    }
    default:
      return { form, shown, source: 'san' };
  }
}

function readFailure(e: unknown): string {
  if (e instanceof CodecError) return e.message;
  throw e;
}

/** The names name constraints look at (NAME_CONSTRAINTS_check, NAME_CONSTRAINTS_check_CN). */
function namesOf(cert: CertInfo, cnIsHostName: boolean, problems: string[]): Checked {
  const who = whoIs(cert);
  const out: Checked = { who, serialHex: cert.serialHex, names: [] };
  const avas = cert.subject.rdns.flat();
  if (avas.length > 0) {
    out.names.push({ form: 'directoryName', shown: `dirName:"${cert.subject.text}"`, source: 'subject', probe: { kind: 'dir', der: cert.subject.der } });
  }
  for (const ava of avas) {
    if (ava.oid === OID_EMAIL_ADDRESS) {
      if (ava.tag !== IA5_STRING || ava.value === undefined) out.fault = `${who} has an emailAddress in its subject that is not an IA5String (RFC 5280 4.1.2.6)`;
      else out.names.push({ ...sanName({ type: 'rfc822Name', text: ava.value }), source: 'emailAddress' });
    }
    if (ava.oid === OID_COMMON_NAME && cnIsHostName && ava.value !== undefined) {
      const cn = cnHostName(ava.value);
      if (cn.unreadable !== undefined) out.fault = `${who} has a subject CN that cannot be checked as a host name: ${cn.unreadable}`;
      if (cn.host !== undefined) out.names.push({ form: 'dNSName', shown: `DNS:${cn.host}`, source: 'cn', probe: { kind: 'dns', text: cn.host } });
    }
  }
  const san = cert.extensions.get(OID_SUBJECT_ALT_NAME);
  if (san !== undefined) {
    try {
      out.names.push(...parseGeneralNames(san.value).map(sanName));
    } catch (e) {
      problems.push(`${who} has a subjectAltName that cannot be read: ${readFailure(e)}`);
    }
  }
  return out;
}

function group(names: readonly GeneralName[]): Map<string, GeneralName[]> {
  const out = new Map<string, GeneralName[]>();
  for (const n of names) {
    const form = formOf(n);
    const list = out.get(form);
    if (list === undefined) out.set(form, [n]);
    else list.push(n);
  }
  return out;
}

function constrainerOf(cert: CertInfo, problems: string[]): Constrainer | undefined {
  const ext = cert.extensions.get(OID_NAME_CONSTRAINTS);
  if (ext === undefined) return undefined;
  const who = whoIs(cert);
  try {
    const nc = parseNameConstraints(ext.value);
    return { who, permitted: group(nc.permitted), excluded: group(nc.excluded), count: nc.permitted.length + nc.excluded.length, canon: new Map() };
  } catch (e) {
    problems.push(`${who} has name constraints that cannot be read, so nothing below it can be trusted: ${readFailure(e)}`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Checking

/** Whether `probe` is inside the subtree of `base`; a string says why they cannot be compared. */
function inside(probe: Probe, base: GeneralName, c: Constrainer, excluding: boolean): boolean | string {
  try {
    switch (probe.kind) {
      case 'dns':
        return base.type === 'dNSName' && (dnsMatches(probe.text, base.text) || (excluding && wildcardReaches(probe.text, base.text)));
      case 'email':
        return base.type === 'rfc822Name' && emailMatches(probe.text, base.text);
      case 'smtpUtf8':
        return base.type === 'rfc822Name' && smtpUtf8Matches(probe.text, base.text);
      case 'uri':
        return base.type === 'uniformResourceIdentifier' && uriMatches(probe.host, base.text);
      case 'ip':
        return base.type === 'iPAddress' && ipMatches(probe.bytes, base.bytes);
      case 'dir': {
        if (base.type !== 'directoryName') return false;
        probe.canon ??= canonicalName(probe.der);
        let canon = c.canon.get(base);
        if (canon === undefined) c.canon.set(base, (canon = canonicalName(base.name)));
        return dirNameMatches(probe.canon, canon);
      }
    }
  } catch (e) {
    return `they cannot be compared: ${readFailure(e)}`;
  }
}

function listed(bases: readonly GeneralName[]): string {
  const shown = bases.slice(0, 4).map((b) => formatGeneralName(b, true));
  return bases.length > 4 ? `${shown.join(', ')} and ${bases.length - 4} more` : shown.join(', ');
}

function has(checked: Checked, name: CertName, inSubtree: boolean): string {
  switch (name.source) {
    case 'subject':
      return `the subject ${checked.who} is ${inSubtree ? '' : 'not '}below it`;
    case 'emailAddress':
      return `${checked.who} has ${name.shown} in its subject`;
    case 'cn':
      return `${checked.who} has ${name.shown} as its subject CN, which is its host name`;
    default:
      return `${checked.who} has ${name.shown}`;
  }
}

function checkPair(named: Checked, c: Constrainer, problems: string[]): void {
  // A self-issued leaf has its CA's name: the serial tells them apart.
  const checked = named.who === c.who ? { ...named, who: `${named.who} (serial ${named.serialHex})` } : named;
  for (const name of checked.names) {
    const permitted = c.permitted.get(name.form) ?? [];
    const excluded = c.excluded.get(name.form) ?? [];
    if (permitted.length === 0 && excluded.length === 0) continue;
    const form = FORM_LABELS[name.form] ?? name.form;
    if (!COMPARED.has(name.form)) {
      problems.push(`${c.who} constrains ${form} names, which mailcert cannot check; ${checked.who} has ${name.shown}`);
      continue;
    }
    if (name.probe === undefined) {
      problems.push(`${c.who} constrains ${form} names; ${checked.who} has ${name.shown}, which cannot be checked: ${name.unreadable ?? 'unknown form'}`);
      continue;
    }
    const probe = name.probe;
    if (permitted.length > 0) {
      const results = permitted.map((base) => inside(probe, base, c, false));
      const failure = results.find((r) => typeof r === 'string');
      if (failure !== undefined) {
        problems.push(`${c.who} permits only ${listed(permitted)}; ${checked.who} has ${name.shown}, and ${failure}`);
        continue;
      }
      if (!results.includes(true)) {
        problems.push(`${c.who} permits only ${listed(permitted)}; ${has(checked, name, false)}`);
        continue;
      }
    }
    for (const base of excluded) {
      const r = inside(probe, base, c, true);
      if (r === false) continue;
      const excludes = `${c.who} excludes ${formatGeneralName(base, true)}`;
      if (typeof r === 'string') problems.push(`${excludes}; ${checked.who} has ${name.shown}, and ${r}`);
      else {
        const wildcard = probe.kind === 'dns' && base.type === 'dNSName' && !dnsMatches(probe.text, base.text);
        problems.push(`${excludes}; ${has(checked, name, true)}${wildcard ? ', a wildcard that covers it' : ''}`);
      }
      break;
    }
  }
}

/** Every problem the name constraints of the CAs on `path` (leaf first, trust anchor last) find with the names of the certificates below them; empty when there is none. */
export function nameConstraintProblems(path: readonly CertInfo[], opts: { cnIsHostName: boolean }): string[] {
  if (!path.some((cert, i) => i > 0 && cert.extensions.has(OID_NAME_CONSTRAINTS))) return [];
  const problems: string[] = [];
  const above: Constrainer[] = [];
  const pairs: { checked: Checked; c: Constrainer }[] = [];
  for (let i = path.length - 1; i >= 0; i--) {
    const cert = path[i] as CertInfo;
    if (above.length > 0 && (i === 0 || !cert.selfIssued)) {
      const checked = namesOf(cert, i === 0 && opts.cnIsHostName, problems);
      if (checked.fault !== undefined) problems.push(`${checked.fault}, so the name constraints of ${above[above.length - 1]?.who ?? ''} cannot be checked against it`);
      for (const c of above) pairs.push({ checked, c });
    }
    if (i > 0) {
      const c = constrainerOf(cert, problems);
      if (c !== undefined) above.push(c);
    }
  }
  let work = 0;
  for (const { checked, c } of pairs) work += checked.names.length * c.count;
  if (work > NAME_CHECK_MAX) {
    problems.push(`checking the name constraints of this chain takes ${work} comparisons, more than the ${NAME_CHECK_MAX} mailcert allows (as OpenSSL limits them)`);
    return problems;
  }
  for (const { checked, c } of pairs) checkPair(checked, c, problems);
  return problems;
}
