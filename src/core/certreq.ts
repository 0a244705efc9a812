/**
 * `mailcert certreq`: a PKCS#10 request for the server key, to send to a CA. From a keystore the
 * subject and SANs are taken from the entry's certificate (what keytool -certreq does for the
 * subject; keytool needs -ext for SANs, we carry them over), unless --cn/--dname/--san override.
 * The request always asks for the SubjectKeyIdentifier, as keytool's does.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseCertificate } from '../codec/x509/certificate.js';
import { buildCertificationRequestInfo } from '../codec/pkcs10.js';
import { OID } from '../codec/asn1/oid.js';
import { assembleSigned, extension, keyIdentifier, subjectAltName, subjectKeyIdentifier, type AltNames } from '../codec/x509/build.js';
import { defaultSignatureAlgorithm, privateKeyFromPkcs8, signData, signatureAlgorithmIdentifier } from '../crypto/keys.js';
import { resolveSubject } from './genkey.js';

export interface CertreqSubject {
  cn?: string;
  dname?: string;
  san?: AltNames;
}

export interface CertreqInput {
  pkcs8: Uint8Array;
  /** The entry's certificate, when the key comes from a keystore. */
  leaf?: Uint8Array;
  override: CertreqSubject;
}

export interface Certreq {
  der: Uint8Array;
  subject: Uint8Array;
  altNames: string[];
}

export function makeCertreq(input: CertreqInput): Certreq {
  const key: KeyObject = privateKeyFromPkcs8(input.pkcs8);
  const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const { cn, dname, san } = input.override;
  let subject: Uint8Array;
  let sanExt: Uint8Array | undefined;
  let altNames: string[] = [];
  if (cn === undefined && dname === undefined && input.leaf) {
    const leaf = parseCertificate(input.leaf);
    subject = leaf.subject.der;
    const current = leaf.extensions.get(OID.subjectAltName);
    const names: AltNames = { dns: [...(leaf.subjectAltName?.dns ?? []), ...(san?.dns ?? [])], ip: [...(leaf.subjectAltName?.ip ?? []), ...(san?.ip ?? [])] };
    names.dns = [...new Set(names.dns)];
    names.ip = [...new Set(names.ip)];
    // Keep the certificate's own SAN bytes when nothing is added (other name types survive).
    sanExt = current && !san ? extension(OID.subjectAltName, current.critical, current.value) : names.dns.length + names.ip.length > 0 ? subjectAltName(names) : undefined;
    altNames = [...names.dns.map((d) => `DNS:${d}`), ...names.ip.map((i) => `IP:${i}`)];
  } else {
    const resolved = resolveSubject({ cn, dname, san });
    subject = resolved.name;
    sanExt = subjectAltName(resolved.altNames);
    altNames = [...resolved.altNames.dns.map((d) => `DNS:${d}`), ...resolved.altNames.ip.map((i) => `IP:${i}`)];
  }
  const extensions = [...(sanExt ? [sanExt] : []), subjectKeyIdentifier(keyIdentifier(spki))];
  const info = buildCertificationRequestInfo(subject, spki, extensions);
  const alg = defaultSignatureAlgorithm(key);
  const algId = signatureAlgorithmIdentifier(alg);
  return { der: assembleSigned(info, algId, signData(alg, key, info)), subject, altNames };
}
