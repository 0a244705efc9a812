/**
 * node:crypto's key parser (OpenSSL's d2i_* decoders) on private keys from files and keystores.
 * OpenSSL refuses a damaged key with a plain Error ("asn1 encoding routines::field missing");
 * here that is a CodecError naming the encoding, which callers report as bad input naming the
 * file, rather than an internal error.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { TAG, children, readRoot } from '../codec/asn1/tlv.js';
import { CodecError } from '../codec/errors.js';

export type PrivateKeyEncoding = 'pkcs8' | 'pkcs1' | 'sec1';

const FORMATS: Record<PrivateKeyEncoding, string> = { pkcs8: 'PKCS#8', pkcs1: 'PKCS#1', sec1: 'SEC 1' };

/** OpenSSL's reason without its code: "error:06800079:asn1 encoding routines::field missing" -> "field missing". */
export function opensslReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^error:[0-9A-Fa-f]+:/, '').replace(/^.*::/, '') || message;
}

export function privateKeyObject(der: Uint8Array, encoding: PrivateKeyEncoding): KeyObject {
  // PrivateKeyInfo, RSAPrivateKey and ECPrivateKey are each SEQUENCE { INTEGER version, ... }
  // (RFC 5208 5, RFC 8017 A.1.2, RFC 5915 3). Anything else is refused here, in microseconds:
  // OpenSSL's decoders spend half a second on 100,000 nested BER SEQUENCEs before refusing them.
  let shape: string | undefined;
  try {
    const root = readRoot(der, FORMATS[encoding]);
    const first = children(root)[0];
    if (root.tag !== TAG.SEQUENCE || root.indefinite || first?.tag !== TAG.INTEGER) shape = 'expected SEQUENCE { INTEGER version, ... }';
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    shape = e.message.replace(/^[^:]*: /, '');
  }
  if (shape !== undefined) throw new CodecError('format', FORMATS[encoding], `not a private key: ${shape}`);
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: encoding });
  } catch (e) {
    throw new CodecError('format', FORMATS[encoding], `OpenSSL cannot read the private key (${opensslReason(e)})`);
  }
}
