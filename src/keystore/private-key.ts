/**
 * node:crypto's key parser (OpenSSL's d2i_* decoders) on private keys from files and keystores.
 * OpenSSL refuses a damaged key with a plain Error ("asn1 encoding routines::field missing");
 * here that is a CodecError naming the encoding, which callers report as bad input naming the
 * file, rather than an internal error.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { CodecError } from '../codec/errors.js';

export type PrivateKeyEncoding = 'pkcs8' | 'pkcs1' | 'sec1';

const FORMATS: Record<PrivateKeyEncoding, string> = { pkcs8: 'PKCS#8', pkcs1: 'PKCS#1', sec1: 'SEC 1' };

/** OpenSSL's reason without its code: "error:06800079:asn1 encoding routines::field missing" -> "field missing". */
export function opensslReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^error:[0-9A-Fa-f]+:/, '').replace(/^.*::/, '') || message;
}

export function privateKeyObject(der: Uint8Array, encoding: PrivateKeyEncoding): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: encoding });
  } catch (e) {
    throw new CodecError('format', FORMATS[encoding], `OpenSSL cannot read the private key (${opensslReason(e)})`);
  }
}
