/**
 * A small bounds-checked DER/BER reader and a minimal DER writer (ITU-T X.690).
 *
 * The reader accepts BER (indefinite lengths, non-minimal lengths, constructed strings) because
 * real files carry it: Windows .p7b exports and pkijs-made PKCS#12 use indefinite lengths
 * (keystore-formats.md 7.9), and the JDK and OpenSSL both accept them. The writer emits DER only.
 *
 * Offsets in a Tlv and in every CodecError are byte offsets into the Uint8Array the caller passed,
 * so a damaged file can be reported as "at byte N". No read ever goes past the end of the input or
 * past the end of the enclosing element: a short or lying length is a CodecError('format'), never a
 * RangeError or a silently short subarray.
 */
import { CodecError } from './errors.js';

/** Tag classes, X.690 8.1.2.2. */
export const CLASS_UNIVERSAL = 0;
export const CLASS_APPLICATION = 1;
export const CLASS_CONTEXT = 2;
export const CLASS_PRIVATE = 3;

/** First identifier octets of the universal types we read and write (X.680 8.4). */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  GENERAL_STRING: 0x1b,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Nesting deeper than this is refused: no real certificate or keystore comes close, and it bounds recursion. */
const MAX_DEPTH = 64;

/** One element as found in the input. Offsets are into `input`. */
export interface Tlv {
  /** The format name errors are reported under ("X.509", "PKCS#7", ...). */
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

function primitiveValue(tlv: Tlv, what: string): Uint8Array {
  if (tlv.constructed) throw derError(tlv.format, `${what} must be primitive`, tlv.offset);
  return valueBytes(tlv);
}

/** OBJECT IDENTIFIER contents to dotted decimal (X.690 8.19). `offset` places errors in the caller's input. */
export function decodeOidValue(v: Uint8Array, format: string, offset: number): string {
  return decodeOidRange(v, 0, v.length, format, offset);
}

/** Decodes input[start, end) in place: a certificate holds dozens of OIDs, so no subarray per OID. */
function decodeOidRange(input: Uint8Array, start: number, end: number, format: string, base = 0): string {
  if (end <= start) throw derError(format, 'empty OBJECT IDENTIFIER', base + start);
  let out = '';
  let acc = 0;
  // Arcs past 2^45 (UUID arcs under 2.25) continue in bigint; the common path stays in numbers.
  let big: bigint | undefined;
  let atArcStart = true;
  for (let i = start; i < end; i++) {
    const b = input[i] as number;
    if (atArcStart && b === 0x80) throw derError(format, 'OBJECT IDENTIFIER subidentifier has a leading zero digit', base + i);
    atArcStart = false;
    if (big !== undefined) big = big * 128n + BigInt(b & 0x7f);
    else {
      acc = acc * 128 + (b & 0x7f);
      if (acc > 2 ** 45) big = BigInt(acc);
    }
    if ((b & 0x80) !== 0) continue;
    if (out === '') {
      // The first subidentifier packs two arcs (X.690 8.19.4).
      if (big !== undefined) out = `2.${(big - 80n).toString()}`;
      else {
        const first = acc < 40 ? 0 : acc < 80 ? 1 : 2;
        out = `${first}.${acc - first * 40}`;
      }
    } else out += `.${big !== undefined ? big.toString() : acc}`;
    acc = 0;
    big = undefined;
    atArcStart = true;
  }
  if (!atArcStart) throw derError(format, 'OBJECT IDENTIFIER ends inside a subidentifier', base + end - 1);
  return out;
}

export function readOid(tlv: Tlv): string {
  expectTag(tlv, TAG.OID, 'OBJECT IDENTIFIER');
  return decodeOidRange(tlv.input, tlv.valueStart, tlv.valueEnd, tlv.format);
}

/** INTEGER contents, two's complement big-endian, as stored. */
export function readIntegerBytes(tlv: Tlv): Uint8Array {
  expectTag(tlv, TAG.INTEGER, 'INTEGER');
  const v = valueBytes(tlv);
  if (v.length === 0) throw derError(tlv.format, 'empty INTEGER', tlv.offset);
  return v;
}

export function bytesToBigInt(v: Uint8Array, signed: boolean): bigint {
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (signed && v.length > 0 && ((v[0] as number) & 0x80) !== 0) n -= 1n << BigInt(v.length * 8);
  return n;
}

export function readBigInt(tlv: Tlv): bigint {
  return bytesToBigInt(readIntegerBytes(tlv), true);
}

/** An INTEGER that must fit a JS safe integer (versions, counts, path lengths). */
export function readSmallInt(tlv: Tlv): number {
  const v = readIntegerBytes(tlv);
  if (v.length <= 6) {
    // Up to 48 bits is exact in a double; versions and path lengths need no BigInt.
    let n = 0;
    for (const b of v) n = n * 256 + b;
    return ((v[0] as number) & 0x80) !== 0 ? n - 2 ** (8 * v.length) : n;
  }
  const n = bytesToBigInt(v, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw derError(tlv.format, 'INTEGER too large', tlv.offset);
  }
  return Number(n);
}

export function readBoolean(tlv: Tlv): boolean {
  expectTag(tlv, TAG.BOOLEAN, 'BOOLEAN');
  const v = valueBytes(tlv);
  if (v.length !== 1) throw derError(tlv.format, 'BOOLEAN must be one byte', tlv.offset);
  return v[0] !== 0;
}

export function readNull(tlv: Tlv): null {
  expectTag(tlv, TAG.NULL, 'NULL');
  if (tlv.valueEnd !== tlv.valueStart) throw derError(tlv.format, 'NULL must be empty', tlv.offset);
  return null;
}

export interface BitString {
  unusedBits: number;
  bytes: Uint8Array;
}

/** BIT STRING (X.690 8.6): the first contents octet counts the unused bits of the last octet. */
export function readBitString(tlv: Tlv, implicitTag = false): BitString {
  if (!implicitTag) expectTag(tlv, TAG.BIT_STRING, 'BIT STRING');
  const v = primitiveValue(tlv, 'BIT STRING');
  const unused = v[0];
  if (unused === undefined) throw derError(tlv.format, 'empty BIT STRING', tlv.offset);
  if (unused > 7 || (unused > 0 && v.length === 1)) {
    throw derError(tlv.format, `BIT STRING with ${unused} unused bits`, tlv.valueStart);
  }
  return { unusedBits: unused, bytes: v.subarray(1) };
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * The contents of a string type, joining the segments of a BER constructed string
 * (X.690 8.23.6; seen in OCTET STRINGs written by pkijs and Windows).
 */
export function stringValue(tlv: Tlv): Uint8Array {
  return joinSegments(tlv, 0);
}

function joinSegments(tlv: Tlv, depth: number): Uint8Array {
  if (!tlv.constructed) return valueBytes(tlv);
  if (depth > MAX_DEPTH) throw derError(tlv.format, `nesting deeper than ${MAX_DEPTH} levels`, tlv.offset);
  // Segments carry the universal tag of the string type; under an implicit outer tag
  // ([0] IMPLICIT OCTET STRING) only the outer tag differs.
  const expected = tlv.cls === CLASS_UNIVERSAL ? tlv.number : undefined;
  const parts: Uint8Array[] = [];
  for (const c of children(tlv)) {
    if (c.cls !== CLASS_UNIVERSAL || (expected !== undefined && c.number !== expected)) {
      throw derError(tlv.format, `segment of a constructed string has tag ${tagName(c.tag)}`, c.offset);
    }
    parts.push(joinSegments(c, depth + 1));
  }
  return concatBytes(parts);
}

export function readOctetString(tlv: Tlv): Uint8Array {
  if (tlv.cls !== CLASS_UNIVERSAL || tlv.number !== 4) expectTag(tlv, TAG.OCTET_STRING, 'OCTET STRING');
  return stringValue(tlv);
}

const utf8 = new TextDecoder('utf-8');
const utf16be = new TextDecoder('utf-16be');

type Decoder = (input: Uint8Array, start: number, end: number) => string;

/** US-ASCII as Java decodes it (new String(bytes, US_ASCII)): bytes >= 0x80 become U+FFFD. */
const ascii: Decoder = (input, start, end) => {
  let s = '';
  for (let i = start; i < end; i++) {
    const b = input[i] as number;
    s += b < 0x80 ? String.fromCharCode(b) : '\ufffd';
  }
  return s;
};

function isAscii(input: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((input[i] as number) >= 0x80) return false;
  return true;
}

/** UTF-8; short ASCII values (nearly every name) skip the TextDecoder call and its subarray. */
const utf8Text: Decoder = (input, start, end) =>
  end - start <= 64 && isAscii(input, start, end) ? ascii(input, start, end) : utf8.decode(input.subarray(start, end));

const latin1Text: Decoder = (input, start, end) => {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(input[i] as number);
  return s;
};

const utf32be: Decoder = (input, start, end) => {
  let s = '';
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const cp = (((input[i] as number) << 24) | ((input[i + 1] as number) << 16) | ((input[i + 2] as number) << 8) | (input[i + 3] as number)) >>> 0;
    s += cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
  }
  if (i < end) s += '\ufffd';
  return s;
};

/** Universal tag numbers of the character string types readString understands. */
const STRING_TYPES: ReadonlyMap<number, Decoder> = new Map<number, Decoder>([
  [12, utf8Text], // UTF8String
  [18, ascii], // NumericString
  [19, ascii], // PrintableString
  // T61String: the JDK (DerValue.getT61String) and OpenSSL both treat it as ISO-8859-1.
  [20, latin1Text],
  [22, ascii], // IA5String
  [26, ascii], // VisibleString
  [27, ascii], // GeneralString
  [28, utf32be], // UniversalString
  [30, (input, start, end) => utf16be.decode(input.subarray(start, end))], // BMPString
]);

export function isStringTag(tlv: Tlv): boolean {
  return tlv.cls === CLASS_UNIVERSAL && STRING_TYPES.has(tlv.number);
}

/**
 * A character string by its tag. Malformed bytes decode to U+FFFD as in Java's new String(...),
 * so a name that keytool can print we can print too.
 */
export function readString(tlv: Tlv): string {
  const decode = tlv.cls === CLASS_UNIVERSAL ? STRING_TYPES.get(tlv.number) : undefined;
  if (decode === undefined) throw derError(tlv.format, `expected a character string, found tag ${tagName(tlv.tag)}`, tlv.offset);
  if (!tlv.constructed) return decode(tlv.input, tlv.valueStart, tlv.valueEnd);
  const joined = stringValue(tlv);
  return decode(joined, 0, joined.length);
}

function digits(v: Uint8Array, pos: number, n: number, tlv: Tlv): number {
  let x = 0;
  for (let i = 0; i < n; i++) {
    const b = v[pos + i];
    if (b === undefined || b < 0x30 || b > 0x39) throw derError(tlv.format, 'malformed time', tlv.valueStart + pos + i);
    x = x * 10 + (b - 0x30);
  }
  return x;
}

/**
 * UTCTime (two-digit year: < 50 is 20YY, else 19YY, RFC 5280 4.1.2.5.1) or GeneralizedTime, with
 * the BER leniencies the JDK accepts (DerValue.getTimeInternal): optional seconds, fractional
 * seconds in GeneralizedTime, and +hhmm/-hhmm offsets.
 */
export function readTime(tlv: Tlv): Date {
  const generalized = tlv.tag === TAG.GENERALIZED_TIME;
  if (!generalized) expectTag(tlv, TAG.UTC_TIME, 'time');
  const v = primitiveValue(tlv, 'time');
  let pos = 0;
  let year: number;
  if (generalized) {
    year = digits(v, 0, 4, tlv);
    pos = 4;
  } else {
    const yy = digits(v, 0, 2, tlv);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    pos = 2;
  }
  const month = digits(v, pos, 2, tlv);
  const day = digits(v, pos + 2, 2, tlv);
  const hour = digits(v, pos + 4, 2, tlv);
  const minute = digits(v, pos + 6, 2, tlv);
  pos += 8;
  let second = 0;
  let millis = 0;
  const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;
  if (isDigit(v[pos])) {
    second = digits(v, pos, 2, tlv);
    pos += 2;
    if (generalized && (v[pos] === 0x2e || v[pos] === 0x2c)) {
      pos++;
      let scale = 100;
      const fracStart = pos;
      while (isDigit(v[pos])) {
        millis += scale * ((v[pos] as number) - 0x30);
        scale /= 10;
        pos++;
      }
      if (pos === fracStart) throw derError(tlv.format, 'empty fractional seconds in time', tlv.valueStart + pos);
      millis = Math.floor(millis);
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw derError(tlv.format, `invalid time ${latin1Text(v, 0, v.length)}`, tlv.offset);
  }
  let t = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (year < 100) t = new Date(t).setUTCFullYear(year);
  const zone = v[pos];
  if (zone === 0x5a && pos + 1 === v.length) return new Date(t);
  if ((zone === 0x2b || zone === 0x2d) && pos + 5 === v.length) {
    const oh = digits(v, pos + 1, 2, tlv);
    const om = digits(v, pos + 3, 2, tlv);
    if (oh > 23 || om > 59) throw derError(tlv.format, 'invalid time zone offset', tlv.valueStart + pos);
    const offsetMs = (oh * 60 + om) * 60_000;
    return new Date(zone === 0x2b ? t - offsetMs : t + offsetMs);
  }
  throw derError(tlv.format, `invalid time ${latin1Text(v, 0, v.length)}: expected Z or an offset`, tlv.valueStart + pos);
}

// ---------------------------------------------------------------------------------------------
// Writer (DER, X.690 section 10)

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function encodeIdentifier(cls: number, constructed: boolean, number: number): Uint8Array {
  const first = (cls << 6) | (constructed ? 0x20 : 0);
  if (number < 31) return Uint8Array.of(first | number);
  const digitsOut: number[] = [];
  for (let x = number; ; x = Math.floor(x / 128)) {
    digitsOut.unshift((x & 0x7f) | (digitsOut.length > 0 ? 0x80 : 0));
    if (x < 128) break;
  }
  return Uint8Array.of(first | 0x1f, ...digitsOut);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** tag + definite length + contents. `tag` is a first identifier octet (tag number < 31). */
export function encodeTlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const value = concatBytes(contents);
  return concatBytes([Uint8Array.of(tag), encodeLength(value.length), value]);
}

export function sequence(...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, ...items);
}

/** A SET whose elements are written in the order given (for a single element, or a SET of distinct types). */
export function set(...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(TAG.SET, ...items);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** SET OF with the elements sorted by their encodings, as DER requires (X.690 11.6). */
export function setOf(...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(TAG.SET, ...[...items].sort(compareBytes));
}

/** [n] EXPLICIT: a constructed context tag wrapping complete encodings. */
export function explicit(n: number, ...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(contextTag(n, true), ...items);
}

/** [n] IMPLICIT: replaces the tag of `encoded` (a complete TLV with a low tag number). */
export function implicit(n: number, encoded: Uint8Array): Uint8Array {
  const out = encoded.slice();
  const first = out[0];
  if (first === undefined) throw new Error('implicit: empty encoding');
  out[0] = contextTag(n, (first & 0x20) !== 0);
  return out;
}

export function encodeOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new Error(`invalid OID ${dotted}`);
    return BigInt(a);
  });
  const [a0, a1, ...rest] = arcs;
  if (a0 === undefined || a1 === undefined || a0 > 2n || (a0 < 2n && a1 >= 40n)) throw new Error(`invalid OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [a0 * 40n + a1, ...rest]) {
    const group: number[] = [];
    for (let x = arc; ; x >>= 7n) {
      group.unshift(Number(x & 0x7fn) | (group.length > 0 ? 0x80 : 0));
      if (x < 128n) break;
    }
    out.push(...group);
  }
  return encodeTlv(TAG.OID, Uint8Array.from(out));
}

/** Minimal two's complement contents of an integer (X.690 8.3.2). */
export function bigIntToBytes(n: bigint): Uint8Array {
  const out: number[] = [];
  let x = n;
  for (;;) {
    out.unshift(Number(x & 0xffn));
    const rest = x >> 8n;
    const sign = (out[0] as number) & 0x80;
    if ((rest === 0n && sign === 0) || (rest === -1n && sign !== 0)) break;
    x = rest;
  }
  return Uint8Array.from(out);
}

/**
 * INTEGER from a number/bigint, or from unsigned big-endian magnitude bytes (a serial number or
 * an RSA modulus): leading zeros are dropped and one 0x00 added when the top bit is set.
 */
export function integer(value: number | bigint | Uint8Array): Uint8Array {
  if (typeof value === 'number' || typeof value === 'bigint') return encodeTlv(TAG.INTEGER, bigIntToBytes(BigInt(value)));
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const mag = value.subarray(i);
  const needsZero = mag.length === 0 || ((mag[0] as number) & 0x80) !== 0;
  return encodeTlv(TAG.INTEGER, needsZero ? concatBytes([Uint8Array.of(0), mag]) : mag);
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return encodeTlv(TAG.OCTET_STRING, bytes);
}

export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return encodeTlv(TAG.BIT_STRING, Uint8Array.of(unusedBits), bytes);
}

export function nullValue(): Uint8Array {
  return Uint8Array.of(TAG.NULL, 0);
}

export function boolean(value: boolean): Uint8Array {
  // DER encodes TRUE as 0xff (X.690 11.1).
  return Uint8Array.of(TAG.BOOLEAN, 1, value ? 0xff : 0);
}

const utf8Encoder = new TextEncoder();

/**
 * A JS string's UTF-16 code units, high byte first, no BOM or terminator: BMPString contents
 * (X.680 41), and how Java feeds a char[] password to a digest (KeyProtector, getPreKeyedHash).
 */
export function encodeUtf16be(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    out[2 * i] = u >> 8;
    out[2 * i + 1] = u & 0xff;
  }
  return out;
}

export function utf8String(s: string): Uint8Array {
  return encodeTlv(TAG.UTF8_STRING, utf8Encoder.encode(s));
}

/** PrintableString character set, X.680 41.4 (the same set as sun.security.util.DerValue.isPrintableStringChar). */
export function isPrintableString(s: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
}

export function printableString(s: string): Uint8Array {
  if (!isPrintableString(s)) throw new Error(`not a PrintableString: ${JSON.stringify(s)}`);
  return encodeTlv(TAG.PRINTABLE_STRING, utf8Encoder.encode(s));
}

export function ia5String(s: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(s)) throw new Error(`not an IA5String: ${JSON.stringify(s)}`);
  return encodeTlv(TAG.IA5_STRING, utf8Encoder.encode(s));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function timeDigits(d: Date): string {
  return (
    pad(d.getUTCMonth() + 1, 2) + pad(d.getUTCDate(), 2) + pad(d.getUTCHours(), 2) + pad(d.getUTCMinutes(), 2) + pad(d.getUTCSeconds(), 2)
  );
}

export function utcTime(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new Error(`UTCTime cannot hold the year ${y}`);
  return encodeTlv(TAG.UTC_TIME, utf8Encoder.encode(pad(y % 100, 2) + timeDigits(d) + 'Z'));
}

export function generalizedTime(d: Date): Uint8Array {
  // RFC 5280 4.1.2.5.2: seconds always present, no fractional seconds, Z.
  return encodeTlv(TAG.GENERALIZED_TIME, utf8Encoder.encode(pad(d.getUTCFullYear(), 4) + timeDigits(d) + 'Z'));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function certTime(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? utcTime(d) : generalizedTime(d);
}

// ---------------------------------------------------------------------------------------------
// BER -> DER

/** Universal string types whose constructed BER form DER replaces by the primitive form (X.690 10.2). */
const JOINABLE_STRINGS = new Set([4, 12, 18, 19, 20, 22, 26, 27, 28, 30]);

function reencode(tlv: Tlv, parts: Uint8Array[], depth: number): number {
  if (depth > MAX_DEPTH) throw derError(tlv.format, `nesting deeper than ${MAX_DEPTH} levels`, tlv.offset);
  let contents: Uint8Array[];
  let constructed = tlv.constructed;
  if (!tlv.constructed) contents = [valueBytes(tlv)];
  else if (tlv.cls === CLASS_UNIVERSAL && JOINABLE_STRINGS.has(tlv.number)) {
    contents = [stringValue(tlv)];
    constructed = false;
  } else {
    contents = [];
    for (const c of children(tlv)) reencode(c, contents, depth + 1);
  }
  let n = 0;
  for (const c of contents) n += c.length;
  const header = concatBytes([encodeIdentifier(tlv.cls, constructed, tlv.number), encodeLength(n)]);
  parts.push(header, ...contents);
  return header.length + n;
}

/**
 * Re-encodes BER as DER: definite minimal lengths and primitive strings. A certificate signed over
 * its DER but shipped inside BER (a Windows .p7b) then verifies again. SET OF elements are not
 * re-sorted: their order is part of what was signed, and OpenSSL keeps it too.
 */
export function toDer(input: Uint8Array, format: string): Uint8Array {
  const parts: Uint8Array[] = [];
  reencode(readRoot(input, format), parts, 0);
  return concatBytes(parts);
}
