/**
 * Algorithms in certificates, requests and CRLs: AlgorithmIdentifier (RFC 5280 4.1.1.2) with the
 * names keytool prints, the hashes they use, and RSASSA-PSS parameters (RFC 4055 section 3.1,
 * RFC 8017 A.2.3). Parsing only: src/crypto/signatures.ts checks signatures with these.
 */
import { TAG, type Tlv, children, expectTag, isContext, item, readRoot, tlvBytes } from '../asn1/tlv.js';
import { readOid, readSmallInt } from '../asn1/values.js';
import { OID } from '../asn1/oid.js';

export interface AlgorithmIdentifier {
  oid: string;
  /** keytool's name (SHA256withRSA, SHA256withECDSA, RSASSA-PSS, Ed25519) or the OID when unknown. */
  name: string;
  /** The parameters' complete encoding, when present (RSASSA-PSS-params, NULL). */
  parameters?: Uint8Array;
}

/** RSASSA-PSS-params: what a PSS signature used, or what an id-RSASSA-PSS key allows. */
export interface PssParameters {
  /** node:crypto digest name (sha256), or the OID when unknown. */
  hash: string;
  /** The mask generation function's OID (MGF1 is 1.2.840.113549.1.1.8, the only one defined). */
  mgf: string;
  mgfHash: string;
  saltLength: number;
  trailerField: number;
}

export interface SignatureScheme {
  name: string;
  /** node:crypto digest name; null for EdDSA (the hash is part of the scheme) and PSS (in the parameters). */
  hash: string | null;
  family: 'rsa' | 'pss' | 'ecdsa' | 'dsa' | 'eddsa';
}

const SHA2 = ['sha224', 'sha256', 'sha384', 'sha512'] as const;

/** The <hash>with<key> schemes: OIDs and the node:crypto digests they use, in the same order (RFC 8017 A.2.4, RFC 5758 3.2, RFC 3279 2.2.2). */
const HASH_WITH_KEY: readonly { family: 'rsa' | 'ecdsa' | 'dsa'; oids: readonly string[]; hashes: readonly string[] }[] = [
  {
    family: 'rsa',
    oids: [
      OID.md2WithRSAEncryption,
      OID.md5WithRSAEncryption,
      OID.sha1WithRSAEncryption,
      OID.sha224WithRSAEncryption,
      OID.sha256WithRSAEncryption,
      OID.sha384WithRSAEncryption,
      OID.sha512WithRSAEncryption,
    ],
    hashes: ['md2', 'md5', 'sha1', ...SHA2],
  },
  { family: 'ecdsa', oids: [OID.ecdsaWithSHA1, OID.ecdsaWithSHA224, OID.ecdsaWithSHA256, OID.ecdsaWithSHA384, OID.ecdsaWithSHA512], hashes: ['sha1', ...SHA2] },
  { family: 'dsa', oids: [OID.dsaWithSHA1, OID.dsaWithSHA224, OID.dsaWithSHA256], hashes: ['sha1', 'sha224', 'sha256'] },
];

/**
 * Names as sun.security.x509.AlgorithmId.getName returns them (what keytool prints): SHA256withRSA,
 * SHA1withECDSA, ...; RSASSA-PSS, Ed25519 and Ed448 by their own names.
 */
const SIGNATURE_SCHEMES: ReadonlyMap<string, SignatureScheme> = new Map<string, SignatureScheme>([
  ...HASH_WITH_KEY.flatMap(({ family, oids, hashes }) =>
    oids.map((oid, i): [string, SignatureScheme] => {
      const hash = hashes[i] as string;
      return [oid, { name: `${hash.toUpperCase()}with${family.toUpperCase()}`, hash, family }];
    }),
  ),
  [OID.rsassaPss, { name: 'RSASSA-PSS', hash: null, family: 'pss' }],
  [OID.ed25519, { name: 'Ed25519', hash: null, family: 'eddsa' }],
  [OID.ed448, { name: 'Ed448', hash: null, family: 'eddsa' }],
]);

/** Signature algorithms mailcert names but does not check (the JDK's and BouncyCastle's names). */
const OTHER_SIGNATURES: ReadonlyMap<string, string> = new Map([[OID.sm2WithSm3, 'SM3withSM2']]);

