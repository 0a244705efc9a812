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
}

export interface StoredTrustedEntry {
  kind: 'trusted';
  alias: string;
  created: Date;
  cert: Der;
}

/** A JCEKS secret-key entry: listed, never decrypted or rewritten by mailcert. */
export interface StoredSecretEntry {
  kind: 'secret';
  alias: string;
  created: Date;
}

export type StoredEntry = StoredKeyEntry | StoredTrustedEntry | StoredSecretEntry;
