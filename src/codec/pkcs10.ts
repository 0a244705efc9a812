/**
 * PKCS#10 certification requests (RFC 2986): building the CertificationRequestInfo with an
 * extensionRequest attribute (PKCS#9, 1.2.840.113549.1.9.14) and reading a request back.
 * keytool -certreq always requests the SubjectKeyIdentifier; we request it too, with the SANs.
 */
import { CodecError } from './errors.js';
import { OID } from './asn1/oid.js';
import { type Tlv, children, readRoot, tlvBytes } from './asn1/tlv.js';
import { readBitString, readOid } from './asn1/values.js';
import { encodeInteger, encodeOid, encodeSequence, encodeSet, encodeTlv } from './asn1/writer.js';

export function buildCertificationRequestInfo(subject: Uint8Array, spki: Uint8Array, extensions: readonly Uint8Array[]): Uint8Array {
  const attributes =
    extensions.length > 0 ? [encodeSequence(encodeOid(OID.extensionRequest), encodeSet(encodeSequence(...extensions)))] : [];
  // attributes [0] IMPLICIT SET OF Attribute: present even when empty (RFC 2986 4.1).
  return encodeSequence(encodeInteger(0), subject, spki, encodeTlv(0xa0, ...attributes));
}

export interface CertificationRequest {
  der: Uint8Array;
  info: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  signatureAlgorithm: Uint8Array;
  signature: Uint8Array;
  /** Requested extensions (DER of each Extension), from the extensionRequest attribute. */
  extensions: Uint8Array[];
}

const F = 'PKCS#10';

function nth(items: Tlv[], i: number, what: string, at: number): Tlv {
  const t = items[i];
  if (!t) throw new CodecError('format', F, `missing ${what}`, at);
  return t;
}

export function parseCertificationRequest(der: Uint8Array): CertificationRequest {
  const root = readRoot(der, F);
  const top = children(root);
  const info = nth(top, 0, 'certificationRequestInfo', root.offset);
  const alg = nth(top, 1, 'signatureAlgorithm', root.offset);
  const sig = nth(top, 2, 'signature', root.offset);
  const fields = children(info);
  const subject = nth(fields, 1, 'subject', info.offset);
  const spki = nth(fields, 2, 'subjectPKInfo', info.offset);
  const extensions: Uint8Array[] = [];
  const attrs = fields[3];
  if (attrs) {
    for (const attr of children(attrs)) {
      const [type, values] = children(attr);
      if (type && values && readOid(type) === OID.extensionRequest) {
        for (const exts of children(values)) for (const ext of children(exts)) extensions.push(tlvBytes(ext));
      }
    }
  }
  return {
    der,
    info: tlvBytes(info),
    subject: tlvBytes(subject),
    spki: tlvBytes(spki),
    signatureAlgorithm: tlvBytes(alg),
    signature: readBitString(sig).bytes,
    extensions,
  };
}
