/**
 * TLSA records (RFC 6698 §2): what they say, how to compute one for a certificate or a key, and
 * how to read the forms admins have them in: `3 1 1 <hex>`, a zone-file line, `dig +short`
 * output (the hex cut into groups), the RFC 7218 mnemonics (`DANE-EE SPKI SHA2-256`) and the
 * RFC 3597 generic form (`TYPE52 \# 35 030101...`).
 *
 *   tlsaData({ der, spki }, 1, 1)   // SHA-256 of the SubjectPublicKeyInfo, what `3 1 1` publishes
 */
import { createHash } from 'node:crypto';

/** RFC 6698 §2.1.1, RFC 7218 §2.1. */
export const USAGE_NAMES: Readonly<Record<number, string>> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };
/** RFC 6698 §2.1.2, RFC 7218 §2.2. */
export const SELECTOR_NAMES: Readonly<Record<number, string>> = { 0: 'Cert', 1: 'SPKI' };
/** RFC 6698 §2.1.3, RFC 7218 §2.3. */
export const MATCHING_NAMES: Readonly<Record<number, string>> = { 0: 'Full', 1: 'SHA2-256', 2: 'SHA2-512' };

export interface TlsaRecord {
  usage: number;
  selector: number;
  matching: number;
  /** The certificate association data: a digest (matching 1, 2) or the whole DER (matching 0). */
  data: Uint8Array;
}

/** What a record can be computed from: a certificate (both selectors) or a key alone (selector 1). */
export interface TlsaSubject {
  der?: Uint8Array;
  spki: Uint8Array;
}

/** The association data for one certificate or key (RFC 6698 §2.1.2, §2.1.3). */
export function tlsaData(subject: TlsaSubject, selector: number, matching: number): Uint8Array {
  const selected = selector === 0 ? subject.der : subject.spki;
  if (selected === undefined) throw new Error('selector 0 needs a certificate');
  if (matching === 0) return selected;
  return new Uint8Array(
    createHash(matching === 1 ? 'sha256' : 'sha512')
      .update(selected)
      .digest(),
  );
}

