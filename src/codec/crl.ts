/**
 * X.509 CRLs (RFC 5280 section 5.1), as far as mailcert needs them: the issuer (for the subject
 * hash of `hash` and `<hash>.rN` names) and the summary `inspect` shows.
 *
 *   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
 *   TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature, issuer Name, thisUpdate Time,
 *     nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE OPTIONAL,
 *     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
import { OID } from './asn1/oid.js';
import { TAG, type Tlv, children, derError, expectTag, isContext, item, readRoot, tagName, tlvBytes, valueBytes } from './asn1/tlv.js';
import { bytesToBigInt, readIntegerBytes, readOid, readTime } from './asn1/values.js';
import { type DistinguishedName, parseName } from './x509/name.js';

const FORMAT = 'X.509 CRL';

export interface CrlInfo {
  issuer: DistinguishedName;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** How many certificates it revokes. */
  revoked: number;
  /** The cRLNumber extension (RFC 5280 5.2.3). */
  crlNumber?: bigint;
}

/** The TBSCertList's fields, and where the issuer is among them (after the optional version). */
function tbsCertList(der: Uint8Array): { fields: Tlv[]; issuerAt: number } {
  const crl = expectTag(readRoot(der, FORMAT), TAG.SEQUENCE, 'CertificateList');
  const top = children(crl);
  if (top.length !== 3) throw derError(FORMAT, `CertificateList has ${top.length} elements, expected 3`, crl.offset);
  const tbs = expectTag(item(crl, top, 0, 'tbsCertList'), TAG.SEQUENCE, 'tbsCertList');
  const fields = children(tbs);
  const at = fields[0]?.tag === TAG.INTEGER ? 1 : 0;
  expectTag(item(tbs, fields, at, 'signature'), TAG.SEQUENCE, 'signature algorithm');
  expectTag(item(tbs, fields, at + 1, 'issuer'), TAG.SEQUENCE, 'issuer');
  const thisUpdate = item(tbs, fields, at + 2, 'thisUpdate');
  if (thisUpdate.tag !== TAG.UTC_TIME && thisUpdate.tag !== TAG.GENERALIZED_TIME) {
    throw derError(FORMAT, `thisUpdate: expected a time, found tag ${tagName(thisUpdate.tag)}`, thisUpdate.offset);
  }
  return { fields, issuerAt: at + 1 };
}

/** The issuer Name's DER, and no more parsing than it takes (rehash reads whole CA folders). */
export function crlIssuer(der: Uint8Array): Uint8Array {
  const { fields, issuerAt } = tbsCertList(der);
  return tlvBytes(fields[issuerAt] as Tlv);
}

export function parseCrl(der: Uint8Array): CrlInfo {
  const { fields, issuerAt } = tbsCertList(der);
  const info: CrlInfo = {
    issuer: parseName(tlvBytes(fields[issuerAt] as Tlv), FORMAT),
    thisUpdate: readTime(fields[issuerAt + 1] as Tlv),
    revoked: 0,
  };
  let i = issuerAt + 2;
  const next = fields[i];
  if (next !== undefined && (next.tag === TAG.UTC_TIME || next.tag === TAG.GENERALIZED_TIME)) {
    info.nextUpdate = readTime(next);
    i++;
  }
  for (const rest of fields.slice(i)) {
    if (rest.tag === TAG.SEQUENCE) info.revoked = children(rest).length;
    else if (isContext(rest, 0)) {
      const exts = expectTag(item(rest, children(rest), 0, 'crlExtensions'), TAG.SEQUENCE, 'Extensions');
      for (const ext of children(exts)) {
        const parts = children(expectTag(ext, TAG.SEQUENCE, 'Extension'));
        if (readOid(item(ext, parts, 0, 'extnID')) !== OID.cRLNumber) continue;
        const value = expectTag(item(ext, parts, parts.length - 1, 'extnValue'), TAG.OCTET_STRING, 'extnValue');
        info.crlNumber = bytesToBigInt(readIntegerBytes(readRoot(valueBytes(value), FORMAT)), false);
      }
    }
  }
  return info;
}
