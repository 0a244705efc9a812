/**
 * Certificates and private keys from the files users have: PEM (with text around the blocks,
 * bundles, TRUSTED CERTIFICATE), DER, PKCS#7 .p7b; keys as PKCS#8 (plain or encrypted), traditional
 * "RSA/EC PRIVATE KEY" PEM (optionally Proc-Type: 4,ENCRYPTED) or DER. The format is read from the
 * content. Every failure names the file and says what to do.
 */
import { CodecError } from '../codec/errors.js';
import { decodePem, type PemBlock } from '../codec/pem.js';
import { detectFormat } from '../codec/detect.js';
import { readPkcs7Certificates } from '../codec/pkcs7.js';
import { isEncryptedPem } from '../codec/pem-key.js';
import { parseCertificate, type CertInfo } from '../codec/x509/certificate.js';
import { inputError } from '../errors.js';
import { damagedPart } from './damaged.js';
import { readInput } from './read.js';
import { codecToUser, PassphraseWrong } from './errors.js';
import { privateKeyObject } from './private-key.js';

const CERT_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);

function looksLikeText(bytes: Uint8Array): boolean {
  return detectFormat(bytes) === 'PEM';
}

/**
 * Every certificate in a file, in file order, parsed. Each is parsed here, so that a damaged one is
 * reported with its file and its place in it, whichever command reads it later (verify --cert,
 * import, import-chain, a --ca file or folder).
 */
export function readParsedCertificates(path: string): CertInfo[] {
  const certs = certificatesOf(path);
  return certs.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      throw damagedPart(e, path, certs.length === 1 ? 'the certificate' : `certificate ${i + 1} of ${certs.length}`);
    }
  });
}

/** The same as DER, for commands that store certificates as they came. */
export function readCertificates(path: string): Uint8Array[] {
  return readParsedCertificates(path).map((c) => c.der);
}

function certificatesOf(path: string): Uint8Array[] {
  const bytes = readInput(path, 'certificate file');
  try {
    if (looksLikeText(bytes)) {
      const blocks = decodePem(Buffer.from(bytes).toString('latin1'));
      const certs: Uint8Array[] = [];
      for (const b of blocks) {
        if (CERT_LABELS.has(b.label)) certs.push(b.der);
        else if (b.label === 'PKCS7') {
          certs.push(...readPkcs7Certificates(b.der));
        }
      }
      if (certs.length === 0) throw inputError(`${path}: holds no certificate (found ${blocks.map((b) => b.label).join(', ') || 'no PEM block'})`, 'give a PEM, DER or PKCS#7 certificate file');
      return certs;
    }
    const format = detectFormat(bytes);
    if (format === 'DER-CERT') return [bytes];
    if (format === 'PKCS7') {
      return readPkcs7Certificates(bytes);
    }
    throw inputError(`${path}: not a certificate file (${format === 'unknown' ? 'unknown format' : format})`, 'give a PEM, DER or PKCS#7 certificate file');
  } catch (e) {
    throw codecToUser(e, path, 'certificate');
  }
}

export interface LoadedKey {
  /** PKCS#8 PrivateKeyInfo DER. */
  pkcs8: Uint8Array;
  /** How the file held it, for messages: "PKCS#8", "encrypted PKCS#8", "PKCS#1 (RSA PRIVATE KEY)", ... */
  form: string;
  encrypted: boolean;
}

/**
 * The key as PKCS#8, through OpenSSL (d2i_PrivateKey by way of node:crypto). OpenSSL's refusal
 * ("asn1 encoding routines::not enough data") becomes a CodecError, so the caller names the file.
 */
function toPkcs8(der: Uint8Array, type: 'pkcs1' | 'sec1' | 'pkcs8'): Uint8Array {
  return new Uint8Array(privateKeyObject(der, type).export({ type: 'pkcs8', format: 'der' }));
}


/**
 * Reads a private key file; asks for the passphrase (passin) only when the key is encrypted.
 * A wrong passphrase is exit 3 naming the file.
 */
export async function readPrivateKey(path: string, passin: () => Promise<string>): Promise<LoadedKey> {
  const bytes = readInput(path, 'key file');
  try {
    if (looksLikeText(bytes)) {
      const blocks = decodePem(Buffer.from(bytes).toString('latin1'));
      const keyBlocks = blocks.filter((b) => /PRIVATE KEY$/.test(b.label));
      if (keyBlocks.length === 0) throw inputError(`${path}: holds no private key (found ${blocks.map((b) => b.label).join(', ') || 'no PEM block'})`, 'give the key file (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)');
      if (keyBlocks.length > 1) throw inputError(`${path}: holds ${keyBlocks.length} private keys; mailcert reads one key per file`);
      return await keyFromPem(keyBlocks[0] as PemBlock, passin);
    }
    return await keyFromDer(bytes, passin);
  } catch (e) {
    if (e instanceof CodecError && e.kind === 'password') {
      throw new PassphraseWrong(path);
    }
    if (e instanceof CodecError && e.kind === 'format') {
      throw inputError(`${path}: damaged or not a private key file: ${e.message.replace(/^private key: /, '')}`, 'check that the file is complete and was copied unchanged (a truncated copy or a text-mode transfer damages it)', e);
    }
    throw codecToUser(e, path, 'private key');
  }
}

async function keyFromPem(block: PemBlock, passin: () => Promise<string>): Promise<LoadedKey> {
  switch (block.label) {
    case 'PRIVATE KEY':
      return { pkcs8: toPkcs8(block.der, 'pkcs8'), form: 'PKCS#8', encrypted: false };
    case 'ENCRYPTED PRIVATE KEY': {
      const { decryptPkcs8 } = await import('../crypto/pkcs8.js');
      return { pkcs8: toPkcs8(decryptPkcs8(block.der, await passin()), 'pkcs8'), form: 'encrypted PKCS#8', encrypted: true };
    }
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY': {
      const encrypted = isEncryptedPem(block);
      const { readTraditionalKey } = await import('../crypto/pem-key.js');
      const key = readTraditionalKey(block, encrypted ? await passin() : undefined);
      const form = key.type === 'rsa' ? 'PKCS#1 (RSA PRIVATE KEY)' : 'SEC 1 (EC PRIVATE KEY)';
      return { pkcs8: toPkcs8(key.der, key.type === 'rsa' ? 'pkcs1' : 'sec1'), form: encrypted ? `encrypted ${form}` : form, encrypted };
    }
    default:
      throw new CodecError('unsupported', 'PEM', `a ${block.label} is not a key mailcert reads (PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY)`);
  }
}

async function keyFromDer(der: Uint8Array, passin: () => Promise<string>): Promise<LoadedKey> {
  const { isEncryptedPkcs8 } = await import('../codec/pkcs8.js');
  const { decryptPkcs8 } = await import('../crypto/pkcs8.js');
  if (isEncryptedPkcs8(der)) return { pkcs8: toPkcs8(decryptPkcs8(der, await passin()), 'pkcs8'), form: 'encrypted PKCS#8 (DER)', encrypted: true };
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return { pkcs8: toPkcs8(der, type), form: `${type.toUpperCase()} (DER)`, encrypted: false };
    } catch {
      // try the next encoding
    }
  }
  throw new CodecError('format', 'private key', 'not a PKCS#8, PKCS#1 or SEC 1 key in PEM or DER');
}
