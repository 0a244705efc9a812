/**
 * The SafeContents of a PKCS#12 file turned into keystore entries, as PKCS12KeyStore.loadSafeContents
 * and the end of engineLoad do it: bags, their attributes, aliases, and each key's chain built
 * from the certificates of the whole file (RFC 7292 4.2).
 *
 *   SafeContents ::= SEQUENCE OF SafeBag
 *   SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF Attribute OPTIONAL }
 *   CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING }
 */
import { CodecError } from '../errors.js';
import { sameBytes } from '../bytes.js';
import type { Der, LooseCertificate, StoredKeyEntry, StoredSecretEntry, StoredTrustedEntry } from '../model.js';
import { OID } from '../asn1/oid.js';
import { algorithmIdentifier, at, bmpString, explicit, fail, objectId, octetString, sequence, setOf, within } from '../asn1/check.js';
import { type Tlv, tlvBytes } from '../asn1/tlv.js';
import { toDer } from '../asn1/to-der.js';
import { privateKeyInfo } from '../pkcs8.js';
import { readCertificateParts } from '../x509/certificate-parts.js';
import { type KeyIdentifiers, decodeKeyIdentifiers, parseExtensions } from '../x509/extensions.js';
import { sameName } from '../x509/name.js';
import { FORMAT } from './pfx.js';

export type Pkcs12Entry = StoredKeyEntry | StoredTrustedEntry | StoredSecretEntry;

/** What chain building needs of a certificate (PKCS12KeyStore.findIssuer): its names and key identifiers. */
export interface ChainCert extends KeyIdentifiers {
  der: Der;
  subject: Uint8Array;
  issuer: Uint8Array;
}

/** Whether a certificate's own key verifies its signature (KeyStoreUtil.isSelfSigned; src/crypto/signatures.ts). */
export type SignedByOwnKey = (cert: Der) => boolean;

interface KeyRecord {
  kind: 'key';
  alias: string;
  keyId: Uint8Array;
  created: Date;
  /** A plain keyBag's PrivateKeyInfo, or a shrouded key bag's EncryptedPrivateKeyInfo (DER). */
  key: { privateKey: Der } | { protectedKey: Der };
  chain: Der[];
  attributes: Der[];
}

/** What a bag of the file was, for the notes about it. */
export type BagKind = 'key' | 'trusted' | 'secret';

/** An entry a later bag of the same alias replaced, as PKCS12KeyStore's entries.put does. */
export interface ReplacedEntry {
  alias: string;
  kind: BagKind;
  /** What replaced it. */
  by: BagKind;
}

/** What the bags of a file add up to, safe after safe. */
export interface LoadState {
  /** Counts key bags as they are met, as the JDK does; its "only one key" test reads it mid-load. */
  privateKeyCount: number;
  /** getUnfriendlyName: "1", "2", ... shared by keys and trusted certificates. */
  counter: number;
  /** Entries by lowercased alias; a later bag with the same alias replaces an earlier one. */
  entries: Map<string, KeyRecord | StoredTrustedEntry | StoredSecretEntry>;
  keyList: KeyRecord[];
  /** Certificate bags without the trusted-key-usage attribute: chain material only. */
  certEntries: { cert: ChainCert; keyId?: Uint8Array; alias?: string; attributes: Tlv[] }[];
  allCerts: ChainCert[];
  /** Entries a later bag with the same alias replaced. */
  replaced: ReplacedEntry[];
  /** What the file holds that no entry can carry (a CRL bag, a bag type mailcert does not know...), one phrase each. */
  unkept: string[];
}

export function newLoadState(): LoadState {
  return { privateKeyCount: 0, counter: 0, entries: new Map(), keyList: [], certEntries: [], allCerts: [], replaced: [], unkept: [] };
}

