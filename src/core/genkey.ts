/**
 * `mailcert genkey`: a private key and a self-signed X.509 v3 certificate for a mail server
 * (the Hedwig / James "keytool -genkeypair" step, and the openssl "req -x509 -newkey" step of
 * the Dovecot/Exim/Postfix guides). The certificate always names the server in subjectAltName
 * (clients check SANs, not the CN, RFC 6125), is SHA-256 signed, CA:FALSE, serverAuth.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { parseDnString, encodeName, cnName } from '../codec/x509/dn-string.js';
import {
  assembleSigned,
  authorityKeyIdentifier,
  basicConstraints,
  buildTbsCertificate,
  isDnsName,
  extKeyUsage,
  keyIdentifier,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
  type AltNames,
} from '../codec/x509/build.js';
import { OID } from '../codec/asn1/oid.js';
import { CodecError } from '../codec/errors.js';
import { isIpAddress } from '../codec/ip.js';
import { readRoot } from '../codec/asn1/tlv.js';
import { readString } from '../codec/asn1/values.js';
import { generateKeyPair, signatureAlgorithmIdentifier, signData, defaultSignatureAlgorithm, isSignatureAlgorithmName, signatureAlgorithms, type KeySpec, type SignatureAlgorithmName } from '../crypto/keys.js';
import { ruleError, usageError } from '../errors.js';
import { exists, type FileAccess } from '../keystore/files.js';
import * as ks from '../keystore/keystore.js';
import { withFileLock } from '../keystore/lock.js';
import { enforceRule } from '../keystore/rules.js';

/** Validity of a new certificate when --days is not given (documented in the help and README). */
export const DEFAULT_DAYS = 365;

export interface SubjectInput {
  cn?: string;
  dname?: string;
  san?: AltNames;
}

export interface ResolvedSubject {
  name: Uint8Array;
  cn: string;
  altNames: AltNames;
}

/** Subject Name and SANs from --cn / --dname / --san: the CN is always a SAN too. */
export function resolveSubject(input: SubjectInput): ResolvedSubject {
  let name: Uint8Array;
  let cn = input.cn;
  try {
    if (input.dname !== undefined) {
      const rdns = parseDnString(input.dname);
      const dnCn = rdns.flat().find((a) => a.oid === OID.commonName);
      const dnCnText = dnCn ? readString(readRoot(dnCn.value, 'DN')) : undefined;
      if (cn !== undefined && dnCnText !== undefined && dnCnText !== cn) {
        throw usageError(`--cn ${cn} and the CN in --dname (${dnCnText}) differ`, 'give the name once: --dname "CN=mail.example.com, O=..." alone');
      }
      cn ??= dnCnText;
      name = encodeName(rdns);
    } else {
      if (cn === undefined) throw usageError('give the server name: --cn mail.example.com (or --dname "CN=...")');
      name = cnName(cn);
    }
  } catch (e) {
    if (e instanceof CodecError) throw usageError(`--dname: ${e.message.replace(/^DN: /, '')}`, 'write it like keytool: --dname "CN=mail.example.com, OU=IT, O=Example, C=DE"');
    throw e;
  }
  if (cn === undefined || cn === '') throw usageError('the subject has no CN', 'add --cn mail.example.com');
  // CLI.md: the certificate always carries SAN DNS:<cn>, so the CN must be a host name (or an IP).
  if (!isIpAddress(cn) && !isDnsName(cn)) {
    throw usageError(`the CN "${cn}" is not a host name; the certificate names the server clients connect to`, 'give the DNS name: --cn mail.example.com (or CN=mail.example.com in --dname)');
  }
  const altNames: AltNames = { dns: [], ip: [] };
  if (isIpAddress(cn)) altNames.ip.push(cn);
  else altNames.dns.push(cn);
  for (const d of input.san?.dns ?? []) if (!altNames.dns.some((x) => x.toLowerCase() === d.toLowerCase())) altNames.dns.push(d);
  for (const ip of input.san?.ip ?? []) if (!altNames.ip.includes(ip)) altNames.ip.push(ip);
  return { name, cn, altNames };
}

