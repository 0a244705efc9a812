/**
 * JKS keystores (magic FEEDFEED), read in versions 1 and 2 and written in version 2, following
 * openjdk sun/security/provider/JavaKeyStore.java (engineLoad / engineStore) and
 * keystore-formats.md sections 1 and 7. The file is DataOutputStream output:
 *
 *   u32 magic, u32 version, u32 count, count x entry, 20-byte SHA-1 integrity digest
 *   entry: u32 tag (1 key, 2 trusted), UTF alias, u64 date (ms), then
 *     tag 1: u32 len + EncryptedPrivateKeyInfo, u32 n, n x (UTF "X.509" [v2 only], u32 len + cert)
 *     tag 2: UTF "X.509" [v2 only], u32 len + cert
 *
 * The reader here is shared with JCEKS (same layout, plus tag 3; codec/jceks.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ByteReader, ByteWriter, sameBytes } from './bytes.js';
import { CodecError } from './errors.js';
import { OID } from './asn1/oid.js';
import { encodeOidContents, encodeUtf16be } from './asn1/writer.js';
import type { StoredEntry, StoredKeyEntry, StoredSecretEntry, StoredTrustedEntry } from './model.js';
import { readJavaUtf, writeJavaUtf } from './mutf8.js';
import { oidText, parseEncryptedPrivateKeyInfo } from './pkcs8-encrypted.js';

/** KeyProtector.KEY_PROTECTOR_OID as DER contents: what a JKS key entry's EncryptedPrivateKeyInfo names (src/crypto/jks-keyprotector.ts). */
export const KEY_PROTECTOR_OID = encodeOidContents(OID.jdkKeyProtector);

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;

const DIGEST_LEN = 20;
const TAG_KEY = 1;
const TAG_TRUSTED = 2;
const TAG_SECRET = 3;
/** The smallest possible entry (v1 trusted entry with empty alias and cert): tag, alias, date, len. */
const MIN_ENTRY_LEN = 4 + 2 + 8 + 4;
/** Date's range: +-8.64e15 ms around 1970 (ECMA-262 21.4.1.1). */
const MAX_DATE_MS = 8_640_000_000_000_000n;

export interface DecodedKeyStore {
  /** Entries in file order, aliases exactly as stored. */
  entries: StoredEntry[];
  /** False when no store password was given, so the digest was not checked (keytool warns then). */
  integrityChecked: boolean;
}

/** What differs between the JKS and JCEKS readers. */
export interface JavaKeyStoreDialect {
  format: 'JKS' | 'JCEKS';
  magics: readonly number[];
  /** Reads a tag-3 secret-key entry after its alias and date (JCEKS only). */
  readSecret?: (r: ByteReader, alias: string, created: Date) => StoredSecretEntry;
}

const JKS: JavaKeyStoreDialect = { format: 'JKS', magics: [JKS_MAGIC] };

/**
 * Decodes a JKS file. With `storepass`, the integrity digest is verified (a wrong password and a
 * changed file look the same, as in the JDK); without it the digest is only required to be there.
 * Every entry is returned in file order, even a repeated alias (the JDK's Hashtable.put keeps only
 * the last one): deciding what to do about that is the keystore layer's policy, not the codec's.
 */
export function decodeJks(bytes: Uint8Array, storepass?: string): DecodedKeyStore {
  return decodeJavaKeyStore(bytes, storepass, JKS);
}

