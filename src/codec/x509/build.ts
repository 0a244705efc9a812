/**
 * What mailcert writes into certificates and requests (RFC 5280 section 4.1, 4.2): the
 * TBSCertificate, assembled here and signed by the caller (src/crypto/keys.ts), the signed
 * Certificate, and the v3 extensions, each the DER of one Extension: SEQUENCE { extnID, critical
 * DEFAULT FALSE, extnValue OCTET STRING }. Also the SAN lists users type (keytool -ext SAN=,
 * openssl -addext). No I/O, no signing.
 */
import { createHash } from 'node:crypto';
import { CodecError } from '../errors.js';
import { parseIp, isIpAddress } from '../ip.js';
import { OID } from '../asn1/oid.js';
import { children, readRoot } from '../asn1/tlv.js';
import { readBitString } from '../asn1/values.js';
import {
  encodeBitString,
  encodeBoolean,
  encodeCertTime,
  encodeExplicit,
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeTlv,
} from '../asn1/writer.js';

export interface TbsInput {
  /** Unsigned big-endian serial number bytes (a positive INTEGER results). */
  serial: Uint8Array;
  /** AlgorithmIdentifier DER of the signature, repeated inside the TBS (RFC 5280 4.1.2.3). */
  signatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  /** Extension DERs (extensions.ts). */
  extensions: readonly Uint8Array[];
}

export function buildTbsCertificate(t: TbsInput): Uint8Array {
  return encodeSequence(
    encodeExplicit(0, encodeInteger(2)), // version v3
    encodeInteger(t.serial),
    t.signatureAlgorithm,
    t.issuer,
    encodeSequence(encodeCertTime(t.notBefore), encodeCertTime(t.notAfter)),
    t.subject,
    t.spki,
    ...(t.extensions.length > 0 ? [encodeExplicit(3, encodeSequence(...t.extensions))] : []),
  );
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export function assembleSigned(tbs: Uint8Array, signatureAlgorithm: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeSequence(tbs, signatureAlgorithm, encodeBitString(signature));
}

export function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? encodeSequence(encodeOid(oid), encodeBoolean(true), encodeOctetString(value)) : encodeSequence(encodeOid(oid), encodeOctetString(value));
}

export interface AltNames {
  dns: string[];
  ip: string[];
}

/**
 * A host name as a dNSName may hold it (RFC 5280 4.2.1.6, RFC 1123 labels; a leading "*." for a
 * wildcard certificate): what a mail client can match against the name it connects to.
 */
export function isDnsName(name: string): boolean {
  return /^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(name);
}

/** Parses "DNS:a,IP:1.2.3.4,dns:b" (keytool -ext SAN= and openssl -addext syntax) into names. */
export function parseSanList(list: string): AltNames {
  const out: AltNames = { dns: [], ip: [] };
  for (const raw of list.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^(dns|ip):(.+)$/i.exec(item);
    if (!m?.[1] || !m[2]) throw new CodecError('format', 'subjectAltName', `"${item}" is not DNS:name or IP:address`);
    const value = m[2].trim();
    if (m[1].toLowerCase() === 'ip') {
      if (!isIpAddress(value)) throw new CodecError('format', 'subjectAltName', `"${value}" is not an IPv4 or IPv6 address`);
      out.ip.push(value);
    } else {
      if (!isDnsName(value)) {
        throw new CodecError('format', 'subjectAltName', `"${value}" is not a DNS name`);
      }
      out.dns.push(value);
    }
  }
  return out;
}

/** IPv4 or IPv6 text to its 4 or 16 octets (RFC 5280 4.2.1.6 iPAddress). */
export function ipBytes(ip: string): Uint8Array {
  const bytes = parseIp(ip);
  if (bytes === undefined) throw new CodecError('format', 'subjectAltName', `"${ip}" is not an IPv4 or IPv6 address`);
  return bytes;
}

export function subjectAltName(names: AltNames): Uint8Array {
  const enc = new TextEncoder();
  const general = [
    ...names.dns.map((d) => encodeTlv(0x82, enc.encode(d))), // [2] IA5String dNSName
    ...names.ip.map((ip) => encodeTlv(0x87, ipBytes(ip))), // [7] OCTET STRING iPAddress
  ];
  return extension(OID.subjectAltName, false, encodeSequence(...general));
}

export function basicConstraints(ca: boolean, pathLen?: number): Uint8Array {
  const parts = ca ? [encodeBoolean(true), ...(pathLen === undefined ? [] : [encodeTlv(0x02, Uint8Array.of(pathLen))])] : [];
  return extension(OID.basicConstraints, ca, encodeSequence(...parts));
}

const keyUsageBits = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsage = keyof typeof keyUsageBits;

/** KeyUsage BIT STRING, DER: trailing zero bits dropped and counted as unused (X.690 11.2.2). */
export function keyUsage(usages: readonly KeyUsage[]): Uint8Array {
  let bits = 0;
  for (const u of usages) bits |= 0x80 >> keyUsageBits[u];
  let unused = 0;
  while (unused < 8 && (bits & (1 << unused)) === 0) unused++;
  return extension(OID.keyUsage, true, encodeBitString(Uint8Array.of(bits), unused === 8 ? 0 : unused));
}

export function extKeyUsage(oids: readonly string[]): Uint8Array {
  return extension(OID.extKeyUsage, false, encodeSequence(...oids.map(encodeOid)));
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bits, as keytool and openssl do. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  const [, key] = children(readRoot(spki, 'SubjectPublicKeyInfo'));
  if (!key) throw new CodecError('format', 'SubjectPublicKeyInfo', 'no subjectPublicKey');
  return new Uint8Array(createHash('sha1').update(readBitString(key).bytes).digest());
}

export function subjectKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return extension(OID.subjectKeyIdentifier, false, encodeOctetString(keyId));
}

export function authorityKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return extension(OID.authorityKeyIdentifier, false, encodeSequence(encodeTlv(0x80, keyId)));
}
