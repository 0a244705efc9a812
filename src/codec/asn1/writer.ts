/**
 * The DER writer (X.690 section 10): definite minimal lengths, primitive strings, SET OF sorted.
 * Every function that makes an element is named encode*, so a writer is never mistaken for one
 * of the readers (tlv.ts, values.ts, check.ts).
 */
import { compareBytes, concatBytes } from '../bytes.js';
import { TAG, contextTag } from './tlv.js';

export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Identifier octets for any class and tag number (X.690 8.1.2), high-tag form included. */
export function encodeIdentifier(cls: number, constructed: boolean, number: number): Uint8Array {
  const first = (cls << 6) | (constructed ? 0x20 : 0);
  if (number < 31) return Uint8Array.of(first | number);
  const digits: number[] = [];
  for (let x = number; ; x = Math.floor(x / 128)) {
    digits.unshift((x & 0x7f) | (digits.length > 0 ? 0x80 : 0));
    if (x < 128) break;
  }
  return Uint8Array.of(first | 0x1f, ...digits);
}

/** tag + definite length + contents. `tag` is a first identifier octet (tag number < 31). */
export function encodeTlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const value = concatBytes(...contents);
  return concatBytes(Uint8Array.of(tag), encodeLength(value.length), value);
}

export function encodeSequence(...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(TAG.SEQUENCE, ...items);
}

/** A SET whose elements are written in the order given (for a single element, or a SET of distinct types). */
export function encodeSet(...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(TAG.SET, ...items);
}

/** SET OF with the elements sorted by their encodings, as DER requires (X.690 11.6). */
export function encodeSetOf(...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(TAG.SET, ...[...items].sort(compareBytes));
}

/** [n] EXPLICIT: a constructed context tag wrapping complete encodings. */
export function encodeExplicit(n: number, ...items: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(contextTag(n, true), ...items);
}

/** [n] IMPLICIT: replaces the tag of `encoded` (a complete TLV with a low tag number). */
export function encodeImplicit(n: number, encoded: Uint8Array): Uint8Array {
  const out = encoded.slice();
  const first = out[0];
  if (first === undefined) throw new Error('encodeImplicit: empty encoding');
  out[0] = contextTag(n, (first & 0x20) !== 0);
  return out;
}

/** OBJECT IDENTIFIER contents (X.690 8.19): the first two arcs in one subidentifier, base 128. */
export function encodeOidContents(dotted: string): Uint8Array {
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
  return Uint8Array.from(out);
}

export function encodeOid(dotted: string): Uint8Array {
  return encodeTlv(TAG.OID, encodeOidContents(dotted));
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
export function encodeInteger(value: number | bigint | Uint8Array): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`encodeInteger: ${value} is not a safe integer`);
  if (typeof value === 'number' || typeof value === 'bigint') return encodeTlv(TAG.INTEGER, bigIntToBytes(BigInt(value)));
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  const mag = value.subarray(i);
  const needsZero = mag.length === 0 || ((mag[0] as number) & 0x80) !== 0;
  return encodeTlv(TAG.INTEGER, needsZero ? concatBytes(Uint8Array.of(0), mag) : mag);
}

export function encodeOctetString(bytes: Uint8Array): Uint8Array {
  return encodeTlv(TAG.OCTET_STRING, bytes);
}

export function encodeBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return encodeTlv(TAG.BIT_STRING, Uint8Array.of(unusedBits), bytes);
}

export function encodeNull(): Uint8Array {
  return Uint8Array.of(TAG.NULL, 0);
}

export function encodeBoolean(value: boolean): Uint8Array {
  // DER encodes TRUE as 0xff (X.690 11.1).
  return Uint8Array.of(TAG.BOOLEAN, 1, value ? 0xff : 0);
}

/** AlgorithmIdentifier (RFC 5280 4.1.1.2) with parameters already encoded, by default an explicit NULL. */
export function encodeAlgorithm(oid: string, params: Uint8Array = encodeNull()): Uint8Array {
  return encodeSequence(encodeOid(oid), params);
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

export function encodeUtf8String(s: string): Uint8Array {
  return encodeTlv(TAG.UTF8_STRING, utf8Encoder.encode(s));
}

/** BMPString: UTF-16BE code units, no terminator (X.680 41; a PKCS#12 friendlyName, RFC 7292 4.2). */
export function encodeBmpString(s: string): Uint8Array {
  return encodeTlv(TAG.BMP_STRING, encodeUtf16be(s));
}

/** PrintableString character set, X.680 41.4 (the same set as sun.security.util.DerValue.isPrintableStringChar). */
export function isPrintableString(s: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
}

export function encodePrintableString(s: string): Uint8Array {
  if (!isPrintableString(s)) throw new Error(`not a PrintableString: ${JSON.stringify(s)}`);
  return encodeTlv(TAG.PRINTABLE_STRING, utf8Encoder.encode(s));
}

export function encodeIa5String(s: string): Uint8Array {
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

export function encodeUtcTime(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new Error(`UTCTime cannot hold the year ${y}`);
  return encodeTlv(TAG.UTC_TIME, utf8Encoder.encode(pad(y % 100, 2) + timeDigits(d) + 'Z'));
}

export function encodeGeneralizedTime(d: Date): Uint8Array {
  // RFC 5280 4.1.2.5.2: seconds always present, no fractional seconds, Z.
  return encodeTlv(TAG.GENERALIZED_TIME, utf8Encoder.encode(pad(d.getUTCFullYear(), 4) + timeDigits(d) + 'Z'));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function encodeCertTime(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? encodeUtcTime(d) : encodeGeneralizedTime(d);
}