/** Adds an entry under its lowercased alias (PKCS12KeyStore: entries.put(alias.toLowerCase(Locale.ENGLISH), ...)), noting the one it replaces. */
function putEntry(state: LoadState, alias: string, entry: KeyRecord | StoredTrustedEntry | StoredSecretEntry): void {
  const key = alias.toLowerCase();
  const before = state.entries.get(key);
  if (before !== undefined) {
    state.replaced.push({ alias: before.alias, kind: before.kind, by: entry.kind });
    // A replaced key entry is out of the chain building too (the JDK's keyList keeps it, but its entry is gone).
    if (before.kind === 'key') state.keyList = state.keyList.filter((k) => k !== before);
  }
  state.entries.set(key, entry);
}

/** Nested safeContentsBags deeper than this are refused (OpenSSL reads nesting; the JDK does not). */
const MAX_BAG_NESTING = 8;

/** Adds the bags of one SafeContents to `state`. */
export function loadSafeContents(node: Tlv, state: LoadState, depth = 0): void {
  if (depth > MAX_BAG_NESTING) throw fail(node, 'safeContentsBag nesting is too deep');
  const bags = sequence(node, 'SafeContents');
  bags.forEach((bagNode, i) => {
    const parts = sequence(bagNode, 'SafeBag', 2, 3);
    const bagId = objectId(at(parts, 0, bagNode, 'SafeBag'), 'bag type');
    const value = explicit(at(parts, 1, bagNode, 'SafeBag'), 0, 'bag value');
    const attrNode = parts[2];
    const attrs: BagAttributes = attrNode === undefined ? { other: [], all: [] } : readAttributes(attrNode);

    if (bagId === OID.pkcs8ShroudedKeyBag || bagId === OID.keyBag) {
      // The JDK reads only pkcs8ShroudedKeyBag; OpenSSL also writes plain keyBags (-keypbe NONE) and
      // reads them, so they count the same here.
      state.privateKeyCount++;
      loadKeyBag(bagId, value, attrs, state);
    } else if (bagId === OID.certBag) {
      const cert = readCertBag(value);
      if (cert !== undefined) loadCertBag(cert, attrs, i, state);
      else state.unkept.push(`a certificate bag of type ${certType(value)} (not X.509)`);
    } else if (bagId === OID.safeContentsBag) {
      loadSafeContents(value, state, depth + 1);
    } else if (bagId === OID.secretBag) {
      loadSecretBag(value, attrs, state);
    } else {
      state.unkept.push(bagId === OID.crlBag ? 'a CRL bag' : `a bag of type ${bagId}`);
    }
  });
}

interface BagAttributes {
  friendlyName?: string;
  localKeyId?: Uint8Array;
  trustedKeyUsage?: string[];
  /** The attributes not read above (Microsoft Local Key Set, CSP Name...), DER: kept for a rewrite. */
  other: Der[];
  /** Every attribute: what a certificate bag that is no entry is written back with (made DER only then). */
  all: Tlv[];
}

/**
 * Attribute ::= SEQUENCE { attrId OID, attrValues SET OF ANY }. RFC 7292 asks for values, but
 * Windows writes Microsoft Local Key Set (1.3.6.1.4.1.311.17.2) with none, as `openssl pkcs12
 * -LMK` does, and keytool and openssl read such files: a set of any size is taken. An attribute
 * mailcert reads without a value is as good as absent.
 */
function readAttributes(node: Tlv): BagAttributes {
  const out: BagAttributes = { other: [], all: [] };
  for (const attr of setOf(node, 'bag attributes')) {
    const parts = sequence(attr, 'bag attribute', 2, 2);
    const id = objectId(at(parts, 0, attr, 'bag attribute'), 'attribute type');
    const values = setOf(at(parts, 1, attr, 'bag attribute'), `attribute ${id} values`);
    out.all.push(attr);
    const first = values[0];
    if (id === OID.friendlyName) {
      if (first !== undefined) out.friendlyName = bmpString(first, 'friendlyName');
    } else if (id === OID.localKeyId) {
      if (first !== undefined) out.localKeyId = octetString(first, 'localKeyId');
    } else if (id === OID.oracleTrustedKeyUsage) {
      if (first !== undefined) out.trustedKeyUsage = values.map((v) => objectId(v, 'trusted key usage'));
    } else out.other.push(attributeDer(attr));
  }
  return out;
}

