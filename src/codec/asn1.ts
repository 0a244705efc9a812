/**
 * Thin helpers around asn1js for the PKCS#12 / PKCS#8 codecs: parse BER (indefinite lengths too)
 * into a small read-only tree with byte offsets, narrow its nodes with CodecErrors instead of
 * TypeErrors, and write DER.
 *
 * Reading accepts BER because real files carry it: pkijs and Windows write indefinite-length
 * PKCS#12 (keystore-formats.md 7.9), and the JDK (DerValue) and OpenSSL (d2i) accept it. Writing is
 * DER only (X.690 10): definite lengths, primitive strings, SET OF sorted. asn1js re-encodes what
 * it parsed as it was (BER stays BER), so the writer here is a few plain functions instead.
 */
import * as der from './der.js';
import * as asn1js from 'asn1js';
import { CodecError } from './errors.js';

/** Object identifiers used by the PKCS#12, PKCS#8 and PBE codecs. */
export const OID = {
  // PKCS#7 content types (RFC 2315 14)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  // PKCS#12 bag types (RFC 7292 4.2)
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  crlBag: '1.2.840.113549.1.12.10.1.4',
  secretBag: '1.2.840.113549.1.12.10.1.5',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  // Bag attributes (RFC 7292 4.2, PKCS#9) and the JDK's trust marker (PKCS12KeyStore.TrustedKeyUsage_OID)
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  // PKCS#5 v2 (RFC 8018 A.2, A.4, B.1, B.2)
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  // PKCS#12 PBE (RFC 7292 Appendix C)
  pbeWithSHAAnd128BitRC4: '1.2.840.113549.1.12.1.1',
  pbeWithSHAAnd40BitRC4: '1.2.840.113549.1.12.1.2',
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  pbeWithSHAAnd2KeyTripleDESCBC: '1.2.840.113549.1.12.1.4',
  pbeWithSHAAnd128BitRC2CBC: '1.2.840.113549.1.12.1.5',
  pbeWithSHAAnd40BitRC2CBC: '1.2.840.113549.1.12.1.6',
  // Digests for the PKCS#12 MAC (RFC 7292 4, RFC 5754)
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha512_224: '2.16.840.1.101.3.4.2.5',
  sha512_256: '2.16.840.1.101.3.4.2.6',
  // Private key algorithms (RFC 8017, RFC 5480, RFC 8410, RFC 3279)
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  dsa: '1.2.840.10040.4.1',
  dhKeyAgreement: '1.2.840.113549.1.3.1',
  // Certificate extensions (RFC 5280 4.2.1.1, 4.2.1.2)
  authorityKeyIdentifier: '2.5.29.35',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/** Universal tag numbers we look at (X.680 8.4). */
export const UNIVERSAL = {
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  NUMERIC_STRING: 18,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  VISIBLE_STRING: 26,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const;

export type TagClass = 'universal' | 'application' | 'context' | 'private';

/** One parsed element. Views point into the parsed input; nothing is copied. */
export interface Asn1Node {
  readonly format: string;
  readonly tagClass: TagClass;
  readonly tag: number;
  readonly constructed: boolean;
  /** Byte offset of the identifier octet, counted from the start of the outermost input when known. */
  readonly offset: number;
  /** The whole element as read (identifier, length, contents; BER stays BER). */
  readonly encoded: Uint8Array;
  /** Contents octets of a primitive element (empty for a constructed one). */
  readonly content: Uint8Array;
  readonly children: readonly Asn1Node[];
}

const TAG_CLASSES: readonly TagClass[] = ['universal', 'application', 'context', 'private'];

/** Bounds for asn1js: no real keystore comes near them, and they cap the work a hostile file causes. */
const MAX_DEPTH = 64;
const MAX_NODES = 200_000;

/**
 * Parses exactly one BER element. `base` is the offset of `bytes` inside the outer file, so errors
 * in nested parses (the AuthenticatedSafe inside an OCTET STRING) still name a file offset.
 */
export function parseBer(bytes: Uint8Array, format: string, base = 0): Asn1Node {
  if (bytes.length === 0) throw new CodecError('format', format, 'no data', base);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes, {
      copyInput: false,
      parseEmbedded: false,
      maxDepth: MAX_DEPTH,
      maxNodes: MAX_NODES,
      maxContentLength: bytes.length,
    });
  } catch (e) {
    throw new CodecError('format', format, `not valid DER/BER (${String(e)})`, base + (firstBadOffset(bytes) ?? 0));
  }
  if (parsed.offset === -1 || parsed.result.error !== '') {
    const where = firstBadOffset(bytes);
    const reason = parsed.result.error || 'not valid DER/BER';
    throw new CodecError('format', format, `${reason.replace(/\.$/, '')}`, where === undefined ? undefined : base + where);
  }
  if (parsed.offset !== bytes.length) {
    throw new CodecError('format', format, `${bytes.length - parsed.offset} unexpected bytes after the end of the data`, base + parsed.offset);
  }
  // asn1js only warns when an indefinite-length element runs to the end without its
  // end-of-contents octets (a truncated BER file); the structural walk refuses that.
  const bad = firstBadOffset(bytes);
  if (bad !== undefined) throw new CodecError('format', format, 'truncated or inconsistent lengths', base + bad);
  return toNode(parsed.result, bytes, base, format);
}

