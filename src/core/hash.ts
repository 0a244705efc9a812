/**
 * mailcert hash FILE...: the OpenSSL subject hash of certificate and CRL files, as
 * `openssl x509 -hash` / `-subject_hash_old` / `-issuer_hash` and `openssl crl -hash` print them.
 *
 * A file is PEM (CERTIFICATE, X509 CERTIFICATE, TRUSTED CERTIFICATE, X509 CRL blocks among any
 * other text) or one DER certificate or CRL. A bundle hashes its first certificate, as
 * `openssl x509 -hash -in bundle.pem` does (apps/x509.c loads the first certificate it finds,
 * skipping keys and CRLs before it); a file with CRLs and no certificate gives the first CRL's
 * issuer hash, as `openssl crl -hash` does.
 */
import { CodecError } from '../codec/errors.js';
import { crlIssuer } from '../codec/crl-parts.js';
import { certificateNames, subjectHash, subjectHashOld } from '../codec/x509/name-hash.js';
import { decodePem, type PemBlock } from '../codec/pem.js';
import { inputError } from '../errors.js';

export type X509Kind = 'certificate' | 'crl';

/** One certificate or CRL found in a file. */
export interface X509Object {
  kind: X509Kind;
  /** The DER of the certificate or CRL alone (a TRUSTED CERTIFICATE's trust settings are not part of it). */
  der: Uint8Array;
  issuer: Uint8Array;
  /** Certificates only. */
  subject?: Uint8Array;
}

/** PEM labels OpenSSL reads as a certificate (PEM_STRING_X509, _OLD, _TRUSTED in pem.h). */
export const CERT_LABELS: ReadonlySet<string> = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
export const CRL_LABEL = 'X509 CRL';

export function certificateObject(der: Uint8Array): X509Object {
  const names = certificateNames(der);
  return { kind: 'certificate', der, issuer: names.issuer, subject: names.subject };
}

export function crlObject(der: Uint8Array): X509Object {
  return { kind: 'crl', der, issuer: crlIssuer(der) };
}

/** The certificate or CRL of a PEM block, or undefined for any other label (keys, requests, ...). */
export function pemObject(block: PemBlock): X509Object | undefined {
  if (CERT_LABELS.has(block.label)) return certificateObject(block.der);
  if (block.label === CRL_LABEL) return crlObject(block.der);
  return undefined;
}

/** A DER file: one certificate or one CRL (told apart by the shape of their TBS part). */
export function derObject(bytes: Uint8Array): X509Object {
  try {
    return certificateObject(bytes);
  } catch (certError) {
    try {
      return crlObject(bytes);
    } catch {
      throw certError;
    }
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** DER always starts with a SEQUENCE; anything else is read as PEM text. */
export function looksLikeDer(bytes: Uint8Array): boolean {
  return bytes[0] === 0x30;
}

export function hasPemBlock(bytes: Uint8Array): boolean {
  return asBuffer(bytes).includes('-----BEGIN ');
}

export function pemBlocks(bytes: Uint8Array): PemBlock[] {
  return decodePem(asBuffer(bytes).toString('utf8'));
}

export interface HashOptions {
  /** The issuer's hash instead of the subject's (openssl x509 -issuer_hash). */
  issuer?: boolean;
  /** Also the pre-1.0 MD5 hash (openssl x509 -subject_hash_old). */
  old?: boolean;
}

export interface HashedFile {
  file: string;
  kind: X509Kind;
  /** Whose Name was hashed: a certificate's subject (issuer with --issuer); always the issuer for a CRL. */
  of: 'subject' | 'issuer';
  /** X509_NAME_hash_ex, as `openssl x509 -hash`. */
  hash: string;
  /** X509_NAME_hash_old, as `openssl x509 -subject_hash_old`; only when asked for (HashOptions.old). */
  oldHash?: string;
}

function notX509(file: string, detail?: string): Error {
  return inputError(
    `${file}: not a certificate or CRL${detail ? ` (${detail})` : ''}`,
    'give a PEM or DER X.509 certificate (or CRL); `mailcert inspect FILE` shows what a file holds',
  );
}

/** The object `openssl x509 -hash` would pick: the first certificate, else the first CRL. */
function pickObject(file: string, bytes: Uint8Array): X509Object {
  // A text file may start with "0" (0x30) too, so PEM is still tried when DER does not parse.
  if (looksLikeDer(bytes)) {
    try {
      return derObject(bytes);
    } catch (e) {
      if (!hasPemBlock(bytes)) throw e;
    }
  }
  const blocks = pemBlocks(bytes);
  const chosen = blocks.find((b) => CERT_LABELS.has(b.label)) ?? blocks.find((b) => b.label === CRL_LABEL);
  if (chosen === undefined) {
    const labels = [...new Set(blocks.map((b) => b.label))];
    throw notX509(file, labels.length > 0 ? `it holds ${labels.join(', ')}` : 'no PEM certificate found');
  }
  const obj = pemObject(chosen);
  if (obj === undefined) throw notX509(file);
  return obj;
}

/** Hashes the certificate (or CRL) in one file's bytes; `file` is only for messages and output. */
export function hashBytes(file: string, bytes: Uint8Array, opts: HashOptions = {}): HashedFile {
  let obj: X509Object;
  try {
    obj = pickObject(file, bytes);
  } catch (e) {
    if (e instanceof CodecError) throw notX509(file, e.message);
    throw e;
  }
  const useIssuer = obj.kind === 'crl' || opts.issuer === true || obj.subject === undefined;
  const name = useIssuer ? obj.issuer : (obj.subject as Uint8Array);
  const of = useIssuer ? 'issuer' : 'subject';
  try {
    const hashed: HashedFile = { file, kind: obj.kind, of, hash: subjectHash(name) };
    if (opts.old === true) hashed.oldHash = subjectHashOld(name);
    return hashed;
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    // Such a Name makes OpenSSL refuse the whole file (x_name.c), so it has no OpenSSL hash either.
    throw inputError(`${file}: cannot hash the ${of} of this ${obj.kind === 'crl' ? 'CRL' : 'certificate'}: ${e.message}`, 'OpenSSL cannot load it either (try: openssl x509 -noout -hash -in FILE); ask its issuer for a standard one');
  }
}

/** Hashes every file in order; `read` returns a file's bytes or throws a MailcertError naming it. */
export function hashFiles(files: readonly string[], read: (file: string) => Uint8Array, opts: HashOptions = {}): HashedFile[] {
  return files.map((file) => hashBytes(file, read(file), opts));
}
