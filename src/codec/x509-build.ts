/**
 * Building X.509 v3 certificates (RFC 5280 section 4.1): the TBSCertificate is assembled here,
 * signed by the caller (crypto/), and wrapped with the signature. No I/O, no signing.
 */
import { bitString, certTime, explicit, integer, sequence } from './der.js';

export interface TbsInput {
  /** Unsigned big-endian serial number bytes (a positive INTEGER results). */
  serial: Uint8Array;
  /** AlgorithmIdentifier DER of the signature, repeated inside the TBS (RFC 5280 4.1.2.3). */
  signatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  /** Extension DERs (extensions.ts). */
  extensions: readonly Uint8Array[];
}

export function buildTbsCertificate(t: TbsInput): Uint8Array {
  return sequence(
    explicit(0, integer(2)), // version v3
    integer(t.serial),
    t.signatureAlgorithm,
    t.issuer,
    sequence(certTime(t.notBefore), certTime(t.notAfter)),
    t.subject,
    t.spki,
    ...(t.extensions.length > 0 ? [explicit(3, sequence(...t.extensions))] : []),
  );
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
export function assembleSigned(tbs: Uint8Array, signatureAlgorithm: Uint8Array, signature: Uint8Array): Uint8Array {
  return sequence(tbs, signatureAlgorithm, bitString(signature));
}
