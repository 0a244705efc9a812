/**
 * Distinguished names written the way keytool's -dname takes them ("CN=mail.example.com, OU=IT,
 * O=Example, L=Berlin, ST=Berlin, C=DE"), parsed into the DER Name keytool would make
 * (sun.security.x509.X500Name / AVA): RDNs separated by "," (or ";"), AVAs of one RDN joined by
 * "+", values quoted or with backslash escapes (RFC 4514 section 3), "#hex" for a raw DER value,
 * OID.1.2.3= or 1.2.3= for any attribute type. The RDNs are encoded in reverse order of the string
 * (X500Name.encode writes names[length-1] first), so that keytool prints them back as typed.
 * Value types follow AVA.parseString: DC and EMAILADDRESS are IA5String, C is PrintableString,
 * others PrintableString when the value fits its character set, else UTF8String.
 */
import { CodecError } from '../errors.js';
import { OID } from '../asn1/oid.js';
import { readRoot } from '../asn1/tlv.js';
import { encodeIa5String, encodeOid, encodePrintableString, encodeSequence, encodeSetOf, encodeUtf8String, isPrintableString } from '../asn1/writer.js';

/** keytool's keywords (sun.security.x509.AVAKeyword) and RFC 4514's. */
const keywords: Record<string, string> = {
  CN: OID.commonName,
  C: OID.countryName,
  L: OID.localityName,
  S: OID.stateOrProvinceName,
  ST: OID.stateOrProvinceName,
  O: OID.organizationName,
  OU: OID.organizationalUnitName,
  T: OID.title,
  IP: OID.sunIpAddress,
  STREET: OID.streetAddress,
  DC: OID.domainComponent,
  DNQUALIFIER: OID.dnQualifier,
  DNQ: OID.dnQualifier,
  SURNAME: OID.surname,
  GIVENNAME: OID.givenName,
  INITIALS: OID.initials,
  GENERATION: OID.generationQualifier,
  EMAIL: OID.emailAddress,
  EMAILADDRESS: OID.emailAddress,
  UID: OID.userId,
  SERIALNUMBER: OID.serialNumber,
};
const IA5_TYPES: ReadonlySet<string> = new Set([OID.domainComponent, OID.emailAddress]);

export interface DnAttribute {
  oid: string;
  /** The DER of the value (a string type, or the raw #hex value). */
  value: Uint8Array;
}

const fail = (dn: string, why: string): CodecError => new CodecError('format', 'DN', `cannot read "${dn}": ${why}`);

/** Splits on an unescaped, unquoted separator character. */
function splitTop(s: string, seps: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s.charAt(++i);
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (!quoted && seps.includes(ch)) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function unescapeValue(raw: string, dn: string): string {
  const v = raw.trim();
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) throw fail(dn, `unterminated quote in ${raw.trim()}`);
    return v.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  // RFC 4514 2.4: \XX hex pairs (UTF-8 bytes) or \<special>.
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < v.length; i++) {
    const ch = v.charAt(i);
    if (ch === '\\') {
      const hex = v.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else if (i + 1 < v.length) bytes.push(...enc.encode(v.charAt(++i)));
      else throw fail(dn, 'a value ends with a lone backslash');
    } else bytes.push(...enc.encode(ch));
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
}

function parseAva(text: string, dn: string): DnAttribute {
  const eq = text.indexOf('=');
  if (eq <= 0) throw fail(dn, `"${text.trim()}" is not TYPE=value`);
  const type = text.slice(0, eq).trim();
  const rawValue = text.slice(eq + 1);
  const upper = type.toUpperCase();
  let oid = keywords[upper];
  if (oid === undefined) {
    const m = /^(?:OID\.)?(\d+(?:\.\d+)+)$/i.exec(type);
    if (!m?.[1]) throw fail(dn, `unknown attribute type "${type}" (use CN, OU, O, L, ST, C, EMAILADDRESS, DC, ... or OID.n.n.n)`);
    oid = m[1];
  }
  const trimmed = rawValue.trim();
  if (trimmed.startsWith('#')) {
    const hex = trimmed.slice(1);
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw fail(dn, `bad hex value for ${type}`);
    const der = Uint8Array.from(Buffer.from(hex, 'hex'));
    readRoot(der, 'DN'); // must be one well-formed DER element
    return { oid, value: der };
  }
  const value = unescapeValue(rawValue, dn);
  if (oid === OID.countryName) {
    if (!/^[A-Za-z]{2}$/.test(value)) throw fail(dn, `C=${value}: a country is a two-letter code such as DE or US`);
    return { oid, value: encodePrintableString(value) };
  }
  if (IA5_TYPES.has(oid)) {
    if (!/^[\x00-\x7f]*$/.test(value)) throw fail(dn, `${type} must be ASCII`);
    return { oid, value: encodeIa5String(value) };
  }
  return { oid, value: isPrintableString(value) ? encodePrintableString(value) : encodeUtf8String(value) };
}

/** Parses a keytool-style DN into RDNs in string order (most specific first). */
export function parseDnString(dn: string): DnAttribute[][] {
  if (dn.trim() === '') throw fail(dn, 'it is empty');
  return splitTop(dn, ',;').map((rdn) => {
    if (rdn.trim() === '') throw fail(dn, 'an empty component (two commas in a row?)');
    return splitTop(rdn, '+').map((ava) => parseAva(ava, dn));
  });
}

/** The DER Name for RDNs in string order: encoded last-first, as X500Name.encode does. */
export function encodeName(rdns: readonly (readonly DnAttribute[])[]): Uint8Array {
  return encodeSequence(...[...rdns].reverse().map((avas) => encodeSetOf(...avas.map((a) => encodeSequence(encodeOid(a.oid), a.value)))));
}

/** The Name with a single CN, for --cn. */
export function cnName(cn: string): Uint8Array {
  return encodeName([[{ oid: OID.commonName, value: isPrintableString(cn) ? encodePrintableString(cn) : encodeUtf8String(cn) }]]);
}

