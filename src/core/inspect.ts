/**
 * `mailcert inspect FILE`: what a file is and holds, read from its content alone (never its name):
 * certificates (PEM bundle, DER, TRUSTED CERTIFICATE, PKCS#7), a certification request, a private
 * key, a CRL, or a JKS / JCEKS / PKCS#12 keystore. A key is described, never decrypted unless the
 * user gave its passphrase, and no key material is ever part of the report.
 *
 * output/inspect.ts prints the report, as text or as the --json document it describes.
 *
 * publicKeySha256 is the SHA-256 of the DER SubjectPublicKeyInfo (`openssl pkey -pubout -outform
 * DER | sha256sum`): equal values mean the key and the certificate belong together.
 */
import { OID } from '../codec/asn1/oid.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseCrl } from '../codec/crl.js';
import { CodecError } from '../codec/errors.js';
import { detectFormat } from '../codec/detect.js';
import { TAG, children, item, readRoot, tlvBytes, type Tlv } from '../codec/asn1/tlv.js';
import { readOid } from '../codec/asn1/values.js';
import { decodePem, PEM_LABEL, type PemBlock } from '../codec/pem.js';
import { isEncryptedPem } from '../codec/pem-key.js';
import { readPkcs7Certificates } from '../codec/pkcs7.js';
import { parseCertificationRequest } from '../codec/pkcs10.js';
import { parseAlgorithmIdentifier } from '../codec/x509/algorithms.js';
import { parseCertificate } from '../codec/x509/certificate.js';
import { decodeExtensions, type DecodedExtensions } from '../codec/x509/extensions.js';
import { parseName } from '../codec/x509/name.js';
import { parsePublicKeyInfo } from '../codec/x509/public-key.js';
import { readTraditionalKey } from '../crypto/pem-key.js';
import { verifySignature } from '../crypto/signatures.js';
import { inputError } from '../errors.js';
import { readInput } from '../keystore/files.js';
import { decodeKeystore, keystoreType, notAKeystore, type StoreType } from '../keystore/keystore.js';
import { codecToUser, ForeignKeystore } from '../keystore/errors.js';
import { privateKeyObject } from '../keystore/private-key.js';
import { certSummary, describeKey as keyText, type CertSummary } from './cert-summary.js';
import { isSelfSigned } from './chain.js';
import { WrongPassphrase } from './errors.js';
import { fingerprint, listKeystore, type ListReport } from './list.js';

export interface BasicConstraintsInfo {
  ca: boolean;
  pathLen: number | null;
}

/** What a certificate and a request both say about the names and uses asked for. */
interface Usage {
  subjectAltNames: string[];
  keyUsage: string[] | null;
  extendedKeyUsage: string[] | null;
  basicConstraints: BasicConstraintsInfo | null;
}

export interface InspectedCertificate extends CertSummary, Usage {
  /** Whole days until notAfter; negative once expired. */
  daysLeft: number;
  selfSigned: boolean;
  sha1: string;
  publicKeySha256: string;
}

export interface InspectedRequest extends Usage {
  subject: string;
  publicKey: string;
  signatureAlgorithm: string;
  /** The request's self-signature verifies with the public key it carries (what a CA checks first). */
  signatureValid: boolean;
  extensions: { oid: string; name: string | null; critical: boolean }[];
  publicKeySha256: string;
}

export interface InspectedKey {
  /** "PKCS#8", "encrypted PKCS#8", "PKCS#1 (RSA PRIVATE KEY)", "encrypted SEC 1 (EC PRIVATE KEY)", ... with " (DER)" for DER files. */
  form: string;
  encrypted: boolean;
  /** The scheme or cipher: "PBES2 hmacWithSHA256 aes-256-cbc, 2048 iterations", "AES-256-CBC". */
  encryption: string | null;
  /** "RSA", "EC", "Ed25519"...; null for an encrypted PKCS#8 key whose passphrase was not given. */
  algorithm: string | null;
  /** "RSA 2048", "EC secp256r1", as certificates show it; null while the key is still encrypted. */
  publicKey: string | null;
  publicKeySha256: string | null;
}

