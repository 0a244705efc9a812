/**
 * X.509 certificates (RFC 5280 section 4.1), parsed once from the original DER, which is kept:
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer,
 *     validity, subject, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2], extensions [3] }
 *
 * readCertificateParts finds the fields without decoding them: what `hash` (the subject Name) and
 * PKCS#12 chain building (names and key identifiers) need of a certificate. parseCertificate
 * decodes the rest: names (name.ts), the key (public-key.ts), algorithms (algorithms.ts) and
 * extensions (extensions.ts). Signatures are checked by src/crypto/signatures.ts.
 */
import { sameBytes } from '../bytes.js';
import { fingerprint } from '../fingerprint.js';
import { CLASS_CONTEXT, TAG, type Tlv, children, derError, expectTag, isContext, item, readRoot, tlvBytes } from '../asn1/tlv.js';
import { bytesToBigInt, readBitString, readIntegerBytes, readSmallInt, readTime } from '../asn1/values.js';
import { type AlgorithmIdentifier, parseAlgorithm } from './algorithms.js';
import { type DecodedExtensions, type ParsedExtensions, decodeKnownExtensions, parseExtensions } from './extensions.js';
import { type DistinguishedName, nameFromTlv } from './name.js';
import { type PublicKeySummary, parseSpki } from './public-key.js';

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
