/**
 * The X.509 v3 extensions mailcert reads (RFC 5280 section 4.2): each kept by OID with its
 * critical flag and raw value, and the ones verify and the reports use decoded in place. The
 * ones mailcert writes are made in build.ts.
 */
import { CLASS_CONTEXT, TAG, type Tlv, children, derError, expectTag, innerElement, isContext, item, readRoot, valueBytes } from '../asn1/tlv.js';
import { OID } from '../asn1/oid.js';
import { readBitString, readBoolean, readOctetString, readOid, readSmallInt, stringValue } from '../asn1/values.js';
import { encodeSequence } from '../asn1/writer.js';
import { formatIpv6 } from '../ip.js';
import { parseGeneralName } from './general-names.js';
import { parseName } from './name.js';

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
  [OID.anyExtendedKeyUsage, 'anyExtendedKeyUsage'],
  [OID.serverAuth, 'serverAuth'],
  [OID.clientAuth, 'clientAuth'],
  [OID.codeSigning, 'codeSigning'],
  [OID.emailProtection, 'emailProtection'],
  [OID.timeStamping, 'timeStamping'],
  [OID.ocspSigning, 'OCSPSigning'],
]);

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

/** The GeneralName forms the summary shows; the others stay in the raw extension only. */
const SUMMARISED_NAMES: ReadonlySet<number> = new Set([1, 2, 4, 6, 7]);

function parseSubjectAltName(tlv: Tlv): SubjectAltName {
  const san: SubjectAltName = { dns: [], ip: [], email: [], uri: [], dirName: [] };
  for (const g of children(expectTag(tlv, TAG.SEQUENCE, 'GeneralNames'))) {
    if (g.cls !== CLASS_CONTEXT) throw derError(tlv.format, `GeneralName with tag 0x${g.tag.toString(16)}`, g.offset);
    // otherName, x400Address, ediPartyName, registeredID: not read here (core/name-constraints.ts reads them when it must).
    if (!SUMMARISED_NAMES.has(g.number)) continue;
    const name = parseGeneralName(g);
    switch (name.type) {
      case 'rfc822Name':
        san.email.push(name.text);
        break;
      case 'dNSName':
        san.dns.push(name.text);
        break;
      case 'uniformResourceIdentifier':
        san.uri.push(name.text);
        break;
      case 'iPAddress': {
        const v = name.bytes;
        if (v.length === 4) san.ip.push(Array.from(v).join('.'));
        else if (v.length === 16) san.ip.push(formatIpv6(v));
        else throw derError(tlv.format, `iPAddress of ${v.length} bytes (expected 4 or 16)`, g.offset);
        break;
      }
      case 'directoryName':
        san.dirName.push(parseName(name.name, tlv.format).text);
        break;
      default:
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
  const parsed = parseExtensions(readRoot(encodeSequence(...extensions), format));
  const out: DecodedExtensions = { extensions: parsed.byOid };
  decodeKnownExtensions(out, parsed.valueTlvs);
  return out;
}

/** The structure an extension's extnValue holds, read in place. */
function innerValue(extTlvs: ReadonlyMap<string, Tlv>, oid: string): Tlv | undefined {
  const t = extTlvs.get(oid);
  return t === undefined ? undefined : innerElement(t.input, t.valueStart, t.valueEnd, t.format);
}

export type KeyIdentifiers = Pick<DecodedExtensions, 'subjectKeyIdentifier' | 'authorityKeyIdentifier'>;

/**
 * subjectKeyIdentifier and the keyIdentifier of authorityKeyIdentifier (RFC 5280 4.2.1.1, 4.2.1.2):
 * what issuers are matched by, and all a PKCS#12 store needs of its certificates' extensions.
 */
export function decodeKeyIdentifiers(info: KeyIdentifiers, extTlvs: ReadonlyMap<string, Tlv>): void {
  const ski = innerValue(extTlvs, OID.subjectKeyIdentifier);
  if (ski !== undefined) info.subjectKeyIdentifier = readOctetString(ski);
  const aki = innerValue(extTlvs, OID.authorityKeyIdentifier);
  if (aki !== undefined) {
    const keyId = parseAuthorityKeyId(aki);
    if (keyId !== undefined) info.authorityKeyIdentifier = keyId;
  }
}

/** The decoded form of the extensions we summarise, read in place from the certificate bytes. */
export function decodeKnownExtensions(info: DecodedExtensions, extTlvs: Map<string, Tlv>): void {
  const inner = (oid: string): Tlv | undefined => innerValue(extTlvs, oid);
  const bc = inner(OID.basicConstraints);
  if (bc !== undefined) info.basicConstraints = parseBasicConstraints(bc);
  const ku = inner(OID.keyUsage);
  if (ku !== undefined) info.keyUsage = parseKeyUsage(ku);
  const eku = inner(OID.extKeyUsage);
  if (eku !== undefined) info.extKeyUsage = parseExtKeyUsage(eku);
  const san = inner(OID.subjectAltName);
  if (san !== undefined) info.subjectAltName = parseSubjectAltName(san);
  decodeKeyIdentifiers(info, extTlvs);
  const policies = inner(OID.certificatePolicies);
  if (policies !== undefined) info.certificatePolicies = parseCertificatePolicies(policies);
  const mappings = inner(OID.policyMappings);
  if (mappings !== undefined) info.policyMappings = parsePolicyMappings(mappings);
  const constraints = inner(OID.policyConstraints);
  if (constraints !== undefined) info.policyConstraints = parsePolicyConstraints(constraints);
  const inhibit = inner(OID.inhibitAnyPolicy);
  if (inhibit !== undefined) info.inhibitAnyPolicy = skipCerts(expectTag(inhibit, TAG.INTEGER, 'InhibitAnyPolicy'));
  const ns = inner(OID.netscapeCertType);
  if (ns !== undefined) info.nsCertType = readBitString(ns).bytes[0] ?? 0;
}

