/**
 * Fingerprints and key identifiers as keytool and openssl print them: uppercase hex pairs joined
 * by colons ("AB:CD:..."), the form users compare with `keytool -list -v` and
 * `openssl x509 -fingerprint`.
 */
import { hash } from 'node:crypto';

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Uppercase hex pairs joined by colons. */
export function colonHex(bytes: Uint8Array): string {
  const pairs = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) pairs[i] = HEX_PAIRS[bytes[i] as number] as string;
  return pairs.join(':');
}

/**
 * The digest of `der` (a certificate, a public key) in colon hex. One-shot crypto.hash (Node >=
 * 20.12) costs a third of createHash().update().digest(), and the digest comes back as a 'binary'
 * (latin1) string, cheaper than a Buffer per call: a large truststore computes 10,000 of these.
 */
export function fingerprint(der: Uint8Array, algorithm = 'sha256'): string {
  const digest = hash(algorithm, der, 'binary');
  const pairs = new Array<string>(digest.length);
  for (let i = 0; i < digest.length; i++) pairs[i] = HEX_PAIRS[digest.charCodeAt(i)] as string;
  return pairs.join(':');
}
