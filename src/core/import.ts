/**
 * `mailcert import`: a CA's reply for the server key, a PEM key + certificate brought into a
 * keystore (--key), or a trusted certificate (a Java client's truststore). What keytool's
 * -importcert does (Main.installReply, establishCertChain, addTrustedCert), with the chain built
 * from the file in any order, the keystore's trusted entries and optionally Node's Mozilla roots,
 * every signature verified, and the one-server-certificate rule checked before anything is written.
 */
import { OID } from '../codec/asn1/oid.js';
import { rootCertificates } from 'node:tls';
import type { StoredEntry, StoredKeyEntry } from '../codec/model.js';
import type { CertInfo } from '../codec/x509/certificate.js';
import { decodePem } from '../codec/pem.js';
import { ExitCode, MailcertError, inputError } from '../errors.js';
import { exists, type FileAccess } from '../keystore/files.js';
import { withFileLock } from '../keystore/lock.js';
import { enforceRule, findRuleViolation } from '../keystore/rules.js';
import { checkAliasFits, readKeystoreFile, typeForNewStore, writeKeystoreFile, type Keystore } from '../keystore/keystore.js';
import { sameBytes } from '../codec/bytes.js';
import { privateKeyFromPkcs8, spkiOf } from '../crypto/keys.js';
import { buildChain, uniqueCerts } from './chain.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { AliasTaken, IssuerMissing, NoCertificateForKey, RootNotTrusted, ServerKeyPresent } from './errors.js';
import { findEntry } from './entries.js';
import type { KeyPasswordSource } from './key-passwords.js';
import { checkChainIsForKey, replaceKeyEntry, serverKeyEntry, type Replaced } from './renew.js';
import { notesOf } from '../keystore/read-notes.js';

export interface ImportInput {
  path: string;
  /** Certificates from --file, in file order. */
  certs: Uint8Array[];
  /** PKCS#8 of --key, when bringing a PEM pair in. */
  key?: Uint8Array;
  alias?: string;
  storetype?: string;
  trustcacerts: boolean;
  storePassword: (isNew: boolean) => Promise<string>;
  keyPassword: (alias: string, storepass: string) => Promise<string>;
  /** Asks the user (or --yes answers); throws when it cannot ask. */
  confirm: (question: string, cert: CertSummary) => Promise<boolean>;
  /** --key-mode / --key-group. */
  access?: FileAccess;
  /**
   * Renewal: the key replaces the server key entry (core/renew.ts), whose password it gets; this
   * finds that password when the store password does not open the old key.
   */
  replace?: KeyPasswordSource;
}

export type ImportResult = (
  | { action: 'reply' | 'key'; alias: string; chain: CertSummary[]; complete: boolean; createdKeystore: boolean; type: string }
  | { action: 'trusted'; alias: string; cert: CertSummary; createdKeystore: boolean; type: string; ignored: number }
  | { action: 'unchanged'; alias: string; cert: CertSummary; type: string }
  | ({ action: 'replaced' } & Replaced)
) & {
  /** What mailcert had to say about reading the keystore (keystore/read-notes.ts), when anything. */
  notes?: string[];
};

/** Node's bundled Mozilla roots (--trustcacerts), parsed only when asked for. */
export function mozillaRoots(): CertInfo[] {
  return uniqueCerts(rootCertificates.flatMap((pem) => decodePem(pem).map((b) => b.der)));
}

/** An alias from a certificate: its CN, lowercased, with spaces as dashes (keytool users type such names). */
export function aliasFromCert(c: CertInfo, firstLabel = false): string {
  const cn = c.subject.rdns.flat().find((a) => a.oid === OID.commonName)?.value ?? c.subject.rdns.flat()[0]?.value ?? 'cert';
  const base = firstLabel && !/^[\d.:]+$/.test(cn) ? (cn.split('.')[0] ?? cn) : cn;
  return base.toLowerCase().replace(/\s+/g, '-').replace(/[^a-z0-9._*@-]/g, '').replace(/^\*$/, 'wildcard') || 'cert';
}

