/**
 * PKCS#12 (RFC 7292) keystores laid out as JDK 17 keytool writes them (PKCS12KeyStore.engineStore,
 * keystore-formats.md 3.2): AuthenticatedSafe [data: shrouded key bags and secret bags],
 * [encryptedData: certificate bags], then the MacData. DER throughout. The key encryption (under
 * each key's own password, as engineSetKeyEntry takes one per entry), the safe encryption and the
 * MAC are computed by the caller (src/crypto/pkcs12.ts) through Pkcs12Protection.
 */
import { CodecError } from '../errors.js';
import type { Der, LooseCertificate, StoredKeyEntry } from '../model.js';
import { OID } from '../asn1/oid.js';
import { algorithmIdentifier, at, sequence } from '../asn1/check.js';
import { contextTag, readRoot } from '../asn1/tlv.js';
import { encodeAlgorithm, encodeBmpString, encodeExplicit, encodeInteger, encodeOctetString, encodeOid, encodeSequence, encodeSetOf, encodeTlv } from '../asn1/writer.js';
import { isPbeAlgorithm } from '../pbe-params.js';
import { privateKeyInfo } from '../pkcs8.js';
import { parseName } from '../x509/name.js';
import { readCertificateParts } from '../x509/certificate-parts.js';
import { tlvBytes } from '../asn1/tlv.js';
import type { Pkcs12Entry } from './bags.js';
import { FORMAT, macDigestOid } from './pfx.js';

/** The password-based parts of a PKCS#12 file, made by the caller. */
export interface Pkcs12Protection {
  /** The EncryptedPrivateKeyInfo DER of a key entry's PrivateKeyInfo, under that key's password. */
  shroudKey(pkcs8: Der, entry: StoredKeyEntry): Uint8Array;
  /** The certificate SafeContents, encrypted: the ciphertext and the AlgorithmIdentifier DER that decrypts it. */
  encryptSafe(contents: Uint8Array): { algorithm: Uint8Array; ciphertext: Uint8Array };
  /** The MAC over the AuthenticatedSafe content octets. */
  mac(authSafe: Uint8Array): { hash: 'sha1' | 'sha256'; digest: Uint8Array; salt: Uint8Array; iterations: number };
}

/**
 * Encodes entries as JDK 17 keytool does. Key entries need a chain, and `privateKey` or, for a key
 * read from a PKCS#12 file and not decrypted, its `protectedKey`: that is written back as it was,
 * as engineStore writes the protected key it loaded, so it stays under the password it was read
 * with. Secret-key entries read from a PKCS#12 file are written back as they were read; attributes
 * mailcert does not interpret go back on their bags, and `loose` certificates (bags that are no
 * entry) after the entries' certificates, with their attributes as read.
 */