/** Narrowing of the asn1js block fields we read; asn1js types them per class. */
interface BlockLike {
  idBlock: { tagClass: number; tagNumber: number; isConstructed: boolean; blockLength: number };
  lenBlock: { blockLength: number };
  valueBeforeDecodeView: Uint8Array;
  valueBlock: unknown;
}

function toNode(block: BlockLike, input: Uint8Array, base: number, format: string): Asn1Node {
  const view = block.valueBeforeDecodeView;
  const offset = view.buffer === input.buffer ? base + (view.byteOffset - input.byteOffset) : base;
  const tagClass = TAG_CLASSES[block.idBlock.tagClass - 1] ?? 'universal';
  const constructed = block.idBlock.isConstructed;
  const headerLength = block.idBlock.blockLength + block.lenBlock.blockLength;
  const inner = (block.valueBlock as { value?: unknown }).value;
  const kids = constructed && Array.isArray(inner) ? (inner as BlockLike[]) : [];
  return {
    format,
    tagClass,
    tag: block.idBlock.tagNumber,
    constructed,
    offset,
    encoded: view,
    content: constructed ? new Uint8Array(0) : view.subarray(headerLength),
    // asn1js keeps the end-of-contents marker of an indefinite-length element as a child (tag 0).
    children: kids
      .filter((k) => !(k.idBlock.tagClass === 1 && k.idBlock.tagNumber === 0 && !k.idBlock.isConstructed))
      .map((k) => toNode(k, input, base, format)),
  };
}

/**
 * Finds where the TLV structure stops making sense, for the error offset (asn1js reports what is
 * wrong, not where): the first element whose header is cut short or whose length runs past its
 * parent. Undefined when the structure is sound and asn1js objected to something else.
 */
function firstBadOffset(bytes: Uint8Array): number | undefined {
  try {
    walkElement(bytes, 0, bytes.length, 0);
    return undefined;
  } catch (e) {
    if (e instanceof BadAt) return e.offset;
    throw e;
  }
}

/** Thrown inside the walk only; an Error so that stack-less control flow stays lint-clean. */
class BadAt extends Error {
  constructor(readonly offset: number) {
    super(`bad element at ${offset}`);
  }
}

function walkElement(b: Uint8Array, start: number, limit: number, depth: number): number {
  if (depth > MAX_DEPTH || start >= limit) throw new BadAt(start);
  let pos = start;
  const first = b[pos++] as number;
  if ((first & 0x1f) === 0x1f) {
    for (let i = 0; ; i++) {
      if (pos >= limit || i > 4) throw new BadAt(start);
      if (((b[pos++] as number) & 0x80) === 0) break;
    }
  }
  if (pos >= limit) throw new BadAt(start);
  const lenByte = b[pos++] as number;
  const constructed = (first & 0x20) !== 0;
  if (lenByte === 0x80) {
    if (!constructed) throw new BadAt(start);
    for (;;) {
      if (pos + 1 < limit && b[pos] === 0 && b[pos + 1] === 0) return pos + 2;
      pos = walkElement(b, pos, limit, depth + 1);
    }
  }
  let length = lenByte;
  if (lenByte > 0x80) {
    const n = lenByte & 0x7f;
    if (n > 4 || pos + n > limit) throw new BadAt(start);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (b[pos++] as number);
  }
  if (length > limit - pos) throw new BadAt(start);
  const end = pos + length;
  if (constructed) for (let p = pos; p < end; ) p = walkElement(b, p, end, depth + 1);
  return end;
}

