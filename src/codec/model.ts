/**
 * The entries of a keystore as the codecs read and write them, independent of the file format.
 * Certificates and keys are kept as the original DER so that an unchanged entry re-encodes
 * byte-for-byte (PeculiarVentures x509: parse once, keep the original DER).
 */
export type Der = Uint8Array;

export interface StoredKeyEntry {
  kind: 'key';
  /** The alias as stored in the file (JKS writers lowercase it; see codec/jks.ts). */
  alias: string;
  created: Date;
  /** The certificate chain as stored, leaf first. May be empty (JKS allows a null chain). */
  chain: Der[];
  /**
   * The key as the file protects it (JKS: Sun KeyProtector EncryptedPrivateKeyInfo; JCEKS:
   * PBEWithMD5AndTripleDES EncryptedPrivateKeyInfo; PKCS#12: the shrouded key bag's PBES2 or
   * PKCS#12 PBE EncryptedPrivateKeyInfo), under the key password, which may differ from the store
   * password (keytool gives PKCS#12 keys the store password). Decrypted only when a key is needed.
   */
  protectedKey?: Der;
  /** PKCS#8 PrivateKeyInfo DER, once known (a PKCS#12 plain keyBag, or a key recovered or made). */
  privateKey?: Der;
  /**
   * PKCS#12: the key bag's attributes mailcert does not interpret (Microsoft Local Key Set and CSP
   * Name on a Windows export, anything else), DER as read, written back on the key bag as
   * PKCS12KeyStore keeps them (its entry.attributes).
   */
  attributes?: Der[];
}

export interface StoredTrustedEntry {
  kind: 'trusted';
  alias: string;
  created: Date;
  cert: Der;
  /** PKCS#12: the certificate bag's attributes mailcert does not interpret, kept as for a key entry. */
  attributes?: Der[];
}

/**
 * A secret-key entry (keytool -genseckey): listed, never used by mailcert. A PKCS#12 one
 * (secretBag) is kept as read and written back on a rewrite; a JCEKS one (a Java-serialized
 * SealedObject) has no `secretBag` and cannot be written.
 */
export interface StoredSecretEntry {
  kind: 'secret';
  alias: string;
  created: Date;
  /**
   * PKCS#12: SecretBag ::= SEQUENCE { secretTypeId OID, secretValue [0] EXPLICIT ANY } (RFC 7292
   * 4.2.5), DER. The JDK writes secretTypeId pkcs8ShroudedKeyBag and, as the value, an OCTET
   * STRING holding the key encrypted as a shrouded key (PKCS12KeyStore.engineSetEntry).
   */
  secretBag?: Der;
  /** PKCS#12: the bag's attributes mailcert does not interpret. */
  attributes?: Der[];
}

export type StoredEntry = StoredKeyEntry | StoredTrustedEntry | StoredSecretEntry;

/**
 * A PKCS#12 certificate bag that is no entry: without the JDK's trusted-certificate attribute and
 * in no key's chain (`openssl pkcs12 -export -nokeys` writes CA certificates so; keytool and Java
 * do not see them). Kept as read, attributes and all, and written back on a rewrite.
 */
export interface LooseCertificate {
  cert: Der;
  /** Every attribute of the bag (friendlyName and localKeyId included), DER as read. */
  attributes: Der[];
}
