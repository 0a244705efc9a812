/**
 * The outer layers of a PKCS#12 file (RFC 7292 section 4), read as the JDK reads them
 * (PKCS12KeyStore.engineLoad): the PFX, its AuthenticatedSafe and MacData, each safe either
 * plain data or encrypted (what decrypts it is src/crypto/pkcs12.ts's).
 *
 *   PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }
 *   AuthenticatedSafe ::= SEQUENCE OF ContentInfo   -- data or encryptedData, each holding SafeContents
 *   MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
 *
 * BER is read as pkijs and Windows write it (indefinite lengths, OCTET STRINGs in segments).
 */
import { CodecError } from '../errors.js';
import { OID } from '../asn1/oid.js';
import {
  algorithmIdentifier,
  at,
  encapsulated,
  explicit,
  fail,
  implicitOctets,
  objectId,
  octetString,
  sequence,
  smallInteger,
  within,
} from '../asn1/check.js';
import { type Tlv, isContext, readRoot } from '../asn1/tlv.js';
import { MAX_ITERATIONS } from '../pbe-params.js';

export const FORMAT = 'PKCS#12';

/**
 * Which writer the file looks like, from the order of its AuthenticatedSafe (the JDK writes keys
 * then certificates, OpenSSL certificates then keys) and its certificate encryption (PBES2, or
 * the PKCS#12 PBE of the legacy layouts). A hint for messages, not a guarantee.
 */
export type Pkcs12Layout = 'jdk' | 'jdk-legacy' | 'openssl' | 'openssl-legacy' | 'passwordless' | 'other';

export interface MacData {
  /** node:crypto name of the digest (sha256). */
  hash: string;
  /** As the JDK names the MAC ("HmacPBESHA256"). */
  name: string;
  digest: Uint8Array;
  salt: Uint8Array;
  iterations: number;
}

/** One ContentInfo of the AuthenticatedSafe. `base` is the file offset errors inside it are counted from (asn1/check.ts within). */
export type Safe =
  | { kind: 'data'; contents: Tlv; base: number }
  | { kind: 'encrypted'; algorithm: Tlv; algorithmOid: string; ciphertext: Uint8Array; node: Tlv; base: number };

export interface Pfx {
  root: Tlv;
  /** The AuthenticatedSafe's encoding: what the MAC is computed over. */
  authSafe: Uint8Array;
  safes: Safe[];
  mac?: MacData;
}

interface ContentInfo {
  type: string;
  content?: Tlv;
  node: Tlv;
}

/** ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY OPTIONAL } (RFC 2315 7). */
function contentInfo(node: Tlv, what: string): ContentInfo {
  const parts = sequence(node, `${what} ContentInfo`, 1, 2);
  const type = objectId(at(parts, 0, node, what), `${what} content type`);
  const wrapped = parts[1];
  return wrapped === undefined ? { type, node } : { type, content: explicit(wrapped, 0, `${what} content`), node };
}

function requireContent(info: ContentInfo, what: string): Tlv {
  if (info.content === undefined) throw fail(info.node, `${what} has no content`);
  return info.content;
}

/** Reads the PFX and its AuthenticatedSafe; nothing is decrypted and no MAC is checked. */
export function readPfx(bytes: Uint8Array): Pfx {
  const root = readRoot(bytes, FORMAT);
  const pfx = sequence(root, 'PFX', 2, 3);
  const version = smallInteger(at(pfx, 0, root, 'PFX'), 'PFX version');
  if (version !== 3) throw fail(root, `version ${version}, expected 3 (PKCS12KeyStore: "not in version 3 format")`);

  const authSafeInfo = contentInfo(at(pfx, 1, root, 'PFX'), 'authSafe');
  if (authSafeInfo.type === OID.signedData) {
    throw new CodecError('unsupported', FORMAT, 'public-key integrity mode (signedData) is not supported', authSafeInfo.node.offset);
  }
  if (authSafeInfo.type !== OID.data) throw fail(authSafeInfo.node, `authSafe content type ${authSafeInfo.type}, expected data`);
  const authSafeNode = requireContent(authSafeInfo, 'authSafe');
  const authSafe = octetString(authSafeNode, 'authSafe content');
  const embedded = encapsulated(authSafeNode, 'authSafe content');
  const safes = within(embedded.base, () => sequence(embedded.root, 'AuthenticatedSafe').map((n) => readSafe(n, embedded.base)));
  const macNode = pfx[2];
  const out: Pfx = { root, authSafe, safes };
  if (macNode !== undefined) out.mac = readMacData(macNode);
  return out;
}

function readSafe(node: Tlv, base: number): Safe {
  const info = contentInfo(node, 'AuthenticatedSafe');
  if (info.type === OID.data) {
    const content = requireContent(info, 'data');
    const embedded = encapsulated(content, 'data content');
    return { kind: 'data', contents: embedded.root, base: base + embedded.base };
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
    return { kind: 'encrypted', algorithm, algorithmOid, ciphertext: implicitOctets(contentNode, 'encryptedContent'), node: contentNode, base };
  }
  if (info.type === OID.envelopedData) {
    throw new CodecError('unsupported', FORMAT, 'public-key privacy mode (envelopedData) is not supported', node.offset);
  }
  throw fail(node, `AuthenticatedSafe content type ${info.type} is not data or encryptedData`);
}

const MAC_HASHES: Readonly<Record<string, { hash: string; name: string }>> = {
  [OID.sha1]: { hash: 'sha1', name: 'HmacPBESHA1' },
  [OID.sha224]: { hash: 'sha224', name: 'HmacPBESHA224' },
  [OID.sha256]: { hash: 'sha256', name: 'HmacPBESHA256' },
  [OID.sha384]: { hash: 'sha384', name: 'HmacPBESHA384' },
  [OID.sha512]: { hash: 'sha512', name: 'HmacPBESHA512' },
  [OID.sha512_224]: { hash: 'sha512-224', name: 'HmacPBESHA512/224' },
  [OID.sha512_256]: { hash: 'sha512-256', name: 'HmacPBESHA512/256' },
};

/** The OID of a MAC digest by its node:crypto name, for writing (RFC 7292 4, RFC 5754). */
export function macDigestOid(hash: 'sha1' | 'sha256'): string {
  return hash === 'sha1' ? OID.sha1 : OID.sha256;
}

/** MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 } */
function readMacData(node: Tlv): MacData {
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

export function guessLayout(pfx: Pfx): Pkcs12Layout {
  const { safes } = pfx;
  const firstEncrypted = safes.findIndex((s) => s.kind === 'encrypted');
  const firstData = safes.findIndex((s) => s.kind === 'data');
  if (firstEncrypted === -1) return pfx.mac !== undefined ? 'other' : 'passwordless';
  const enc = safes[firstEncrypted];
  const legacy = enc?.kind === 'encrypted' && enc.algorithmOid !== OID.pbes2 ? '-legacy' : '';
  // The JDK writes 20-byte salts, OpenSSL 8-byte ones: the tie-breaker for certificate-only stores.
  const jdk = firstData !== -1 ? firstData < firstEncrypted : pfx.mac?.salt.length === 20;
  return jdk ? `jdk${legacy}` : `openssl${legacy}`;
}