// ---------------------------------------------------------------------------------------------
// Narrowing. Every helper names what it expected, so a damaged file says where and what.

export function fail(node: Asn1Node, message: string): CodecError {
  return new CodecError('format', node.format, message, node.offset);
}

/** Offset of a primitive element's contents (for nested parses of what an OCTET STRING holds). */
export function contentOffset(node: Asn1Node): number {
  return node.offset + node.encoded.length - node.content.length;
}

export function isUniversal(node: Asn1Node, tag: number): boolean {
  return node.tagClass === 'universal' && node.tag === tag;
}

export function isContext(node: Asn1Node, tag: number): boolean {
  return node.tagClass === 'context' && node.tag === tag;
}

function expectUniversal(node: Asn1Node, tag: number, what: string): void {
  if (!isUniversal(node, tag)) throw fail(node, `${what}: unexpected ${describeTag(node)}`);
}

function describeTag(node: Asn1Node): string {
  return node.tagClass === 'universal' ? `tag ${node.tag}` : `${node.tagClass} tag [${node.tag}]`;
}

/** The elements of a SEQUENCE, with a count check: `min` required, `max` allowed. */
export function sequence(node: Asn1Node, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): readonly Asn1Node[] {
  expectUniversal(node, UNIVERSAL.SEQUENCE, what);
  return counted(node, what, min, max);
}

export function setOf(node: Asn1Node, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): readonly Asn1Node[] {
  expectUniversal(node, UNIVERSAL.SET, what);
  return counted(node, what, min, max);
}

function counted(node: Asn1Node, what: string, min: number, max: number): readonly Asn1Node[] {
  const n = node.children.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
    throw fail(node, `${what}: ${n} elements, expected ${want}`);
  }
  return node.children;
}

/** Element `i` of a list already count-checked (keeps noUncheckedIndexedAccess honest). */
export function at(list: readonly Asn1Node[], i: number, parent: Asn1Node, what: string): Asn1Node {
  const n = list[i];
  if (n === undefined) throw fail(parent, `${what}: element ${i + 1} is missing`);
  return n;
}

export function objectId(node: Asn1Node, what: string): string {
  expectUniversal(node, UNIVERSAL.OID, what);
  const c = node.content;
  if (c.length === 0 || ((c[c.length - 1] as number) & 0x80) !== 0) throw fail(node, `${what}: malformed object identifier`);
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    const b = c[i] as number;
    if (v === 0 && b === 0x80) throw fail(node, `${what}: object identifier with a padded arc`);
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 256) throw fail(node, `${what}: object identifier arc too large`);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

/** A non-negative INTEGER that fits a safe JS number (versions, iteration counts, key lengths). */
export function smallInteger(node: Asn1Node, what: string): number {
  expectUniversal(node, UNIVERSAL.INTEGER, what);
  const c = node.content;
  if (c.length === 0) throw fail(node, `${what}: empty INTEGER`);
  if (((c[0] as number) & 0x80) !== 0) throw fail(node, `${what}: negative INTEGER`);
  let v = 0;
  for (const b of c) {
    v = v * 256 + b;
    if (v > Number.MAX_SAFE_INTEGER / 256) throw fail(node, `${what}: INTEGER too large`);
  }
  return v;
}

/** OCTET STRING contents; a BER constructed OCTET STRING is concatenated (X.690 8.7.3). */
export function octetString(node: Asn1Node, what: string): Uint8Array {
  expectUniversal(node, UNIVERSAL.OCTET_STRING, what);
  return stringContent(node, what, UNIVERSAL.OCTET_STRING);
}