/** Whether mailcert (and RFC 6698) knows every parameter; others make the record unusable (RFC 7671 §4). */
export function isKnownRecord(r: TlsaRecord): boolean {
  return r.usage in USAGE_NAMES && r.selector in SELECTOR_NAMES && r.matching in MATCHING_NAMES;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

/** "3 1 1 <hex>", or the zone-file line under an owner name. */
export function formatTlsa(r: TlsaRecord, owner?: string): string {
  const rdata = `${r.usage} ${r.selector} ${r.matching} ${hex(r.data)}`;
  return owner === undefined ? rdata : `${owner} IN TLSA ${rdata}`;
}

/** "3 1 1 a1b2c3d4…" for messages: the parameters and the first bytes of the data. */
export function shortTlsa(r: TlsaRecord): string {
  const h = hex(r.data);
  return `${r.usage} ${r.selector} ${r.matching} ${h.length > 16 ? `${h.slice(0, 16)}…` : h}`;
}

/** "DANE-EE(3) SPKI(1) SHA2-256(1)": the parameters as RFC 7218 names them. */
export function describeParameters(r: TlsaRecord): string {
  const name = (names: Readonly<Record<number, string>>, n: number): string => `${names[n] ?? 'unknown'}(${n})`;
  return `${name(USAGE_NAMES, r.usage)} ${name(SELECTOR_NAMES, r.selector)} ${name(MATCHING_NAMES, r.matching)}`;
}

/** The owner name of a service's TLSA records (RFC 6698 §3): `_25._tcp.mail.example.com.`. */
export function tlsaOwner(host: string, port: number): string {
  return `_${port}._tcp.${host.toLowerCase().replace(/\.$/, '')}.`;
}

/** A record that cannot be read; the caller names where it came from and picks the exit code. */
export class TlsaSyntaxError extends Error {
  override readonly name = 'TlsaSyntaxError';
}

function parameter(token: string | undefined, names: Readonly<Record<number, string>>, what: string): number {
  if (token === undefined) throw new TlsaSyntaxError(`no ${what}`);
  if (/^\d{1,3}$/.test(token) && Number(token) <= 255) return Number(token);
  const byName = Object.entries(names).find(([, n]) => n.toLowerCase() === token.toLowerCase());
  if (byName !== undefined) return Number(byName[0]);
  throw new TlsaSyntaxError(`"${token}" is not a ${what} (a number 0-255${Object.values(names).length > 0 ? ` or ${Object.values(names).join(', ')}` : ''})`);
}

/** The length a digest record's data must have (RFC 6698 §2.1.3). */
const DIGEST_BYTES: Readonly<Record<number, number>> = { 1: 32, 2: 64 };

/** Record data from its presentation tokens: "3 1 1 <hex...>" or "\# 35 <hex...>" (RFC 3597 §5). */
function fromTokens(tokens: readonly string[]): TlsaRecord {
  if (tokens[0] === '\\#') {
    const bytes = hexBytes(tokens.slice(2).join(''));
    if (Number(tokens[1]) !== bytes.length) throw new TlsaSyntaxError(`the generic form says ${tokens[1] ?? '?'} bytes and has ${bytes.length}`);
    if (bytes.length < 4) throw new TlsaSyntaxError('too short for a TLSA record');
    return checked({ usage: bytes[0] ?? 0, selector: bytes[1] ?? 0, matching: bytes[2] ?? 0, data: bytes.subarray(3) });
  }
  const usage = parameter(tokens[0], USAGE_NAMES, 'certificate usage');
  const selector = parameter(tokens[1], SELECTOR_NAMES, 'selector');
  const matching = parameter(tokens[2], MATCHING_NAMES, 'matching type');
  const data = tokens.slice(3).join('');
  if (data === '') throw new TlsaSyntaxError('no certificate association data after the three numbers');
  return checked({ usage, selector, matching, data: hexBytes(data) });
}

function checked(r: TlsaRecord): TlsaRecord {
  const want = DIGEST_BYTES[r.matching];
  if (want !== undefined && r.data.length !== want) {
    throw new TlsaSyntaxError(`a ${MATCHING_NAMES[r.matching] ?? ''} record holds ${want} bytes (${want * 2} hex digits), this one ${r.data.length}`);
  }
  return r;
}

function hexBytes(text: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) throw new TlsaSyntaxError('the data is not hex (an even number of digits 0-9, a-f)');
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** One record as given on the command line: `3 1 1 HEX`, or a zone-file line holding one. */
export function parseTlsaRecord(text: string): TlsaRecord {
  const tokens = text.replace(/[()]/g, ' ').trim().split(/\s+/);
  const at = tokens.slice(0, 4).findIndex((t) => /^(?:TLSA|TYPE52)$/i.test(t));
  return fromTokens(at === -1 ? tokens : tokens.slice(at + 1));
}

/** Record types a zone file or `dig` output may hold beside TLSA; their lines are passed over. */
const OTHER_TYPES = new Set(['A', 'AAAA', 'MX', 'CNAME', 'NS', 'SOA', 'TXT', 'RRSIG', 'NSEC', 'NSEC3', 'DS', 'DNSKEY', 'PTR', 'SRV', 'CAA', 'SVCB', 'HTTPS']);

/**
 * Every TLSA record of a zone file fragment or of `dig` / `dig +short` output. Comments (`;`),
 * `$ORIGIN`/`$TTL` lines, other record types and a lone name (the CNAME `dig +short` prints first)
 * are passed over; parentheses join lines (RFC 1035 §5.1). A line that is none of these is an
 * error naming its number.
 */
export function parseTlsaText(text: string): { records: TlsaRecord[]; errors: { line: number; message: string }[] } {
  const records: TlsaRecord[] = [];
  const errors: { line: number; message: string }[] = [];
  let pending = '';
  let pendingLine = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/;.*/, '');
    if (pending === '') pendingLine = i + 1;
    pending += ` ${line}`;
    // Inside parentheses the record goes on on the next line.
    if ((pending.match(/\(/g) ?? []).length > (pending.match(/\)/g) ?? []).length) return;
    const entry = pending.replace(/[()]/g, ' ').trim();
    pending = '';
    if (entry === '' || entry.startsWith('$')) return;
    const tokens = entry.split(/\s+/);
    // The type comes after at most an owner, a TTL and a class (RFC 1035 §5.1).
    const at = tokens.slice(0, 4).findIndex((t) => /^(?:TLSA|TYPE52)$/i.test(t) || OTHER_TYPES.has(t.toUpperCase()));
    if (at !== -1 && !/^(?:TLSA|TYPE52)$/i.test(tokens[at] ?? '')) return;
    if (at === -1 && tokens.length === 1 && /\.$/.test(entry)) return;
    try {
      records.push(fromTokens(at === -1 ? tokens : tokens.slice(at + 1)));
    } catch (e) {
      if (!(e instanceof TlsaSyntaxError)) throw e;
      errors.push({ line: pendingLine, message: e.message });
    }
  });
  if (pending.trim() !== '') errors.push({ line: pendingLine, message: 'a parenthesis is never closed' });
  return { records, errors };
}
