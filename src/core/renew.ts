/**
 * Renewal in place (`mailcert import --key KEY --file CHAIN --replace`): the server key entry of a
 * keystore gives way to a new key and its chain in one atomic write, under the keystore's lock.
 * What keytool users do in two steps (keytool -delete, then keytool -importkeystore of a PKCS#12
 * made from the PEM pair) and what their servers need kept is kept: the alias, the store type, the
 * store password and the key password. A JKS key made with a password of its own (keytool
 * -genkeypair -keypass) keeps it: the new key is protected with the password that opens the old
 * one, found as keytool finds it (the store password, else the one given or asked for), so the
 * server's configuration still opens the keystore after the swap.
 *
 * Everything that can refuse does so before the write: a key its certificate does not match, a
 * chain with certificates of another key, a key password that does not open the old key, and the
 * rule (keystore/rules.ts). The same holds for PKCS#12, whose key bags the JDK encrypts one by one
 * (PKCS12KeyStore.engineSetKeyEntry): a key of its own password there keeps it too.
 */
import type { StoredKeyEntry } from '../codec/model.js';
import type { CertInfo } from '../codec/x509/certificate.js';
import { ExitCode } from '../errors.js';
import { checkAliasFits, writeKeystoreFile, type Keystore } from '../keystore/keystore.js';
import type { FileAccess } from '../keystore/files.js';
import { sameBytes } from '../codec/bytes.js';
import { buildChain } from './chain.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { AliasTaken, NotInChain, TooManyServerKeys } from './errors.js';
import { findEntry } from './entries.js';
import { openKeyEntry, type KeyPasswordSource } from './key-passwords.js';

export interface ReplaceInput {
  path: string;
  store: Keystore;
  storepass: string;
  /** The entry that gives way (serverKeyEntry). */
  old: StoredKeyEntry;
  /** PKCS#8 of the new key. */
  key: Uint8Array;
  /** The new key's certificate, and the certificates the chain may be built from. */
  leaf: CertInfo;
  pool: readonly CertInfo[];
  /** --alias: the new entry's name; default the old one's. */
  alias?: string;
  /** How to find the old key's password when the store password does not open it. */
  keyPassword: KeyPasswordSource;
  access?: FileAccess;
}

export interface Replaced {
  alias: string;
  chain: CertSummary[];
  complete: boolean;
  type: string;
  /** The entry replaced and its certificate (none when it held no chain). */
  previous: { alias: string; cert?: CertSummary };
  /** The new key's password: the store password, or the old key's own password, kept. */
  keyPassword: 'store' | 'own';
}

/**
 * The one server key entry a renewal replaces: undefined when there is none (the key is then
 * simply added); with several (a keystore made by another tool), the one named `alias`.
 */
export function serverKeyEntry(path: string, store: Keystore, alias: string | undefined): StoredKeyEntry | undefined {
  const keys = store.entries.filter((e): e is StoredKeyEntry => e.kind === 'key');
  if (keys.length <= 1) return keys[0];
  const named = alias === undefined ? undefined : keys.find((k) => k.alias.toLowerCase() === alias.toLowerCase());
  if (named !== undefined) return named;
  throw new TooManyServerKeys(`${path}: refused: the keystore holds ${keys.length} server keys (${keys.map((k) => `"${k.alias}"`).join(', ')}) and a renewal replaces one`, keys.map((k) => k.alias));
}

/**
 * Refuses certificates that are not in the chain of the key's certificate, built from the given
 * certificates alone: a fullchain.pem of another server, or an intermediate of another CA, would
 * otherwise be dropped without a word and the server left sending an incomplete chain.
 */
export function checkChainIsForKey(leaf: CertInfo, given: readonly CertInfo[]): void {
  const { chain } = buildChain(leaf, given);
  const strays = given.filter((c) => !chain.some((x) => sameBytes(x.der, c.der)));
  if (strays.length > 0) throw new NotInChain(leaf.subject.text, strays.map((c) => c.subject.text));
}

export async function replaceKeyEntry(input: ReplaceInput): Promise<Replaced> {
  const { path, store, old } = input;
  const alias = (input.alias ?? old.alias).toLowerCase();
  if (input.alias !== undefined) checkAliasFits(store.type, alias, 'given');
  const clash = findEntry(store, alias);
  if (clash !== undefined && clash !== old) throw new AliasTaken(`${path}: alias "${clash.alias}" already exists`, ExitCode.usage, clash.alias);
  const built = buildChain(input.leaf, input.pool);
  // The old key's password, found before anything else is asked or written: the new key gets it.
  const opened = await openKeyEntry(path, store, old, input.storepass, input.keyPassword);
  const entry: StoredKeyEntry = { kind: 'key', alias, created: new Date(), chain: built.chain.map((c) => c.der), privateKey: input.key };
  const previous = { alias: old.alias, ...(old.chain[0] === undefined ? {} : { cert: certSummary(old.chain[0]) }) };
  store.entries = store.entries.map((e) => (e === old ? entry : e));
  await writeKeystoreFile(path, store, input.storepass, () => Promise.resolve(opened.password), { create: false, force: false, access: input.access });
  return {
    alias,
    chain: built.chain.map((c) => certSummary(c)),
    complete: built.complete,
    type: store.type,
    previous,
    keyPassword: opened.isStorePassword ? 'store' : 'own',
  };
}
