/**
 * PKCS#12 (RFC 7292) keystores: decode what keytool (JDK 17, default and legacy), OpenSSL 3
 * (default and -legacy) and pkijs/Windows (BER) write, the way the JDK reads them
 * (PKCS12KeyStore.engineLoad / loadSafeContents); the JDK 17 layout is written by pkcs12-encode.ts.
 * Like engineLoad, decoding checks the MAC and decrypts the certificate safes but leaves private
 * keys encrypted until one is asked for (pkcs12RecoverKey, engineGetKey), all of it paid for from
 * the file's key-derivation budget (kdf.ts).
 *
 *   PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }
 *   AuthenticatedSafe ::= SEQUENCE OF ContentInfo   -- data or encryptedData, each holding SafeContents
 *   SafeContents ::= SEQUENCE OF SafeBag
 *   SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF Attribute OPTIONAL }
 *
 * Only this module (and the codecs it imports) is loaded when a PKCS#12 file is handled.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  type Asn1Node,
  OID,
  algorithmIdentifier,
  at,
  bmpString,
  contentOffset,
  explicit,
  fail,
  implicitOctets,
  isContext,
  objectId,
  octetString,
  parseBer,
  sequence,
  setOf,
  smallInteger,
} from './asn1.js';
import { toDer } from './der.js';
import { CodecError } from './errors.js';
import { KdfBudget, MAX_ITERATIONS, pkcs12PasswordCandidates } from './kdf.js';
import type { Der, StoredTrustedEntry } from './model.js';
import { decryptWithAlgorithm, pbeRounds } from './pbe.js';
import { type CertInfo, bytesEqual, findIssuer, isSelfSigned, readCertificate } from './pkcs12-certs.js';
import { computeMac } from './pkcs12-encode.js';
import { decryptEpki, privateKeyInfo } from './pkcs8.js';

export { encodePkcs12, type Pkcs12EncodeOptions, type Pkcs12Entry } from './pkcs12-encode.js';
import type { Pkcs12Entry } from './pkcs12-encode.js';

const FORMAT = 'PKCS#12';


/**
 * Which writer the file looks like, from the order of its AuthenticatedSafe (the JDK writes keys
 * then certificates, OpenSSL certificates then keys) and its certificate encryption (PBES2, or
 * the PKCS#12 PBE of the legacy layouts). A hint for messages, not a guarantee.
 */
export type Pkcs12Layout = 'jdk' | 'jdk-legacy' | 'openssl' | 'openssl-legacy' | 'passwordless' | 'other';

export interface Pkcs12Decoded {
  entries: Pkcs12Entry[];
  /** The MAC as the JDK names it ("HmacPBESHA256", "HmacPBESHA1"); absent when the file has none. */
  macAlgorithm?: string;
  /** True when a MAC was present and matched the password. */
  macChecked: boolean;
  layout: Pkcs12Layout;
}

export interface Pkcs12DecodeOptions {
  /**
   * What the file's key derivations may cost (kdf.ts); pass the same budget to pkcs12RecoverKey
   * for the file's keys. A fresh FILE_KDF_BUDGET by default.
   */
  budget?: KdfBudget;
}

/**
 * Decodes a PKCS#12 file. With `password` undefined only a store without a MAC and encrypted
 * safes opens (PKCS12KeyStore.isPasswordless); anything else is a CodecError ('password') so the
 * caller can ask for one. Key entries from shrouded key bags keep the bag's
 * EncryptedPrivateKeyInfo as `protectedKey` (pkcs12RecoverKey decrypts it); plain keyBags give
 * `privateKey` at once.
 */
