/**
 * `mailcert tlsa`: the TLSA records to publish for a server's certificate or key, and for a key
 * rollover the records of the current AND the next key, the set that must be in DNS before the
 * swap (RFC 7671 §8.1, "publish the new record, wait at least one TTL, then swap": the usual DANE
 * outage is a new key whose record nobody published).
 *
 * A source is a certificate (leaf first, then its chain), a key, or what a live server presents.
 */
import { createPublicKey } from 'node:crypto';
import { decodePem } from '../codec/pem.js';
import { detectFormat } from '../codec/detect.js';
import { parseCertificate, type CertInfo } from '../codec/x509/certificate.js';
import { privateKeyFromPkcs8, spkiOf } from '../crypto/keys.js';
import { sameBytes } from '../codec/bytes.js';
import { ExitCode, inputError } from '../errors.js';
import { readCertificates, readPrivateKey } from '../keystore/inputs.js';
import { readInput } from '../keystore/files.js';
import { inspectServer, type StartTlsProtocol } from '../net/connect.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { TlsaNeedsCertificate, TlsaNeedsIssuer } from './errors.js';
import { issuedBy } from './chain.js';
import { formatTlsa, tlsaData, USAGE_NAMES, type TlsaRecord } from './tlsa.js';

/** What records are computed from. */
export interface TlsaMaterial {
  /** Where it came from, for the report: "mail.crt", "james.jks entry \"mail\"", "mail.example.com:25". */
  label: string;
  /** The server certificate, when the source has one (a key alone has none). */
  leaf?: CertInfo;
  spki: Uint8Array;
  /** The certificates that came with it (a chain file, a keystore entry, what a server sent), leaf first. */
  chain: CertInfo[];
}

export interface TlsaParams {
  usage: number;
  selector: number;
  matching: number;
}

export function materialFromCertificates(label: string, ders: readonly Uint8Array[]): TlsaMaterial {
  const chain = ders.map((d) => parseCertificate(d));
  const leaf = chain[0];
  if (leaf === undefined) throw inputError(`${label}: holds no certificate`);
  return { label, leaf, spki: leaf.spki, chain };
}

/**
 * A certificate, private key or public key file, told apart by its content: PEM CERTIFICATE,
 * PRIVATE KEY (any form readPrivateKey reads, asking for a passphrase only when encrypted),
 * PUBLIC KEY (`openssl pkey -pubout`), or the DER of either.
 */
export async function readTlsaFile(path: string, passin: () => Promise<string>): Promise<TlsaMaterial> {
  const bytes = readInput(path, 'file');
  const format = detectFormat(bytes);
  if (format === 'PEM') {
    const blocks = decodePem(Buffer.from(bytes).toString('latin1'));
    if (blocks.some((b) => /PRIVATE KEY$/.test(b.label))) return keyMaterial(path, passin);
    const pub = blocks.find((b) => b.label === 'PUBLIC KEY');
    if (pub !== undefined && !blocks.some((b) => /CERTIFICATE$/.test(b.label))) return { label: path, spki: publicKeySpki(path, pub.der), chain: [] };
    return materialFromCertificates(path, readCertificates(path));
  }
  if (format === 'PKCS8') return keyMaterial(path, passin);
  return materialFromCertificates(path, readCertificates(path));
}

async function keyMaterial(path: string, passin: () => Promise<string>): Promise<TlsaMaterial> {
  const key = await readPrivateKey(path, passin);
  return { label: path, spki: spkiOf(privateKeyFromPkcs8(key.pkcs8)), chain: [] };
}

/** The SPKI of a PUBLIC KEY block, as OpenSSL re-encodes it (a damaged one is bad input naming the file). */
function publicKeySpki(path: string, der: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' }));
  } catch (e) {
    throw inputError(`${path}: damaged public key (${e instanceof Error ? e.message : String(e)})`, 'give the certificate, or the key as `openssl pkey -pubout` writes it');
  }
}

export interface ServerSource {
  host: string;
  port: number;
  protocol?: StartTlsProtocol;
  servername?: string;
  timeoutMs: number;
}

/** What a live server presents: its chain as sent (a connection failure is a NetError, exit code 5). */
export async function materialFromServer(s: ServerSource): Promise<TlsaMaterial> {
  const report = await inspectServer({
    host: s.host,
    port: s.port,
    timeoutMs: s.timeoutMs,
    ...(s.protocol === undefined ? {} : { protocol: s.protocol }),
    ...(s.servername === undefined ? {} : { servername: s.servername }),
  });
  return materialFromCertificates(`${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`, report.peerChain);
}

