/**
 * `mailcert strip-password`: the private key without a passphrase, for servers that cannot ask
 * for one at start-up (hMailServer, Dovecot, Exim, Postfix). Reads every encrypted form admins
 * meet (keystore/inputs.ts) or a keystore's key entry; writes PKCS#8 PEM by default, or the
 * traditional "RSA PRIVATE KEY" / "EC PRIVATE KEY" older software wants (OpenSSL 3 stopped writing
 * those by default), or DER. Mode 0600, atomic, never over an existing file without --force.
 */
import { createPrivateKey } from 'node:crypto';
import { encodePem } from '../codec/pem.js';
import { assertCanCreate, writeFilesAtomic, type FileAccess, type FileToWrite } from '../keystore/files.js';
import { KeyFormatMismatch } from './errors.js';
import { keyTypeName } from '../crypto/keys.js';

export type KeyFormat = 'pkcs8' | 'pkcs1' | 'sec1' | 'der';

/** Encodes a PKCS#8 key in the requested form; pkcs1 only for RSA, sec1 only for EC. */
export function encodeKey(pkcs8: Uint8Array, format: KeyFormat): Uint8Array {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const enc = new TextEncoder();
  // Node gives keys it has no type for (SM2) none: those are named from their PKCS#8.
  const type = key.asymmetricKeyType === undefined ? keyTypeName(pkcs8) : key.asymmetricKeyType.toUpperCase();
  switch (format) {
    case 'pkcs8':
      return enc.encode(encodePem('PRIVATE KEY', pkcs8));
    case 'der':
      return pkcs8;
    case 'pkcs1':
      if (key.asymmetricKeyType !== 'rsa') throw new KeyFormatMismatch('pkcs1', type);
      return enc.encode(encodePem('RSA PRIVATE KEY', key.export({ type: 'pkcs1', format: 'der' })));
    case 'sec1':
      if (key.asymmetricKeyType !== 'ec') throw new KeyFormatMismatch('sec1', type);
      return enc.encode(encodePem('EC PRIVATE KEY', key.export({ type: 'sec1', format: 'der' })));
  }
}

export interface StripOutput {
  keyOut: string;
  certOut?: string;
  format: KeyFormat;
  force: boolean;
  /** --key-mode / --key-group. */
  access?: FileAccess;
}

/** Checks both outputs before writing either, so a refusal writes nothing. */
export function checkOutputs(o: StripOutput): void {
  if (o.force) return;
  if (o.keyOut !== '-') assertCanCreate(o.keyOut, 'private key');
  if (o.certOut !== undefined && o.certOut !== '-') assertCanCreate(o.certOut, 'certificate file');
}

/** The key to write, and where it came from. */
export interface KeyToStrip {
  pkcs8: Uint8Array;
  /** The entry's chain, leaf first (a key file has none). */
  chain: readonly Uint8Array[];
  /** "mail.key (encrypted PKCS#8)", "JKS keystore james.jks, entry \"james\"". */
  from: string;
  /** The key file it came from, when it came from one. */
  file?: string;
  wasEncrypted: boolean;
}

export interface StripResult {
  from: string;
  /** The key file read, when the key came from one. */
  file: string | undefined;
  keyFile: string;
  format: KeyFormat;
  wasEncrypted: boolean;
  certFile: string | null;
  chainLength: number;
  /** The mode the key file got; undefined when it went to a stream or device. */
  keyMode: number | undefined;
}

/** Writes the key (and chain): both files or neither. */
export function writeStripped(o: StripOutput, key: KeyToStrip, toStdout: (data: Uint8Array) => void): StripResult {
  const encoded = encodeKey(key.pkcs8, o.format);
  const pem = new TextEncoder().encode(key.chain.map((c) => encodePem('CERTIFICATE', c)).join(''));
  const files: FileToWrite[] = [];
  if (o.keyOut === '-') toStdout(encoded);
  else files.push({ path: o.keyOut, data: encoded, opts: { overwrite: o.force, secret: true, access: o.access, what: 'private key' } });
  if (o.certOut === '-') toStdout(pem);
  else if (o.certOut !== undefined) files.push({ path: o.certOut, data: pem, opts: { overwrite: o.force, mode: 0o644, what: 'certificate file' } });
  const written = writeFilesAtomic(files);
  return {
    from: key.from,
    file: key.file,
    keyFile: o.keyOut,
    format: o.format,
    wasEncrypted: key.wasEncrypted,
    certFile: o.certOut ?? null,
    chainLength: key.chain.length,
    keyMode: o.keyOut === '-' ? undefined : written[0]?.mode,
  };
}
