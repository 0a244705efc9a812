/**
 * X.509 certificates (RFC 5280 section 4.1), parsed once from the original DER, which is kept:
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer,
 *     validity, subject, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2], extensions [3] }
 *
 * certificate-parts.ts finds the fields without decoding them: what `hash` (the subject Name) and
 * PKCS#12 chain building (names and key identifiers) need of a certificate. parseCertificate
 * decodes the rest: names (name.ts), the key (public-key.ts), algorithms (algorithms.ts) and
 * extensions (extensions.ts). Signatures are checked by src/crypto/signatures.ts.
 */
import { sameBytes } from '../bytes.js';
import { fingerprint } from '../fingerprint.js';
import { children, item, tlvBytes } from '../asn1/tlv.js';
import { bytesToBigInt, readBitString, readIntegerBytes, readSmallInt, readTime } from '../asn1/values.js';
import { type AlgorithmIdentifier, parseAlgorithm } from './algorithms.js';
import { type DecodedExtensions, type ParsedExtensions, decodeKnownExtensions, parseExtensions } from './extensions.js';
import { type DistinguishedName, nameFromTlv } from './name.js';
import { type PublicKeySummary, parseSpki } from './public-key.js';
import { readCertificateParts } from './certificate-parts.js';

export { type CertificateParts, readCertificateParts } from './certificate-parts.js';

export interface CertInfo extends DecodedExtensions {
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
  /** The signature field inside TBSCertificate, as encoded; RFC 5280 4.1.1.2 requires it to equal signatureAlgorithm. */
  tbsSignatureAlgorithm: Uint8Array;
  /** The outer signatureAlgorithm, as encoded. */
  signatureAlgorithmDer: Uint8Array;
  signature: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER (a view into der). */
  spki: Uint8Array;
  publicKey: PublicKeySummary;
  /**
   * Uppercase hex, colon separated, as `keytool -list -v` and `openssl x509 -fingerprint` print
   * them. Computed on first use: `list` of a large truststore should not hash what it never prints.
   */
  readonly fingerprints: { readonly sha1: string; readonly sha256: string };
  /** Subject and issuer Names are the same bytes (a root or a self-issued key rollover cert). */
  selfIssued: boolean;
}

function lazyFingerprints(der: Uint8Array): CertInfo['fingerprints'] {
  let sha1: string | undefined;
  let sha256: string | undefined;
  return {
    get sha1() {
      return (sha1 ??= fingerprint(der, 'sha1'));
    },
    get sha256() {
      return (sha256 ??= fingerprint(der, 'sha256'));
    },
  };
}

/** BigInteger.toString(16) of the serial: lowercase, no leading zeros, "-" for the (invalid but seen) negatives. */
function serialToHex(serial: Uint8Array): string {
  if (((serial[0] ?? 0) & 0x80) !== 0) return bytesToBigInt(serial, true).toString(16);
  const h = Buffer.from(serial.buffer, serial.byteOffset, serial.byteLength).toString('hex').replace(/^0+/, '');
  return h === '' ? '0' : h;
}

/** A certificate, decoded. Throws CodecError('format', 'X.509') on anything malformed. */
export function parseCertificate(der: Uint8Array): CertInfo {
  const p = readCertificateParts(der);
  const signatureAlgorithm = parseAlgorithm(p.signatureAlgorithm);
  const signature = readBitString(p.signatureValue).bytes;
  const version = p.version === undefined ? 1 : readSmallInt(item(p.version, children(p.version), 0, 'version')) + 1;
  const serial = readIntegerBytes(p.serialNumber);
  const issuer = nameFromTlv(p.issuer);
  const times = children(p.validity);
  const notBefore = readTime(item(p.validity, times, 0, 'notBefore'));
  const notAfter = readTime(item(p.validity, times, 1, 'notAfter'));
  const subject = nameFromTlv(p.subject);
  const publicKey = parseSpki(p.subjectPublicKeyInfo);
  const extensions: ParsedExtensions = p.extensions === undefined ? { byOid: new Map(), valueTlvs: new Map() } : parseExtensions(p.extensions);
  const info: CertInfo = {
    der,
    tbs: tlvBytes(p.tbs),
    version,
    serial,
    serialHex: serialToHex(serial),
    signatureAlgorithm,
    tbsSignatureAlgorithm: tlvBytes(p.signature),
    signatureAlgorithmDer: tlvBytes(p.signatureAlgorithm),
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: tlvBytes(p.subjectPublicKeyInfo),
    publicKey,
    extensions: extensions.byOid,
    fingerprints: lazyFingerprints(der),
    selfIssued: sameBytes(issuer.der, subject.der),
  };
  decodeKnownExtensions(info, extensions.valueTlvs);
  return info;
}