/** The JavaKeyStore.engineLoad / JceKeyStore.engineLoad reader, parameterized by dialect. */
export function decodeJavaKeyStore(
  bytes: Uint8Array,
  storepass: string | undefined,
  dialect: JavaKeyStoreDialect,
): DecodedKeyStore {
  const { format } = dialect;
  const r = new ByteReader(bytes, format);
  const magic = r.u32('magic');
  if (!dialect.magics.includes(magic)) {
    const hint = magic === JCEKS_MAGIC ? ' (this is a JCEKS keystore)' : magic === JKS_MAGIC ? ' (this is a JKS keystore)' : '';
    throw r.fail(`not a ${format} keystore: magic 0x${hex32(magic)}${hint}`, 0);
  }
  const version = r.u32('version');
  // engineLoad accepts VERSION_1 and VERSION_2 and nothing else ("Invalid keystore format").
  if (version !== 1 && version !== 2) throw r.fail(`unsupported ${format} version ${version}`, 4);

  const countAt = r.offset;
  const count = r.u32('entry count');
  // engineLoad loops `count` times; a count the rest of the file cannot hold is refused up front,
  // so a lying count is reported where it is rather than as a truncation somewhere later.
  if (count > Math.floor(Math.max(0, r.remaining - DIGEST_LEN) / MIN_ENTRY_LEN)) {
    throw r.fail(`entry count ${count} is more than the remaining ${r.remaining} bytes can hold`, countAt);
  }

  const entries: StoredEntry[] = [];
  for (let i = 0; i < count; i++) {
    const tagAt = r.offset;
    const tag = r.u32('entry tag');
    if (tag !== TAG_KEY && tag !== TAG_TRUSTED && !(tag === TAG_SECRET && dialect.readSecret)) {
      // engineLoad: IOException("Unrecognized keystore entry").
      throw r.fail(`unrecognized keystore entry tag ${tag} in entry ${i + 1} of ${count}`, tagAt);
    }
    const alias = readJavaUtf(r, 'alias');
    const created = readDate(r);
    if (tag === TAG_KEY) {
      entries.push(readKeyEntry(r, version, alias, created));
    } else if (tag === TAG_TRUSTED) {
      const cert = readCert(r, version, `certificate of "${alias}"`);
      entries.push({ kind: 'trusted', alias, created, cert } satisfies StoredTrustedEntry);
    } else if (dialect.readSecret) {
      entries.push(dialect.readSecret(r, alias, created));
    }
  }

  const bodyEnd = r.offset;
  // The JDK only reads the digest when it has a password; we always require it, since a file
  // without one was cut short. Bytes after it are ignored, as by the JDK (pyjks #21).
  const digest = r.bytes(DIGEST_LEN, 'integrity digest');
  if (storepass === undefined) return { entries, integrityChecked: false };
  if (!timingSafeEqual(storeDigest(storepass, r.slice(0, bodyEnd)), digest)) {
    // engineLoad: IOException("Keystore was tampered with, or password was incorrect").
    throw new CodecError('integrity', format, 'keystore password is incorrect or the file was changed', bodyEnd);
  }
  return { entries, integrityChecked: true };
}

function readKeyEntry(r: ByteReader, version: number, alias: string, created: Date): StoredKeyEntry {
  // Kept exactly as stored; KeyProtector.recover (jksRecoverKey) parses it when a key is needed.
  const protectedKey = r.bytes(readLength(r, `protected key of "${alias}"`));
  const nAt = r.offset;
  const n = r.u32('certificate count');
  const minCert = version === 1 ? 4 : 6;
  if (n > Math.floor(r.remaining / minCert)) {
    throw r.fail(`certificate count ${n} of "${alias}" is more than the remaining ${r.remaining} bytes can hold`, nAt);
  }
  const chain: Uint8Array[] = [];
  for (let j = 0; j < n; j++) chain.push(readCert(r, version, `certificate ${j + 1} of "${alias}"`));
  return { kind: 'key', alias, created, chain, protectedKey };
}

function readCert(r: ByteReader, version: number, what: string): Uint8Array {
  if (version === 2) {
    const typeAt = r.offset;
    const type = readJavaUtf(r, 'certificate type');
    // engineLoad asks CertificateFactory.getInstance(type); X.509 is the only type there is.
    if (type !== 'X.509') {
      throw new CodecError('unsupported', r.format, `${what} has type "${type}", only X.509 is supported`, typeAt);
    }
  }
  // A view into the file's bytes: certificates are never modified, and a large truststore's
  // copies would double its memory.
  return r.view(readLength(r, what), what);
}

/** A u32 length field, checked against what is left before anything is allocated. */
function readLength(r: ByteReader, what: string): number {
  const at = r.offset;
  const n = r.u32(`${what} length`);
  if (n > r.remaining) throw r.fail(`${what}: length ${n} is more than the ${r.remaining} bytes left`, at);
  return n;
}

