/**
 * X.501 Names in certificates (RFC 5280 4.1.2.4), formatted by our own code, not by node:crypto,
 * because mailcert prints them exactly as keytool 17 does (sun.security.x509.X500Name.toString,
 * AVA.toKeywordValueString), and those strings are what users compare and what `-dname`
 * round-trips; and in the RFC 4514 form.
 */
import { TAG, type Tlv, children, derError, expectTag, item, readOid, readRoot, readString, tlvBytes, isStringTag } from './der.js';

const FORMAT = 'X.509';

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

export interface DistinguishedName {
  /** The Name's DER as found in the certificate. */
  der: Uint8Array;
  /** RDNs in encoding order (most significant first: C, O, ... CN), each a set of AVAs. */
  rdns: Ava[][];
  /** As keytool 17 prints it in "Owner:"/"Issuer:": `CN=..., OU=..., O=..., C=...`. Computed on first use. */
  readonly text: string;
  /** RFC 4514 string form: `CN=...,O=...,C=...`. Computed on first use. */
  readonly rfc4514: string;
}

/**
 * keytool keywords: sun.security.x509.AVAKeyword in DEFAULT mode; where an OID has two keywords
 * the one registered last wins (ST over S, DNQ over DNQUALIFIER, EMAILADDRESS over EMAIL).
 */
const KEYTOOL_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.12', 'T'],
  ['1.3.6.1.4.1.42.2.11.2.1', 'IP'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['2.5.4.46', 'DNQ'],
  ['2.5.4.4', 'SURNAME'],
  ['2.5.4.42', 'GIVENNAME'],
  ['2.5.4.43', 'INITIALS'],
  ['2.5.4.44', 'GENERATION'],
  ['1.2.840.113549.1.9.1', 'EMAILADDRESS'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['2.5.4.5', 'SERIALNUMBER'],
]);

/** RFC 4514 section 3: the only short names a conforming writer uses; others are dotted OIDs. */
const RFC4514_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.6', 'C'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
]);

/**
 * The string types DerValue.getAsString converts (UTF8, Printable, T61, IA5, Universal, BMP,
 * General). Anything else, NumericString and VisibleString included, keytool prints as #hex.
 */
const JDK_STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1c, 0x1e, 0x1b]);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Uppercase hex pairs joined by colons, the way keytool and openssl print fingerprints and key ids. */
export function colonHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i === 0 ? '' : ':') + (HEX_PAIRS[bytes[i] as number] as string);
  return out;
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
  if (ava.value === undefined || !JDK_STRING_TAGS.has(ava.tag)) return `#${hex(ava.valueDer)}`;
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
function keytoolDn(rdns: readonly Ava[][]): string {
  return rdns
    .slice()
    .reverse()
    .map((rdn) => rdn.map(keytoolAva).join(' + '))
    .join(', ');
}

function rfc4514Dn(rdns: readonly Ava[][]): string {
  return rdns
    .slice()
    .reverse()
    .map((rdn) => rdn.map(rfc4514Ava).join('+'))
    .join(',');
}

function parseAva(tlv: Tlv): Ava {
  expectTag(tlv, TAG.SEQUENCE, 'AttributeTypeAndValue');
  const parts = children(tlv);
  if (parts.length !== 2) throw derError(tlv.format, 'AttributeTypeAndValue must hold a type and a value', tlv.offset);
  const oid = readOid(item(tlv, parts, 0, 'attribute type'));
  const v = item(tlv, parts, 1, 'attribute value');
  return {
    oid,
    tag: v.tag,
    value: isStringTag(v) ? readString(v) : undefined,
    get valueDer() {
      return tlvBytes(v);
    },
  };
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET OF AttributeTypeAndValue (RFC 5280 4.1.2.4). */
export function nameFromTlv(tlv: Tlv): DistinguishedName {
  expectTag(tlv, TAG.SEQUENCE, 'Name');
  const rdns = children(tlv).map((rdn) => {
    expectTag(rdn, TAG.SET, 'RelativeDistinguishedName');
    const avas = children(rdn).map(parseAva);
    if (avas.length === 0) throw derError(tlv.format, 'empty RelativeDistinguishedName', rdn.offset);
    return avas;
  });
  let text: string | undefined;
  let rfc4514: string | undefined;
  return {
    der: tlvBytes(tlv),
    rdns,
    get text() {
      return (text ??= keytoolDn(rdns));
    },
    get rfc4514() {
      return (rfc4514 ??= rfc4514Dn(rdns));
    },
  };
}

/** Parses a Name given as its own DER (the subject of a CSR, a Name from a keystore). */
export function parseName(nameDer: Uint8Array, format = FORMAT): DistinguishedName {
  return nameFromTlv(readRoot(nameDer, format));
}

/** A Name's DER formatted as keytool prints it ("CN=Test Intermediate CA, OU=..., O=Example, C=US"). */
export function formatDn(nameDer: Uint8Array): string {
  return parseName(nameDer).text;
}
