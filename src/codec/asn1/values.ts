/**
 * Reading the values of primitive ASN.1 types from a Tlv (X.690 section 8): OBJECT IDENTIFIER,
 * INTEGER, BOOLEAN, NULL, BIT STRING, the octet and character strings (BER constructed forms
 * joined) and the two time types, with the leniencies the JDK and OpenSSL have where real files
 * need them. Every refusal is a CodecError('format') at the element's offset.
 */
import { concatBytes } from '../bytes.js';
import { CLASS_UNIVERSAL, MAX_DEPTH, TAG, UNIVERSAL, type Tlv, children, derError, expectTag, tagName, valueBytes } from './tlv.js';

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

/**
 * The contents of a string type, joining the segments of a BER constructed string (X.690
 * 8.23.6; seen in OCTET STRINGs written by pkijs and Windows). Segments carry the universal tag
 * of the string type; under an implicit outer tag ([0] IMPLICIT OCTET STRING) only the outer tag
 * differs, and `segmentType` (a universal tag number) names what the segments must be.
 */
export function stringValue(tlv: Tlv, segmentType?: number): Uint8Array {
  return joinSegments(tlv, tlv.cls === CLASS_UNIVERSAL ? tlv.number : segmentType, 0);
}

function joinSegments(tlv: Tlv, expected: number | undefined, depth: number): Uint8Array {
  if (!tlv.constructed) return valueBytes(tlv);
  if (depth > MAX_DEPTH) throw derError(tlv.format, `nesting deeper than ${MAX_DEPTH} levels`, tlv.offset);
  const parts: Uint8Array[] = [];
  for (const c of children(tlv)) {
    if (c.cls !== CLASS_UNIVERSAL || (expected !== undefined && c.number !== expected)) {
      throw derError(tlv.format, `segment of a constructed string has tag ${tagName(c.tag)}`, c.offset);
    }
    parts.push(joinSegments(c, expected, depth + 1));
  }
  return concatBytes(...parts);
}

export function readOctetString(tlv: Tlv): Uint8Array {
  if (tlv.cls !== CLASS_UNIVERSAL || tlv.number !== UNIVERSAL.OCTET_STRING) expectTag(tlv, TAG.OCTET_STRING, 'OCTET STRING');
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
  [UNIVERSAL.UTF8_STRING, utf8Text],
  [UNIVERSAL.NUMERIC_STRING, ascii],
  [UNIVERSAL.PRINTABLE_STRING, ascii],
  // T61String: the JDK (DerValue.getT61String) and OpenSSL both treat it as ISO-8859-1.
  [UNIVERSAL.T61_STRING, latin1Text],
  [UNIVERSAL.IA5_STRING, ascii],
  [UNIVERSAL.VISIBLE_STRING, ascii],
  [UNIVERSAL.GENERAL_STRING, ascii],
  [UNIVERSAL.UNIVERSAL_STRING, utf32be],
  [UNIVERSAL.BMP_STRING, (input, start, end) => utf16be.decode(input.subarray(start, end))],
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