async function openOrCreate(input: ImportInput): Promise<{ store: Keystore; storepass: string; isNew: boolean }> {
  if (exists(input.path)) {
    const storepass = await input.storePassword(false);
    const store = await readKeystoreFile(input.path, () => Promise.resolve(storepass));
    return { store, storepass, isNew: false };
  }
  const type = typeForNewStore(input.path, input.storetype);
  return { store: { type, entries: [], integrityChecked: true }, storepass: await input.storePassword(true), isNew: true };
}

function trustedCerts(store: Keystore): Uint8Array[] {
  return store.entries.flatMap((e) => (e.kind === 'trusted' ? [e.cert] : []));
}

export async function importCertificates(input: ImportInput): Promise<ImportResult> {
  if (input.certs.length === 0) throw inputError('no certificate to import');
  const certs = uniqueCerts(input.certs);
  // A key and certificates that do not belong together are refused before any password is asked.
  const leaf = input.key === undefined ? undefined : certificateOf(input.key, certs);
  if (leaf !== undefined && input.replace !== undefined) checkChainIsForKey(leaf, certs);
  // Locked from the read to the write: a concurrent update is neither lost nor overwritten.
  return withFileLock(input.path, 'keystore', () => importLocked(input, certs, leaf));
}

/** The certificate among `certs` whose public key is the private key's. */
function certificateOf(pkcs8: Uint8Array, certs: readonly CertInfo[]): CertInfo {
  const spki = spkiOf(privateKeyFromPkcs8(pkcs8));
  const leaf = certs.find((c) => sameBytes(c.spki, spki));
  if (!leaf) throw new NoCertificateForKey(certs.length);
  return leaf;
}

async function importLocked(input: ImportInput, certs: CertInfo[], leaf: CertInfo | undefined): Promise<ImportResult> {
  const opened = await openOrCreate(input);
  const r = await importInto(input, certs, leaf, opened);
  return { ...r, ...notesOf(opened.store) };
}

async function importInto(input: ImportInput, certs: CertInfo[], leaf: CertInfo | undefined, { store, storepass, isNew }: Awaited<ReturnType<typeof openOrCreate>>): Promise<ImportResult> {
  if (input.key !== undefined && leaf !== undefined) {
    const old = input.replace === undefined ? undefined : serverKeyEntry(input.path, store, input.alias);
    if (old === undefined || input.replace === undefined) return importKeyPair(input, input.key, leaf, certs, store, storepass, isNew);
    const { pool } = chainPool(input, certs, store);
    const replaced = await replaceKeyEntry({ path: input.path, store, storepass, old, key: input.key, leaf, pool, alias: input.alias, keyPassword: input.replace, access: input.access });
    return { action: 'replaced', ...replaced };
  }
  const keyEntries = store.entries.filter((e): e is StoredKeyEntry => e.kind === 'key');
  for (const entry of keyEntries) {
    const current = entry.chain[0];
    if (!current) continue;
    const currentSpki = uniqueCerts([current])[0]?.spki;
    const leaf = certs.find((c) => currentSpki && sameBytes(c.spki, currentSpki));
    if (leaf && (input.alias === undefined || input.alias.toLowerCase() === entry.alias.toLowerCase())) {
      return installReply(input, certs, leaf, entry, store, storepass);
    }
  }
  return addTrusted(input, certs, store, storepass, isNew);
}

function chainPool(input: ImportInput, certs: CertInfo[], store: Keystore, extra: readonly Uint8Array[] = []): { pool: CertInfo[]; trusted: CertInfo[] } {
  const trusted = uniqueCerts(trustedCerts(store));
  const roots = input.trustcacerts ? mozillaRoots() : [];
  return { pool: [...certs, ...trusted, ...uniqueCerts(extra), ...roots], trusted: [...trusted, ...roots] };
}

