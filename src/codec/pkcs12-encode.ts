/**
 * PKCS#12 (RFC 7292) keystores written as JDK 17 keytool writes them (PKCS12KeyStore.engineStore,
 * keystore-formats.md 3.2), and the MAC both directions compute (RFC 7292 4 and Appendix B).
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  OID,
  algorithmIdentifier,
  at,
  derAlgorithm,
  derBmpString,
  derExplicit,
  derImplicitPrimitive,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derSetOf,
  parseBer,
  sequence,
} from './asn1.js';
import { CodecError } from './errors.js';
import type { Der, StoredKeyEntry, StoredTrustedEntry } from './model.js';
import { bmpPassword, encryptPbes2, encryptPkcs12Pbe, isPbeAlgorithm, pkcs12Kdf } from './pbe.js';
import { subjectName } from './pkcs12-certs.js';
import { privateKeyInfo } from './pkcs8.js';

const FORMAT = 'PKCS#12';

export interface Pkcs12EncodeOptions {
  /** The JDK legacy layout (-J-Dkeystore.pkcs12.legacy): 3DES keys, RC2-40 certificates, SHA-1 MAC. */
  legacy?: boolean;
  /** Iterations for key, certificate and MAC protection alike (default: the JDK's for the layout). */
  iterations?: number;
}

/** JDK 17 defaults (PKCS12KeyStore DEFAULT_* and LEGACY_* constants). */
const DEFAULT_ITERATIONS = 10_000;
const LEGACY_PBE_ITERATIONS = 50_000;
const LEGACY_MAC_ITERATIONS = 100_000;
const SALT_LENGTH = 20;

/**
 * Encodes entries as JDK 17 keytool does: AuthenticatedSafe [data: shrouded key bags],
 * [encryptedData: certificate bags], then an HMAC-SHA256 MAC. Output is DER throughout.
 * Key entries need a chain, and `privateKey` or, for a key read from a PKCS#12 file and not
 * decrypted, its `protectedKey`: that is written back as it was, as engineStore writes the
 * protected key it loaded, so it stays under the password it was read with, which must be
 * `password`. Non-ASCII passwords follow OpenSSL (UTF-8 for PBKDF2, UTF-16 for the MAC); JDK 17
 * cannot open such files (keystore-formats.md 3.3).
 */
/** What a PKCS#12 file holds: key entries and trusted certificates. */
export type Pkcs12Entry = StoredKeyEntry | StoredTrustedEntry;

export function encodePkcs12(entries: readonly Pkcs12Entry[], password: string, opts: Pkcs12EncodeOptions = {}): Uint8Array {
  const legacy = opts.legacy ?? false;
  const pbeIterations = opts.iterations ?? (legacy ? LEGACY_PBE_ITERATIONS : DEFAULT_ITERATIONS);
  const macIterations = opts.iterations ?? (legacy ? LEGACY_MAC_ITERATIONS : DEFAULT_ITERATIONS);
  const keyBags: Uint8Array[] = [];
  const certBags: Uint8Array[] = [];
  const usedKeyIds = new Set<number>();

  for (const entry of entries) {
    if (entry.kind === 'trusted') {
      // The trust marker makes the certificate an entry for the JDK (loadSafeContents); case is kept.
      certBags.push(certBag(entry.cert, [friendlyNameAttr(entry.alias), trustedKeyUsageAttr()]));
      continue;
    }
    if (entry.chain.length === 0) {
      throw new CodecError('unsupported', FORMAT, `key entry "${entry.alias}" has no certificate chain (a PKCS#12 key entry needs one)`);
    }
    const shrouded = entry.privateKey === undefined ? storedShroud(entry) : undefined;
    if (entry.privateKey !== undefined) privateKeyInfo(entry.privateKey);
    // Key entries are stored lowercased; localKeyId "Time <ms>" ties key and leaf and keeps the date.
    const alias = entry.alias.toLocaleLowerCase('en-US');
    const keyId = uniqueKeyTime(entry.created, usedKeyIds);
    const idAttrs = [friendlyNameAttr(alias), localKeyIdAttr(new TextEncoder().encode(`Time ${keyId}`))];
    keyBags.push(safeBag(OID.pkcs8ShroudedKeyBag, shrouded ?? shroudKey(entry.privateKey as Der, password, legacy, pbeIterations), idAttrs));
    entry.chain.forEach((cert, i) => {
      certBags.push(certBag(cert, i === 0 ? idAttrs : [friendlyNameAttr(subjectName(cert))]));
    });
  }

  const safes: Uint8Array[] = [];
  if (keyBags.length > 0) safes.push(dataContentInfo(derSequence(...keyBags)));
  if (certBags.length > 0) safes.push(encryptedContentInfo(derSequence(...certBags), password, legacy, pbeIterations));
  const authSafe = derSequence(...safes);
  return derSequence(derInteger(3), dataContentInfo(authSafe), macData(authSafe, password, legacy ? 'sha1' : 'sha256', macIterations));
}