/**
 * Contents of a string-like element whose identifier was replaced by an IMPLICIT tag
 * (EncryptedContentInfo.encryptedContent [0] IMPLICIT OCTET STRING): primitive, or constructed
 * from OCTET STRING segments as pkijs and Windows write it.
 */
export function implicitOctets(node: Asn1Node, what: string): Uint8Array {
  return stringContent(node, what, UNIVERSAL.OCTET_STRING);
}

function stringContent(node: Asn1Node, what: string, segmentTag: number): Uint8Array {
  if (!node.constructed) return node.content;
  const parts = node.children.map((k) => {
    if (!isUniversal(k, segmentTag)) throw fail(k, `${what}: a constructed string holds ${describeTag(k)}`);
    return stringContent(k, what, segmentTag);
  });
  return concatBytes(parts);
}

export function bmpString(node: Asn1Node, what: string): string {
  expectUniversal(node, UNIVERSAL.BMP_STRING, what);
  const c = stringContent(node, what, UNIVERSAL.BMP_STRING);
  if (c.length % 2 !== 0) throw fail(node, `${what}: BMPString of odd length`);
  let s = '';
  for (let i = 0; i < c.length; i += 2) s += String.fromCharCode(((c[i] as number) << 8) | (c[i + 1] as number));
  return s;
}

/** The one element inside an EXPLICIT context tag [n]. */
export function explicit(node: Asn1Node, tag: number, what: string): Asn1Node {
  if (!isContext(node, tag) || !node.constructed) throw fail(node, `${what}: expected [${tag}], found ${describeTag(node)}`);
  if (node.children.length !== 1) throw fail(node, `${what}: [${tag}] holds ${node.children.length} elements, expected 1`);
  return node.children[0] as Asn1Node;
}

/** An AlgorithmIdentifier: OID and optional parameters (RFC 5280 4.1.1.2). */
export interface AlgorithmIdentifier {
  oid: string;
  params?: Asn1Node;
  node: Asn1Node;
}

export function algorithmIdentifier(node: Asn1Node, what: string): AlgorithmIdentifier {
  const parts = sequence(node, what, 1, 2);
  const oid = objectId(at(parts, 0, node, what), `${what} algorithm`);
  const params = parts[1];
  return params === undefined || isUniversal(params, UNIVERSAL.NULL) ? { oid, node } : { oid, params, node };
}

// ---------------------------------------------------------------------------------------------
// DER writing: the names PKCS#8 and PKCS#12 use, over the shared writer in der.ts.

export const concatBytes = (parts: readonly Uint8Array[]): Uint8Array => der.concat(...parts);

/** One element from its first identifier octet and its contents. */
export const derTlv = (identifier: number, content: Uint8Array): Uint8Array => der.encodeTlv(identifier, content);

export const derSequence = (...items: readonly Uint8Array[]): Uint8Array => der.sequence(...items);

/** SET OF with its elements sorted by their encodings, as DER requires (X.690 11.6). */
export const derSetOf = (items: readonly Uint8Array[]): Uint8Array => der.setOf(...items);

export function derInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`derInteger: ${value} is not a non-negative safe integer`);
  return der.integer(value);
}

export const derOctetString = (bytes: Uint8Array): Uint8Array => der.octetString(bytes);

export const derOid = (oid: string): Uint8Array => der.encodeOid(oid);

/** BMPString: UTF-16BE code units, no terminator (X.680 41; friendlyName, RFC 7292 4.2). */
export const derBmpString = (s: string): Uint8Array => der.encodeTlv(der.TAG.BMP_STRING, der.encodeUtf16be(s));

/** [n] EXPLICIT: a constructed context tag around one encoded element. */
export const derExplicit = (tag: number, inner: Uint8Array): Uint8Array => der.explicit(tag, inner);

/** [n] IMPLICIT on a primitive type (EncryptedContentInfo.encryptedContent). */
export const derImplicitPrimitive = (tag: number, content: Uint8Array): Uint8Array => der.encodeTlv(0x80 | tag, content);

/** AlgorithmIdentifier with parameters (already encoded) or an explicit NULL. */
export const derAlgorithm = (oid: string, params: Uint8Array = der.nullValue()): Uint8Array => der.sequence(der.encodeOid(oid), params);
