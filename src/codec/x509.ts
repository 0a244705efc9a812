/**
 * X.509 certificate summary (RFC 5280 section 4), parsed once from the original DER, which is kept.
 *
 * Names are formatted by our own code, not by node:crypto, because mailcert prints them exactly
 * as keytool 17 does (sun.security.x509.X500Name.toString, AVA.toKeywordValueString), and those
 * strings are what users compare and what `-dname` round-trips.
 */
import { createPublicKey, constants, hash, verify, type KeyObject } from 'node:crypto';
import { CodecError } from './errors.js';
import {
  TAG,
  CLASS_CONTEXT,
  type Tlv,
  children,
  derError,
  expectTag,
  isContext,
  item,
  readBitString,
  readBoolean,
  readIntegerBytes,
  readOctetString,
  readOid,
  readRoot,
  readSmallInt,
  readString,
  readTime,
  readTlv,
  sequence,
  stringValue,
  tlvBytes,
  valueBytes,
  bytesToBigInt,
  isStringTag,
} from './der.js';

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

export interface Extension {
  oid: string;
  critical: boolean;
  /** The contents of extnValue (the DER of the extension's own structure). */
  value: Uint8Array;
}

export interface PublicKeySummary {
  /** 'RSA', 'RSASSA-PSS', 'EC', 'Ed25519', 'Ed448', 'X25519', 'X448', 'DSA', or the OID when unknown. */
  algorithm: string;
  oid: string;
  /** Key size: RSA/DSA modulus bits, EC field bits, 255/448 for the Edwards curves. */
  bits?: number;
  /** EC curve name as the JDK names it (secp256r1, ...) or the OID when unknown. */
  curve?: string;
}

export interface SubjectAltName {
  dns: string[];
  /** IPv4 dotted quads and IPv6 in RFC 5952 form (lowercase, longest zero run as "::"). */
  ip: string[];
  email: string[];
  uri: string[];
  /** directoryName entries, formatted as keytool formats names. */
  dirName: string[];
}

export interface BasicConstraints {
  ca: boolean;
  pathLen?: number;
}

export interface ExtKeyUsage {
  oid: string;
  /** RFC 5280 4.2.1.12 name (serverAuth, clientAuth, ...), when known. */
  name?: string;
}

export interface AlgorithmIdentifier {
  oid: string;
  /** keytool's name (SHA256withRSA, SHA256withECDSA, RSASSA-PSS, Ed25519) or the OID when unknown. */
  name: string;
  /** The parameters' complete encoding, when present (RSASSA-PSS-params, NULL). */
  parameters?: Uint8Array;
}

export interface CertInfo {
  /** The certificate exactly as given. */
  der: Uint8Array;
  /** The signed part, TBSCertificate (a view into der). */
  tbs: Uint8Array;
  version: number;
  /** Serial number contents (two's complement, as encoded). */
  serial: Uint8Array;
  /** As keytool prints it: BigInteger.toString(16), lowercase, no leading zeros. */
  serialHex: string;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER (a view into der). */
  spki: Uint8Array;
  publicKey: PublicKeySummary;
  /** By OID; RFC 5280 4.2 allows each at most once. */
  extensions: ReadonlyMap<string, Extension>;
  basicConstraints?: BasicConstraints;
  /** RFC 5280 4.2.1.3 names of the bits set, in bit order. */
  keyUsage?: string[];
  extKeyUsage?: ExtKeyUsage[];
  subjectAltName?: SubjectAltName;
  subjectKeyIdentifier?: Uint8Array;
  /** The keyIdentifier of the AuthorityKeyIdentifier extension. */
  authorityKeyIdentifier?: Uint8Array;
  /** Uppercase hex, colon separated, as `keytool -list -v` and `openssl x509 -fingerprint` print them. */
  /** Computed on first use: `list` of a large truststore should not hash what it never prints. */
  readonly fingerprints: { readonly sha1: string; readonly sha256: string };
  /** Subject and issuer Names are the same bytes (a root or a self-issued key rollover cert). */
  selfIssued: boolean;
}

