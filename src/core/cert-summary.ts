/** The few facts about a certificate that reports show (list, import, genkey summaries). */
import { parseCertificate, type CertInfo } from '../codec/x509/certificate.js';
import type { PublicKeySummary } from '../codec/x509/public-key.js';

export interface CertSummary {
  /** Distinguished names as keytool prints them ("CN=mail.example.com, O=Example"). */
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Uppercase hex with colons, as keytool and openssl print fingerprints. */
  sha256: string;
  serial: string;
  signatureAlgorithm: string;
  /** "RSA 2048", "EC P-256". */
  publicKey: string;
}

/** A certificate's summary, from its DER or from the certificate already parsed. */
export function certSummary(cert: Uint8Array | CertInfo): CertSummary {
  const c = cert instanceof Uint8Array ? parseCertificate(cert) : cert;
  return {
    subject: c.subject.text,
    issuer: c.issuer.text,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    sha256: c.fingerprints.sha256,
    serial: c.serialHex,
    signatureAlgorithm: c.signatureAlgorithm.name,
    publicKey: describeKey(c.publicKey),
  };
}

/** "RSA 2048", "EC secp256r1": the key as reports show it. */
export function describeKey(k: PublicKeySummary): string {
  return [k.algorithm, k.curve ?? k.bits].filter((x) => x !== undefined).join(' ');
}