export interface InspectedCrl {
  issuer: string;
  thisUpdate: string;
  nextUpdate: string | null;
  /** Number of revokedCertificates entries. */
  revoked: number;
  /** The cRLNumber extension, in decimal as openssl crl -text prints it. */
  crlNumber: string | null;
}

export type InspectFormat = 'PEM' | 'DER' | 'PKCS7' | StoreType;

export interface InspectReport {
  file: string;
  format: InspectFormat;
  certificates?: InspectedCertificate[];
  request?: InspectedRequest;
  key?: InspectedKey;
  crl?: InspectedCrl;
  /** The keystore listing (core/list.ts). */
  keystore?: ListReport;
  notes?: string[];
}

/** Passwords, asked for only where the content needs them. */
export interface InspectSecrets {
  /** The store password for a PKCS#12 file that has one (may prompt on a terminal). */
  storePassword(): Promise<string>;
  /** The store password only when the user gave one: a JKS lists without it (integrity unchecked). */
  givenStorePassword(): Promise<string | undefined>;
  /** The passphrase of an encrypted key, only when given: inspect never asks just to look. */
  givenPassin(): Promise<string | undefined>;
}

const CERT_LABELS: ReadonlySet<string> = new Set([PEM_LABEL.CERTIFICATE, PEM_LABEL.TRUSTED_CERTIFICATE, 'X509 CERTIFICATE']);
const REQUEST_LABELS: ReadonlySet<string> = new Set([PEM_LABEL.CERTIFICATE_REQUEST, PEM_LABEL.NEW_CERTIFICATE_REQUEST]);
/** RFC 7468 section 8 names PKCS7 and CMS; "PKCS #7 SIGNED DATA" is older (codec/pkcs7.ts). */
const PKCS7_LABELS: ReadonlySet<string> = new Set([PEM_LABEL.PKCS7, PEM_LABEL.CMS, 'PKCS #7 SIGNED DATA']);
const KEY_LABELS: ReadonlySet<string> = new Set([PEM_LABEL.PRIVATE_KEY, PEM_LABEL.ENCRYPTED_PRIVATE_KEY, PEM_LABEL.RSA_PRIVATE_KEY, PEM_LABEL.EC_PRIVATE_KEY]);

const EXTENSION_NAMES: ReadonlyMap<string, string> = new Map([
  [OID.subjectKeyIdentifier, 'subjectKeyIdentifier'],
  [OID.keyUsage, 'keyUsage'],
  [OID.subjectAltName, 'subjectAltName'],
  [OID.basicConstraints, 'basicConstraints'],
  [OID.certificatePolicies, 'certificatePolicies'],
  [OID.authorityKeyIdentifier, 'authorityKeyIdentifier'],
  [OID.extKeyUsage, 'extKeyUsage'],
  [OID.tlsFeature, 'tlsFeature'],
]);

export async function inspectFile(path: string, secrets: InspectSecrets, now = new Date()): Promise<InspectReport> {
  return inspectBytes(path, readInput(path, 'file'), secrets, now);
}

/** The same for bytes already read (`mailcert inspect -`); `path` names them in the report and in errors. */
export async function inspectBytes(path: string, bytes: Uint8Array, secrets: InspectSecrets, now = new Date()): Promise<InspectReport> {
  const type = keystoreType(bytes);
  if (type !== undefined) {
    const pass = type === 'PKCS12' ? () => secrets.storePassword() : () => secrets.givenStorePassword();
    const store = await decodeKeystore(path, type, bytes, pass);
    return { file: path, format: type, keystore: listKeystore(path, store, certSummary) };
  }
  try {
    return await inspectContent(path, bytes, secrets, now);
  } catch (e) {
    if (e instanceof CodecError && e.kind === 'password') {
      throw new WrongPassphrase(path);
    }
    throw codecToUser(e, path, 'input');
  }
}