async function installReply(input: ImportInput, certs: CertInfo[], leaf: CertInfo, entry: StoredKeyEntry, store: Keystore, storepass: string): Promise<ImportResult> {
  const current = entry.chain[0];
  if (certs.length === 1 && current && sameBytes(current, leaf.der)) {
    throw inputError(`${input.path}: refused: the reply and the certificate of "${entry.alias}" are identical`, "import the certificate the CA sent back, not the keystore's own");
  }
  const { pool, trusted } = chainPool(input, certs, store, entry.chain.slice(1));
  const built = buildChain(leaf, pool);
  if (!built.complete) throw new IssuerMissing(input.path, built.missingIssuer ?? '?');
  const root = built.chain[built.chain.length - 1] as CertInfo;
  if (!trusted.some((t) => sameBytes(t.der, root.der))) {
    const ok = await input.confirm('The root certificate of this reply is not trusted by the keystore. Install the reply anyway?', certSummary(root));
    if (!ok) throw new RootNotTrusted(input.path);
  }
  entry.chain = built.chain.map((c) => c.der);
  await writeKeystoreFile(input.path, store, storepass, (alias) => input.keyPassword(alias, storepass), { create: false, force: false, access: input.access });
  return { action: 'reply', alias: entry.alias, chain: entry.chain.map(certSummary), complete: true, createdKeystore: false, type: store.type };
}

async function importKeyPair(input: ImportInput, key: Uint8Array, leaf: CertInfo, certs: CertInfo[], store: Keystore, storepass: string, isNew: boolean): Promise<ImportResult> {
  const alias = (input.alias ?? aliasFromCert(leaf, true)).toLowerCase();
  if (input.alias !== undefined) checkAliasFits(store.type, alias, 'given');
  const { pool } = chainPool(input, certs, store);
  const built = buildChain(leaf, pool);
  const entry: StoredKeyEntry = { kind: 'key', alias, created: new Date(), chain: built.chain.map((c) => c.der), privateKey: key };
  // A second server key: the rule's refusal, told as what it is when a renewal was meant.
  const present = store.entries.find((e) => e.kind === 'key');
  const violation = present === undefined ? undefined : findRuleViolation([...store.entries, entry]);
  if (present !== undefined && violation !== undefined) throw new ServerKeyPresent(`${input.path}: refused: ${violation.message}`, present.alias);
  const clash = findEntry(store, alias);
  if (clash) throw new AliasTaken(`${input.path}: alias "${clash.alias}" already exists`, ExitCode.usage, clash.alias);
  store.entries.push(entry);
  await writeKeystoreFile(input.path, store, storepass, (a) => input.keyPassword(a, storepass), { create: isNew, force: false, access: input.access });
  return { action: 'key', alias, chain: built.chain.map((c) => certSummary(c)), complete: built.complete, createdKeystore: isNew, type: store.type };
}

async function addTrusted(input: ImportInput, certs: CertInfo[], store: Keystore, storepass: string, isNew: boolean): Promise<ImportResult> {
  const cert = certs[0] as CertInfo;
  const same = store.entries.find((e) => e.kind === 'trusted' && sameBytes(e.cert, cert.der));
  if (same) return { action: 'unchanged', alias: same.alias, cert: certSummary(cert), type: store.type };
  const alias = input.alias ?? aliasFromCert(cert);
  if (input.alias !== undefined) checkAliasFits(store.type, alias.toLowerCase(), 'given');
  const clash = findEntry(store, alias);
  if (clash) throw new AliasTaken(`${input.path}: alias "${clash.alias}" already exists`, ExitCode.usage, clash.alias);
  const entries: StoredEntry[] = [...store.entries, { kind: 'trusted', alias, created: new Date(), cert: cert.der }];
  // The rule first: a refusal must not be preceded by a pointless question.
  enforceRule(input.path, entries);
  if (!(await input.confirm('Trust this certificate?', certSummary(cert)))) {
    throw new MailcertError('the certificate was not added', ExitCode.usage);
  }
  store.entries = entries;
  await writeKeystoreFile(input.path, store, storepass, (a) => input.keyPassword(a, storepass), { create: isNew, force: false, access: input.access });
  return { action: 'trusted', alias, cert: certSummary(cert), createdKeystore: isNew, type: store.type, ignored: certs.length - 1 };
}
