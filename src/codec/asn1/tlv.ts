/**
 * The one ASN.1 reader under every structure mailcert reads (ITU-T X.690): bounds-checked
 * identifier and length octets, constructed elements walked child by child, nothing copied.
 * Value readers are in values.ts, the checking helpers the structure codecs use in check.ts,
 * the writer in writer.ts, BER -> DER in to-der.ts, object identifiers in oid.ts.
 *
 * BER is accepted (indefinite lengths, non-minimal lengths, constructed strings) because real
 * files carry it: Windows .p7b exports and pkijs-made PKCS#12 use indefinite lengths
 * (keystore-formats.md 7.9), and the JDK (DerValue) and OpenSSL (d2i) both accept them.
 *
 * Offsets in a Tlv and in every CodecError are byte offsets into the Uint8Array the caller
 * passed, so a damaged file can be reported as "at byte N". No read goes past the end of the
 * input or of the enclosing element: a short or lying length is a CodecError('format'), never a
 * RangeError or a silently short subarray. Elements are read when asked for (as Go's cryptobyte
 * and the JDK's DerInputStream read them), so a 10,000-certificate keystore costs one pass.
 */
import { CodecError } from '../errors.js';

/** Tag classes, X.690 8.1.2.2. */
export const CLASS_UNIVERSAL = 0;
export const CLASS_APPLICATION = 1;
export const CLASS_CONTEXT = 2;
export const CLASS_PRIVATE = 3;

/** Universal tag numbers of the types mailcert reads and writes (X.680 8.4). */
export const UNIVERSAL = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  NUMERIC_STRING: 18,
  PRINTABLE_STRING: 19,
  T61_STRING: 20,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  VISIBLE_STRING: 26,
  GENERAL_STRING: 27,
  UNIVERSAL_STRING: 28,
  BMP_STRING: 30,
} as const;

/**
 * The same types as first identifier octets, the form DER writes them in: primitive, except
 * SEQUENCE and SET, which are always constructed (0x30, 0x31).
 */
export const TAG = { ...UNIVERSAL, SEQUENCE: 0x30, SET: 0x31 } as const;

/** Nesting deeper than this is refused: no real certificate or keystore comes close, and it bounds recursion. */
export const MAX_DEPTH = 64;

/** One element as found in the input. Offsets are into `input`. */
export interface Tlv {
  /** The format name errors are reported under ("X.509", "PKCS#12", ...). */
  readonly format: string;
  readonly input: Uint8Array;
  /** Offset of the first identifier octet. */
  readonly offset: number;
  /**
   * The first identifier octet: class, constructed bit and tag number, e.g. 0x30 for SEQUENCE,
   * 0xa0 for [0] constructed. For tag numbers >= 31 (high-tag form) the low 5 bits are 0x1f and
   * `number` holds the real tag number.
   */
  readonly tag: number;
  readonly cls: number;
  readonly constructed: boolean;
  readonly number: number;
  /** Identifier plus length octets. */
  readonly headerLength: number;
  /** BER indefinite length (X.690 8.1.3.6): contents end at an end-of-contents marker. */
  readonly indefinite: boolean;
  /** Contents: input[valueStart, valueEnd). For indefinite lengths valueEnd is before the EOC octets. */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** End of the whole element, including any end-of-contents octets. */
  readonly end: number;
}

export function derError(format: string, message: string, offset?: number): CodecError {
  return new CodecError('format', format, message, offset);
}

/** The contents octets (a view, not a copy). */
export function valueBytes(tlv: Tlv): Uint8Array {
  return tlv.input.subarray(tlv.valueStart, tlv.valueEnd);
}

/** The whole encoding, header included (a view, not a copy). */
export function tlvBytes(tlv: Tlv): Uint8Array {
  return tlv.input.subarray(tlv.offset, tlv.end);
}

export function tagName(tag: number): string {
  return `0x${tag.toString(16).padStart(2, '0')}`;
}

interface Header {
  tag: number;
  cls: number;
  constructed: boolean;
  number: number;
  headerLength: number;
  /** -1 for the indefinite form. */
  length: number;
}

