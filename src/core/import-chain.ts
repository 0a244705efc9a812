/**
 * `mailcert import-chain`: root and intermediate CA certificates as trusted entries, the step
 * before a CA reply can be installed (Hedwig / James guides). Only CAs (basicConstraints CA:TRUE)
 * are taken: a server certificate given here is refused, whole, before anything is written.
 */
import type { StoredEntry } from '../codec/model.js';
import { inputError, ExitCode, MailcertError } from '../errors.js';
import { exists, type FileAccess } from '../keystore/files.js';
import { withFileLock } from '../keystore/lock.js';
import { checkAliasFits, readKeystoreFile, typeForNewStore, writeKeystoreFile, type Keystore } from '../keystore/keystore.js';
import { sameBytes } from '../codec/bytes.js';
import { uniqueCerts } from './chain.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { AliasTaken } from './errors.js';
import { aliasFromCert } from './import.js';
import { notesOf } from '../keystore/read-notes.js';

export interface ImportChainInput {
  path: string;
  certs: Uint8Array[];
  alias?: string;
  storetype?: string;
  storePassword: (isNew: boolean) => Promise<string>;
  keyPassword: (alias: string, storepass: string) => Promise<string>;
  confirm: (question: string, cert: CertSummary) => Promise<boolean>;
  /** --key-mode / --key-group. */
  access?: FileAccess;
}

export interface ImportChainResult {
  type: string;
  createdKeystore: boolean;
  added: { alias: string; cert: CertSummary }[];
  /** Already in the keystore under another alias: left as they are. */
  present: { alias: string; cert: CertSummary }[];
  /** What mailcert had to say about reading the keystore (keystore/read-notes.ts), when anything. */
  notes?: string[];
}

export async function importChain(input: ImportChainInput): Promise<ImportChainResult> {
  const certs = uniqueCerts(input.certs);
  if (certs.length === 0) throw inputError('no certificate to import');
  const notCa = certs.find((c) => c.basicConstraints?.ca !== true);
  if (notCa) {
    throw new MailcertError(
      `refused: "${notCa.subject.text}" is not a CA certificate (no basicConstraints CA:TRUE)`,
      ExitCode.badInput,
      'import-chain takes root and intermediate CAs; a CA reply for your key goes through mailcert import, a server certificate into a truststore without a key',
    );
  }
  // Locked from the read to the write: two runs at once both get their certificates in.
  return withFileLock(input.path, 'keystore', () => addCertificates(input, certs));
}

async function addCertificates(input: ImportChainInput, certs: ReturnType<typeof uniqueCerts>): Promise<ImportChainResult> {
  const isNew = !exists(input.path);
  const storepass = await input.storePassword(isNew);
  const store: Keystore = isNew
    ? { type: typeForNewStore(input.path, input.storetype), entries: [], integrityChecked: true }
    : await readKeystoreFile(input.path, () => Promise.resolve(storepass));
  const taken = new Set(store.entries.map((e) => e.alias.toLowerCase()));
  const added: ImportChainResult['added'] = [];
  const present: ImportChainResult['present'] = [];
  const entries: StoredEntry[] = [...store.entries];
  certs.forEach((c, i) => {
    const existing = store.entries.find((e) => e.kind === 'trusted' && sameBytes(e.cert, c.der));
    if (existing) {
      present.push({ alias: existing.alias, cert: certSummary(c) });
      return;
    }
    // --alias names the first; the others get -1, -2, ... (CLI.md); without it, the CN.
    let alias = input.alias !== undefined ? (i === 0 ? input.alias : `${input.alias}-${i}`) : aliasFromCert(c);
    if (input.alias !== undefined) checkAliasFits(store.type, alias.toLowerCase(), 'given');
    if (input.alias !== undefined && taken.has(alias.toLowerCase())) {
      throw new AliasTaken(`${input.path}: alias "${alias}" already exists`, ExitCode.usage, alias);
    }
    for (let n = 2; taken.has(alias.toLowerCase()); n++) alias = `${aliasFromCert(c)}-${n}`;
    taken.add(alias.toLowerCase());
    entries.push({ kind: 'trusted', alias, created: new Date(), cert: c.der });
    added.push({ alias, cert: certSummary(c) });
  });
  for (const a of added) {
    if (!(await input.confirm(`Trust this CA certificate (as "${a.alias}")?`, a.cert))) {
      throw new MailcertError('the certificates were not added', ExitCode.usage);
    }
  }
  if (added.length > 0) {
    store.entries = entries;
    await writeKeystoreFile(input.path, store, storepass, (a) => input.keyPassword(a, storepass), { create: isNew, force: false, access: input.access });
  }
  return { type: store.type, createdKeystore: isNew && added.length > 0, added, present, ...notesOf(store) };
}
