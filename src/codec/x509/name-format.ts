/**
 * Names as text, by our own code rather than node:crypto's, because mailcert prints them exactly
 * as the tools users compare against do:
 * - keytool 17 (sun.security.x509.X500Name.toString, AVA.toKeywordValueString), the form `list`,
 *   `inspect` and `verify` show and that `-dname` round-trips: `CN=mail, OU=IT, O=Example, C=DE`;
 * - RFC 4514 (and RFC 2253, which X500Principal.getName() writes: the same keywords and
 *   escapes), for --json and the friendlyName the JDK gives PKCS#12 chain certificates:
 *   `CN=mail,OU=IT,O=Example,C=DE`.
 */
import { OID } from '../asn1/oid.js';
import { UNIVERSAL } from '../asn1/tlv.js';

/** One AttributeTypeAndValue (RFC 5280 4.1.2.4). */
export interface Ava {
  oid: string;
  /** First identifier octet of the value (0x0c UTF8String, 0x13 PrintableString, ...). */
  tag: number;
  /** The value as text when it is a character string type; undefined otherwise. */
  value: string | undefined;
  /** The value's complete encoding (tag, length, contents). */
  readonly valueDer: Uint8Array;
}

/**
 * keytool keywords: sun.security.x509.AVAKeyword in DEFAULT mode; where an OID has two keywords
 * the one registered last wins (ST over S, DNQ over DNQUALIFIER, EMAILADDRESS over EMAIL).
 */
const KEYTOOL_KEYWORDS: ReadonlyMap<string, string> = new Map([
  [OID.commonName, 'CN'],
  [OID.countryName, 'C'],
  [OID.localityName, 'L'],
  [OID.stateOrProvinceName, 'ST'],
  [OID.organizationName, 'O'],
  [OID.organizationalUnitName, 'OU'],
  [OID.title, 'T'],
  [OID.sunIpAddress, 'IP'],
  [OID.streetAddress, 'STREET'],
  [OID.domainComponent, 'DC'],
  [OID.dnQualifier, 'DNQ'],
  [OID.surname, 'SURNAME'],
  [OID.givenName, 'GIVENNAME'],
  [OID.initials, 'INITIALS'],
  [OID.generationQualifier, 'GENERATION'],
  [OID.emailAddress, 'EMAILADDRESS'],
  [OID.userId, 'UID'],
  [OID.serialNumber, 'SERIALNUMBER'],
]);

/** RFC 4514 section 3 (and RFC 2253 2.3): the only short names a conforming writer uses; others are dotted OIDs. */
const RFC4514_KEYWORDS: ReadonlyMap<string, string> = new Map([
  [OID.commonName, 'CN'],
  [OID.localityName, 'L'],
  [OID.stateOrProvinceName, 'ST'],
  [OID.organizationName, 'O'],
  [OID.organizationalUnitName, 'OU'],
  [OID.countryName, 'C'],
  [OID.streetAddress, 'STREET'],
  [OID.domainComponent, 'DC'],
  [OID.userId, 'UID'],
]);

/**
 * The string types DerValue.getAsString converts (UTF8, Printable, T61, IA5, Universal, BMP,
 * General). Anything else, NumericString and VisibleString included, keytool prints as #hex.
 */
const JDK_STRING_TYPES: ReadonlySet<number> = new Set([
  UNIVERSAL.UTF8_STRING,
  UNIVERSAL.PRINTABLE_STRING,
  UNIVERSAL.T61_STRING,
  UNIVERSAL.IA5_STRING,
  UNIVERSAL.UNIVERSAL_STRING,
  UNIVERSAL.BMP_STRING,
  UNIVERSAL.GENERAL_STRING,
]);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** sun.security.util.DerValue.isPrintableStringChar. */
function isPrintableChar(c: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]$/.test(c);
}

const KEYTOOL_ESCAPEES = ',+=\n<>#;\\"';
/** An escapee anywhere, or a leading, trailing or doubled space: the cases that quote or escape. */
const KEYTOOL_NEEDS_WORK = /[,+=\n<>#;\\"]|^ | $|  /;

/** AVA.toKeywordValueString: quote on special characters, leading/trailing or doubled spaces. */
function keytoolValue(ava: Ava): string {
  if (ava.value === undefined || !JDK_STRING_TYPES.has(ava.tag)) return `#${hex(ava.valueDer)}`;
  const val = ava.value;
  // Nothing to escape or quote (the usual case): the loop below would return the value unchanged.
  if (!KEYTOOL_NEEDS_WORK.test(val)) return val;
  const length = val.length;
  const alreadyQuoted = length > 1 && val[0] === '"' && val[length - 1] === '"';
  let quoteNeeded = false;
  let previousWhite = false;
  let out = '';
  for (let i = 0; i < length; i++) {
    const c = val[i] as string;
    if (alreadyQuoted && (i === 0 || i === length - 1)) {
      out += c;
      continue;
    }
    const escapee = KEYTOOL_ESCAPEES.includes(c);
    if (isPrintableChar(c) || escapee) {
      if (!quoteNeeded && ((i === 0 && (c === ' ' || c === '\n')) || escapee)) quoteNeeded = true;
      if (c !== ' ' && c !== '\n') {
        if (c === '"' || c === '\\') out += '\\';
        previousWhite = false;
      } else {
        if (!quoteNeeded && previousWhite) quoteNeeded = true;
        previousWhite = true;
      }
      out += c;
    } else {
      previousWhite = false;
      out += c;
    }
  }
  const trail = out[out.length - 1];
  if (trail === ' ' || trail === '\n') quoteNeeded = true;
  return !alreadyQuoted && quoteNeeded ? `"${out}"` : out;
}

function keytoolAva(ava: Ava): string {
  return `${KEYTOOL_KEYWORDS.get(ava.oid) ?? `OID.${ava.oid}`}=${keytoolValue(ava)}`;
}

/** RFC 4514 2.4 escaping of a string value. */
function rfc4514Value(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\0') out += '\\00';
    else if ('"+,;<>\\'.includes(c) || (i === 0 && (c === ' ' || c === '#')) || (i === s.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

function rfc4514Ava(ava: Ava): string {
  const keyword = RFC4514_KEYWORDS.get(ava.oid);
  // RFC 4514 2.4: a dotted-decimal type, or a value with no string form, is written as #hex of its BER.
  if (keyword === undefined || ava.value === undefined) return `${keyword ?? ava.oid}=#${hex(ava.valueDer)}`;
  return `${keyword}=${rfc4514Value(ava.value)}`;
}

/** X500Name.generateDN: RDNs last to first, ", " between; RDN.toString joins AVAs with " + " in encoded order. */
export function keytoolDn(rdns: readonly (readonly Ava[])[]): string {
  return rdns
    .slice()
    .reverse()
    .map((rdn) => rdn.map(keytoolAva).join(' + '))
    .join(', ');
}

/** RFC 4514 section 2: RDNs last to first, "," between, the AVAs of one RDN joined by "+". */
export function rfc4514Dn(rdns: readonly (readonly Ava[])[]): string {
  return rdns
    .slice()
    .reverse()
    .map((rdn) => rdn.map(rfc4514Ava).join('+'))
    .join(',');
}