export function decodePkcs12(bytes: Uint8Array, password: string | undefined, opts: Pkcs12DecodeOptions = {}): Pkcs12Decoded {
  const budget = opts.budget ?? new KdfBudget(FORMAT);
  const root = parseBer(bytes, FORMAT);
  const pfx = sequence(root, 'PFX', 2, 3);
  const version = smallInteger(at(pfx, 0, root, 'PFX'), 'PFX version');
  if (version !== 3) throw fail(root, `version ${version}, expected 3 (PKCS12KeyStore: "not in version 3 format")`);

  const authSafeInfo = contentInfo(at(pfx, 1, root, 'PFX'), 'authSafe');
  if (authSafeInfo.type === OID.signedData) {
    throw new CodecError('unsupported', FORMAT, 'public-key integrity mode (signedData) is not supported', authSafeInfo.node.offset);
  }
  if (authSafeInfo.type !== OID.data) throw fail(authSafeInfo.node, `authSafe content type ${authSafeInfo.type}, expected data`);
  const authSafeNode = requireContent(authSafeInfo, 'authSafe');
  const authSafeBytes = octetString(authSafeNode, 'authSafe content');
  const authSafeRoot = parseBer(authSafeBytes, FORMAT, authSafeNode.constructed ? authSafeNode.offset : contentOffset(authSafeNode));
  const safes = sequence(authSafeRoot, 'AuthenticatedSafe').map(readSafe);
  const macNode = pfx[2];

  const mac = macNode === undefined ? undefined : readMacData(macNode);
  // What the MAC and the safes ask for, checked against the budget before any of it runs (and
  // before a password is asked for): a file that asks for too much is refused at once.
  let planned = mac?.iterations ?? 0;
  for (const safe of safes) if (safe.kind === 'encrypted') planned += pbeRounds(safe.algorithm);
  budget.ensure(planned, root.offset);
  if (password === undefined && (mac !== undefined || safes.some((s) => s.kind === 'encrypted'))) {
    throw new CodecError('password', FORMAT, 'the keystore is password-protected: a password is needed');
  }
  let macChecked = false;
  // Verified before anything is decrypted, so a wrong password is an integrity error, as keytool says.
  if (mac !== undefined && password !== undefined) {
    verifyMac(mac, password, authSafeBytes, budget);
    macChecked = true;
  }

  const state = newLoadState();
  for (const safe of safes) {
    if (safe.kind === 'data') loadSafeContents(safe.contents, state, 0);
    else {
      // password is defined here: encrypted safes without one were refused above.
      const plain = decryptWithAlgorithm(safe.algorithm, password ?? '', safe.ciphertext, FORMAT, budget);
      loadSafeContents(parseBer(plain, FORMAT, safe.node.offset), state, 0);
    }
  }
  const macAlgorithm = mac?.name;
  const macSaltLength = mac?.salt.length;
  const entries = matchChains(state);
  const layout = guessLayout(safes, macNode !== undefined, macSaltLength);
  return macAlgorithm === undefined ? { entries, macChecked, layout } : { entries, macAlgorithm, macChecked, layout };
}

interface ContentInfo {
  type: string;
  content?: Asn1Node;
  node: Asn1Node;
}

/** ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL } (RFC 2315 7). */
function contentInfo(node: Asn1Node, what: string): ContentInfo {
  const parts = sequence(node, `${what} ContentInfo`, 1, 2);
  const type = objectId(at(parts, 0, node, what), `${what} content type`);
  const wrapped = parts[1];
  return wrapped === undefined ? { type, node } : { type, content: explicit(wrapped, 0, `${what} content`), node };
}

function requireContent(info: ContentInfo, what: string): Asn1Node {
  if (info.content === undefined) throw fail(info.node, `${what} has no content`);
  return info.content;
}

type Safe =
  | { kind: 'data'; contents: Asn1Node; node: Asn1Node }
  | { kind: 'encrypted'; algorithm: Asn1Node; algorithmOid: string; ciphertext: Uint8Array; node: Asn1Node };