/** An attribute as DER (a BER file's is re-encoded), to be written back as it was. */
function attributeDer(attr: Tlv): Der {
  return toDer(tlvBytes(attr), FORMAT);
}

/** A certBag's certId, for the note about a certificate type mailcert does not read. */
function certType(value: Tlv): string {
  return objectId(at(sequence(value, 'CertBag', 2, 2), 0, value, 'CertBag'), 'certificate type');
}

const KEY_ID_01 = new TextEncoder().encode('01');

function loadKeyBag(bagId: string, value: Tlv, attrs: BagAttributes, state: LoadState): void {
  let keyId = attrs.localKeyId;
  if (keyId === undefined) {
    // A key without localKeyId cannot be matched to its certificate: skipped, unless it is the
    // first key met, which gets "01" (the JDK's workaround for files with one key and no ids).
    if (state.privateKeyCount !== 1) {
      state.unkept.push(`a private key without a localKeyId${attrs.friendlyName === undefined ? '' : ` ("${attrs.friendlyName}")`}, which Java skips too`);
      return;
    }
    keyId = KEY_ID_01;
  }
  let key: KeyRecord['key'];
  if (bagId === OID.keyBag) {
    const privateKey = tlvBytes(value).slice();
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
    key = { protectedKey: toDer(tlvBytes(value), FORMAT) };
  }
  // Keytool lists a key entry under its lowercased friendlyName (the JDK's map key), as mailcert writes it.
  const alias = (attrs.friendlyName ?? unfriendlyName(state)).toLowerCase();
  const record: KeyRecord = { kind: 'key', alias, keyId, created: dateFromKeyId(keyId) ?? new Date(), key, chain: [], attributes: attrs.other };
  putEntry(state, alias, record);
  state.keyList.push(record);
}

/**
 * PKCS12KeyStore.loadSafeContents' secretBag: SecretBag ::= SEQUENCE { secretTypeId, [0]
 * EXPLICIT secretValue }, an entry under its lowercased friendlyName (keyId "00" when it has none,
 * "not significant" for a secret key), kept as read: mailcert never decrypts a secret key.
 */
function loadSecretBag(value: Tlv, attrs: BagAttributes, state: LoadState): void {
  const parts = sequence(value, 'SecretBag', 2, 2);
  objectId(at(parts, 0, value, 'SecretBag'), 'secret type');
  explicit(at(parts, 1, value, 'SecretBag'), 0, 'secret value');
  const alias = (attrs.friendlyName ?? unfriendlyName(state)).toLowerCase();
  const created = (attrs.localKeyId === undefined ? undefined : dateFromKeyId(attrs.localKeyId)) ?? new Date();
  const entry: StoredSecretEntry = { kind: 'secret', alias, created, secretBag: toDer(tlvBytes(value), FORMAT) };
  if (attrs.other.length > 0) entry.attributes = attrs.other;
  putEntry(state, alias, entry);
}

