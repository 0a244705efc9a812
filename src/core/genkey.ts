/**
 * `mailcert genkey`: a private key and a self-signed X.509 v3 certificate for a mail server
 * (the Hedwig / James "keytool -genkeypair" step, and the openssl "req -x509 -newkey" step of
 * the Dovecot/Exim/Postfix guides). The certificate always names the server in subjectAltName
 * (clients check SANs, not the CN, RFC 6125), is SHA-256 signed, CA:FALSE, serverAuth.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { encodeName, cnName, type DnAttribute } from '../codec/x509/dn-string.js';
import { authorityKeyIdentifier, basicConstraints, isDnsName, extKeyUsage, keyIdentifier, keyUsage, subjectAltName, subjectKeyIdentifier, type AltNames } from '../codec/x509/build.js';
import { OID } from '../codec/asn1/oid.js';
import { assembleSigned, buildTbsCertificate } from '../codec/x509/build.js';
import { isIpAddress } from '../codec/ip.js';
import { generateKeyPair, signatureAlgorithmIdentifier, signData, defaultSignatureAlgorithm, signatureAlgorithms, type KeySpec, type SignatureAlgorithmName } from '../crypto/keys.js';
import { encodePem } from '../codec/pem.js';
import { ExitCode, usageError } from '../errors.js';
import { assertCanCreate, exists, writeFilesAtomic, type FileAccess } from '../keystore/files.js';
import * as ks from '../keystore/keystore.js';
import { withFileLock } from '../keystore/lock.js';
import { enforceRule } from '../keystore/rules.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { AliasTaken, NotAHostName } from './errors.js';
import { entryKindText, notesOf } from '../keystore/read-notes.js';

/** Validity of a new certificate when none is asked for (documented in the help and README). */
export const DEFAULT_DAYS = 365;

/** The subject asked for: a CN (always a subjectAltName too), optionally a whole DN, and more names. */
export interface SubjectRequest {
  cn: string;
  /** A whole DN (keytool's -dname), whose CN is `cn`; else the subject is the CN alone. */
  rdns?: readonly (readonly DnAttribute[])[];
  san?: AltNames;
}

export interface ResolvedSubject {
  name: Uint8Array;
  cn: string;
  altNames: AltNames;
}

/** Subject Name and SANs: the CN, which must be a host name or an IP address, is always a SAN too (CLI.md). */
export function resolveSubject(input: SubjectRequest): ResolvedSubject {
  const { cn } = input;
  if (!isIpAddress(cn) && !isDnsName(cn)) throw new NotAHostName(cn);
  const name = input.rdns !== undefined ? encodeName(input.rdns) : cnName(cn);
  const altNames: AltNames = { dns: [], ip: [] };
  if (isIpAddress(cn)) altNames.ip.push(cn);
  else altNames.dns.push(cn);
  for (const d of input.san?.dns ?? []) if (!altNames.dns.some((x) => x.toLowerCase() === d.toLowerCase())) altNames.dns.push(d);
  for (const ip of input.san?.ip ?? []) if (!altNames.ip.includes(ip)) altNames.ip.push(ip);
  return { name, cn, altNames };
}

/** "DNS:mail.example.com", "IP:192.0.2.10": the names as keytool and openssl show them. */
export function altNameList(names: AltNames): string[] {
  return [...names.dns.map((d) => `DNS:${d}`), ...names.ip.map((i) => `IP:${i}`)];
}

export interface SelfSignedInput {
  subject: ResolvedSubject;
  key: KeySpec;
  days: number;
  /** The key type's default (SHA-256) when not given. */
  sigAlg?: SignatureAlgorithmName;
  now?: Date;
}

export interface SelfSigned {
  pkcs8: Uint8Array;
  cert: Uint8Array;
  privateKey: KeyObject;
}

/** Random positive serial of 16 bytes (CA/B Forum asks for at least 64 bits of entropy). */
function randomSerial(): Uint8Array {
  const s = randomBytes(16);
  s[0] = ((s[0] ?? 0) & 0x7f) | 0x01; // positive, and 16 significant bytes
  return new Uint8Array(s);
}

