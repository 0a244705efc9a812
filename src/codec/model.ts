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
   * PBEWithMD5AndTripleDES EncryptedPrivateKeyInfo), under the key password, which may differ
   * from the store password. Absent for formats that decrypt with the store password (PKCS#12).
   */
  protectedKey?: Der;
  /** PKCS#8 PrivateKeyInfo DER, once known (PKCS#12 after decoding, JKS after recovering). */
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