export function keySpec(type: string, size: string | undefined, curve: string | undefined): KeySpec {
  if (type === 'ec') {
    const c = (curve ?? 'P-256').toUpperCase().replace(/^SECP256R1$|^PRIME256V1$/, 'P-256').replace(/^SECP384R1$/, 'P-384');
    if (c !== 'P-256' && c !== 'P-384') throw usageError(`--curve ${curve ?? ''}: use P-256 or P-384`);
    return { type: 'ec', curve: c };
  }
  if (type !== 'rsa') throw usageError(`--key-type ${type}: use rsa or ec`);
  const bits = Number(size ?? 2048);
  if (bits !== 2048 && bits !== 3072 && bits !== 4096) throw usageError(`--key-size ${size ?? ''}: use 2048, 3072 or 4096`);
  return { type: 'rsa', bits };
}

export function parseDays(days: string | undefined): number {
  const n = Number(days ?? DEFAULT_DAYS);
  if (!Number.isInteger(n) || n < 1 || n > 36500) throw usageError(`--days ${days ?? ''}: give a whole number of days from 1 to 36500`);
  return n;
}

export interface SelfSignedInput {
  subject: ResolvedSubject;
  key: KeySpec;
  days: number;
  sigAlg?: string;
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

function pickSignatureAlgorithm(key: KeyObject, requested: string | undefined): SignatureAlgorithmName {
  if (requested === undefined) return defaultSignatureAlgorithm(key);
  const match = Object.keys(signatureAlgorithms).find((n) => n.toLowerCase() === requested.toLowerCase());
  if (match === undefined || !isSignatureAlgorithmName(match)) {
    throw usageError(`--sig-alg ${requested}: use one of ${Object.keys(signatureAlgorithms).join(', ')}`);
  }
  if (signatureAlgorithms[match].key !== key.asymmetricKeyType) throw usageError(`--sig-alg ${requested} does not fit a ${String(key.asymmetricKeyType).toUpperCase()} key`);
  return match;
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
  /** --key-mode / --key-group. */
  access?: FileAccess;
}

export interface KeystoreResult {
  path: string;
  type: string;
  alias: string;
  created: boolean;
}

/**
 * Adds the new key entry to a keystore, creating it when missing. The rule is checked before any
 * key is generated, so a refusal costs nothing and writes nothing. The keystore's lock is held
 * from the read to the write, so a concurrent update is neither lost nor overwritten.
 */
export function genkeyIntoKeystore(target: KeystoreTarget, subject: ResolvedSubject, make: () => Promise<SelfSigned>): Promise<KeystoreResult> {
  return withFileLock(target.path, 'keystore', () => genkeyLocked(target, subject, make));
}

async function genkeyLocked(target: KeystoreTarget, subject: ResolvedSubject, make: () => Promise<SelfSigned>): Promise<KeystoreResult> {
  const alias = (target.alias ?? defaultAlias(subject.cn)).toLowerCase();
  const isNew = !exists(target.path) || target.force;
  let storepass: string;
  let store: ks.Keystore;
  // The alias comes from --alias, else from --cn: a usage error when a JKS cannot hold it.
  const aliasFrom = { option: target.alias !== undefined ? '--alias' : '--cn' };
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
      throw ruleError(
        `${target.path}: refused: alias "${same.alias}" already exists (${same.kind === 'key' ? 'a key entry' : 'a trusted certificate'})`,
        same.kind === 'key' ? 'a keystore holds one server key: use a new keystore file, or --force to replace the whole keystore' : 'choose another --alias',
      );
    }
  }
  const created = new Date();
  // Check the rule with a placeholder before paying for key generation.
  enforceRule(target.path, [...store.entries, { kind: 'key', alias, created, chain: [] }]);
  const keypass = await target.keyPassword(alias, storepass);
  const made = await make();
  store.entries.push({ kind: 'key', alias, created, chain: [made.cert], privateKey: made.pkcs8 });
  await ks.writeKeystoreFile(target.path, store, storepass, () => Promise.resolve(keypass), { create: isNew, force: target.force, access: target.access });
  return { path: target.path, type: store.type, alias, created: isNew };
}
