/**
 * PKCS#12 (RFC 7292) keystores: decode what keytool (JDK 17, default and legacy), OpenSSL 3
 * (default and -legacy) and pkijs/Windows (BER) write, the way the JDK reads them
 * (PKCS12KeyStore.engineLoad / loadSafeContents); encode the JDK 17 layout (engineStore).
 *
 *   PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }
 *   AuthenticatedSafe ::= SEQUENCE OF ContentInfo   -- data or encryptedData, each holding SafeContents
 *   SafeContents ::= SEQUENCE OF SafeBag
 *   SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF Attribute OPTIONAL }
 *
 * Only this module (and the codecs it imports) is loaded when a PKCS#12 file is handled.
 */
import { X509Certificate, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type Asn1Node,
  OID,
  UNIVERSAL,
  algorithmIdentifier,
  at,
  bmpString,
  contentOffset,
  derAlgorithm,
  derBmpString,
  derExplicit,
  derImplicitPrimitive,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derSetOf,
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
import { CodecError } from './errors.js';
import type { Der, StoredKeyEntry, StoredTrustedEntry } from './model.js';
import {
  MAX_ITERATIONS,
  bmpPassword,
  decryptWithAlgorithm,
  encryptPbes2,
  encryptPkcs12Pbe,
  pkcs12Kdf,
  pkcs12PasswordCandidates,
} from './pbe.js';
import { decryptEpki, privateKeyInfo } from './pkcs8.js';

const FORMAT = 'PKCS#12';

export type Pkcs12Entry = StoredKeyEntry | StoredTrustedEntry;

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

export interface Pkcs12EncodeOptions {
  /** The JDK legacy layout (-J-Dkeystore.pkcs12.legacy): 3DES keys, RC2-40 certificates, SHA-1 MAC. */
  legacy?: boolean;
  /** Iterations for key, certificate and MAC protection alike (default: the JDK's for the layout). */
  iterations?: number;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes a PKCS#12 file. With `password` undefined only a password-less store opens (no MAC,
 * nothing encrypted, as PKCS12KeyStore.isPasswordless); anything protected is a CodecError
 * ('password') so the caller can ask for one.
 */
export function decodePkcs12(bytes: Uint8Array, password: string | undefined): Pkcs12Decoded {
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

  if (password === undefined && (macNode !== undefined || safes.some((s) => s.kind === 'encrypted'))) {
    throw new CodecError('password', FORMAT, 'the keystore is password-protected: a password is needed');
  }
  let macAlgorithm: string | undefined;
  let macChecked = false;
  let macSaltLength: number | undefined;
  if (macNode !== undefined) {
    const mac = readMacData(macNode);
    macAlgorithm = mac.name;
    macSaltLength = mac.salt.length;
    // Verified before anything is decrypted, so a wrong password is an integrity error, as keytool says.
    if (password !== undefined) {
      verifyMac(mac, password, authSafeBytes);
      macChecked = true;
    }
  }

  const state = newLoadState(password);
  for (const safe of safes) {
    if (safe.kind === 'data') loadSafeContents(safe.contents, state, 0);
    else {
      // password is defined here: encrypted safes without one were refused above.
      const plain = decryptWithAlgorithm(safe.algorithm, password ?? '', safe.ciphertext, FORMAT);
      loadSafeContents(parseBer(plain, FORMAT, safe.node.offset), state, 0);
    }
  }
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
 * the hash). An empty password is tried both ways (RetryWithZero).
 */
function verifyMac(mac: MacData, password: string, authSafe: Uint8Array): void {
  for (const pw of pkcs12PasswordCandidates(password)) {
    const computed = computeMac(mac.hash, pw, mac.salt, mac.iterations, authSafe);
    if (computed.length === mac.digest.length && timingSafeEqual(computed, mac.digest)) return;
  }
  throw new CodecError('integrity', FORMAT, 'keystore password is incorrect or the file was changed');
}

function computeMac(hash: string, password: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const keyLength = createHmac(hash, '').digest().length;
  const key = pkcs12Kdf(hash, password, salt, iterations, 3, keyLength);
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}

// --- SafeContents (PKCS12KeyStore.loadSafeContents)

interface CertInfo {
  der: Der;
  subject: Uint8Array;
  issuer: Uint8Array;
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
}

interface KeyRecord {
  kind: 'key';
  alias: string;
  keyId: Uint8Array;
  created: Date;
  privateKey: Der;
  chain: Der[];
}

interface LoadState {
  password: string | undefined;
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

function newLoadState(password: string | undefined): LoadState {
  return { password, privateKeyCount: 0, counter: 0, entries: new Map(), keyList: [], certEntries: [], allCerts: [] };
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
  let privateKey: Der;
  if (bagId === OID.keyBag) {
    privateKey = value.encoded.slice();
    try {
      privateKeyInfo(privateKey);
    } catch (e) {
      if (e instanceof CodecError) throw fail(value, `keyBag: not a PrivateKeyInfo (${e.message})`);
      throw e;
    }
  } else {
    if (state.password === undefined) {
      throw new CodecError('password', FORMAT, 'the private keys are encrypted: a password is needed');
    }
    privateKey = decryptEpki(value, state.password, FORMAT);
  }
  const alias = attrs.friendlyName ?? unfriendlyName(state);
  const record: KeyRecord = { kind: 'key', alias, keyId, created: dateFromKeyId(keyId) ?? new Date(), privateKey, chain: [] };
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

// --- Certificates: just the fields chain building needs (RFC 5280 4.1)

function readCertificate(der: Uint8Array, offset: number): CertInfo {
  const root = parseBer(der, FORMAT, offset);
  const cert = sequence(root, 'Certificate', 3, 3);
  const tbsNode = at(cert, 0, root, 'Certificate');
  const tbs = sequence(tbsNode, 'TBSCertificate', 6, 10);
  const skip = tbs[0] !== undefined && isContext(tbs[0], 0) ? 1 : 0;
  const issuer = at(tbs, 2 + skip, tbsNode, 'TBSCertificate');
  const subject = at(tbs, 4 + skip, tbsNode, 'TBSCertificate');
  sequence(issuer, 'certificate issuer');
  sequence(subject, 'certificate subject');
  const info: CertInfo = { der, subject: subject.encoded, issuer: issuer.encoded };
  const extsWrapper = tbs.slice(6 + skip).find((n) => isContext(n, 3));
  if (extsWrapper !== undefined) {
    for (const ext of sequence(explicit(extsWrapper, 3, 'extensions'), 'extensions')) {
      const e = sequence(ext, 'extension', 2, 3);
      const id = objectId(at(e, 0, ext, 'extension'), 'extension id');
      const valueNode = e[e.length - 1] as Asn1Node;
      if (id !== OID.subjectKeyIdentifier && id !== OID.authorityKeyIdentifier) continue;
      const inner = parseBer(octetString(valueNode, 'extension value'), FORMAT, contentOffset(valueNode));
      if (id === OID.subjectKeyIdentifier) info.subjectKeyId = octetString(inner, 'subjectKeyIdentifier');
      else {
        // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
        const keyIdNode = sequence(inner, 'authorityKeyIdentifier').find((n) => isContext(n, 0));
        if (keyIdNode !== undefined) info.authorityKeyId = implicitOctets(keyIdNode, 'authority key identifier');
      }
    }
  }
  return info;
}

/** X500Principal.equals compares canonical names; the same DER, or the same canonical string. */
function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (bytesEqual(a, b)) return true;
  try {
    return canonicalName(a) === canonicalName(b);
  } catch {
    return false;
  }
}

function canonicalName(der: Uint8Array): string {
  return rfc2253(parseBer(der, FORMAT)).toLowerCase().replace(/\s+/g, ' ');
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** KeyStoreUtil.isSelfSigned: subject equals issuer and the signature verifies with its own key. */
function isSelfSigned(cert: CertInfo): boolean {
  if (!sameName(cert.subject, cert.issuer)) return false;
  try {
    const x = new X509Certificate(cert.der);
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** PKCS12KeyStore.findIssuer: an AKI/SKI match among the DN matches, else a DN match without SKI. */
function findIssuer(cert: CertInfo, all: readonly CertInfo[]): CertInfo | undefined {
  let fallback: CertInfo | undefined;
  for (const c of all) {
    if (!sameName(c.subject, cert.issuer)) continue;
    if (cert.authorityKeyId === undefined) return c;
    if (c.subjectKeyId === undefined) fallback = c;
    else if (bytesEqual(c.subjectKeyId, cert.authorityKeyId)) return c;
  }
  return fallback;
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
    e.kind === 'key' ? { kind: 'key', alias: e.alias, created: e.created, chain: e.chain, privateKey: e.privateKey } : e,
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

// ---------------------------------------------------------------------------------------------
// RFC 2253 names (X500Principal.getName()), for the friendlyName of chain certificates.

const NAME_KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

/** Last RDN first, AVAs of one RDN joined by "+", unknown types as OID=#hex (RFC 2253 2). */
function rfc2253(name: Asn1Node): string {
  return sequence(name, 'Name')
    .map((rdn) =>
      setOf(rdn, 'RelativeDistinguishedName', 1)
        .map((ava) => {
          const parts = sequence(ava, 'AttributeTypeAndValue', 2, 2);
          const type = objectId(at(parts, 0, ava, 'AttributeTypeAndValue'), 'attribute type');
          const value = at(parts, 1, ava, 'AttributeTypeAndValue');
          const keyword = NAME_KEYWORDS[type];
          const text = keyword === undefined ? undefined : directoryString(value);
          return text === undefined ? `${type}=#${Buffer.from(value.encoded).toString('hex')}` : `${keyword}=${escape2253(text)}`;
        })
        .join('+'),
    )
    .reverse()
    .join(',');
}

function directoryString(node: Asn1Node): string | undefined {
  if (node.tagClass !== 'universal' || node.constructed) return undefined;
  const c = Buffer.from(node.content);
  switch (node.tag) {
    case UNIVERSAL.UTF8_STRING:
      return c.toString('utf8');
    case UNIVERSAL.PRINTABLE_STRING:
    case UNIVERSAL.IA5_STRING:
    case UNIVERSAL.NUMERIC_STRING:
    case UNIVERSAL.VISIBLE_STRING:
    case UNIVERSAL.T61_STRING:
      return c.toString('latin1');
    case UNIVERSAL.BMP_STRING:
      return c.length % 2 === 0 ? Buffer.from(c).swap16().toString('utf16le') : undefined;
    case UNIVERSAL.UNIVERSAL_STRING: {
      if (c.length % 4 !== 0) return undefined;
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const cp = c.readUInt32BE(i);
        if (cp > 0x10ffff) return undefined;
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return undefined;
  }
}

function escape2253(s: string): string {
  let out = s.replace(/[,+"\\<>;]/g, (ch) => `\\${ch}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding (PKCS12KeyStore.engineStore, keystore-formats.md 3.2)

/** JDK 17 defaults (PKCS12KeyStore DEFAULT_* and LEGACY_* constants). */
const DEFAULT_ITERATIONS = 10_000;
const LEGACY_PBE_ITERATIONS = 50_000;
const LEGACY_MAC_ITERATIONS = 100_000;
const SALT_LENGTH = 20;

/**
 * Encodes entries as JDK 17 keytool does: AuthenticatedSafe [data: shrouded key bags],
 * [encryptedData: certificate bags], then an HMAC-SHA256 MAC. Output is DER throughout.
 * Key entries need `privateKey` and a chain. Non-ASCII passwords follow OpenSSL (UTF-8 for PBKDF2,
 * UTF-16 for the MAC); JDK 17 cannot open such files (keystore-formats.md 3.3).
 */
export function encodePkcs12(entries: readonly Pkcs12Entry[], password: string, opts: Pkcs12EncodeOptions = {}): Uint8Array {
  const legacy = opts.legacy ?? false;
  const pbeIterations = opts.iterations ?? (legacy ? LEGACY_PBE_ITERATIONS : DEFAULT_ITERATIONS);
  const macIterations = opts.iterations ?? (legacy ? LEGACY_MAC_ITERATIONS : DEFAULT_ITERATIONS);
  const keyBags: Uint8Array[] = [];
  const certBags: Uint8Array[] = [];
  const usedKeyIds = new Set<number>();

  for (const entry of entries) {
    if (entry.kind === 'trusted') {
      // The trust marker makes the certificate an entry for the JDK (loadSafeContents); case is kept.
      certBags.push(certBag(entry.cert, [friendlyNameAttr(entry.alias), trustedKeyUsageAttr()]));
      continue;
    }
    if (entry.privateKey === undefined) {
      throw new CodecError('unsupported', FORMAT, `key entry "${entry.alias}" has no decrypted private key to write`);
    }
    if (entry.chain.length === 0) {
      throw new CodecError('unsupported', FORMAT, `key entry "${entry.alias}" has no certificate chain (a PKCS#12 key entry needs one)`);
    }
    privateKeyInfo(entry.privateKey);
    // Key entries are stored lowercased; localKeyId "Time <ms>" ties key and leaf and keeps the date.
    const alias = entry.alias.toLocaleLowerCase('en-US');
    const keyId = uniqueKeyTime(entry.created, usedKeyIds);
    const idAttrs = [friendlyNameAttr(alias), localKeyIdAttr(new TextEncoder().encode(`Time ${keyId}`))];
    keyBags.push(safeBag(OID.pkcs8ShroudedKeyBag, shroudKey(entry.privateKey, password, legacy, pbeIterations), idAttrs));
    entry.chain.forEach((cert, i) => {
      certBags.push(certBag(cert, i === 0 ? idAttrs : [friendlyNameAttr(subjectName(cert))]));
    });
  }

  const safes: Uint8Array[] = [];
  if (keyBags.length > 0) safes.push(dataContentInfo(derSequence(...keyBags)));
  if (certBags.length > 0) safes.push(encryptedContentInfo(derSequence(...certBags), password, legacy, pbeIterations));
  const authSafe = derSequence(...safes);
  return derSequence(derInteger(3), dataContentInfo(authSafe), macData(authSafe, password, legacy ? 'sha1' : 'sha256', macIterations));
}

/** A distinct epoch-ms per key: equal localKeyIds would tie two keys to one leaf. */
function uniqueKeyTime(created: Date, used: Set<number>): number {
  let ms = Number.isNaN(created.getTime()) ? Date.now() : created.getTime();
  while (used.has(ms)) ms++;
  used.add(ms);
  return ms;
}

function shroudKey(pkcs8: Der, password: string, legacy: boolean, iterations: number): Uint8Array {
  const enc = legacy
    ? encryptPkcs12Pbe(pkcs8, password, 'pbeWithSHAAnd3-KeyTripleDES-CBC', { iterations, saltLength: SALT_LENGTH })
    : encryptPbes2(pkcs8, password, { cipher: 'aes-256-cbc', prf: 'sha256', iterations, saltLength: SALT_LENGTH, includeKeyLength: true });
  return derSequence(enc.algorithm, derOctetString(enc.ciphertext));
}

function safeBag(bagId: string, value: Uint8Array, attrs: readonly Uint8Array[]): Uint8Array {
  return derSequence(derOid(bagId), derExplicit(0, value), ...(attrs.length > 0 ? [derSetOf(attrs)] : []));
}

function certBag(cert: Der, attrs: readonly Uint8Array[]): Uint8Array {
  return safeBag(OID.certBag, derSequence(derOid(OID.x509Certificate), derExplicit(0, derOctetString(cert))), attrs);
}

function attribute(id: string, values: readonly Uint8Array[]): Uint8Array {
  return derSequence(derOid(id), derSetOf(values));
}

function friendlyNameAttr(name: string): Uint8Array {
  return attribute(OID.friendlyName, [derBmpString(name)]);
}

function localKeyIdAttr(id: Uint8Array): Uint8Array {
  return attribute(OID.localKeyId, [derOctetString(id)]);
}

/** SET { anyExtendedKeyUsage }, what keytool -importcert writes. */
function trustedKeyUsageAttr(): Uint8Array {
  return attribute(OID.oracleTrustedKeyUsage, [derOid(OID.anyExtendedKeyUsage)]);
}

function subjectName(cert: Der): string {
  const info = readCertificate(cert, 0);
  return rfc2253(parseBer(info.subject, FORMAT));
}

function dataContentInfo(content: Uint8Array): Uint8Array {
  return derSequence(derOid(OID.data), derExplicit(0, derOctetString(content)));
}

/**
 * EncryptedData { version 0, EncryptedContentInfo { data, algorithm, [0] IMPLICIT ciphertext } },
 * with the ciphertext as one primitive [0] (pkijs writes a constructed, indefinite one: BER).
 */
function encryptedContentInfo(content: Uint8Array, password: string, legacy: boolean, iterations: number): Uint8Array {
  const enc = legacy
    ? encryptPkcs12Pbe(content, password, 'pbeWithSHAAnd40BitRC2-CBC', { iterations, saltLength: SALT_LENGTH })
    : encryptPbes2(content, password, { cipher: 'aes-256-cbc', prf: 'sha256', iterations, saltLength: SALT_LENGTH, includeKeyLength: true });
  const eci = derSequence(derOid(OID.data), enc.algorithm, derImplicitPrimitive(0, enc.ciphertext));
  return derSequence(derOid(OID.encryptedData), derExplicit(0, derSequence(derInteger(0), eci)));
}

function macData(authSafe: Uint8Array, password: string, hash: 'sha1' | 'sha256', iterations: number): Uint8Array {
  const salt = new Uint8Array(randomBytes(SALT_LENGTH));
  const mac = computeMac(hash, bmpPassword(password), salt, iterations, authSafe);
  const digestAlg = derAlgorithm(hash === 'sha1' ? OID.sha1 : OID.sha256);
  return derSequence(derSequence(digestAlg, derOctetString(mac)), derOctetString(salt), derInteger(iterations));
}