/** Reads identifier and length octets (X.690 8.1.2, 8.1.3) without looking at the contents. */
function readHeader(input: Uint8Array, offset: number, format: string, limit: number): Header {
  if (offset >= limit) throw derError(format, 'unexpected end of data: expected a tag', offset);
  const first = input[offset] as number;
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let number = first & 0x1f;
  let pos = offset + 1;
  if (number === 0x1f) {
    // High-tag-number form, X.690 8.1.2.4: base-128 digits, bit 8 set on all but the last.
    number = 0;
    for (let i = 0; ; i++) {
      if (pos >= limit) throw derError(format, 'unexpected end of data inside a tag', pos);
      const b = input[pos] as number;
      if (i === 0 && b === 0x80) throw derError(format, 'tag number has a leading zero digit', pos);
      if (i >= 4) throw derError(format, 'tag number too large', pos);
      number = number * 128 + (b & 0x7f);
      pos++;
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= limit) throw derError(format, 'unexpected end of data: expected a length', pos);
  const lenByte = input[pos] as number;
  pos++;
  let length: number;
  if (lenByte < 0x80) {
    length = lenByte;
  } else if (lenByte === 0x80) {
    // Indefinite form is for constructed encodings only (X.690 8.1.3.2 a).
    if (!constructed) throw derError(format, 'indefinite length on a primitive value', pos - 1);
    length = -1;
  } else if (lenByte === 0xff) {
    throw derError(format, 'reserved length octet 0xff', pos - 1);
  } else {
    const n = lenByte & 0x7f;
    if (n > 4) throw derError(format, `length field of ${n} octets is too large`, pos - 1);
    if (pos + n > limit) throw derError(format, 'unexpected end of data inside a length', pos);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (input[pos + i] as number);
    pos += n;
  }
  return { tag: first, cls, constructed, number, headerLength: pos - offset, length };
}

/**
 * Reads the element starting at `offset`, which must end at or before `limit` (the end of the
 * enclosing element; the input length by default). An indefinite length is resolved by walking
 * the children up to the end-of-contents octets.
 */
export function readTlv(input: Uint8Array, offset: number, format: string, limit = input.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw derError(format, `nesting deeper than ${MAX_DEPTH} levels`, offset);
  const first = input[offset] as number;
  const lenByte = input[offset + 1] as number;
  let number: number;
  let headerLength: number;
  let length: number;
  if (offset + 1 < limit && (first & 0x1f) !== 0x1f && lenByte < 0x80) {
    // Low tag number, short definite length: nearly every element of a certificate. Decoded here
    // without the Header object, because a 10,000-certificate truststore parses a million of them.
    number = first & 0x1f;
    headerLength = 2;
    length = lenByte;
  } else {
    const h = readHeader(input, offset, format, limit);
    number = h.number;
    headerLength = h.headerLength;
    length = h.length;
  }
  const valueStart = offset + headerLength;
  let valueEnd: number;
  let end: number;
  if (length >= 0) {
    valueEnd = valueStart + length;
    if (valueEnd > limit) {
      throw derError(
        format,
        `length ${length} of element with tag ${tagName(first)} exceeds the ${limit - valueStart} bytes available`,
        offset,
      );
    }
    end = valueEnd;
  } else {
    let pos = valueStart;
    for (;;) {
      if (pos + 2 <= limit && input[pos] === 0 && input[pos + 1] === 0) break;
      if (pos >= limit) throw derError(format, 'missing end-of-contents after an indefinite length', offset);
      pos = readTlv(input, pos, format, limit, depth + 1).end;
    }
    valueEnd = pos;
    end = pos + 2;
  }
  return {
    format,
    input,
    offset,
    tag: first,
    cls: first >> 6,
    constructed: (first & 0x20) !== 0,
    number,
    headerLength,
    indefinite: length < 0,
    valueStart,
    valueEnd,
    end,
  };
}

/**
 * Identifier and length only, for sniffing (codec/detect.ts): the contents are not checked, a
 * definite length may point past `limit` (a truncated file), and for an indefinite length
 * valueEnd and end are `limit` because the end-of-contents is not searched for.
 */
export function readTlvHeader(input: Uint8Array, offset: number, format: string, limit = input.length): Tlv {
  const h = readHeader(input, offset, format, limit);
  const valueStart = offset + h.headerLength;
  const valueEnd = h.length >= 0 ? valueStart + h.length : limit;
  return {
    format,
    input,
    offset,
    tag: h.tag,
    cls: h.cls,
    constructed: h.constructed,
    number: h.number,
    headerLength: h.headerLength,
    indefinite: h.length < 0,
    valueStart,
    valueEnd,
    end: valueEnd,
  };
}

/** Reads one element that must fill the whole input (no trailing bytes). */
export function readRoot(input: Uint8Array, format: string): Tlv {
  const tlv = readTlv(input, 0, format);
  if (tlv.end !== input.length) {
    throw derError(format, `${input.length - tlv.end} unexpected bytes after the end of the data`, tlv.end);
  }
  return tlv;
}

/**
 * The one element that fills input[start, end): the contents of an OCTET STRING or BIT STRING
 * that encapsulate a structure (an extension's value, an RSA key), read in place so that offsets
 * stay those of the whole input.
 */
export function innerElement(input: Uint8Array, start: number, end: number, format: string): Tlv {
  const tlv = readTlv(input, start, format, end);
  if (tlv.end !== end) throw derError(format, `${end - tlv.end} unexpected bytes after the encapsulated value`, tlv.end);
  return tlv;
}

/** The children of a constructed element, in encoding order. */
export function children(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) {
    throw derError(tlv.format, `expected a constructed value, found primitive tag ${tagName(tlv.tag)}`, tlv.offset);
  }
  const out: Tlv[] = [];
  let pos = tlv.valueStart;
  while (pos < tlv.valueEnd) {
    const child = readTlv(tlv.input, pos, tlv.format, tlv.valueEnd, 1);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Throws unless the element has the given first identifier octet. */
export function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) {
    throw derError(tlv.format, `${what}: expected tag ${tagName(tag)}, found ${tagName(tlv.tag)}`, tlv.offset);
  }
  return tlv;
}

/** items[index], or a format error naming what is missing (for use with noUncheckedIndexedAccess). */
export function item(parent: Tlv, items: readonly Tlv[], index: number, what: string): Tlv {
  const t = items[index];
  if (t === undefined) throw derError(parent.format, `${what} is missing`, parent.valueEnd);
  return t;
}

/** A context-specific tag [n] as a first identifier octet. */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

export function isContext(tlv: Tlv, n: number): boolean {
  return tlv.cls === CLASS_CONTEXT && tlv.number === n;
}

/** A universal type by its tag number or first identifier octet, primitive or (BER) constructed. */
export function isUniversal(tlv: Tlv, tag: number): boolean {
  return tlv.cls === CLASS_UNIVERSAL && tlv.number === (tag & 0x1f);
}
