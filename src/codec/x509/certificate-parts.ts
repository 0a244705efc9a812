/**
 * The fields of an X.509 certificate (RFC 5280 4.1) found in its DER, none of them decoded:
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer,
 *     validity, subject, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2], extensions [3] }
 *
 * What `hash` needs of a certificate (its Names, for a CA folder of them) without loading the
 * rest of the X.509 model; parseCertificate (certificate.ts) decodes from here.
 */
import { CLASS_CONTEXT, TAG, type Tlv, children, derError, expectTag, isContext, item, readRoot } from '../asn1/tlv.js';

/** The fields of a certificate as found (views into its DER), before any of them is decoded. */
export interface CertificateParts {
  tbs: Tlv;
  /** The [0] EXPLICIT version wrapper; absent for v1. */
  version?: Tlv;
  serialNumber: Tlv;
  /** The signature AlgorithmIdentifier inside TBSCertificate. */
  signature: Tlv;
  issuer: Tlv;
  validity: Tlv;
  subject: Tlv;
  subjectPublicKeyInfo: Tlv;
  /** The Extensions SEQUENCE inside [3]; absent when the certificate has none. */
  extensions?: Tlv;
  signatureAlgorithm: Tlv;
  signatureValue: Tlv;
}

/**
 * Finds the fields of a DER certificate, checking the tags of the ones every reader needs.
 * Errors are reported under `format` (a certificate inside a PKCS#12 file is PKCS#12 input).
 */
export function readCertificateParts(der: Uint8Array, format = 'X.509'): CertificateParts {
  const cert = expectTag(readRoot(der, format), TAG.SEQUENCE, 'Certificate');
  const top = children(cert);
  const tbs = expectTag(item(cert, top, 0, 'tbsCertificate'), TAG.SEQUENCE, 'TBSCertificate');
  const signatureAlgorithm = expectTag(item(cert, top, 1, 'signatureAlgorithm'), TAG.SEQUENCE, 'signatureAlgorithm');
  const signatureValue = item(cert, top, 2, 'signatureValue');
  if (top.length > 3) throw derError(format, 'unexpected element after signatureValue', top[3]?.offset);

  const f = children(tbs);
  const first = item(tbs, f, 0, 'serialNumber');
  const v = isContext(first, 0) ? 1 : 0;
  const parts: CertificateParts = {
    tbs,
    serialNumber: expectTag(item(tbs, f, v, 'serialNumber'), TAG.INTEGER, 'serialNumber'),
    // The inner signature field repeats signatureAlgorithm (RFC 5280 4.1.2.3); verify compares the two.
    signature: expectTag(item(tbs, f, v + 1, 'signature'), TAG.SEQUENCE, 'signature AlgorithmIdentifier'),
    issuer: expectTag(item(tbs, f, v + 2, 'issuer'), TAG.SEQUENCE, 'issuer Name'),
    validity: expectTag(item(tbs, f, v + 3, 'validity'), TAG.SEQUENCE, 'Validity'),
    subject: expectTag(item(tbs, f, v + 4, 'subject'), TAG.SEQUENCE, 'subject Name'),
    subjectPublicKeyInfo: item(tbs, f, v + 5, 'subjectPublicKeyInfo'),
    signatureAlgorithm,
    signatureValue,
  };
  if (v === 1) parts.version = first;
  for (const opt of f.slice(v + 6)) {
    if (opt.cls !== CLASS_CONTEXT || opt.number < 1 || opt.number > 3) {
      throw derError(format, `unexpected tag 0x${opt.tag.toString(16)} at the end of TBSCertificate`, opt.offset);
    }
    if (opt.number === 3) parts.extensions = item(opt, children(opt), 0, 'extensions');
  }
  return parts;
}