/** A distinct epoch-ms per key: equal localKeyIds would tie two keys to one leaf. */
function uniqueKeyTime(created: Date, used: Set<number>): number {
  let ms = Number.isNaN(created.getTime()) ? Date.now() : created.getTime();
  while (used.has(ms)) ms++;
  used.add(ms);
  return ms;
}

/** A key entry's protected key, when it is a PKCS#12 shrouded key (PBES2 or PKCS#12 PBE), else a refusal. */
function storedShroud(entry: StoredKeyEntry): Uint8Array {
  const pk = entry.protectedKey;
  if (pk === undefined) throw new CodecError('unsupported', FORMAT, `key entry "${entry.alias}" has no private key to write`);
  const root = parseBer(pk, FORMAT);
  const alg = algorithmIdentifier(at(sequence(root, 'EncryptedPrivateKeyInfo', 2, 2), 0, root, 'EncryptedPrivateKeyInfo'), 'key encryption');
  if (!isPbeAlgorithm(alg.oid)) {
    throw new CodecError('unsupported', FORMAT, `key entry "${entry.alias}" is protected with ${alg.oid}, which a PKCS#12 file cannot hold: decrypt it first`);
  }
  return pk;
}

function shroudKey(pkcs8: Der, password: string, legacy: boolean, iterations: number): Uint8Array {
  const enc = legacy
    ? encryptPkcs12Pbe(pkcs8, password, 'pbeWithSHAAnd3-KeyTripleDES-CBC', { iterations, saltLength: SALT_LENGTH })
    : encryptPbes2(pkcs8, password, { cipher: 'aes-256-cbc', prf: 'sha256', iterations, saltLength: SALT_LENGTH, includeKeyLength: true });
  return derSequence(enc.algorithm, derOctetString(enc.ciphertext));
}

function safeBag(bagId: string, value: Uint8Array, attrs: readonly Uint8Array[]): Uint8Array {
  return derSequence(derOid(bagId), derExplicit(0, value), ...(attrs.length > 0 ? [derSetOf(attrs)] : []));
}

function certBag(cert: Der, attrs: readonly Uint8Array[]): Uint8Array {
  return safeBag(OID.certBag, derSequence(derOid(OID.x509Certificate), derExplicit(0, derOctetString(cert))), attrs);
}

function attribute(id: string, values: readonly Uint8Array[]): Uint8Array {
  return derSequence(derOid(id), derSetOf(values));
}

function friendlyNameAttr(name: string): Uint8Array {
  return attribute(OID.friendlyName, [derBmpString(name)]);
}

function localKeyIdAttr(id: Uint8Array): Uint8Array {
  return attribute(OID.localKeyId, [derOctetString(id)]);
}

/** SET { anyExtendedKeyUsage }, what keytool -importcert writes. */
function trustedKeyUsageAttr(): Uint8Array {
  return attribute(OID.oracleTrustedKeyUsage, [derOid(OID.anyExtendedKeyUsage)]);
}

function dataContentInfo(content: Uint8Array): Uint8Array {
  return derSequence(derOid(OID.data), derExplicit(0, derOctetString(content)));
}

/**
 * EncryptedData { version 0, EncryptedContentInfo { data, algorithm, [0] IMPLICIT ciphertext } },
 * with the ciphertext as one primitive [0] (pkijs writes a constructed, indefinite one: BER).
 */
function encryptedContentInfo(content: Uint8Array, password: string, legacy: boolean, iterations: number): Uint8Array {
  const enc = legacy
    ? encryptPkcs12Pbe(content, password, 'pbeWithSHAAnd40BitRC2-CBC', { iterations, saltLength: SALT_LENGTH })
    : encryptPbes2(content, password, { cipher: 'aes-256-cbc', prf: 'sha256', iterations, saltLength: SALT_LENGTH, includeKeyLength: true });
  const eci = derSequence(derOid(OID.data), enc.algorithm, derImplicitPrimitive(0, enc.ciphertext));
  return derSequence(derOid(OID.encryptedData), derExplicit(0, derSequence(derInteger(0), eci)));
}

function macData(authSafe: Uint8Array, password: string, hash: 'sha1' | 'sha256', iterations: number): Uint8Array {
  const salt = new Uint8Array(randomBytes(SALT_LENGTH));
  const mac = computeMac(hash, bmpPassword(password), salt, iterations, authSafe);
  const digestAlg = derAlgorithm(hash === 'sha1' ? OID.sha1 : OID.sha256);
  return derSequence(derSequence(digestAlg, derOctetString(mac)), derOctetString(salt), derInteger(iterations));
}

/**
 * HMAC over the AuthenticatedSafe content octets with a key from the PKCS#12 KDF (ID 3, as long
 * as the hash's output); the caller pays for the KDF's `iterations` rounds.
 */
export function computeMac(hash: string, password: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const keyLength = createHmac(hash, '').digest().length;
  const key = pkcs12Kdf(hash, password, salt, iterations, 3, keyLength);
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}