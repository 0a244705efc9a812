/**
 * The X.509 v3 extensions mailcert reads (RFC 5280 section 4.2): each kept by OID with its
 * critical flag and raw value, and the ones verify and the reports use decoded in place.
 */
import { CLASS_CONTEXT, TAG, type Tlv, children, derError, expectTag, isContext, item, readBitString, readBoolean, readOctetString, readOid, readRoot, readSmallInt, sequence, stringValue, valueBytes } from './der.js';
import { innerElement } from './x509-keys.js';
import { nameFromTlv } from './x509-names.js';

export interface Extension {
  oid: string;
  critical: boolean;
  /** The contents of extnValue (the DER of the extension's own structure). */
  value: Uint8Array;
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

/** policyMappings (RFC 5280 4.2.1.5): issuerDomainPolicy is treated as subjectDomainPolicy below. */
export interface PolicyMapping {
  issuerDomain: string;
  subjectDomain: string;
}

/** policyConstraints (RFC 5280 4.2.1.11): counts of certificates below before the rule applies. */
export interface PolicyConstraints {
  requireExplicitPolicy?: number;
  inhibitPolicyMapping?: number;
}

/** What a certificate's or request's extensions say, decoded (RFC 5280 4.2). */
export interface DecodedExtensions {
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
  /** certificatePolicies (RFC 5280 4.2.1.4): the policy OIDs, qualifiers left out. */
  certificatePolicies?: string[];
  policyMappings?: PolicyMapping[];
  policyConstraints?: PolicyConstraints;
  /** inhibitAnyPolicy (RFC 5280 4.2.1.14): SkipCerts. */
  inhibitAnyPolicy?: number;
  /** Netscape cert type bits (the first octet: 0x80 SSL client, 0x40 SSL server, 0x04 SSL CA). */
  nsCertType?: number;
}

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_SUBJECT_KEY_ID = '2.5.29.14';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';
const OID_CERTIFICATE_POLICIES = '2.5.29.32';
const OID_POLICY_MAPPINGS = '2.5.29.33';
const OID_POLICY_CONSTRAINTS = '2.5.29.36';
const OID_INHIBIT_ANY_POLICY = '2.5.29.54';
const OID_NS_CERT_TYPE = '2.16.840.1.113730.1.1';

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

/** certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation { policyIdentifier, policyQualifiers OPTIONAL } */
function parseCertificatePolicies(tlv: Tlv): string[] {
  return children(expectTag(tlv, TAG.SEQUENCE, 'certificatePolicies')).map((info) => readOid(item(info, children(expectTag(info, TAG.SEQUENCE, 'PolicyInformation')), 0, 'policyIdentifier')));
}

/** PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { issuerDomainPolicy, subjectDomainPolicy } */
function parsePolicyMappings(tlv: Tlv): PolicyMapping[] {
  return children(expectTag(tlv, TAG.SEQUENCE, 'PolicyMappings')).map((m) => {
    const pair = children(expectTag(m, TAG.SEQUENCE, 'PolicyMapping'));
    return { issuerDomain: readOid(item(m, pair, 0, 'issuerDomainPolicy')), subjectDomain: readOid(item(m, pair, 1, 'subjectDomainPolicy')) };
  });
}

/** SkipCerts ::= INTEGER (0..MAX), here also under an IMPLICIT context tag. */
function skipCerts(tlv: Tlv): number {
  const v = valueBytes(tlv);
  if (v.length === 0 || v.length > 6 || ((v[0] as number) & 0x80) !== 0) throw derError(tlv.format, 'SkipCerts must be a small non-negative INTEGER', tlv.offset);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

/** PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL } */
function parsePolicyConstraints(tlv: Tlv): PolicyConstraints {
  const out: PolicyConstraints = {};
  for (const p of children(expectTag(tlv, TAG.SEQUENCE, 'PolicyConstraints'))) {
    if (isContext(p, 0)) out.requireExplicitPolicy = skipCerts(p);
    else if (isContext(p, 1)) out.inhibitPolicyMapping = skipCerts(p);
  }
  return out;
}

export interface ParsedExtensions {
  byOid: Map<string, Extension>;
  /** The extnValue OCTET STRING of each, so the known ones can be decoded in place. */
  valueTlvs: Map<string, Tlv>;
}

export function parseExtensions(tlv: Tlv): ParsedExtensions {
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

/** The decoded form of the extensions we summarise, read in place from the certificate bytes. */
export function decodeKnownExtensions(info: DecodedExtensions, extTlvs: Map<string, Tlv>): void {
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
  const policies = inner(OID_CERTIFICATE_POLICIES);
  if (policies !== undefined) info.certificatePolicies = parseCertificatePolicies(policies);
  const mappings = inner(OID_POLICY_MAPPINGS);
  if (mappings !== undefined) info.policyMappings = parsePolicyMappings(mappings);
  const constraints = inner(OID_POLICY_CONSTRAINTS);
  if (constraints !== undefined) info.policyConstraints = parsePolicyConstraints(constraints);
  const inhibit = inner(OID_INHIBIT_ANY_POLICY);
  if (inhibit !== undefined) info.inhibitAnyPolicy = skipCerts(expectTag(inhibit, TAG.INTEGER, 'InhibitAnyPolicy'));
  const ns = inner(OID_NS_CERT_TYPE);
  if (ns !== undefined) info.nsCertType = readBitString(ns).bytes[0] ?? 0;
}

