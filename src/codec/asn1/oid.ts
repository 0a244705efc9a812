/**
 * Every object identifier mailcert reads or writes, by name, each with where it is defined. The
 * tables that give them meaning (keytool's keywords, signature algorithms, curves, PBE schemes)
 * live with the code that reads them and are keyed by these names.
 */
export const OID = {
  // --- Name attributes (RFC 5280 4.1.2.4 and Appendix A, X.520; RFC 4519; PKCS #9)
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  initials: '2.5.4.43',
  generationQualifier: '2.5.4.44',
  dnQualifier: '2.5.4.46',
  domainComponent: '0.9.2342.19200300.100.1.25', // RFC 4519 2.4
  userId: '0.9.2342.19200300.100.1.1', // RFC 4519 2.39
  emailAddress: '1.2.840.113549.1.9.1', // PKCS #9 (RFC 2985 5.2.1)
  sunIpAddress: '1.3.6.1.4.1.42.2.11.2.1', // the JDK's "IP" keyword (sun.security.x509.AVAKeyword)

  // --- Signature algorithms (RFC 8017 A.2.4, RFC 4055 3.1, RFC 5758 3.2, RFC 3279 2.2.2, RFC 8410 3)
  md2WithRSAEncryption: '1.2.840.113549.1.1.2',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  dsaWithSHA1: '1.2.840.10040.4.3',
  dsaWithSHA224: '2.16.840.1.101.3.4.3.1', // NIST CSOR
  dsaWithSHA256: '2.16.840.1.101.3.4.3.2',
  mgf1: '1.2.840.113549.1.1.8', // RFC 8017 B.2.1

  // --- Public key algorithms (RFC 8017 A.1, RFC 4055 1.2, RFC 5480 2.1.1, RFC 3279 2.3, RFC 8410 3)
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  dsa: '1.2.840.10040.4.1',
  dhKeyAgreement: '1.2.840.113549.1.3.1', // PKCS #3
  dhPublicNumber: '1.2.840.10046.2.1', // X9.42 (RFC 3279 2.3.3)
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  primeField: '1.2.840.10045.1.1', // X9.62 fieldType (SEC 1 C.1)
  characteristicTwoField: '1.2.840.10045.1.2',

  // --- Named curves (RFC 5480 2.1.1.1, SEC 2, RFC 5639 4.1)
  secp192r1: '1.2.840.10045.3.1.1',
  secp224r1: '1.3.132.0.33',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  secp256k1: '1.3.132.0.10',
  brainpoolP256r1: '1.3.36.3.3.2.8.1.1.7',
  brainpoolP384r1: '1.3.36.3.3.2.8.1.1.11',
  brainpoolP512r1: '1.3.36.3.3.2.8.1.1.13',
  sm2: '1.2.156.10197.1.301', // GB/T 32918 (SM2), OpenSSL's SM2, BouncyCastle's sm2p256v1
  sm2WithSm3: '1.2.156.10197.1.501', // GM/T 0006, SM2 signature with SM3

  // --- Hashes (RFC 3279 2.1, NIST CSOR; RFC 5754 for the PKCS#12 MAC)
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha512_224: '2.16.840.1.101.3.4.2.5',
  sha512_256: '2.16.840.1.101.3.4.2.6',

  // --- Certificate and CRL extensions (RFC 5280 4.2.1, 4.2.2, 5.2)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  nameConstraints: '2.5.29.30',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  anyPolicy: '2.5.29.32.0',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  anyExtendedKeyUsage: '2.5.29.37.0',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ipAddrBlocks: '1.3.6.1.5.5.7.1.7', // RFC 3779
  autonomousSysIds: '1.3.6.1.5.5.7.1.8', // RFC 3779
  proxyCertInfo: '1.3.6.1.5.5.7.1.14', // RFC 3820
  tlsFeature: '1.3.6.1.5.5.7.1.24', // RFC 7633
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5', // RFC 6960 4.2.2.2.1
  netscapeCertType: '2.16.840.1.113730.1.1',

  // --- Extended key usages (RFC 5280 4.2.1.12) and other names (RFC 8398 3)
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  smtpUtf8Mailbox: '1.3.6.1.5.5.7.8.9',

  // --- PKCS #7 / CMS content types (RFC 2315 14) and PKCS #9 attributes (RFC 2985)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  extensionRequest: '1.2.840.113549.1.9.14', // RFC 2985 5.4.2, in a PKCS #10 request
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  x509Certificate: '1.2.840.113549.1.9.22.1', // PKCS #12 certBag type (RFC 7292 4.2.3)

  // --- PKCS #12 bag types (RFC 7292 4.2) and the JDK's trust marker (PKCS12KeyStore.TrustedKeyUsage_OID)
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  crlBag: '1.2.840.113549.1.12.10.1.4',
  secretBag: '1.2.840.113549.1.12.10.1.5',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',

  // --- Password-based encryption: PKCS #5 v2 (RFC 8018 A.2, A.4, B.1, B.2) and PKCS #12 (RFC 7292 C)
  pbkdf2: '1.2.840.113549.1.5.12',
  pbes2: '1.2.840.113549.1.5.13',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  pbeWithSHAAnd128BitRC4: '1.2.840.113549.1.12.1.1',
  pbeWithSHAAnd40BitRC4: '1.2.840.113549.1.12.1.2',
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  pbeWithSHAAnd2KeyTripleDESCBC: '1.2.840.113549.1.12.1.4',
  pbeWithSHAAnd128BitRC2CBC: '1.2.840.113549.1.12.1.5',
  pbeWithSHAAnd40BitRC2CBC: '1.2.840.113549.1.12.1.6',

  // --- The JDK's own key protection (keystore-formats.md 1.3, 2.2)
  jdkKeyProtector: '1.3.6.1.4.1.42.2.17.1.1', // sun.security.provider.KeyProtector.KEY_PROTECTOR_OID (JKS)
  jceKeyProtector: '1.3.6.1.4.1.42.2.19.1', // PBEWithMD5AndTripleDES, KnownOIDs.JAVASOFT_JCEKeyProtector (JCEKS)
} as const;
