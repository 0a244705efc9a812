/**
 * `mailcert certreq`: a PKCS#10 request for the server key, to send to a CA. From a keystore the
 * subject and SANs are taken from the entry's certificate (what keytool -certreq does for the
 * subject; keytool needs -ext for SANs, we carry them over), unless --cn/--dname/--san override.
 * The request always asks for the SubjectKeyIdentifier, as keytool's does.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { formatDn } from '../codec/x509/name.js';
import { parseCertificate } from '../codec/x509/certificate.js';
import { buildCertificationRequestInfo } from '../codec/pkcs10.js';
import { assembleSigned } from '../codec/x509/build.js';
import { extension, keyIdentifier, subjectAltName, subjectKeyIdentifier, type AltNames } from '../codec/x509/build.js';
import { OID } from '../codec/asn1/oid.js';
import { keyTypeName, privateKeyFromPkcs8, signatureAlgorithmFor, signData, signatureAlgorithmIdentifier } from '../crypto/keys.js';
import { UnsupportedKeyType } from './errors.js';
import { encodePem } from '../codec/pem.js';
import { usageError } from '../errors.js';
import { writeFileAtomic } from '../keystore/files.js';
import { altNameList, resolveSubject, type SubjectRequest } from './genkey.js';

export interface CertreqInput {
  pkcs8: Uint8Array;
  /** The entry's certificate, when the key comes from a keystore: its subject and names are asked for again. */
  leaf?: Uint8Array;
  /** A subject of its own (always for a key file): then the leaf is not looked at. */
  subject?: SubjectRequest;
  /** More subjectAltNames to ask for beside the leaf's. */
  san?: AltNames;
  /** Where the key comes from, for messages: `mail.p12: key entry "gm"`, a key file's name. */
  label?: string;
}

export interface Certreq {
  der: Uint8Array;
  /** The request in PEM (CERTIFICATE REQUEST), as CAs take it. */
  pem: string;
  /** The subject as keytool prints names ("CN=mail.example.com, O=Example"). */
  subject: string;
  /** "DNS:name", "IP:address". */
  altNames: string[];
}

export function makeCertreq(input: CertreqInput): Certreq {
  const key: KeyObject = privateKeyFromPkcs8(input.pkcs8);
  const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  const { san } = input;
  let subject: Uint8Array;
  let sanExt: Uint8Array | undefined;
  let altNames: string[] = [];
  if (input.subject === undefined && input.leaf !== undefined) {
    const leaf = parseCertificate(input.leaf);
    subject = leaf.subject.der;
    const current = leaf.extensions.get(OID.subjectAltName);
    const names: AltNames = { dns: [...(leaf.subjectAltName?.dns ?? []), ...(san?.dns ?? [])], ip: [...(leaf.subjectAltName?.ip ?? []), ...(san?.ip ?? [])] };
    names.dns = [...new Set(names.dns)];
    names.ip = [...new Set(names.ip)];
    // Keep the certificate's own SAN bytes when nothing is added (other name types survive).
    sanExt = current && !san ? extension(OID.subjectAltName, current.critical, current.value) : names.dns.length + names.ip.length > 0 ? subjectAltName(names) : undefined;
    altNames = altNameList(names);
  } else {
    if (input.subject === undefined) throw usageError('a request needs a subject: a name, or the certificate of a keystore entry');
    const resolved = resolveSubject(input.subject);
    subject = resolved.name;
    sanExt = subjectAltName(resolved.altNames);
    altNames = altNameList(resolved.altNames);
  }
  const extensions = [...(sanExt ? [sanExt] : []), subjectKeyIdentifier(keyIdentifier(spki))];
  const info = buildCertificationRequestInfo(subject, spki, extensions);
  const alg = signatureAlgorithmFor(key);
  if (alg === undefined) throw new UnsupportedKeyType(input.label ?? 'the key', keyTypeName(input.pkcs8), 'sign a request with');
  const algId = signatureAlgorithmIdentifier(alg);
  const der = assembleSigned(info, algId, signData(alg, key, info));
  return { der, pem: encodePem('CERTIFICATE REQUEST', der), subject: formatDn(subject), altNames };
}

/** Writes the request as PEM (CERTIFICATE REQUEST), atomically; an existing file only when `overwrite`. */
export function writeCertreq(path: string, req: Certreq, overwrite: boolean): void {
  writeFileAtomic(path, new TextEncoder().encode(req.pem), { overwrite, what: 'request' });
}