async function inspectContent(path: string, bytes: Uint8Array, secrets: InspectSecrets, now: Date): Promise<InspectReport> {
  const format = detectFormat(bytes);
  switch (format) {
    case 'PEM':
      return inspectPem(path, Buffer.from(bytes).toString('latin1'), secrets, now);
    case 'DER-CERT':
      return { file: path, format: 'DER', certificates: [inspectCertificate(bytes, now)] };
    case 'PKCS7':
      return { file: path, format: 'PKCS7', certificates: readPkcs7Certificates(bytes).map((c) => inspectCertificate(c, now)) };
    case 'PKCS10':
      return { file: path, format: 'DER', request: inspectRequest(bytes) };
    case 'CRL':
      return { file: path, format: 'DER', crl: inspectCrl(bytes) };
    case 'PKCS8':
      return { file: path, format: 'DER', key: await inspectDerKey(bytes, secrets) };
    default: {
      // PKCS#1 and SEC 1 keys in DER start with an INTEGER, which detect.ts leaves unnamed.
      const key = bytes[0] === TAG.SEQUENCE ? traditionalDerKey(bytes) : undefined;
      if (key !== undefined) return { file: path, format: 'DER', key };
      // A BouncyCastle keystore is named, with the way to convert it.
      const foreign = await notAKeystore(path, bytes);
      if (foreign instanceof ForeignKeystore) throw foreign;
      throw unknownContent(path);
    }
  }
}

function unknownContent(path: string, found?: string): Error {
  return inputError(
    `${path}: not a certificate, certificate request, private key, CRL, PKCS#7 or keystore file${found ? ` (found ${found})` : ''}`,
    'inspect reads PEM and DER certificates, requests, keys and CRLs, PKCS#7 bundles, and JKS, JCEKS and PKCS#12 keystores',
  );
}

async function inspectPem(path: string, text: string, secrets: InspectSecrets, now: Date): Promise<InspectReport> {
  const blocks = decodePem(text);
  const report: InspectReport = { file: path, format: 'PEM' };
  const certificates: InspectedCertificate[] = [];
  const notes: string[] = [];
  const ignored: string[] = [];
  for (const block of blocks) {
    if (CERT_LABELS.has(block.label)) {
      certificates.push(inspectCertificate(block.der, now));
      if (block.aux !== undefined && block.aux.length > 0) notes.push(`certificate [${certificates.length}] carries OpenSSL trust settings (TRUSTED CERTIFICATE); keytool and Java read only the certificate`);
    } else if (PKCS7_LABELS.has(block.label)) {
      certificates.push(...readPkcs7Certificates(block.der).map((c) => inspectCertificate(c, now)));
    } else if (REQUEST_LABELS.has(block.label)) {
      if (report.request === undefined) report.request = inspectRequest(block.der);
      else ignored.push(block.label);
    } else if (KEY_LABELS.has(block.label)) {
      if (report.key === undefined) report.key = await inspectPemKey(block, secrets);
      else ignored.push(block.label);
    } else if (block.label === PEM_LABEL.X509_CRL) {
      if (report.crl === undefined) report.crl = inspectCrl(block.der);
      else ignored.push(block.label);
    } else ignored.push(block.label);
  }
  if (certificates.length > 0) report.certificates = certificates;
  if (report.certificates === undefined && report.request === undefined && report.key === undefined && report.crl === undefined) {
    throw unknownContent(path, blocks.length > 0 ? `PEM ${blocks.map((b) => b.label).join(', ')}` : 'no PEM block');
  }
  if (ignored.length > 0) notes.push(`not inspected: ${ignored.join(', ')} (inspect shows one key, request and CRL per file)`);
  if (notes.length > 0) report.notes = notes;
  return report;
}

// ---------------------------------------------------------------------------------------------
// Certificates and requests

function altNames(c: DecodedExtensions): string[] {
  const san = c.subjectAltName;
  if (san === undefined) return [];
  // openssl x509 -text's prefixes, which users paste into --san.
  return [
    ...san.dns.map((n) => `DNS:${n}`),
    ...san.ip.map((n) => `IP:${n}`),
    ...san.email.map((n) => `email:${n}`),
    ...san.uri.map((n) => `URI:${n}`),
    ...san.dirName.map((n) => `DirName:${n}`),
  ];
}