function readSafe(node: Asn1Node): Safe {
  const info = contentInfo(node, 'AuthenticatedSafe');
  if (info.type === OID.data) {
    const content = requireContent(info, 'data');
    const bytes = octetString(content, 'data content');
    return { kind: 'data', contents: parseBer(bytes, FORMAT, content.constructed ? content.offset : contentOffset(content)), node };
  }
  if (info.type === OID.encryptedData) {
    // EncryptedData ::= SEQUENCE { version INTEGER, encryptedContentInfo, unprotectedAttrs [1] OPTIONAL } (RFC 5652 8)
    const ed = requireContent(info, 'encryptedData');
    const parts = sequence(ed, 'EncryptedData', 2, 3);
    smallInteger(at(parts, 0, ed, 'EncryptedData'), 'EncryptedData version');
    const eciNode = at(parts, 1, ed, 'EncryptedData');
    // EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm,
    //   encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }; the JDK requires the content too.
    const eci = sequence(eciNode, 'EncryptedContentInfo', 3, 3);
    objectId(at(eci, 0, eciNode, 'EncryptedContentInfo'), 'encrypted content type');
    const algorithm = at(eci, 1, eciNode, 'EncryptedContentInfo');
    const algorithmOid = algorithmIdentifier(algorithm, 'content encryption algorithm').oid;
    const contentNode = at(eci, 2, eciNode, 'EncryptedContentInfo');
    if (!isContext(contentNode, 0)) throw fail(contentNode, 'encryptedContent: expected [0]');
    return { kind: 'encrypted', algorithm, algorithmOid, ciphertext: implicitOctets(contentNode, 'encryptedContent'), node: contentNode };
  }
  if (info.type === OID.envelopedData) {
    throw new CodecError('unsupported', FORMAT, 'public-key privacy mode (envelopedData) is not supported', node.offset);
  }
  throw fail(node, `AuthenticatedSafe content type ${info.type} is not data or encryptedData`);
}

// --- MAC (RFC 7292 4 and Appendix B)

interface MacData {
  hash: string;
  name: string;
  digest: Uint8Array;
  salt: Uint8Array;
  iterations: number;
}

const MAC_HASHES: Record<string, { hash: string; name: string }> = {
  [OID.sha1]: { hash: 'sha1', name: 'HmacPBESHA1' },
  [OID.sha224]: { hash: 'sha224', name: 'HmacPBESHA224' },
  [OID.sha256]: { hash: 'sha256', name: 'HmacPBESHA256' },
  [OID.sha384]: { hash: 'sha384', name: 'HmacPBESHA384' },
  [OID.sha512]: { hash: 'sha512', name: 'HmacPBESHA512' },
  [OID.sha512_224]: { hash: 'sha512-224', name: 'HmacPBESHA512/224' },
  [OID.sha512_256]: { hash: 'sha512-256', name: 'HmacPBESHA512/256' },
};

/** MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 } */
function readMacData(node: Asn1Node): MacData {
  const parts = sequence(node, 'MacData', 2, 3);
  const digestInfo = at(parts, 0, node, 'MacData');
  const di = sequence(digestInfo, 'MAC DigestInfo', 2, 2);
  const alg = algorithmIdentifier(at(di, 0, digestInfo, 'DigestInfo'), 'MAC digest algorithm');
  if (alg.oid === OID.pbmac1) throw new CodecError('unsupported', FORMAT, 'PBMAC1 integrity (RFC 9579) is not supported', alg.node.offset);
  const known = MAC_HASHES[alg.oid];
  if (known === undefined) throw new CodecError('unsupported', FORMAT, `MAC digest ${alg.oid} is not supported`, alg.node.offset);
  const digest = octetString(at(di, 1, digestInfo, 'DigestInfo'), 'MAC digest');
  const salt = octetString(at(parts, 1, node, 'MacData'), 'MAC salt');
  const itNode = parts[2];
  const iterations = itNode === undefined ? 1 : smallInteger(itNode, 'MAC iteration count');
  // PKCS12KeyStore refuses MAC iteration counts above MAX_ITERATION_COUNT.
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw fail(itNode ?? node, `MAC iteration count ${iterations} is out of range (1 to ${MAX_ITERATIONS})`);
  }
  return { ...known, digest, salt, iterations };
}