// ---------------------------------------------------------------------------------------------
// Names

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
function nameFromTlv(tlv: Tlv): DistinguishedName {
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

// ---------------------------------------------------------------------------------------------
// Algorithms and keys

interface SigAlg {
  name: string;
  /** node:crypto digest name; null for EdDSA (the hash is part of the scheme). */
  hash: string | null;
  family: 'rsa' | 'pss' | 'ecdsa' | 'dsa' | 'eddsa';
}

/** Names as sun.security.x509.AlgorithmId.getName returns them (what keytool prints). */
const SIG_ALGS: ReadonlyMap<string, SigAlg> = new Map<string, SigAlg>([
  ['1.2.840.113549.1.1.2', { name: 'MD2withRSA', hash: 'md2', family: 'rsa' }],
  ['1.2.840.113549.1.1.4', { name: 'MD5withRSA', hash: 'md5', family: 'rsa' }],
  ['1.2.840.113549.1.1.5', { name: 'SHA1withRSA', hash: 'sha1', family: 'rsa' }],
  ['1.2.840.113549.1.1.14', { name: 'SHA224withRSA', hash: 'sha224', family: 'rsa' }],
  ['1.2.840.113549.1.1.11', { name: 'SHA256withRSA', hash: 'sha256', family: 'rsa' }],
  ['1.2.840.113549.1.1.12', { name: 'SHA384withRSA', hash: 'sha384', family: 'rsa' }],
  ['1.2.840.113549.1.1.13', { name: 'SHA512withRSA', hash: 'sha512', family: 'rsa' }],
  ['1.2.840.113549.1.1.10', { name: 'RSASSA-PSS', hash: null, family: 'pss' }],
  ['1.2.840.10045.4.1', { name: 'SHA1withECDSA', hash: 'sha1', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.1', { name: 'SHA224withECDSA', hash: 'sha224', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.2', { name: 'SHA256withECDSA', hash: 'sha256', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.3', { name: 'SHA384withECDSA', hash: 'sha384', family: 'ecdsa' }],
  ['1.2.840.10045.4.3.4', { name: 'SHA512withECDSA', hash: 'sha512', family: 'ecdsa' }],
  ['1.2.840.10040.4.3', { name: 'SHA1withDSA', hash: 'sha1', family: 'dsa' }],
  ['2.16.840.1.101.3.4.3.1', { name: 'SHA224withDSA', hash: 'sha224', family: 'dsa' }],
  ['2.16.840.1.101.3.4.3.2', { name: 'SHA256withDSA', hash: 'sha256', family: 'dsa' }],
  ['1.3.101.112', { name: 'Ed25519', hash: null, family: 'eddsa' }],
  ['1.3.101.113', { name: 'Ed448', hash: null, family: 'eddsa' }],
]);

/** Hash algorithm OIDs (RFC 8017 appendix A.2.4, NIST CSOR) to node:crypto digest names. */
const HASHES: ReadonlyMap<string, string> = new Map([
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.4', 'sha224'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

const KEY_ALGS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.1', 'RSA'],
  ['1.2.840.113549.1.1.10', 'RSASSA-PSS'],
  ['1.2.840.10045.2.1', 'EC'],
  ['1.2.840.10040.4.1', 'DSA'],
  ['1.3.101.110', 'X25519'],
  ['1.3.101.111', 'X448'],
  ['1.3.101.112', 'Ed25519'],
  ['1.3.101.113', 'Ed448'],
]);

/** Named curves (RFC 5480 2.1.1.1, SEC 2) with the names the JDK prints and their field sizes. */
const CURVES: ReadonlyMap<string, { name: string; bits: number }> = new Map([
  ['1.2.840.10045.3.1.7', { name: 'secp256r1', bits: 256 }],
  ['1.3.132.0.34', { name: 'secp384r1', bits: 384 }],
  ['1.3.132.0.35', { name: 'secp521r1', bits: 521 }],
  ['1.3.132.0.10', { name: 'secp256k1', bits: 256 }],
  ['1.2.840.10045.3.1.1', { name: 'secp192r1', bits: 192 }],
  ['1.3.132.0.33', { name: 'secp224r1', bits: 224 }],
  ['1.3.36.3.3.2.8.1.1.7', { name: 'brainpoolP256r1', bits: 256 }],
  ['1.3.36.3.3.2.8.1.1.11', { name: 'brainpoolP384r1', bits: 384 }],
  ['1.3.36.3.3.2.8.1.1.13', { name: 'brainpoolP512r1', bits: 512 }],
]);

function parseAlgorithm(tlv: Tlv): AlgorithmIdentifier {
  expectTag(tlv, TAG.SEQUENCE, 'AlgorithmIdentifier');
  const parts = children(tlv);
  const oid = readOid(item(tlv, parts, 0, 'algorithm OID'));
  const params = parts[1];
  const alg: AlgorithmIdentifier = { oid, name: SIG_ALGS.get(oid)?.name ?? oid };
  if (params !== undefined) alg.parameters = tlvBytes(params);
  return alg;
}

/** Number of significant bits of an unsigned big-endian integer. */
function bitLength(v: Uint8Array): number {
  let i = 0;
  while (i < v.length && v[i] === 0) i++;
  const top = v[i];
  if (top === undefined) return 0;
  return (v.length - i - 1) * 8 + (32 - Math.clz32(top));
}

/** The element inside an OCTET STRING or BIT STRING contents, read in place so offsets stay absolute. */
function innerElement(input: Uint8Array, start: number, end: number, format: string): Tlv {
  const tlv = readTlv(input, start, format, end);
  if (tlv.end !== end) throw derError(format, `${end - tlv.end} unexpected bytes after the encapsulated value`, tlv.end);
  return tlv;
}

function parseSpki(tlv: Tlv): PublicKeySummary {
  expectTag(tlv, TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const parts = children(tlv);
  const algTlv = item(tlv, parts, 0, 'public key algorithm');
  const algParts = children(expectTag(algTlv, TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const oid = readOid(item(algTlv, algParts, 0, 'public key algorithm OID'));
  const params = algParts[1];
  const keyTlv = item(tlv, parts, 1, 'subjectPublicKey');
  const key = readBitString(keyTlv);
  const algorithm = KEY_ALGS.get(oid) ?? oid;
  const summary: PublicKeySummary = { algorithm, oid };
  const keyStart = keyTlv.valueStart + 1;
  if (algorithm === 'RSA' || algorithm === 'RSASSA-PSS') {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1)
    const rsa = innerElement(keyTlv.input, keyStart, keyTlv.valueEnd, tlv.format);
    const modulus = readIntegerBytes(item(rsa, children(expectTag(rsa, TAG.SEQUENCE, 'RSAPublicKey')), 0, 'modulus'));
    summary.bits = bitLength(modulus);
  } else if (algorithm === 'EC') {
    if (params !== undefined && params.tag === TAG.OID) {
      const curveOid = readOid(params);
      const curve = CURVES.get(curveOid);
      summary.curve = curve?.name ?? curveOid;
      if (curve !== undefined) summary.bits = curve.bits;
    }
    // Uncompressed point 04 || X || Y (SEC 1 2.3.3) gives the field size for unnamed curves.
    if (summary.bits === undefined && key.bytes[0] === 4) summary.bits = ((key.bytes.length - 1) / 2) * 8;
  } else if (algorithm === 'Ed25519' || algorithm === 'X25519') {
    summary.bits = 255;
  } else if (algorithm === 'Ed448' || algorithm === 'X448') {
    summary.bits = 448;
  } else if (algorithm === 'DSA' && params !== undefined && params.tag === TAG.SEQUENCE) {
    summary.bits = bitLength(readIntegerBytes(item(params, children(params), 0, 'DSA p')));
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Extensions (RFC 5280 4.2)

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_SUBJECT_KEY_ID = '2.5.29.14';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';

/** RFC 5280 4.2.1.3 bit names, bit 0 first. */
const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** RFC 5280 4.2.1.12 key purposes. */
const EKU_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.29.37.0', 'anyExtendedKeyUsage'],
  ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
  ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
  ['1.3.6.1.5.5.7.3.3', 'codeSigning'],
  ['1.3.6.1.5.5.7.3.4', 'emailProtection'],
  ['1.3.6.1.5.5.7.3.8', 'timeStamping'],
  ['1.3.6.1.5.5.7.3.9', 'OCSPSigning'],
]);

export function ekuName(oid: string): string | undefined {
  return EKU_NAMES.get(oid);
}

function parseBasicConstraints(tlv: Tlv): BasicConstraints {
  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
  const parts = children(expectTag(tlv, TAG.SEQUENCE, 'BasicConstraints'));
  const bc: BasicConstraints = { ca: false };
  for (const p of parts) {
    if (p.tag === TAG.BOOLEAN) bc.ca = readBoolean(p);
    else if (p.tag === TAG.INTEGER) bc.pathLen = readSmallInt(p);
    else throw derError(tlv.format, `unexpected tag ${p.tag} in BasicConstraints`, p.offset);
  }
  return bc;
}

function parseKeyUsage(tlv: Tlv): string[] {
  const bits = readBitString(tlv).bytes;
  const names: string[] = [];
  KEY_USAGE_BITS.forEach((name, i) => {
    // Bit 0 is the most significant bit of the first octet (X.690 8.6.2.1).
    if ((((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1) names.push(name);
  });
  return names;
}

function parseExtKeyUsage(tlv: Tlv): ExtKeyUsage[] {
  return children(expectTag(tlv, TAG.SEQUENCE, 'ExtKeyUsageSyntax')).map((p) => {
    const oid = readOid(p);
    const name = EKU_NAMES.get(oid);
    return name === undefined ? { oid } : { oid, name };
  });
}

/** RFC 5952 section 4: lowercase, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestLen < 2) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLen).join(':')}`;
}

const latin1 = new TextDecoder('latin1');

function parseSubjectAltName(tlv: Tlv): SubjectAltName {
  // GeneralName ::= CHOICE { otherName [0], rfc822Name [1] IA5String, dNSName [2] IA5String, x400Address [3],
  //   directoryName [4] Name, ediPartyName [5], uniformResourceIdentifier [6] IA5String, iPAddress [7] OCTET STRING,
  //   registeredID [8] } (RFC 5280 4.2.1.6); the tags are IMPLICIT except directoryName, a CHOICE.
  const san: SubjectAltName = { dns: [], ip: [], email: [], uri: [], dirName: [] };
  const ascii = (t: Tlv): string => latin1.decode(stringValue(t));
  for (const g of children(expectTag(tlv, TAG.SEQUENCE, 'GeneralNames'))) {
    if (g.cls !== CLASS_CONTEXT) throw derError(tlv.format, `GeneralName with tag 0x${g.tag.toString(16)}`, g.offset);
    switch (g.number) {
      case 1:
        san.email.push(ascii(g));
        break;
      case 2:
        san.dns.push(ascii(g));
        break;
      case 6:
        san.uri.push(ascii(g));
        break;
      case 7: {
        const v = valueBytes(g);
        if (v.length === 4) san.ip.push(Array.from(v).join('.'));
        else if (v.length === 16) san.ip.push(formatIpv6(v));
        else throw derError(tlv.format, `iPAddress of ${v.length} bytes (expected 4 or 16)`, g.offset);
        break;
      }
      case 4:
        san.dirName.push(nameFromTlv(item(g, children(g), 0, 'directoryName')).text);
        break;
      default:
        // otherName, x400Address, ediPartyName, registeredID: kept only in the raw extension.
        break;
    }
  }
  return san;
}

function parseAuthorityKeyId(tlv: Tlv): Uint8Array | undefined {
  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
  const first = children(expectTag(tlv, TAG.SEQUENCE, 'AuthorityKeyIdentifier'))[0];
  return first !== undefined && isContext(first, 0) ? stringValue(first) : undefined;
}

interface ParsedExtensions {
  byOid: Map<string, Extension>;
  /** The extnValue OCTET STRING of each, so the known ones can be decoded in place. */
  valueTlvs: Map<string, Tlv>;
}

function parseExtensions(tlv: Tlv): ParsedExtensions {
  const byOid = new Map<string, Extension>();
  const valueTlvs = new Map<string, Tlv>();
  for (const e of children(expectTag(tlv, TAG.SEQUENCE, 'Extensions'))) {
    // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const parts = children(expectTag(e, TAG.SEQUENCE, 'Extension'));
    const oid = readOid(item(e, parts, 0, 'extnID'));
    let i = 1;
    let critical = false;
    const maybeCritical = parts[1];
    if (maybeCritical !== undefined && maybeCritical.tag === TAG.BOOLEAN) {
      critical = readBoolean(maybeCritical);
      i = 2;
    }
    const valueTlv = expectTag(item(e, parts, i, 'extnValue'), TAG.OCTET_STRING, 'extnValue');
    if (byOid.has(oid)) throw derError(tlv.format, `extension ${oid} appears twice (RFC 5280 4.2)`, e.offset);
    byOid.set(oid, { oid, critical, value: valueBytes(valueTlv) });
    valueTlvs.set(oid, valueTlv);
  }
  return { byOid, valueTlvs };
}

/** What a certificate's or request's extensions say, decoded (RFC 5280 4.2). */
export type DecodedExtensions = Pick<
  CertInfo,
  'extensions' | 'basicConstraints' | 'keyUsage' | 'extKeyUsage' | 'subjectAltName' | 'subjectKeyIdentifier' | 'authorityKeyIdentifier'
>;

/**
 * Extensions given one by one (each an Extension DER), as a PKCS#10 request's extensionRequest
 * carries them (RFC 2986 4.1 reuses RFC 5280's Extensions), decoded as a certificate's are.
 */
export function decodeExtensions(extensions: readonly Uint8Array[], format = 'PKCS#10'): DecodedExtensions {
  const parsed = parseExtensions(readRoot(sequence(...extensions), format));
  const out: DecodedExtensions = { extensions: parsed.byOid };
  decodeKnownExtensions(out, parsed.valueTlvs);
  return out;
}

/** The key in a SubjectPublicKeyInfo DER (a certificate's or a request's). */
export function parsePublicKeyInfo(spki: Uint8Array): PublicKeySummary {
  return parseSpki(readRoot(spki, FORMAT));
}

/** An AlgorithmIdentifier DER, with keytool's name for signature algorithms. */
export function parseAlgorithmIdentifier(der: Uint8Array): AlgorithmIdentifier {
  return parseAlgorithm(readRoot(der, FORMAT));
}

/** The decoded form of the extensions we summarise, read in place from the certificate bytes. */
function decodeKnownExtensions(info: DecodedExtensions, extTlvs: Map<string, Tlv>): void {
  const inner = (oid: string): Tlv | undefined => {
    const t = extTlvs.get(oid);
    return t === undefined ? undefined : innerElement(t.input, t.valueStart, t.valueEnd, t.format);
  };
  const bc = inner(OID_BASIC_CONSTRAINTS);
  if (bc !== undefined) info.basicConstraints = parseBasicConstraints(bc);
  const ku = inner(OID_KEY_USAGE);
  if (ku !== undefined) info.keyUsage = parseKeyUsage(ku);
  const eku = inner(OID_EXT_KEY_USAGE);
  if (eku !== undefined) info.extKeyUsage = parseExtKeyUsage(eku);
  const san = inner(OID_SUBJECT_ALT_NAME);
  if (san !== undefined) info.subjectAltName = parseSubjectAltName(san);
  const ski = inner(OID_SUBJECT_KEY_ID);
  if (ski !== undefined) info.subjectKeyIdentifier = readOctetString(ski);
  const aki = inner(OID_AUTHORITY_KEY_ID);
  if (aki !== undefined) {
    const keyId = parseAuthorityKeyId(aki);
    if (keyId !== undefined) info.authorityKeyIdentifier = keyId;
  }
}

// ---------------------------------------------------------------------------------------------
// Certificate

function fingerprint(alg: 'sha1' | 'sha256', der: Uint8Array): string {
  // crypto.hash (one-shot, Node >= 20.12) costs a third of createHash().update().digest().
  const h = hash(alg, der, 'hex').toUpperCase();
  let out = h.slice(0, 2);
  for (let i = 2; i < h.length; i += 2) out += `:${h.slice(i, i + 2)}`;
  return out;
}

function lazyFingerprints(der: Uint8Array): CertInfo['fingerprints'] {
  let sha1: string | undefined;
  let sha256: string | undefined;
  return {
    get sha1() {
      return (sha1 ??= fingerprint('sha1', der));
    },
    get sha256() {
      return (sha256 ??= fingerprint('sha256', der));
    },
  };
}

/** BigInteger.toString(16) of the serial: lowercase, no leading zeros, "-" for the (invalid but seen) negatives. */
function serialToHex(serial: Uint8Array): string {
  if (((serial[0] ?? 0) & 0x80) !== 0) return bytesToBigInt(serial, true).toString(16);
  const h = hex(serial).replace(/^0+/, '');
  return h === '' ? '0' : h;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer,
 *   validity, subject, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2], extensions [3] }
 * (RFC 5280 4.1). Throws CodecError('format', 'X.509') on anything malformed.
 */
export function parseCertificate(der: Uint8Array): CertInfo {
  const cert = expectTag(readRoot(der, FORMAT), TAG.SEQUENCE, 'Certificate');
  const top = children(cert);
  const tbsTlv = expectTag(item(cert, top, 0, 'tbsCertificate'), TAG.SEQUENCE, 'TBSCertificate');
  const signatureAlgorithm = parseAlgorithm(item(cert, top, 1, 'signatureAlgorithm'));
  const signature = readBitString(item(cert, top, 2, 'signatureValue')).bytes;
  if (top.length > 3) throw derError(FORMAT, 'unexpected element after signatureValue', top[3]?.offset);

  const f = children(tbsTlv);
  let i = 0;
  let version = 1;
  const first = item(tbsTlv, f, 0, 'serialNumber');
  if (isContext(first, 0)) {
    version = readSmallInt(item(first, children(first), 0, 'version')) + 1;
    i = 1;
  }
  const serial = readIntegerBytes(item(tbsTlv, f, i, 'serialNumber'));
  // The inner signature field repeats signatureAlgorithm (RFC 5280 4.1.2.3); only its shape is checked.
  expectTag(item(tbsTlv, f, i + 1, 'signature'), TAG.SEQUENCE, 'signature AlgorithmIdentifier');
  const issuer = nameFromTlv(item(tbsTlv, f, i + 2, 'issuer'));
  const validity = item(tbsTlv, f, i + 3, 'validity');
  const times = children(expectTag(validity, TAG.SEQUENCE, 'Validity'));
  const notBefore = readTime(item(validity, times, 0, 'notBefore'));
  const notAfter = readTime(item(validity, times, 1, 'notAfter'));
  const subject = nameFromTlv(item(tbsTlv, f, i + 4, 'subject'));
  const spkiTlv = item(tbsTlv, f, i + 5, 'subjectPublicKeyInfo');
  const publicKey = parseSpki(spkiTlv);

  let extensions: ParsedExtensions = { byOid: new Map(), valueTlvs: new Map() };
  for (const opt of f.slice(i + 6)) {
    if (opt.cls !== CLASS_CONTEXT || opt.number < 1 || opt.number > 3) {
      throw derError(FORMAT, `unexpected tag 0x${opt.tag.toString(16)} at the end of TBSCertificate`, opt.offset);
    }
    if (opt.number === 3) {
      extensions = parseExtensions(item(opt, children(opt), 0, 'extensions'));
    }
  }

  const info: CertInfo = {
    der,
    tbs: tlvBytes(tbsTlv),
    version,
    serial,
    serialHex: serialToHex(serial),
    signatureAlgorithm,
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: tlvBytes(spkiTlv),
    publicKey,
    extensions: extensions.byOid,
    fingerprints: lazyFingerprints(der),
    selfIssued: bytesEqual(issuer.der, subject.der),
  };
  decodeKnownExtensions(info, extensions.valueTlvs);
  return info;
}

// ---------------------------------------------------------------------------------------------
// Signature verification

interface PssParams {
  hash: string;
  saltLength: number;
}

/** RSASSA-PSS-params (RFC 4055 section 3.1 / RFC 8017 A.2.3), defaults SHA-1, MGF1-SHA-1, salt 20. */
function parsePssParams(params: Uint8Array | undefined): PssParams {
  const out: PssParams = { hash: 'sha1', saltLength: 20 };
  if (params === undefined) return out;
  const seq = readRoot(params, FORMAT);
  if (seq.tag === TAG.NULL) return out;
  let mgfHash = 'sha1';
  for (const p of children(expectTag(seq, TAG.SEQUENCE, 'RSASSA-PSS-params'))) {
    const inner = item(p, children(p), 0, 'RSASSA-PSS parameter');
    if (isContext(p, 0)) {
      const oid = readOid(item(inner, children(inner), 0, 'hash algorithm'));
      out.hash = HASHES.get(oid) ?? unsupportedHash(oid);
    } else if (isContext(p, 1)) {
      const mgf = children(inner);
      const mgfOid = readOid(item(inner, mgf, 0, 'mask generation function'));
      if (mgfOid !== '1.2.840.113549.1.1.8') throw new CodecError('unsupported', FORMAT, `RSASSA-PSS mask generation function ${mgfOid}`);
      const hashAlg = item(inner, mgf, 1, 'MGF1 hash');
      const oid = readOid(item(hashAlg, children(hashAlg), 0, 'MGF1 hash algorithm'));
      mgfHash = HASHES.get(oid) ?? unsupportedHash(oid);
    } else if (isContext(p, 2)) {
      out.saltLength = readSmallInt(inner);
    }
  }
  if (mgfHash !== out.hash) {
    // node:crypto's PSS verification uses the message digest for MGF1 too.
    throw new CodecError('unsupported', FORMAT, `RSASSA-PSS with MGF1-${mgfHash} and ${out.hash} digests is not supported`);
  }
  return out;
}

function unsupportedHash(oid: string): never {
  throw new CodecError('unsupported', FORMAT, `hash algorithm ${oid}`);
}

const KEY_TYPES: Readonly<Record<SigAlg['family'], readonly string[]>> = {
  rsa: ['rsa'],
  pss: ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
  dsa: ['dsa'],
  eddsa: ['ed25519', 'ed448'],
};

function publicKeyOf(spki: Uint8Array, whose: string): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength), format: 'der', type: 'spki' });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new CodecError('unsupported', FORMAT, `cannot use the public key of ${whose}: ${reason}`);
  }
}

/**
 * Whether the key in `spki` verifies `signature` over `signed` (RFC 5280 6.1.3 a.1 for a
 * certificate's TBSCertificate, RFC 2986 section 4.2 for a request's CertificationRequestInfo):
 * RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA, DSA, Ed25519/Ed448. False when the key type cannot have made
 * this kind of signature; CodecError('unsupported') for algorithms node:crypto lacks.
 */
export function verifySignature(signed: Uint8Array, algorithm: AlgorithmIdentifier, signature: Uint8Array, spki: Uint8Array, whose = 'the signer'): boolean {
  const alg = SIG_ALGS.get(algorithm.oid);
  if (alg === undefined) throw new CodecError('unsupported', FORMAT, `signature algorithm ${algorithm.oid}`);
  if (alg.hash === 'md2') throw new CodecError('unsupported', FORMAT, 'MD2withRSA signatures cannot be checked');
  const key = publicKeyOf(spki, whose);
  if (!KEY_TYPES[alg.family].includes(key.asymmetricKeyType ?? '')) return false;
  if (alg.family === 'pss') {
    const pss = parsePssParams(algorithm.parameters);
    return verify(pss.hash, signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signature);
  }
  return verify(alg.hash, signed, key, signature);
}

/** Whether `issuer`'s public key verifies the signature on `cert` (see verifySignature). */
export function verifySignedBy(cert: CertInfo, issuer: CertInfo): boolean {
  return verifySignature(cert.tbs, cert.signatureAlgorithm, cert.signature, issuer.spki, issuer.subject.text);
}