function usage(c: DecodedExtensions): Usage {
  const bc = c.basicConstraints;
  return {
    subjectAltNames: altNames(c),
    keyUsage: c.keyUsage ?? null,
    extendedKeyUsage: c.extKeyUsage?.map((e) => e.name ?? e.oid) ?? null,
    basicConstraints: bc === undefined ? null : { ca: bc.ca, pathLen: bc.pathLen ?? null },
  };
}

export function inspectCertificate(der: Uint8Array, now: Date): InspectedCertificate {
  const c = parseCertificate(der);
  return {
    ...certSummary(der),
    daysLeft: Math.floor((c.notAfter.getTime() - now.getTime()) / 86_400_000),
    ...usage(c),
    selfSigned: isSelfSigned(c),
    sha1: c.fingerprints.sha1,
    publicKeySha256: fingerprint(c.spki),
  };
}

/**
 * A PKCS#10 request: its requested extensions have the certificate syntax (RFC 2986 section 4.1
 * carries RFC 5280 Extensions) and are decoded as a certificate's are; the self-signature is
 * checked over the CertificationRequestInfo with the request's own key (RFC 2986 section 4.2).
 */
export function inspectRequest(der: Uint8Array): InspectedRequest {
  const req = parseCertificationRequest(der);
  const algorithm = parseAlgorithmIdentifier(req.signatureAlgorithm);
  const extensions = decodeExtensions(req.extensions);
  let signatureValid: boolean;
  try {
    signatureValid = verifySignature(req.info, algorithm, req.signature, req.spki, 'the request');
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    signatureValid = false;
  }
  return {
    subject: parseName(req.subject, 'PKCS#10').text,
    publicKey: keyText(parsePublicKeyInfo(req.spki)),
    signatureAlgorithm: algorithm.name,
    signatureValid,
    ...usage(extensions),
    extensions: [...extensions.extensions.values()].map((e) => ({ oid: e.oid, name: EXTENSION_NAMES.get(e.oid) ?? null, critical: e.critical })),
    publicKeySha256: fingerprint(req.spki),
  };
}

// ---------------------------------------------------------------------------------------------
// CRLs