/**
 * HMAC over the AuthenticatedSafe content octets with a key from the PKCS#12 KDF (ID 3, length of
 * the hash). An empty password is tried both ways (RetryWithZero), each paid for.
 */
function verifyMac(mac: MacData, password: string, authSafe: Uint8Array, budget: KdfBudget): void {
  for (const pw of pkcs12PasswordCandidates(password)) {
    budget.charge(mac.iterations, 1);
    const computed = computeMac(mac.hash, pw, mac.salt, mac.iterations, authSafe);
    if (computed.length === mac.digest.length && timingSafeEqual(computed, mac.digest)) return;
  }
  throw new CodecError('integrity', FORMAT, 'keystore password is incorrect or the file was changed');
}

// --- SafeContents (PKCS12KeyStore.loadSafeContents)

interface KeyRecord {
  kind: 'key';
  alias: string;
  keyId: Uint8Array;
  created: Date;
  /** A plain keyBag's PrivateKeyInfo, or a shrouded key bag's EncryptedPrivateKeyInfo (DER). */
  key: { privateKey: Der } | { protectedKey: Der };
  chain: Der[];
}

interface LoadState {
  /** Counts key bags as they are met, as the JDK does; its "only one key" test reads it mid-load. */
  privateKeyCount: number;
  /** getUnfriendlyName: "1", "2", ... shared by keys and trusted certificates. */
  counter: number;
  /** Entries by lowercased alias; a later bag with the same alias replaces an earlier one. */
  entries: Map<string, KeyRecord | StoredTrustedEntry>;
  keyList: KeyRecord[];
  /** Certificate bags without the trusted-key-usage attribute: chain material only. */
  certEntries: { cert: CertInfo; keyId?: Uint8Array; alias?: string }[];
  allCerts: CertInfo[];
}

function newLoadState(): LoadState {
  return { privateKeyCount: 0, counter: 0, entries: new Map(), keyList: [], certEntries: [], allCerts: [] };
}

/** Nested safeContentsBags deeper than this are refused (OpenSSL reads nesting; the JDK does not). */
const MAX_BAG_NESTING = 8;

function loadSafeContents(node: Asn1Node, state: LoadState, depth: number): void {
  if (depth > MAX_BAG_NESTING) throw fail(node, 'safeContentsBag nesting is too deep');
  const bags = sequence(node, 'SafeContents');
  bags.forEach((bagNode, i) => {
    const parts = sequence(bagNode, 'SafeBag', 2, 3);
    const bagId = objectId(at(parts, 0, bagNode, 'SafeBag'), 'bag type');
    const value = explicit(at(parts, 1, bagNode, 'SafeBag'), 0, 'bag value');
    const attrNode = parts[2];
    const attrs = attrNode === undefined ? {} : readAttributes(attrNode);

    if (bagId === OID.pkcs8ShroudedKeyBag || bagId === OID.keyBag) {
      // The JDK reads only pkcs8ShroudedKeyBag; OpenSSL also writes plain keyBags (-keypbe NONE) and
      // reads them, so they count the same here.
      state.privateKeyCount++;
      loadKeyBag(bagId, value, attrs, state);
    } else if (bagId === OID.certBag) {
      const cert = readCertBag(value);
      if (cert !== undefined) loadCertBag(cert, attrs, i, state);
    } else if (bagId === OID.safeContentsBag) {
      loadSafeContents(value, state, depth + 1);
    }
    // crlBag, secretBag and unknown bags are not entries here (StoredSecretEntry is JCEKS's).
  });
}

interface BagAttributes {
  friendlyName?: string;
  localKeyId?: Uint8Array;
  trustedKeyUsage?: string[];
}

