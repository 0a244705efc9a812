/**
 * Keys and signatures through node:crypto (OpenSSL): generation, the public key of a private key,
 * signing, and the AlgorithmIdentifier that goes with each signature. Pure-JS key generation is far
 * too slow for RSA; node:crypto generates RSA-2048 in tens of milliseconds.
 */
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, generatePrime, sign, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { OID } from '../codec/asn1/oid.js';
import { encodeAlgorithm, encodeOid, encodeSequence } from '../codec/asn1/writer.js';
import { privateKeyInfo } from '../codec/pkcs8.js';

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

/**
 * RSA keys are made the way Go's crypto/rsa and the JDK's RSAKeyPairGenerator make them: two random
 * primes of half the modulus length from OpenSSL's prime generator (BN_generate_prime_ex2: top two
 * bits set, so p·q has exactly the length asked for; 64 Miller-Rabin rounds), then
 * d = e^-1 mod lcm(p-1, q-1) and the CRT values (RFC 8017 section 3.2). The two searches run at
 * once on Node's thread pool. OpenSSL 3's own RSA generator (SP 800-56B, with auxiliary primes)
 * searches one prime after the other and for longer: 2048-bit keys take a median 160 ms there
 * against 40 ms here, on two cores.
 *
 * The key is then held to SP 800-56B 6.2.1 and FIPS 186-4 B.3.1: e = 65537 coprime to p-1 and
 * q-1, |p-q| > 2^(nlen/2-100), d > 2^(nlen/2); and it must sign and verify (the pairwise
 * consistency test of SP 800-56B 6.4.1.1) before anything is written.
 */
const E = 65537n;

async function rsaPrime(bits: number): Promise<bigint> {
  for (;;) {
    const p = await new Promise<bigint>((resolve, reject) => {
      generatePrime(bits, { bigint: true }, (err, prime) => (err ? reject(err) : resolve(prime)));
    });
    // e is prime, so gcd(e, p-1) = 1 unless e divides p-1.
    if ((p - 1n) % E !== 0n) return p;
  }
}

async function generateRsa(bits: number): Promise<KeyObject> {
  const half = bits / 2;
  for (;;) {
    const [a, b] = await Promise.all([rsaPrime(half), rsaPrime(half)]);
    // p > q, as OpenSSL keeps them (qInv is then q^-1 mod p).
    const [p, q] = a > b ? [a, b] : [b, a];
    const n = p * q;
    if (p - q <= 1n << BigInt(half - 100) || n >> BigInt(bits - 1) !== 1n) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(E, lambda);
    if (d <= 1n << BigInt(half)) continue;
    const privateKey = createPrivateKey({
      key: { kty: 'RSA', n: b64(n), e: b64(E), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(modInverse(q, p)) },
      format: 'jwk',
    });
    const probe = Buffer.from('mailcert pairwise consistency test');
    if (!verify('sha256', probe, createPublicKey(privateKey), sign('sha256', probe, privateKey))) {
      throw new Error('the generated RSA key failed its pairwise consistency test');
    }
    return privateKey;
  }
}

/** A JWK integer: unsigned big-endian, no leading zero octets, base64url (RFC 7518 section 2). */
function b64(v: bigint): string {
  const hex = v.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** a^-1 mod m by the extended Euclidean algorithm; a and m are coprime here. */
function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const k = r0 / r1;
    [r0, r1] = [r1, r0 - k * r1];
    [s0, s1] = [s1, s0 - k * s1];
  }
  return ((s0 % m) + m) % m;
}

export async function generateKeyPair(spec: KeySpec): Promise<KeyPair> {
  const privateKey = spec.type === 'rsa' ? await generateRsa(spec.bits) : (await generateKeyPairAsync('ec', { namedCurve: nodeCurve[spec.curve] })).privateKey;
  return {
    privateKey,
    pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
    spki: spkiOf(privateKey),
  };
}

export function privateKeyFromPkcs8(pkcs8: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

/** The SubjectPublicKeyInfo DER of a private key (JDK EC keys in JKS lack the public point; OpenSSL derives it). */
export function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

/** Signature algorithms by the names keytool's -sigalg uses. */
export const signatureAlgorithms = {
  SHA256withRSA: { oid: OID.sha256WithRSAEncryption, hash: 'sha256', key: 'rsa' },
  SHA384withRSA: { oid: OID.sha384WithRSAEncryption, hash: 'sha384', key: 'rsa' },
  SHA512withRSA: { oid: OID.sha512WithRSAEncryption, hash: 'sha512', key: 'rsa' },
  SHA256withECDSA: { oid: OID.ecdsaWithSHA256, hash: 'sha256', key: 'ec' },
  SHA384withECDSA: { oid: OID.ecdsaWithSHA384, hash: 'sha384', key: 'ec' },
  SHA512withECDSA: { oid: OID.ecdsaWithSHA512, hash: 'sha512', key: 'ec' },
} as const;
export type SignatureAlgorithmName = keyof typeof signatureAlgorithms;

export function isSignatureAlgorithmName(s: string): s is SignatureAlgorithmName {
  return Object.hasOwn(signatureAlgorithms, s);
}

/** The default for a key: SHA-256 always (CLI.md: "self-signed, SHA-256"), like keytool 17. */
export function defaultSignatureAlgorithm(key: KeyObject): SignatureAlgorithmName {
  return key.asymmetricKeyType === 'ec' ? 'SHA256withECDSA' : 'SHA256withRSA';
}

/** A key's type as messages name it: "SM2 (curve 1.2.156.10197.1.301)", "EC P-256", "Ed25519", or its algorithm OID. */
export function keyTypeName(pkcs8: Uint8Array): string {
  const k = privateKeyInfo(pkcs8);
  if (k.algorithm === 'unknown') return `algorithm ${k.oid}`;
  if (k.algorithm === 'EC' && k.curve !== undefined) return k.curve.includes('(') ? k.curve : `EC ${k.curve}`;
  return k.algorithm;
}

/**
 * What mailcert signs with this key: SHA-256 with RSA or ECDSA. Undefined for a key it does not
 * sign with: Ed25519, RSASSA-PSS, DSA, or a key Node cannot use for ECDSA (SM2, whose curve Node's
 * OpenSSL gives its own key type, with SM2 signatures and SM3 rather than ECDSA).
 */
export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithmName | undefined {
  return key.asymmetricKeyType === 'ec' ? 'SHA256withECDSA' : key.asymmetricKeyType === 'rsa' ? 'SHA256withRSA' : undefined;
}

/**
 * The AlgorithmIdentifier DER: RSA PKCS#1 v1.5 carries NULL parameters (RFC 4055 section 5),
 * ECDSA carries none (RFC 5758 section 3.2).
 */
export function signatureAlgorithmIdentifier(name: SignatureAlgorithmName): Uint8Array {
  const alg = signatureAlgorithms[name];
  return alg.key === 'rsa' ? encodeAlgorithm(alg.oid) : encodeSequence(encodeOid(alg.oid));
}

/** Signs `data`; ECDSA signatures come out DER-encoded (Ecdsa-Sig-Value), as X.509 wants. */
export function signData(name: SignatureAlgorithmName, key: KeyObject, data: Uint8Array): Uint8Array {
  const alg = signatureAlgorithms[name];
  if (alg.key !== key.asymmetricKeyType) {
    throw new Error(`${name} needs an ${alg.key.toUpperCase()} key, not ${String(key.asymmetricKeyType)}`);
  }
  return new Uint8Array(sign(alg.hash, data, alg.key === 'ec' ? { key, dsaEncoding: 'der' } : key));
}