function loadCertBag(cert: ChainCert, attrs: BagAttributes, index: number, state: LoadState): void {
  let keyId = attrs.localKeyId;
  // Only the first bag of its SafeContents gets "01", matching the single id-less key above.
  if (keyId === undefined && state.privateKeyCount === 1 && index === 0) keyId = KEY_ID_01;
  if (attrs.trustedKeyUsage !== undefined) {
    const alias = attrs.friendlyName ?? unfriendlyName(state);
    // CertEntry: a trusted entry's date is the load time, whatever its localKeyId says.
    const entry: StoredTrustedEntry = { kind: 'trusted', alias, created: new Date(), cert: cert.der };
    if (attrs.other.length > 0) entry.attributes = attrs.other;
    putEntry(state, alias, entry);
  } else {
    const ce: LoadState['certEntries'][number] = { cert, attributes: attrs.all };
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

/** A certBag's X.509 certificate, with what chain building needs of it; other certificate types are ignored. */
function readCertBag(value: Tlv): ChainCert | undefined {
  const parts = sequence(value, 'CertBag', 2, 2);
  const certId = objectId(at(parts, 0, value, 'CertBag'), 'certificate type');
  const certNode = explicit(at(parts, 1, value, 'CertBag'), 0, 'certificate value');
  if (certId !== OID.x509Certificate) return undefined;
  const der = octetString(certNode, 'certificate').slice();
  // A primitive OCTET STRING's contents start after its header; a BER one's segments are joined.
  const base = certNode.constructed ? certNode.offset : certNode.valueStart;
  return within(base, () => chainCert(der));
}

/** The names and key identifiers of a certificate, errors reported as PKCS#12 input. */
export function chainCert(der: Der): ChainCert {
  const parts = readCertificateParts(der, FORMAT);
  const cert: ChainCert = { der, subject: tlvBytes(parts.subject), issuer: tlvBytes(parts.issuer) };
  if (parts.extensions !== undefined) decodeKeyIdentifiers(cert, parseExtensions(parts.extensions).valueTlvs);
  return cert;
}

/** PKCS12KeyStore.findMatchedCertificate: localKeyId and alias, else localKeyId, else alias. */
function findLeaf(key: KeyRecord, state: LoadState): ChainCert | undefined {
  let idMatch: ChainCert | undefined;
  let aliasMatch: ChainCert | undefined;
  const alias = key.alias.toLowerCase();
  for (const ce of state.certEntries) {
    const sameAlias = ce.alias !== undefined && ce.alias.toLowerCase() === alias;
    if (ce.keyId !== undefined && sameBytes(ce.keyId, key.keyId)) {
      if (sameAlias) return ce.cert;
      idMatch = ce.cert;
    } else if (sameAlias) aliasMatch = ce.cert;
  }
  return idMatch ?? aliasMatch;
}

/** PKCS12KeyStore.findIssuer: an AKI/SKI match among the DN matches, else a DN match without SKI. */
function findIssuer(cert: ChainCert, all: readonly ChainCert[]): ChainCert | undefined {
  let fallback: ChainCert | undefined;
  for (const c of all) {
    if (!sameName(c.subject, cert.issuer)) continue;
    if (cert.authorityKeyIdentifier === undefined) return c;
    if (c.subjectKeyIdentifier === undefined) fallback = c;
    else if (sameBytes(c.subjectKeyIdentifier, cert.authorityKeyIdentifier)) return c;
  }
  return fallback;
}

export interface MatchedEntries {
  entries: Pkcs12Entry[];
  /** Certificate bags in no key's chain and not trusted (keytool does not see them), kept for a rewrite. */
  loose: LooseCertificate[];
}

/**
 * engineLoad's last step: each key gets leaf, issuers ... up to a self-signed certificate
 * (KeyStoreUtil.isSelfSigned: the same Name as subject and issuer, and `signedByOwnKey`).
 */
export function matchChains(state: LoadState, signedByOwnKey: SignedByOwnKey): MatchedEntries {
  // Certificates by their bytes (as latin1 strings: a Set finds them at once in a large CA bundle).
  const seen = new Set<string>();
  const bytesKey = (der: Der): string => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  for (const key of state.keyList) {
    const chain: ChainCert[] = [];
    for (let cert = findLeaf(key, state); cert !== undefined; cert = findIssuer(cert, state.allCerts)) {
      const c = cert;
      if (chain.some((x) => sameBytes(x.der, c.der))) break;
      chain.push(c);
      if (sameName(c.subject, c.issuer) && signedByOwnKey(c.der)) break;
    }
    key.chain = chain.map((c) => c.der);
    for (const der of key.chain) seen.add(bytesKey(der));
  }
  const entries = [...state.entries.values()].map((e): Pkcs12Entry => {
    if (e.kind !== 'key') return e;
    const entry: StoredKeyEntry = { kind: 'key', alias: e.alias, created: e.created, chain: e.chain, ...e.key };
    if (e.attributes.length > 0) entry.attributes = e.attributes;
    return entry;
  });
  const loose: LooseCertificate[] = [];
  for (const ce of state.certEntries) {
    const k = bytesKey(ce.cert.der);
    if (seen.has(k)) continue;
    seen.add(k);
    loose.push({ cert: ce.cert.der, attributes: ce.attributes.map(attributeDer) });
  }
  return { entries, loose };
}
