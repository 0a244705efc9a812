/**
 * The fields of an X.509 CRL (RFC 5280 5.1) found in its DER, none of them decoded: what `hash`
 * needs of a CRL (its issuer, for the `<hash>.rN` names of a CA folder) without loading the rest
 * of the X.509 model, as certificate-parts.ts does for certificates; crl.ts decodes from here.
 *
 *   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
 *   TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature, issuer Name, thisUpdate Time,
 *     nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE OPTIONAL,
 *     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
import { TAG, type Tlv, children, derError, expectTag, item, readRoot, tagName, tlvBytes } from './asn1/tlv.js';

export const CRL_FORMAT = 'X.509 CRL';

/** The TBSCertList's fields, and where the issuer is among them (after the optional version). */
export function tbsCertList(der: Uint8Array): { fields: Tlv[]; issuerAt: number } {
  const crl = expectTag(readRoot(der, CRL_FORMAT), TAG.SEQUENCE, 'CertificateList');
  const top = children(crl);
  if (top.length !== 3) throw derError(CRL_FORMAT, `CertificateList has ${top.length} elements, expected 3`, crl.offset);
  const tbs = expectTag(item(crl, top, 0, 'tbsCertList'), TAG.SEQUENCE, 'tbsCertList');
  const fields = children(tbs);
  const at = fields[0]?.tag === TAG.INTEGER ? 1 : 0;
  expectTag(item(tbs, fields, at, 'signature'), TAG.SEQUENCE, 'signature algorithm');
  expectTag(item(tbs, fields, at + 1, 'issuer'), TAG.SEQUENCE, 'issuer');
  const thisUpdate = item(tbs, fields, at + 2, 'thisUpdate');
  if (thisUpdate.tag !== TAG.UTC_TIME && thisUpdate.tag !== TAG.GENERALIZED_TIME) {
    throw derError(CRL_FORMAT, `thisUpdate: expected a time, found tag ${tagName(thisUpdate.tag)}`, thisUpdate.offset);
  }
  return { fields, issuerAt: at + 1 };
}

/** The issuer Name's DER, and no more parsing than it takes (rehash reads whole CA folders). */
export function crlIssuer(der: Uint8Array): Uint8Array {
  const { fields, issuerAt } = tbsCertList(der);
  return tlvBytes(fields[issuerAt] as Tlv);
}
