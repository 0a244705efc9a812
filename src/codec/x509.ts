/**
 * X.509 certificate summary (RFC 5280 section 4), parsed once from the original DER, which is kept.
 * Names are in x509-names.ts, algorithms and keys in x509-keys.ts, extensions in
 * x509-extensions.ts; this module puts a certificate together and re-exports what they offer.
 */
import { hash } from 'node:crypto';
import {
  TAG,
  CLASS_CONTEXT,
  children,
  derError,
  expectTag,
  isContext,
  item,
  readBitString,
  readIntegerBytes,
  readRoot,
  readSmallInt,
  readTime,
  tlvBytes,
  bytesToBigInt,
} from './der.js';
import { decodeKnownExtensions, parseExtensions, type DecodedExtensions, type ParsedExtensions } from './x509-extensions.js';
import { checkSignature, parseAlgorithm, parseSpki, type AlgorithmIdentifier, type PublicKeySummary, type SignatureCheck } from './x509-keys.js';
import { nameFromTlv, type DistinguishedName } from './x509-names.js';

export { colonHex, formatDn, parseName, type Ava, type DistinguishedName } from './x509-names.js';
export {
  checkSignature,
  hashName,
  parseAlgorithmIdentifier,
  parsePublicKeyInfo,
  pssParameters,
  signatureHash,
  verifySignature,
  type AlgorithmIdentifier,
  type PssParameters,
  type PublicKeySummary,
  type SignatureCheck,
} from './x509-keys.js';
export {
  decodeExtensions,
  ekuName,
  formatIpv6,
  type BasicConstraints,
  type DecodedExtensions,
  type Extension,
  type ExtKeyUsage,
  type PolicyConstraints,
  type PolicyMapping,
  type SubjectAltName,
} from './x509-extensions.js';

const FORMAT = 'X.509';

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
  /** Uppercase hex, colon separated, as `keytool -list -v` and `openssl x509 -fingerprint` print them. */
  /** Computed on first use: `list` of a large truststore should not hash what it never prints. */
  readonly fingerprints: { readonly sha1: string; readonly sha256: string };
  /** Subject and issuer Names are the same bytes (a root or a self-issued key rollover cert). */
  selfIssued: boolean;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function fingerprint(alg: 'sha1' | 'sha256', der: Uint8Array): string {
  // crypto.hash (one-shot, Node >= 20.12) costs a third of createHash().update().digest().
  const h = hash(alg, der, 'hex').toUpperCase();
  let out = h.slice(0, 2);
  for (let i = 2; i < h.length; i += 2) out += `:${h.slice(i, i + 2)}`;
  return out;
}

function lazyFingerprints(der: Uint8Array): CertInfo['fingerprints'] {
  let sha1: string | undefined;
  let sha256: string | undefined;
  return {
    get sha1() {
      return (sha1 ??= fingerprint('sha1', der));
    },
    get sha256() {
      return (sha256 ??= fingerprint('sha256', der));
    },
  };
}

/** BigInteger.toString(16) of the serial: lowercase, no leading zeros, "-" for the (invalid but seen) negatives. */
function serialToHex(serial: Uint8Array): string {
  if (((serial[0] ?? 0) & 0x80) !== 0) return bytesToBigInt(serial, true).toString(16);
  const h = hex(serial).replace(/^0+/, '');
  return h === '' ? '0' : h;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer,
 *   validity, subject, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2], extensions [3] }
 * (RFC 5280 4.1). Throws CodecError('format', 'X.509') on anything malformed.
 */
