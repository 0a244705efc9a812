/**
 * The secret keys of a PKCS#12 file as the JDK writes them (PKCS12KeyStore.engineSetEntry with a
 * SecretKeyEntry, keytool -genseckey): a secretBag whose SecretBag (RFC 7292 4.2.5) names the
 * pkcs8ShroudedKeyBag type and holds, as an OCTET STRING, an EncryptedPrivateKeyInfo around
 * SEQUENCE { INTEGER 0, AlgorithmIdentifier of the key's algorithm, OCTET STRING key }.
 *
 *   SecretBag ::= SEQUENCE { secretTypeId OID, secretValue [0] EXPLICIT ANY }
 */
import type { Der } from '../model.js';
import { OID } from '../asn1/oid.js';
import { at, explicit, objectId, octetString, sequence } from '../asn1/check.js';
import { readRoot } from '../asn1/tlv.js';
import { toDer } from '../asn1/to-der.js';
import { encodeExplicit, encodeOctetString, encodeOid, encodeSequence } from '../asn1/writer.js';
import { FORMAT } from './pfx.js';

/** The EncryptedPrivateKeyInfo of a SecretBag in the JDK's form; undefined for a bag of another kind. */
export function secretBagEpki(secretBag: Der): Der | undefined {
  const root = readRoot(secretBag, FORMAT);
  const parts = sequence(root, 'SecretBag', 2, 2);
  if (objectId(at(parts, 0, root, 'SecretBag'), 'secret type') !== OID.pkcs8ShroudedKeyBag) return undefined;
  const value = explicit(at(parts, 1, root, 'SecretBag'), 0, 'secret value');
  return toDer(octetString(value, 'secret value'), FORMAT);
}

/** A SecretBag in the JDK's form around an EncryptedPrivateKeyInfo. */
export function encodeSecretBag(epki: Der): Der {
  return encodeSequence(encodeOid(OID.pkcs8ShroudedKeyBag), encodeExplicit(0, encodeOctetString(epki)));
}