function pickSignatureAlgorithm(key: KeyObject, requested: SignatureAlgorithmName | undefined): SignatureAlgorithmName {
  if (requested === undefined) return defaultSignatureAlgorithm(key);
  if (signatureAlgorithms[requested].key !== key.asymmetricKeyType) throw usageError(`${requested} does not fit a ${String(key.asymmetricKeyType).toUpperCase()} key`);
  return requested;
}

export async function makeSelfSigned(input: SelfSignedInput): Promise<SelfSigned> {
  const pair = await generateKeyPair(input.key);
  const alg = pickSignatureAlgorithm(pair.privateKey, input.sigAlg);
  const algId = signatureAlgorithmIdentifier(alg);
  // Backdated a minute against clock skew between this machine and the mail clients.
  const notBefore = new Date(Math.floor((input.now ?? new Date()).getTime() / 1000) * 1000 - 60_000);
  const notAfter = new Date(notBefore.getTime() + input.days * 86_400_000);
  const keyId = keyIdentifier(pair.spki);
  const tbs = buildTbsCertificate({
    serial: randomSerial(),
    signatureAlgorithm: algId,
    issuer: input.subject.name,
    subject: input.subject.name,
    notBefore,
    notAfter,
    spki: pair.spki,
    extensions: [
      subjectAltName(input.subject.altNames),
      basicConstraints(false),
      // RSA key exchange (TLS 1.2 RSA suites) needs keyEncipherment; ECDSA keys only sign.
      keyUsage(input.key.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']),
      extKeyUsage([OID.serverAuth]),
      subjectKeyIdentifier(keyId),
      authorityKeyIdentifier(keyId),
    ],
  });
  const cert = assembleSigned(tbs, algId, signData(alg, pair.privateKey, tbs));
  return { pkcs8: pair.pkcs8, cert, privateKey: pair.privateKey };
}

/** The default alias: the first label of the CN, lowercased (keystores compare aliases case-insensitively). */
export function defaultAlias(cn: string): string {
  return (isIpAddress(cn) ? cn : (cn.split('.')[0] ?? cn)).replace(/^\*$/, 'wildcard').toLowerCase();
}

export interface KeystoreTarget {
  path: string;
  /** --storetype, for a new store. */
  storetype?: string;
  alias?: string;
  force: boolean;
  storePassword: (isNew: boolean) => Promise<string>;
  keyPassword: (alias: string, storepass: string) => Promise<string>;
  /** Who may read the keystore besides its owner (--key-mode / --key-group). */
  access?: FileAccess;
}

export interface KeystoreResult {
  path: string;
  type: string;
  alias: string;
  created: boolean;
  /** What mailcert had to say about reading the keystore (keystore/read-notes.ts), when anything. */
  notes?: string[];
}

/**
 * Adds the new key entry to a keystore, creating it when missing. The rule is checked before any
 * key is generated, so a refusal costs nothing and writes nothing. The keystore's lock is held
 * from the read to the write, so a concurrent update is neither lost nor overwritten.
 */
function genkeyIntoKeystore(target: KeystoreTarget, subject: ResolvedSubject, make: () => Promise<SelfSigned>): Promise<KeystoreResult> {
  return withFileLock(target.path, 'keystore', () => genkeyLocked(target, subject, make));
}

async function genkeyLocked(target: KeystoreTarget, subject: ResolvedSubject, make: () => Promise<SelfSigned>): Promise<KeystoreResult> {
  const alias = (target.alias ?? defaultAlias(subject.cn)).toLowerCase();
  const isNew = !exists(target.path) || target.force;
  let storepass: string;
  let store: ks.Keystore;
  // The alias comes from --alias, else from --cn: a usage error when a JKS cannot hold it.
  const aliasFrom = target.alias !== undefined ? 'given' : 'cn';
  if (isNew) {
    const type = ks.typeForNewStore(target.path, target.storetype);
    ks.checkAliasFits(type, alias, aliasFrom);
    storepass = await target.storePassword(true);
    store = { type, entries: [], integrityChecked: true };
  } else {
    storepass = await target.storePassword(false);
    store = await ks.readKeystoreFile(target.path, () => Promise.resolve(storepass));
    ks.checkAliasFits(store.type, alias, aliasFrom);
    const same = store.entries.find((e) => e.alias.toLowerCase() === alias);
    if (same) {
      throw new AliasTaken(`${target.path}: refused: alias "${same.alias}" already exists (${entryKindText(same.kind)})`, ExitCode.ruleBroken, same.alias, same.kind === 'key');
    }
  }
  const created = new Date();
  // Check the rule with a placeholder before paying for key generation.
  enforceRule(target.path, [...store.entries, { kind: 'key', alias, created, chain: [] }]);
  const keypass = await target.keyPassword(alias, storepass);
  const made = await make();
  store.entries.push({ kind: 'key', alias, created, chain: [made.cert], privateKey: made.pkcs8 });
  await ks.writeKeystoreFile(target.path, store, storepass, () => Promise.resolve(keypass), { create: isNew, force: target.force, access: target.access });
  return { path: target.path, type: store.type, alias, created: isNew, ...notesOf(store) };
}

/** A PEM key file (unencrypted PKCS#8, mode 0600 or `access`) and certificate file. */
export interface FilesTarget {
  keyFile: string;
  certFile: string;
  /** Replace files that exist (else they are refused before a key is made). */
  overwrite: boolean;
  access?: FileAccess;
}

export interface FilesResult {
  keyFile: string;
  certFile: string;
  /** The mode the key file got; undefined for a stream or device. */
  keyMode: number | undefined;
}

async function genkeyIntoFiles(target: FilesTarget, make: () => Promise<SelfSigned>): Promise<FilesResult> {
  if (!target.overwrite) {
    assertCanCreate(target.keyFile, 'private key');
    assertCanCreate(target.certFile, 'certificate');
  }
  const made = await make();
  const [key] = writeFilesAtomic([
    { path: target.keyFile, data: new TextEncoder().encode(encodePem('PRIVATE KEY', made.pkcs8)), opts: { overwrite: target.overwrite, secret: true, access: target.access, what: 'private key' } },
    { path: target.certFile, data: new TextEncoder().encode(encodePem('CERTIFICATE', made.cert)), opts: { overwrite: target.overwrite, mode: 0o644, what: 'certificate' } },
  ]);
  return { keyFile: target.keyFile, certFile: target.certFile, keyMode: key?.mode };
}

export interface GenkeyInput extends Omit<SelfSignedInput, 'now'> {
  target: { keystore: KeystoreTarget } | { files: FilesTarget };
  /** Runs around the key generation, the one slow step (the command shows a spinner on a terminal). */
  generating?: (work: Promise<SelfSigned>) => Promise<SelfSigned>;
}

export interface GenkeyResult {
  keystore?: KeystoreResult;
  files?: FilesResult;
  certificate: CertSummary;
  /** The certificate's subjectAltNames, "DNS:name" and "IP:address". */
  altNames: string[];
}

/** `mailcert genkey`: the key and its certificate, written into a keystore or a PEM key and certificate file. */
export async function genkey(input: GenkeyInput): Promise<GenkeyResult> {
  let cert: Uint8Array | undefined;
  const make = async (): Promise<SelfSigned> => {
    const work = makeSelfSigned(input);
    const made = await (input.generating ? input.generating(work) : work);
    cert = made.cert;
    return made;
  };
  const written = 'keystore' in input.target ? { keystore: await genkeyIntoKeystore(input.target.keystore, input.subject, make) } : { files: await genkeyIntoFiles(input.target.files, make) };
  if (cert === undefined) throw new Error('genkey wrote no certificate');
  return { ...written, certificate: certSummary(cert), altNames: altNameList(input.subject.altNames) };
}