/** Hash algorithm OIDs (RFC 8017 appendix A.2.4, NIST CSOR) to node:crypto digest names. */
const HASHES: ReadonlyMap<string, string> = new Map([
  [OID.sha1, 'sha1'],
  [OID.sha224, 'sha224'],
  [OID.sha256, 'sha256'],
  [OID.sha384, 'sha384'],
  [OID.sha512, 'sha512'],
]);

/** The node:crypto names of the hashes a signature may use. */
export const KNOWN_HASHES: ReadonlySet<string> = new Set(HASHES.values());

const HASH_NAMES: Readonly<Record<string, string>> = { sha1: 'SHA-1', sha224: 'SHA-224', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512', md5: 'MD5', md2: 'MD2' };

/** "SHA-256" for node:crypto's "sha256"; an unknown hash's OID as it is. */
export function hashName(hash: string): string {
  return HASH_NAMES[hash] ?? hash;
}

/** What a signature algorithm OID means; undefined when mailcert does not know it. */
export function signatureScheme(oid: string): SignatureScheme | undefined {
  return SIGNATURE_SCHEMES.get(oid);
}

/** The node:crypto digest of a signature algorithm (sha256 for SHA256withRSA); null for EdDSA, RSASSA-PSS and unknown ones. */
export function signatureHash(algorithm: AlgorithmIdentifier): string | null {
  return SIGNATURE_SCHEMES.get(algorithm.oid)?.hash ?? null;
}

export function parseAlgorithm(tlv: Tlv): AlgorithmIdentifier {
  expectTag(tlv, TAG.SEQUENCE, 'AlgorithmIdentifier');
  const parts = children(tlv);
  const oid = readOid(item(tlv, parts, 0, 'algorithm OID'));
  const params = parts[1];
  const alg: AlgorithmIdentifier = { oid, name: SIGNATURE_SCHEMES.get(oid)?.name ?? OTHER_SIGNATURES.get(oid) ?? oid };
  if (params !== undefined) alg.parameters = tlvBytes(params);
  return alg;
}

/** An AlgorithmIdentifier DER, with keytool's name for signature algorithms. */
export function parseAlgorithmIdentifier(der: Uint8Array, format = 'X.509'): AlgorithmIdentifier {
  return parseAlgorithm(readRoot(der, format));
}

/** The hash inside an AlgorithmIdentifier: its node:crypto name, or its OID when unknown. */
function hashOf(alg: Tlv): string {
  const oid = readOid(item(alg, children(expectTag(alg, TAG.SEQUENCE, 'hash AlgorithmIdentifier')), 0, 'hash algorithm'));
  return HASHES.get(oid) ?? oid;
}

/**
 * RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT
 * mgf1SHA1, saltLength [2] DEFAULT 20, trailerField [3] DEFAULT trailerFieldBC(1) } (RFC 4055 3.1).
 */
export function pssFromTlv(seq: Tlv): PssParameters {
  const out: PssParameters = { hash: 'sha1', mgf: OID.mgf1, mgfHash: 'sha1', saltLength: 20, trailerField: 1 };
  for (const p of children(expectTag(seq, TAG.SEQUENCE, 'RSASSA-PSS-params'))) {
    const inner = item(p, children(p), 0, 'RSASSA-PSS parameter');
    if (isContext(p, 0)) {
      out.hash = hashOf(inner);
    } else if (isContext(p, 1)) {
      const mgf = children(expectTag(inner, TAG.SEQUENCE, 'maskGenAlgorithm'));
      out.mgf = readOid(item(inner, mgf, 0, 'mask generation function'));
      const hashAlg = mgf[1];
      if (out.mgf === OID.mgf1) out.mgfHash = hashAlg === undefined ? 'absent' : hashOf(hashAlg);
    } else if (isContext(p, 2)) {
      out.saltLength = readSmallInt(inner);
    } else if (isContext(p, 3)) {
      out.trailerField = readSmallInt(inner);
    }
  }
  return out;
}

/** A PSS signature's parameters; undefined when the AlgorithmIdentifier has none. */
export function pssParameters(algorithm: AlgorithmIdentifier): PssParameters | undefined {
  return algorithm.parameters === undefined ? undefined : pssFromTlv(readRoot(algorithm.parameters, 'X.509'));
}
