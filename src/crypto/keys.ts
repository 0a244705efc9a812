/**
 * Keys and signatures through node:crypto (OpenSSL): generation, the public key of a private key,
 * signing, and the AlgorithmIdentifier that goes with each signature. Pure-JS key generation is far
 * too slow for RSA; node:crypto generates RSA-2048 in tens of milliseconds.
 */
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { encodeOid, nullValue, sequence } from '../codec/der.js';

const generateKeyPairAsync = promisify(generateKeyPairCb);

export type KeySpec = { type: 'rsa'; bits: 2048 | 3072 | 4096 } | { type: 'ec'; curve: 'P-256' | 'P-384' };

export interface KeyPair {
  /** PKCS#8 PrivateKeyInfo DER. */
  pkcs8: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  privateKey: KeyObject;
}

const nodeCurve = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const;

export async function generateKeyPair(spec: KeySpec): Promise<KeyPair> {
  const { privateKey, publicKey } =
    spec.type === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: spec.bits, publicExponent: 0x10001 })
      : await generateKeyPairAsync('ec', { namedCurve: nodeCurve[spec.curve] });
  return {
    privateKey,
    pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
  };
}

export function privateKeyFromPkcs8(pkcs8: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

/** The SubjectPublicKeyInfo DER of a private key (JDK EC keys in JKS lack the public point; OpenSSL derives it). */
export function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** Signature algorithms by the names keytool's -sigalg uses. */
export const signatureAlgorithms = {
  SHA256withRSA: { oid: '1.2.840.113549.1.1.11', hash: 'sha256', key: 'rsa' },
  SHA384withRSA: { oid: '1.2.840.113549.1.1.12', hash: 'sha384', key: 'rsa' },
  SHA512withRSA: { oid: '1.2.840.113549.1.1.13', hash: 'sha512', key: 'rsa' },
  SHA256withECDSA: { oid: '1.2.840.10045.4.3.2', hash: 'sha256', key: 'ec' },
  SHA384withECDSA: { oid: '1.2.840.10045.4.3.3', hash: 'sha384', key: 'ec' },
  SHA512withECDSA: { oid: '1.2.840.10045.4.3.4', hash: 'sha512', key: 'ec' },
} as const;
export type SignatureAlgorithmName = keyof typeof signatureAlgorithms;

export function isSignatureAlgorithmName(s: string): s is SignatureAlgorithmName {
  return Object.hasOwn(signatureAlgorithms, s);
}

/** The default for a key: SHA-256 always (CLI.md: "self-signed, SHA-256"), like keytool 17. */
export function defaultSignatureAlgorithm(key: KeyObject): SignatureAlgorithmName {
  return key.asymmetricKeyType === 'ec' ? 'SHA256withECDSA' : 'SHA256withRSA';
}

/**
 * The AlgorithmIdentifier DER: RSA PKCS#1 v1.5 carries NULL parameters (RFC 4055 section 5),
 * ECDSA carries none (RFC 5758 section 3.2).
 */
export function signatureAlgorithmIdentifier(name: SignatureAlgorithmName): Uint8Array {
  const alg = signatureAlgorithms[name];
  return alg.key === 'rsa' ? sequence(encodeOid(alg.oid), nullValue()) : sequence(encodeOid(alg.oid));
}

/** Signs `data`; ECDSA signatures come out DER-encoded (Ecdsa-Sig-Value), as X.509 wants. */
export function signData(name: SignatureAlgorithmName, key: KeyObject, data: Uint8Array): Uint8Array {
  const alg = signatureAlgorithms[name];
  if (alg.key !== key.asymmetricKeyType) {
    throw new Error(`${name} needs an ${alg.key.toUpperCase()} key, not ${String(key.asymmetricKeyType)}`);
  }
  return new Uint8Array(sign(alg.hash, data, alg.key === 'ec' ? { key, dsaEncoding: 'der' } : key));
}