/** The entry date: a Java long of milliseconds since 1970 (new Date(dis.readLong())). */
function readDate(r: ByteReader): Date {
  const at = r.offset;
  const ms = r.i64('creation date');
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) {
    throw r.fail(`creation date ${ms.toString()} ms is out of range`, at);
  }
  return new Date(Number(ms));
}

/**
 * JavaKeyStore.getPreKeyedHash + engineStore: SHA-1 over the password as UTF-16BE (each Java char,
 * high byte first, no terminator), the ASCII
 * whitener "Mighty Aphrodite", and every byte before the digest. JceKeyStore uses the same.
 */
export function storeDigest(storepass: string, body: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash('sha1').update(encodeUtf16be(storepass)).update('Mighty Aphrodite', 'latin1').update(body).digest(),
  );
}

/**
 * Encodes a JKS file, version 2, as JavaKeyStore.engineStore writes it: entries in the order given
 * (decode -> encode of an unchanged file is byte-identical), aliases lowercased, "X.509" types,
 * dates in ms, the digest last. Key entries must carry their KeyProtector `protectedKey`
 * (jksProtectKey). Secret entries and duplicate aliases are refused: callers check first.
 */
export function encodeJks(entries: StoredEntry[], storepass: string): Uint8Array {
  const w = new ByteWriter(4096);
  w.u32(JKS_MAGIC).u32(2).u32(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    // JavaKeyStore.convertAlias lowercases on every set and lookup, but engineLoad keeps aliases
    // as read: a mixed-case alias in the file makes keytool -list fail with "Alias <X> does not
    // exist" (pyjks #37/#38). toLowerCase, not toLocaleLowerCase: the JDK uses Locale.ENGLISH.
    const alias = e.alias.toLowerCase();
    if (seen.has(alias)) {
      throw new CodecError('unsupported', 'JKS', `duplicate alias "${alias}": JKS aliases are case-insensitive and unique`);
    }
    seen.add(alias);
    if (!Number.isFinite(e.created.getTime())) {
      throw new CodecError('unsupported', 'JKS', `entry "${alias}" has an invalid creation date`);
    }
    switch (e.kind) {
      case 'key': {
        const pk = requireKeyProtector(e, alias);
        w.u32(TAG_KEY);
        writeJavaUtf(w, alias, 'JKS', 'alias');
        w.i64(e.created.getTime());
        w.u32(pk.length).bytes(pk);
        w.u32(e.chain.length);
        for (const cert of e.chain) writeCert(w, cert);
        break;
      }
      case 'trusted':
        w.u32(TAG_TRUSTED);
        writeJavaUtf(w, alias, 'JKS', 'alias');
        w.i64(e.created.getTime());
        writeCert(w, e.cert);
        break;
      case 'secret':
        throw new CodecError('unsupported', 'JKS', `secret-key entry "${e.alias}" cannot be stored in a JKS keystore`);
    }
  }
  const body = w.toBytes();
  w.bytes(storeDigest(storepass, body));
  return w.toBytes();
}

function writeCert(w: ByteWriter, cert: Uint8Array): void {
  writeJavaUtf(w, 'X.509', 'JKS');
  w.u32(cert.length).bytes(cert);
}

/** A JKS key entry must hold a KeyProtector EPKI; a JCEKS 3DES key would be unreadable to JavaKeyStore. */
function requireKeyProtector(e: StoredKeyEntry, alias: string): Uint8Array {
  const pk = e.protectedKey;
  if (!pk) {
    throw new CodecError('unsupported', 'JKS', `key entry "${alias}" has no protected key: protect it with jksProtectKey first`);
  }
  const { oid } = parseEncryptedPrivateKeyInfo(pk, 'JKS');
  if (!sameBytes(oid, KEY_PROTECTOR_OID)) {
    throw new CodecError(
      'unsupported',
      'JKS',
      `key entry "${alias}" is protected with ${oidText(oid, 'JKS')}, not the JKS KeyProtector: recover it and use jksProtectKey`,
    );
  }
  return pk;
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