export function parseCertificate(der: Uint8Array): CertInfo {
  const cert = expectTag(readRoot(der, FORMAT), TAG.SEQUENCE, 'Certificate');
  const top = children(cert);
  const tbsTlv = expectTag(item(cert, top, 0, 'tbsCertificate'), TAG.SEQUENCE, 'TBSCertificate');
  const signatureAlgorithmTlv = item(cert, top, 1, 'signatureAlgorithm');
  const signatureAlgorithm = parseAlgorithm(signatureAlgorithmTlv);
  const signature = readBitString(item(cert, top, 2, 'signatureValue')).bytes;
  if (top.length > 3) throw derError(FORMAT, 'unexpected element after signatureValue', top[3]?.offset);

  const f = children(tbsTlv);
  let i = 0;
  let version = 1;
  const first = item(tbsTlv, f, 0, 'serialNumber');
  if (isContext(first, 0)) {
    version = readSmallInt(item(first, children(first), 0, 'version')) + 1;
    i = 1;
  }
  const serial = readIntegerBytes(item(tbsTlv, f, i, 'serialNumber'));
  // The inner signature field repeats signatureAlgorithm (RFC 5280 4.1.2.3); verify compares the two.
  const tbsSignature = expectTag(item(tbsTlv, f, i + 1, 'signature'), TAG.SEQUENCE, 'signature AlgorithmIdentifier');
  const issuer = nameFromTlv(item(tbsTlv, f, i + 2, 'issuer'));
  const validity = item(tbsTlv, f, i + 3, 'validity');
  const times = children(expectTag(validity, TAG.SEQUENCE, 'Validity'));
  const notBefore = readTime(item(validity, times, 0, 'notBefore'));
  const notAfter = readTime(item(validity, times, 1, 'notAfter'));
  const subject = nameFromTlv(item(tbsTlv, f, i + 4, 'subject'));
  const spkiTlv = item(tbsTlv, f, i + 5, 'subjectPublicKeyInfo');
  const publicKey = parseSpki(spkiTlv);

  let extensions: ParsedExtensions = { byOid: new Map(), valueTlvs: new Map() };
  for (const opt of f.slice(i + 6)) {
    if (opt.cls !== CLASS_CONTEXT || opt.number < 1 || opt.number > 3) {
      throw derError(FORMAT, `unexpected tag 0x${opt.tag.toString(16)} at the end of TBSCertificate`, opt.offset);
    }
    if (opt.number === 3) {
      extensions = parseExtensions(item(opt, children(opt), 0, 'extensions'));
    }
  }

  const info: CertInfo = {
    der,
    tbs: tlvBytes(tbsTlv),
    version,
    serial,
    serialHex: serialToHex(serial),
    signatureAlgorithm,
    tbsSignatureAlgorithm: tlvBytes(tbsSignature),
    signatureAlgorithmDer: tlvBytes(signatureAlgorithmTlv),
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: tlvBytes(spkiTlv),
    publicKey,
    extensions: extensions.byOid,
    fingerprints: lazyFingerprints(der),
    selfIssued: bytesEqual(issuer.der, subject.der),
  };
  decodeKnownExtensions(info, extensions.valueTlvs);
  return info;
}


/**
 * Whether `issuer`'s key made the signature on `cert` (RFC 5280 6.1.3 (a)(1)); like OpenSSL's
 * X509_verify, a certificate whose two signature algorithm fields differ (RFC 5280 4.1.1.2) fails.
 */
export function checkSignedBy(cert: CertInfo, issuer: CertInfo): SignatureCheck {
  if (!bytesEqual(cert.tbsSignatureAlgorithm, cert.signatureAlgorithmDer)) {
    return { ok: false, kind: 'unusable', reason: 'its signature algorithm differs from the one named inside the signed part (RFC 5280 4.1.1.2)' };
  }
  return checkSignature(cert.tbs, cert.signatureAlgorithm, cert.signature, issuer.spki, `"${issuer.subject.text}"`, issuer.publicKey);
}

/** Whether `issuer`'s public key verifies the signature on `cert` (false also when it cannot be checked). */
export function verifySignedBy(cert: CertInfo, issuer: CertInfo): boolean {
  return checkSignedBy(cert, issuer).ok;
}