/** Attribute ::= SEQUENCE { attrId OID, attrValues SET OF ANY }: each needs a value (the JDK checks). */
function readAttributes(node: Asn1Node): BagAttributes {
  const out: BagAttributes = {};
  for (const attr of setOf(node, 'bag attributes')) {
    const parts = sequence(attr, 'bag attribute', 2, 2);
    const id = objectId(at(parts, 0, attr, 'bag attribute'), 'attribute type');
    const valuesNode = at(parts, 1, attr, 'bag attribute');
    const values = setOf(valuesNode, `attribute ${id} values`, 1);
    const first = at(values, 0, valuesNode, `attribute ${id}`);
    if (id === OID.friendlyName) out.friendlyName = bmpString(first, 'friendlyName');
    else if (id === OID.localKeyId) out.localKeyId = octetString(first, 'localKeyId');
    else if (id === OID.oracleTrustedKeyUsage) out.trustedKeyUsage = values.map((v) => objectId(v, 'trusted key usage'));
  }
  return out;
}

const KEY_ID_01 = new TextEncoder().encode('01');

function loadKeyBag(bagId: string, value: Asn1Node, attrs: BagAttributes, state: LoadState): void {
  let keyId = attrs.localKeyId;
  if (keyId === undefined) {
    // A key without localKeyId cannot be matched to its certificate: skipped, unless it is the
    // first key met, which gets "01" (the JDK's workaround for files with one key and no ids).
    if (state.privateKeyCount !== 1) return;
    keyId = KEY_ID_01;
  }
  let key: KeyRecord['key'];
  if (bagId === OID.keyBag) {
    const privateKey = value.encoded.slice();
    try {
      privateKeyInfo(privateKey);
    } catch (e) {
      if (e instanceof CodecError) throw fail(value, `keyBag: not a PrivateKeyInfo (${e.message})`);
      throw e;
    }
    key = { privateKey };
  } else {
    // Kept encrypted, as the JDK keeps protectedPrivKey until engineGetKey: listing a store never
    // needs the key. Only its shape is checked here; the DER form is what gets written back.
    const parts = sequence(value, 'EncryptedPrivateKeyInfo', 2, 2);
    algorithmIdentifier(at(parts, 0, value, 'EncryptedPrivateKeyInfo'), 'key encryption algorithm');
    octetString(at(parts, 1, value, 'EncryptedPrivateKeyInfo'), 'encrypted private key');
    key = { protectedKey: toDer(value.encoded, FORMAT) };
  }
  const alias = attrs.friendlyName ?? unfriendlyName(state);
  const record: KeyRecord = { kind: 'key', alias, keyId, created: dateFromKeyId(keyId) ?? new Date(), key, chain: [] };
  state.keyList.push(record);
  state.entries.set(alias.toLowerCase(), record);
}

function loadCertBag(cert: CertInfo, attrs: BagAttributes, index: number, state: LoadState): void {
  let keyId = attrs.localKeyId;
  // Only the first bag of its SafeContents gets "01", matching the single id-less key above.
  if (keyId === undefined && state.privateKeyCount === 1 && index === 0) keyId = KEY_ID_01;
  if (attrs.trustedKeyUsage !== undefined) {
    const alias = attrs.friendlyName ?? unfriendlyName(state);
    // CertEntry: a trusted entry's date is the load time, whatever its localKeyId says.
    state.entries.set(alias.toLowerCase(), { kind: 'trusted', alias, created: new Date(), cert: cert.der });
  } else {
    const ce: LoadState['certEntries'][number] = { cert };
    if (keyId !== undefined) ce.keyId = keyId;
    if (attrs.friendlyName !== undefined) ce.alias = attrs.friendlyName;
    state.certEntries.push(ce);
  }
  state.allCerts.push(cert);
}

function unfriendlyName(state: LoadState): string {
  state.counter++;
  return String(state.counter);
}

