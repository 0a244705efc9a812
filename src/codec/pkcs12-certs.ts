/**
 * The certificate side of PKCS#12 (RFC 7292) keystores: the few X.509 fields that PKCS12KeyStore
 * builds key entries' chains from (names, key identifiers, self-signatures; RFC 5280 4.1), and
 * RFC 2253 names (X500Principal.getName()) for the friendlyName the JDK gives chain certificates.
 * Shared by the PKCS#12 decoder (pkcs12.ts) and encoder (pkcs12-encode.ts).
 */
import { X509Certificate } from 'node:crypto';
import {
  type Asn1Node,
  OID,
  UNIVERSAL,
  at,
  contentOffset,
  explicit,
  implicitOctets,
  isContext,
  objectId,
  octetString,
  parseBer,
  sequence,
  setOf,
} from './asn1.js';
import type { Der } from './model.js';

const FORMAT = 'PKCS#12';

// --- Certificates: just the fields chain building needs (RFC 5280 4.1)

export interface CertInfo {
  der: Der;
  subject: Uint8Array;
  issuer: Uint8Array;
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
}

export function readCertificate(der: Uint8Array, offset: number): CertInfo {
  const root = parseBer(der, FORMAT, offset);
  const cert = sequence(root, 'Certificate', 3, 3);
  const tbsNode = at(cert, 0, root, 'Certificate');
  const tbs = sequence(tbsNode, 'TBSCertificate', 6, 10);
  const skip = tbs[0] !== undefined && isContext(tbs[0], 0) ? 1 : 0;
  const issuer = at(tbs, 2 + skip, tbsNode, 'TBSCertificate');
  const subject = at(tbs, 4 + skip, tbsNode, 'TBSCertificate');
  sequence(issuer, 'certificate issuer');
  sequence(subject, 'certificate subject');
  const info: CertInfo = { der, subject: subject.encoded, issuer: issuer.encoded };
  const extsWrapper = tbs.slice(6 + skip).find((n) => isContext(n, 3));
  if (extsWrapper !== undefined) {
    for (const ext of sequence(explicit(extsWrapper, 3, 'extensions'), 'extensions')) {
      const e = sequence(ext, 'extension', 2, 3);
      const id = objectId(at(e, 0, ext, 'extension'), 'extension id');
      const valueNode = e[e.length - 1] as Asn1Node;
      if (id !== OID.subjectKeyIdentifier && id !== OID.authorityKeyIdentifier) continue;
      const inner = parseBer(octetString(valueNode, 'extension value'), FORMAT, contentOffset(valueNode));
      if (id === OID.subjectKeyIdentifier) info.subjectKeyId = octetString(inner, 'subjectKeyIdentifier');
      else {
        // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
        const keyIdNode = sequence(inner, 'authorityKeyIdentifier').find((n) => isContext(n, 0));
        if (keyIdNode !== undefined) info.authorityKeyId = implicitOctets(keyIdNode, 'authority key identifier');
      }
    }
  }
  return info;
}

/** X500Principal.equals compares canonical names; the same DER, or the same canonical string. */
export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (bytesEqual(a, b)) return true;
  try {
    return canonicalName(a) === canonicalName(b);
  } catch {
    return false;
  }
}

function canonicalName(der: Uint8Array): string {
  return rfc2253(parseBer(der, FORMAT)).toLowerCase().replace(/\s+/g, ' ');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** KeyStoreUtil.isSelfSigned: subject equals issuer and the signature verifies with its own key. */
export function isSelfSigned(cert: CertInfo): boolean {
  if (!sameName(cert.subject, cert.issuer)) return false;
  try {
    const x = new X509Certificate(cert.der);
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** PKCS12KeyStore.findIssuer: an AKI/SKI match among the DN matches, else a DN match without SKI. */
export function findIssuer(cert: CertInfo, all: readonly CertInfo[]): CertInfo | undefined {
  let fallback: CertInfo | undefined;
  for (const c of all) {
    if (!sameName(c.subject, cert.issuer)) continue;
    if (cert.authorityKeyId === undefined) return c;
    if (c.subjectKeyId === undefined) fallback = c;
    else if (bytesEqual(c.subjectKeyId, cert.authorityKeyId)) return c;
  }
  return fallback;
}


// ---------------------------------------------------------------------------------------------
// RFC 2253 names (X500Principal.getName()), for the friendlyName of chain certificates.

const NAME_KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** Last RDN first, AVAs of one RDN joined by "+", unknown types as OID=#hex (RFC 2253 2). */
export function rfc2253(name: Asn1Node): string {
  return sequence(name, 'Name')
    .map((rdn) =>
      setOf(rdn, 'RelativeDistinguishedName', 1)
        .map((ava) => {
          const parts = sequence(ava, 'AttributeTypeAndValue', 2, 2);
          const type = objectId(at(parts, 0, ava, 'AttributeTypeAndValue'), 'attribute type');
          const value = at(parts, 1, ava, 'AttributeTypeAndValue');
          const keyword = NAME_KEYWORDS[type];
          const text = keyword === undefined ? undefined : directoryString(value);
          return text === undefined ? `${type}=#${Buffer.from(value.encoded).toString('hex')}` : `${keyword}=${escape2253(text)}`;
        })
        .join('+'),
    )
    .reverse()
    .join(',');
}

function directoryString(node: Asn1Node): string | undefined {
  if (node.tagClass !== 'universal' || node.constructed) return undefined;
  const c = Buffer.from(node.content);
  switch (node.tag) {
    case UNIVERSAL.UTF8_STRING:
      return c.toString('utf8');
    case UNIVERSAL.PRINTABLE_STRING:
    case UNIVERSAL.IA5_STRING:
    case UNIVERSAL.NUMERIC_STRING:
    case UNIVERSAL.VISIBLE_STRING:
    case UNIVERSAL.T61_STRING:
      return c.toString('latin1');
    case UNIVERSAL.BMP_STRING:
      return c.length % 2 === 0 ? Buffer.from(c).swap16().toString('utf16le') : undefined;
    case UNIVERSAL.UNIVERSAL_STRING: {
      if (c.length % 4 !== 0) return undefined;
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const cp = c.readUInt32BE(i);
        if (cp > 0x10ffff) return undefined;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return undefined;
  }
}

function escape2253(s: string): string {
  let out = s.replace(/[,+"\\<>;]/g, (ch) => `\\${ch}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** The subject of a certificate as X500Principal.getName() writes it. */
export function subjectName(cert: Der): string {
  const info = readCertificate(cert, 0);
  return rfc2253(parseBer(info.subject, FORMAT));
}
