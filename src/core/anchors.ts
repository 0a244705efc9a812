/**
 * Trust anchors for verify: a PEM/DER/PKCS#7 file or bundle, an OpenSSL-style folder of
 * <hash>.N files (what `hash --rehash` makes, what Dovecot's ssl_client_ca_dir points at), or a
 * JKS/PKCS#12 truststore; by default what Node programs trust: Node's bundled Mozilla roots, the
 * system store, and the file NODE_EXTRA_CA_CERTS names.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodePem } from '../codec/pem.js';
import type { CertInfo } from '../codec/x509/certificate.js';
import { detectFormat, isKeystoreFormat } from '../codec/detect.js';
import { parseCertificate } from '../codec/x509/certificate.js';
import { damagedPart } from '../keystore/damaged.js';
import { readParsedCertificates } from '../keystore/inputs.js';
import { readInput } from '../keystore/read.js';
import { ForeignKeystore } from '../keystore/errors.js';
import { distinctCerts, uniqueCerts } from './chain.js';
import { AnchorsUnusable } from './errors.js';

export interface Anchors {
  certs: CertInfo[];
  /** Where they came from, as the checks name it: the file, folder or keystore given, or the default sources. */
  source: string;
}

/** Debian/Ubuntu, Fedora/RHEL, Alpine/openSUSE: the first that exists is the system store. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem'];

function pemCertificates(file: string): Uint8Array[] | undefined {
  try {
    return decodePem(readInput(file, 'certificate file').toString('latin1'))
      .filter((b) => b.label === 'CERTIFICATE')
      .map((b) => b.der);
  } catch {
    return undefined;
  }
}

/**
 * The default anchors. extraCaCerts is NODE_EXTRA_CA_CERTS: a company CA put there is trusted by
 * every Node program, so by verify too (an unreadable file Node itself has already warned about).
 */
export function defaultAnchors(extraCaCerts?: string): Anchors {
  // node:tls (some 3 ms to load) only when its roots are wanted: a check against --ca never needs it.
  const { rootCertificates } = process.getBuiltinModule('node:tls');
  const ders = rootCertificates.flatMap((pem) => decodePem(pem).map((b) => b.der));
  const sources = ["Node's Mozilla roots"];
  const files: { file: string; ders: Uint8Array[] }[] = [];
  for (const bundle of SYSTEM_BUNDLES) {
    const found = pemCertificates(bundle);
    if (found === undefined) continue; // not this distribution's path
    ders.push(...found);
    sources.push(bundle);
    files.push({ file: bundle, ders: found });
    break;
  }
  // Often the system store itself (it is on this kind of machine): read each file once.
  const extra = extraCaCerts && !sources.includes(extraCaCerts) ? pemCertificates(extraCaCerts) : undefined;
  if (extra !== undefined) {
    ders.push(...extra);
    sources.push(`NODE_EXTRA_CA_CERTS (${extraCaCerts})`);
    files.push({ file: extraCaCerts as string, ders: extra });
  }
  try {
    return { certs: uniqueCerts(ders), source: sources.join(', ') };
  } catch (e) {
    throw namedDamage(e, files.map((f) => ({ path: f.file, parts: f.ders.map((der, i) => ({ der, part: `certificate ${i + 1} of ${f.ders.length}` })) })));
  }
}

/**
 * Which file and which part of it holds the certificate that failed to parse: looked for only
 * after a failure, so the files are parsed once when they are sound.
 */
function namedDamage(e: unknown, files: readonly { path: string; parts: readonly { der: Uint8Array; part: string }[] }[]): unknown {
  for (const f of files) {
    for (const p of f.parts) {
      try {
        parseCertificate(p.der);
      } catch (inner) {
        return damagedPart(inner, f.path, p.part);
      }
    }
  }
  return e;
}

const HASH_NAME = /^[0-9a-f]{8}\.\d+$/i;
const CERT_EXT = /\.(pem|crt|cer|der)$/i;

/** The anchors in a file, folder or truststore; `source` is the path (the command names it its own way). */
export async function loadAnchors(source: string, storePassword: () => Promise<string | undefined>): Promise<Anchors> {
  let st;
  try {
    st = statSync(source);
  } catch {
    throw new AnchorsUnusable(source, 'no such file or folder');
  }
  if (st.isDirectory()) {
    const certs: CertInfo[] = [];
    for (const name of readdirSync(source).sort()) {
      if (!HASH_NAME.test(name) && !CERT_EXT.test(name)) continue;
      const path = join(source, name);
      if (!statSync(path).isFile()) continue;
      certs.push(...readParsedCertificates(path));
    }
    if (certs.length === 0) throw new AnchorsUnusable(source, 'the folder holds no <hash>.N or .pem/.crt certificate files');
    return { certs: distinctCerts(certs), source };
  }
  const bytes = readInput(source, 'file');
  const format = detectFormat(bytes);
  if (isKeystoreFormat(format)) {
    // The keystore code is loaded only for a keystore of anchors: most runs give PEM files or none.
    const { decodeKeystore } = await import('../keystore/keystore.js');
    const store = await decodeKeystore(source, format, bytes, storePassword);
    const trusted = store.entries.flatMap((e) => (e.kind === 'trusted' ? [{ der: e.cert, part: `the certificate of entry "${e.alias}"` }] : []));
    if (trusted.length === 0) throw new AnchorsUnusable(source, `the ${format} keystore has no trusted certificate entries`);
    try {
      return { certs: uniqueCerts(trusted.map((t) => t.der)), source };
    } catch (e) {
      throw namedDamage(e, [{ path: source, parts: trusted }]);
    }
  }
  if (format === 'unknown') {
    const { notAKeystore } = await import('../keystore/keystore.js');
    const foreign = await notAKeystore(source, bytes);
    throw foreign instanceof ForeignKeystore ? foreign : new AnchorsUnusable(source, 'not a certificate file, folder or keystore');
  }
  return { certs: distinctCerts(readParsedCertificates(source)), source };
}