export function assemblePkcs12(entries: readonly Pkcs12Entry[], protection: Pkcs12Protection, loose: readonly LooseCertificate[] = []): Uint8Array {
  const keyBags: Uint8Array[] = [];
  const certBags: Uint8Array[] = [];
  const usedKeyIds = new Set<number>();

  for (const entry of entries) {
    if (entry.kind === 'trusted') {
      // The trust marker makes the certificate an entry for the JDK (loadSafeContents); case is kept.
      certBags.push(certBag(entry.cert, [friendlyNameAttr(entry.alias), trustedKeyUsageAttr(), ...(entry.attributes ?? [])]));
      continue;
    }
    if (entry.kind === 'secret') {
      // engineStore writes a secret key beside the private keys: a secretBag with friendlyName and
      // localKeyId, in the data safe (the key inside is encrypted on its own).
      if (entry.secretBag === undefined) {
        throw new CodecError('unsupported', FORMAT, `secret-key entry "${entry.alias}" comes from a JCEKS keystore, and mailcert cannot move a JCEKS secret key into PKCS#12`);
      }
      const alias = entry.alias.toLocaleLowerCase('en-US');
      const keyId = uniqueKeyTime(entry.created, usedKeyIds);
      keyBags.push(safeBag(OID.secretBag, entry.secretBag, [friendlyNameAttr(alias), localKeyIdAttr(new TextEncoder().encode(`Time ${keyId}`)), ...(entry.attributes ?? [])]));
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
    keyBags.push(safeBag(OID.pkcs8ShroudedKeyBag, shrouded ?? protection.shroudKey(entry.privateKey as Der, entry), [...idAttrs, ...(entry.attributes ?? [])]));
    entry.chain.forEach((cert, i) => {
      certBags.push(certBag(cert, i === 0 ? idAttrs : [friendlyNameAttr(subjectName(cert))]));
    });
  }
  for (const l of loose) certBags.push(certBag(l.cert, l.attributes));

  const safes: Uint8Array[] = [];
  if (keyBags.length > 0) safes.push(dataContentInfo(encodeSequence(...keyBags)));
  if (certBags.length > 0) safes.push(encryptedContentInfo(protection.encryptSafe(encodeSequence(...certBags))));
  const authSafe = encodeSequence(...safes);
  const mac = protection.mac(authSafe);
  const macData = encodeSequence(
    encodeSequence(encodeAlgorithm(macDigestOid(mac.hash)), encodeOctetString(mac.digest)),
    encodeOctetString(mac.salt),
    encodeInteger(mac.iterations),
  );
  return encodeSequence(encodeInteger(3), dataContentInfo(authSafe), macData);
}

/** The subject of a certificate as X500Principal.getName() writes it: the friendlyName the JDK gives chain certificates. */
function subjectName(cert: Der): string {
  return parseName(tlvBytes(readCertificateParts(cert, FORMAT).subject), FORMAT).rfc4514;
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
  const root = readRoot(pk, FORMAT);
  const alg = algorithmIdentifier(at(sequence(root, 'EncryptedPrivateKeyInfo', 2, 2), 0, root, 'EncryptedPrivateKeyInfo'), 'key encryption');
  if (!isPbeAlgorithm(alg.oid)) {
    throw new CodecError('unsupported', FORMAT, `key entry "${entry.alias}" is protected with ${alg.oid}, which a PKCS#12 file cannot hold: decrypt it first`);
  }
  return pk;
}

function safeBag(bagId: string, value: Uint8Array, attrs: readonly Uint8Array[]): Uint8Array {
  return encodeSequence(encodeOid(bagId), encodeExplicit(0, value), ...(attrs.length > 0 ? [encodeSetOf(...attrs)] : []));
}

function certBag(cert: Der, attrs: readonly Uint8Array[]): Uint8Array {
  return safeBag(OID.certBag, encodeSequence(encodeOid(OID.x509Certificate), encodeExplicit(0, encodeOctetString(cert))), attrs);
}

function attribute(id: string, ...values: readonly Uint8Array[]): Uint8Array {
  return encodeSequence(encodeOid(id), encodeSetOf(...values));
}

function friendlyNameAttr(name: string): Uint8Array {
  return attribute(OID.friendlyName, encodeBmpString(name));
}

function localKeyIdAttr(id: Uint8Array): Uint8Array {
  return attribute(OID.localKeyId, encodeOctetString(id));
}

/** SET { anyExtendedKeyUsage }, what keytool -importcert writes. */
function trustedKeyUsageAttr(): Uint8Array {
  return attribute(OID.oracleTrustedKeyUsage, encodeOid(OID.anyExtendedKeyUsage));
}

function dataContentInfo(content: Uint8Array): Uint8Array {
  return encodeSequence(encodeOid(OID.data), encodeExplicit(0, encodeOctetString(content)));
}

/**
 * EncryptedData { version 0, EncryptedContentInfo { data, algorithm, [0] IMPLICIT ciphertext } },
 * with the ciphertext as one primitive [0] (pkijs writes a constructed, indefinite one: BER).
 */
function encryptedContentInfo(enc: { algorithm: Uint8Array; ciphertext: Uint8Array }): Uint8Array {
  const eci = encodeSequence(encodeOid(OID.data), enc.algorithm, encodeTlv(contextTag(0, false), enc.ciphertext));
  return encodeSequence(encodeOid(OID.encryptedData), encodeExplicit(0, encodeSequence(encodeInteger(0), eci)));
}