/** The certificate or key the record is about: the leaf for usages 3 and 1, the leaf's issuer for 2 and 0. */
function subjectOf(m: TlsaMaterial, p: TlsaParams): { der?: Uint8Array; spki: Uint8Array; cert?: CertInfo } {
  if (p.usage === 3 || p.usage === 1) {
    if (p.selector === 0 && m.leaf === undefined) throw new TlsaNeedsCertificate(m.label);
    return m.leaf === undefined ? { spki: m.spki } : { der: m.leaf.der, spki: m.leaf.spki, cert: m.leaf };
  }
  const leaf = m.leaf;
  if (leaf === undefined) {
    throw new TlsaNeedsIssuer(m.label, p.usage, 'is about the CA that issued the certificate, and a key alone has none', ExitCode.usage, 'give the certificate chain file (the certificate, then its intermediates)');
  }
  const issuer = m.chain.find((c, i) => i > 0 && issuedBy(leaf, c));
  if (issuer === undefined) {
    const need = `needs the certificate of the CA that issued "${leaf.subject.text}" ("${leaf.issuer.text}"), and it is not there`;
    throw new TlsaNeedsIssuer(m.label, p.usage, need, ExitCode.badInput, 'give the chain file the server sends (the certificate, then its intermediates)');
  }
  return { der: issuer.der, spki: issuer.spki, cert: issuer };
}

export interface MadeRecord {
  role: 'current' | 'next';
  source: string;
  usage: number;
  selector: number;
  matching: number;
  /** Hex, lowercase (as `sha256sum` and the zone files of ldns-dane and hash-slinger have it). */
  data: string;
  /** "3 1 1 <hex>" */
  rdata: string;
  /** With a name: the owner and the whole zone-file line. */
  owner?: string;
  zoneLine?: string;
  /** The certificate the record is about (the leaf, or its issuer for usages 2 and 0); absent for a key alone. */
  certificate?: CertSummary;
}

export interface TlsaResult {
  records: MadeRecord[];
  notes: string[];
}

/** The records of the current source and, for a rollover, the next one; the same record twice is said once. */
export function makeRecords(current: TlsaMaterial, next: TlsaMaterial | undefined, p: TlsaParams, owner?: string): TlsaResult {
  const notes: string[] = [];
  const made = (m: TlsaMaterial, role: MadeRecord['role']): MadeRecord => {
    const subject = subjectOf(m, p);
    const record: TlsaRecord = { ...p, data: tlsaData(subject, p.selector, p.matching) };
    const rdata = formatTlsa(record);
    const r: MadeRecord = { role, source: m.label, ...p, data: rdata.split(' ')[3] ?? '', rdata };
    if (owner !== undefined) {
      r.owner = owner;
      r.zoneLine = formatTlsa(record, owner);
    }
    if (subject.cert !== undefined) r.certificate = certSummary(subject.cert);
    return r;
  };
  const records = [made(current, 'current')];
  if (next !== undefined) {
    const n = made(next, 'next');
    if (n.rdata === records[0]?.rdata) {
      const what = p.usage === 2 || p.usage === 0 ? 'the same issuing CA' : p.selector === 1 ? 'the same key' : 'the same certificate';
      notes.push(`${next.label} has ${what} as ${current.label}: its record is the same, nothing to add before the swap`);
    } else records.push(n);
  }
  if ((p.usage === 3 || p.usage === 1) && p.selector === 0) notes.push('selector 0 pins the whole certificate: every renewal needs a new record, even with the same key (3 1 1 does not)');
  if (p.usage === 0 || p.usage === 1) notes.push(`${USAGE_NAMES[p.usage] ?? ''} records are unusable for SMTP (RFC 7672 §3.1.3): Postfix and Exim ignore them; use 3 1 1 or 2 1 1 for mail`);
  const sameKeyNewCert = next?.leaf !== undefined && current.leaf !== undefined && sameBytes(next.leaf.spki, current.leaf.spki) && !sameBytes(next.leaf.der, current.leaf.der);
  if (sameKeyNewCert && p.selector === 1 && (p.usage === 3 || p.usage === 1)) notes.push('the next certificate keeps the key: 3 1 1 stays valid across the renewal');
  return { records, notes };
}