function inspectCrl(der: Uint8Array): InspectedCrl {
  const crl = parseCrl(der);
  return {
    issuer: crl.issuer.text,
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString() ?? null,
    revoked: crl.revoked,
    crlNumber: crl.crlNumber?.toString(10) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Private keys

/** Curve names as the JDK (and the certificate view) prints them, from node:crypto's OpenSSL names. */
const JDK_CURVES: Readonly<Record<string, string>> = { prime256v1: 'secp256r1', secp384r1: 'secp384r1', secp521r1: 'secp521r1', secp256k1: 'secp256k1' };
const KEY_TYPES: Readonly<Record<string, string>> = { rsa: 'RSA', 'rsa-pss': 'RSASSA-PSS', ec: 'EC', dsa: 'DSA', ed25519: 'Ed25519', ed448: 'Ed448', x25519: 'X25519', x448: 'X448', dh: 'DH' };

/** Type, size or curve, and the public key's fingerprint; nothing secret leaves this function. */
function describeKey(key: KeyObject): Pick<InspectedKey, 'algorithm' | 'publicKey' | 'publicKeySha256'> {
  const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  if (key.asymmetricKeyType === undefined) {
    // A key Node has no type for (SM2): named as its certificate would be.
    const k = parsePublicKeyInfo(spki);
    return { algorithm: k.algorithm, publicKey: keyText(k), publicKeySha256: fingerprint(spki) };
  }
  const type = key.asymmetricKeyType;
  const algorithm = KEY_TYPES[type] ?? type;
  const d = key.asymmetricKeyDetails ?? {};
  // The sizes certificates show (codec/x509/public-key.ts parseSpki): modulus bits, the curve, 255/448 for the Edwards curves.
  const size = d.namedCurve !== undefined ? (JDK_CURVES[d.namedCurve] ?? d.namedCurve) : d.modulusLength ?? (/25519/.test(type) ? 255 : /448/.test(type) ? 448 : undefined);
  return { algorithm, publicKey: size === undefined ? algorithm : `${algorithm} ${size}`, publicKeySha256: fingerprint(spki) };
}

function privateKey(der: Uint8Array, type: 'pkcs8' | 'pkcs1' | 'sec1'): KeyObject {
  return privateKeyObject(der, type);
}

function firstChild(der: Uint8Array, what: string): Tlv {
  const root = readRoot(der, 'PKCS#8');
  return item(root, children(root), 0, what);
}

const STILL_ENCRYPTED = { algorithm: null, publicKey: null, publicKeySha256: null };

async function encryptedPkcs8(der: Uint8Array, form: string, secrets: InspectSecrets): Promise<InspectedKey> {
  const { describePbe } = await import('../codec/pbe-params.js');
  // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData } (RFC 5208 6)
  const algId = firstChild(der, 'encryptionAlgorithm');
  let encryption: string;
  try {
    encryption = describePbe(tlvBytes(algId));
  } catch (e) {
    // A scheme mailcert cannot decrypt is still worth naming.
    if (!(e instanceof CodecError)) throw e;
    encryption = readOid(item(algId, children(algId), 0, 'algorithm'));
  }
  const pass = await secrets.givenPassin();
  if (pass === undefined) return { form, encrypted: true, encryption, ...STILL_ENCRYPTED };
  const { decryptPkcs8 } = await import('../crypto/pkcs8.js');
  return { form, encrypted: true, encryption, ...describeKey(privateKey(decryptPkcs8(der, pass), 'pkcs8')) };
}

async function inspectPemKey(block: PemBlock, secrets: InspectSecrets): Promise<InspectedKey> {
  switch (block.label) {
    case PEM_LABEL.PRIVATE_KEY:
      return { form: 'PKCS#8', encrypted: false, encryption: null, ...describeKey(privateKey(block.der, 'pkcs8')) };
    case PEM_LABEL.ENCRYPTED_PRIVATE_KEY:
      return encryptedPkcs8(block.der, 'encrypted PKCS#8', secrets);
    default: {
      const rsa = block.label === PEM_LABEL.RSA_PRIVATE_KEY;
      const base = rsa ? 'PKCS#1 (RSA PRIVATE KEY)' : 'SEC 1 (EC PRIVATE KEY)';
      const type = rsa ? 'pkcs1' : 'sec1';
      if (!isEncryptedPem(block)) return { form: base, encrypted: false, encryption: null, ...describeKey(privateKey(block.der, type)) };
      // DEK-Info: AES-256-CBC,<IV> (RFC 1421 4.6.1.3); the cipher is all a reader needs.
      const encryption = (block.headers['DEK-Info'] ?? '').split(',')[0]?.trim() || null;
      const form = `encrypted ${base}`;
      const pass = await secrets.givenPassin();
      if (pass === undefined) return { form, encrypted: true, encryption, ...STILL_ENCRYPTED, algorithm: rsa ? 'RSA' : 'EC' };
      return { form, encrypted: true, encryption, ...describeKey(privateKey(readTraditionalKey(block, pass).der, type)) };
    }
  }
}

async function inspectDerKey(der: Uint8Array, secrets: InspectSecrets): Promise<InspectedKey> {
  const { isEncryptedPkcs8 } = await import('../codec/pkcs8.js');
  if (isEncryptedPkcs8(der)) return encryptedPkcs8(der, 'encrypted PKCS#8 (DER)', secrets);
  return { form: 'PKCS#8 (DER)', encrypted: false, encryption: null, ...describeKey(privateKey(der, 'pkcs8')) };
}

function traditionalDerKey(der: Uint8Array): InspectedKey | undefined {
  for (const [type, form] of [['pkcs1', 'PKCS#1 (DER)'], ['sec1', 'SEC 1 (DER)']] as const) {
    try {
      return { form, encrypted: false, encryption: null, ...describeKey(privateKey(der, type)) };
    } catch {
      // not this encoding; try the next
    }
  }
  return undefined;
}