/** "Time <epoch ms>" as the JDK writes localKeyId (engineStore); Long.parseLong accepts a sign. */
function dateFromKeyId(keyId: Uint8Array): Date | undefined {
  const s = Buffer.from(keyId).toString('utf8');
  const m = /^Time ([+-]?\d{1,19})$/.exec(s);
  if (m === null) return undefined;
  const d = new Date(Number(m[1]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING }; non-X.509 bags are ignored. */
function readCertBag(value: Asn1Node): CertInfo | undefined {
  const parts = sequence(value, 'CertBag', 2, 2);
  const certId = objectId(at(parts, 0, value, 'CertBag'), 'certificate type');
  const certNode = explicit(at(parts, 1, value, 'CertBag'), 0, 'certificate value');
  if (certId !== OID.x509Certificate) return undefined;
  const der = octetString(certNode, 'certificate').slice();
  return readCertificate(der, certNode.constructed ? certNode.offset : contentOffset(certNode));
}

/** PKCS12KeyStore.findMatchedCertificate: localKeyId and alias, else localKeyId, else alias. */
function findLeaf(key: KeyRecord, state: LoadState): CertInfo | undefined {
  let idMatch: CertInfo | undefined;
  let aliasMatch: CertInfo | undefined;
  const alias = key.alias.toLowerCase();
  for (const ce of state.certEntries) {
    const sameAlias = ce.alias !== undefined && ce.alias.toLowerCase() === alias;
    if (ce.keyId !== undefined && bytesEqual(ce.keyId, key.keyId)) {
      if (sameAlias) return ce.cert;
      idMatch = ce.cert;
    } else if (sameAlias) aliasMatch = ce.cert;
  }
  return idMatch ?? aliasMatch;
}

/** engineLoad's last step: each key gets leaf, issuers ... up to a self-signed certificate. */
function matchChains(state: LoadState): Pkcs12Entry[] {
  for (const key of state.keyList) {
    const chain: CertInfo[] = [];
    for (let cert = findLeaf(key, state); cert !== undefined; cert = findIssuer(cert, state.allCerts)) {
      const c = cert;
      if (chain.some((x) => bytesEqual(x.der, c.der))) break;
      chain.push(c);
      if (isSelfSigned(c)) break;
    }
    key.chain = chain.map((c) => c.der);
  }
  return [...state.entries.values()].map((e): Pkcs12Entry =>
    e.kind === 'key' ? { kind: 'key', alias: e.alias, created: e.created, chain: e.chain, ...e.key } : e,
  );
}

function guessLayout(safes: readonly Safe[], hasMac: boolean, macSaltLength: number | undefined): Pkcs12Layout {
  const firstEncrypted = safes.findIndex((s) => s.kind === 'encrypted');
  const firstData = safes.findIndex((s) => s.kind === 'data');
  if (firstEncrypted === -1) return hasMac ? 'other' : 'passwordless';
  const enc = safes[firstEncrypted];
  const legacy = enc?.kind === 'encrypted' && enc.algorithmOid !== OID.pbes2 ? '-legacy' : '';
  // The JDK writes 20-byte salts, OpenSSL 8-byte ones: the tie-breaker for certificate-only stores.
  const jdk = firstData !== -1 ? firstData < firstEncrypted : macSaltLength === 20;
  return jdk ? `jdk${legacy}` : `openssl${legacy}`;
}

/**
 * PKCS12KeyStore.engineGetKey: the PrivateKeyInfo DER of a key entry's shrouded key
 * (`protectedKey` from decodePkcs12), decrypted with the password given for the key (keytool and
 * openssl encrypt keys under the store password). A wrong password is CodecError('password').
 */
export function pkcs12RecoverKey(protectedKey: Der, password: string, budget: KdfBudget = new KdfBudget(FORMAT)): Der {
  return decryptEpki(parseBer(protectedKey, FORMAT), password, FORMAT, budget);
}
