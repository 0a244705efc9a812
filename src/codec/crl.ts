/**
 * X.509 CRLs (RFC 5280 section 5.1), as far as mailcert needs them: the issuer (for the subject
 * hash of `hash` and `<hash>.rN` names; crl-parts.ts, which `hash` loads alone) and the summary
 * `inspect` shows.
 *
 *   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
 *   TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature, issuer Name, thisUpdate Time,
 *     nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE OPTIONAL,
 *     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 */
import { OID } from './asn1/oid.js';
import { TAG, type Tlv, children, expectTag, isContext, item, readRoot, tlvBytes, valueBytes } from './asn1/tlv.js';
import { bytesToBigInt, readIntegerBytes, readOid, readTime } from './asn1/values.js';
import { type DistinguishedName, parseName } from './x509/name.js';
import { CRL_FORMAT as FORMAT, tbsCertList } from './crl-parts.js';

export { crlIssuer } from './crl-parts.js';

export interface CrlInfo {
  issuer: DistinguishedName;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** How many certificates it revokes. */
  revoked: number;
  /** The cRLNumber extension (RFC 5280 5.2.3). */
  crlNumber?: bigint;
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
