/**
 * The checking helpers the structure codecs (PKCS#12, PKCS#8, the PBE parameters) read with: each
 * names what it expected, so a damaged file says what and where ("SafeBag: 1 elements, expected
 * 2 to 3 (at byte 412)"). They sit on the reader (tlv.ts, values.ts) and add the field's name.
 */
import { CodecError } from '../errors.js';
import { CLASS_CONTEXT, CLASS_UNIVERSAL, UNIVERSAL, type Tlv, children, innerElement, isContext, isUniversal, readRoot } from './tlv.js';
import { readOid, readSmallInt, stringValue } from './values.js';

export function fail(node: Tlv, message: string): CodecError {
  return new CodecError('format', node.format, message, node.offset);
}

function describeTag(node: Tlv): string {
  if (node.cls === CLASS_UNIVERSAL) return `tag ${node.number}`;
  return `${node.cls === CLASS_CONTEXT ? 'context' : node.cls === 1 ? 'application' : 'private'} tag [${node.number}]`;
}

function expectUniversal(node: Tlv, tag: number, what: string): void {
  if (!isUniversal(node, tag)) throw fail(node, `${what}: unexpected ${describeTag(node)}`);
}

function counted(node: Tlv, what: string, min: number, max: number): Tlv[] {
  const list = children(node);
  const n = list.length;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
    throw fail(node, `${what}: ${n} elements, expected ${want}`);
  }
  return list;
}

/** The elements of a SEQUENCE, with a count check: `min` required, `max` allowed. */
export function sequence(node: Tlv, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): Tlv[] {
  expectUniversal(node, UNIVERSAL.SEQUENCE, what);
  return counted(node, what, min, max);
}

export function setOf(node: Tlv, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): Tlv[] {
  expectUniversal(node, UNIVERSAL.SET, what);
  return counted(node, what, min, max);
}

/** Element `i` of a list already count-checked (keeps noUncheckedIndexedAccess honest). */
export function at(list: readonly Tlv[], i: number, parent: Tlv, what: string): Tlv {
  const n = list[i];
  if (n === undefined) throw fail(parent, `${what}: element ${i + 1} is missing`);
  return n;
}

export function objectId(node: Tlv, what: string): string {
  expectUniversal(node, UNIVERSAL.OID, what);
  return readOid(node);
}

/** A non-negative INTEGER that fits a safe JS number (versions, iteration counts, key lengths). */
export function smallInteger(node: Tlv, what: string): number {
  expectUniversal(node, UNIVERSAL.INTEGER, what);
  const n = readSmallInt(node);
  if (n < 0) throw fail(node, `${what}: negative INTEGER`);
  return n;
}

/** OCTET STRING contents; a BER constructed OCTET STRING is concatenated (X.690 8.7.3). */
export function octetString(node: Tlv, what: string): Uint8Array {
  expectUniversal(node, UNIVERSAL.OCTET_STRING, what);
  return stringValue(node);
}

/**
 * Contents of a string-like element whose identifier was replaced by an IMPLICIT tag
 * (EncryptedContentInfo.encryptedContent [0] IMPLICIT OCTET STRING): primitive, or constructed
 * from OCTET STRING segments as pkijs and Windows write it.
 */
export function implicitOctets(node: Tlv, what: string): Uint8Array {
  if (node.cls === CLASS_UNIVERSAL) throw fail(node, `${what}: expected an IMPLICIT tag, found ${describeTag(node)}`);
  return stringValue(node, UNIVERSAL.OCTET_STRING);
}

/**
 * A BMPString as UTF-16 code units, every one kept (a lone surrogate too), as a PKCS#12
 * friendlyName is read (RFC 7292 4.2; the JDK's DerValue.getBMPString).
 */
export function bmpString(node: Tlv, what: string): string {
  expectUniversal(node, UNIVERSAL.BMP_STRING, what);
  const c = stringValue(node);
  if (c.length % 2 !== 0) throw fail(node, `${what}: BMPString of odd length`);
  let s = '';
  for (let i = 0; i < c.length; i += 2) s += String.fromCharCode(((c[i] as number) << 8) | (c[i + 1] as number));
  return s;
}

/** The one element inside an EXPLICIT context tag [n]. */
export function explicit(node: Tlv, tag: number, what: string): Tlv {
  if (!isContext(node, tag) || !node.constructed) throw fail(node, `${what}: expected [${tag}], found ${describeTag(node)}`);
  const inner = children(node);
  if (inner.length !== 1) throw fail(node, `${what}: [${tag}] holds ${inner.length} elements, expected 1`);
  return inner[0] as Tlv;
}

/** An AlgorithmIdentifier: OID and optional parameters (RFC 5280 4.1.1.2); a NULL counts as none. */
export interface AlgorithmIdentifier {
  oid: string;
  params?: Tlv;
  node: Tlv;
}

export function algorithmIdentifier(node: Tlv, what: string): AlgorithmIdentifier {
  const parts = sequence(node, what, 1, 2);
  const oid = objectId(at(parts, 0, node, what), `${what} algorithm`);
  const params = parts[1];
  return params === undefined || isUniversal(params, UNIVERSAL.NULL) ? { oid, node } : { oid, params, node };
}

// ---------------------------------------------------------------------------------------------
// Structures inside OCTET STRINGs, and bytes that are not in the file as they are read.

/**
 * A structure read from bytes that sit elsewhere than where they are parsed: the joined segments
 * of a BER OCTET STRING, a decrypted safe. `base` is the file offset its errors are counted from
 * (0 when `root` is read in place and its offsets are the file's already).
 */
export interface Embedded {
  root: Tlv;
  base: number;
}

/** The one element an OCTET STRING holds: read in place when it is primitive, from its joined segments when not. */
export function encapsulated(node: Tlv, what: string): Embedded {
  expectUniversal(node, UNIVERSAL.OCTET_STRING, what);
  if (!node.constructed) return { root: innerElement(node.input, node.valueStart, node.valueEnd, node.format), base: 0 };
  return { root: readRoot(stringValue(node), node.format), base: node.offset };
}

/**
 * Runs `read` on an embedded structure (or any bytes parsed apart) so that its errors name file
 * offsets: each is moved by `base`. Nested calls add up, as nested embeddings do.
 */
export function within<T>(base: number, read: () => T): T {
  if (base === 0) return read();
  try {
    return read();
  } catch (e) {
    if (e instanceof CodecError && e.offset !== undefined) throw new CodecError(e.kind, e.format, e.detail, e.offset + base);
    throw e;
  }
}
