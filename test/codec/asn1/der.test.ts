import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError } from '../../../src/codec/errors.js';
import { TAG, children, readRoot, readTlv, readTlvHeader, valueBytes } from '../../../src/codec/asn1/tlv.js';
import { toDer } from '../../../src/codec/asn1/to-der.js';
import { readBigInt, readBitString, readBoolean, readOctetString, readOid, readString, readTime } from '../../../src/codec/asn1/values.js';
import {
  bigIntToBytes,
  encodeCertTime as certTime,
  encodeExplicit as explicit,
  encodeGeneralizedTime as generalizedTime,
  encodeImplicit as implicit,
  encodeInteger as integer,
  encodeOctetString as octetString,
  encodeOid,
  encodePrintableString as printableString,
  encodeSequence as sequence,
  encodeSetOf as setOf,
  encodeTlv,
  encodeUtcTime as utcTime,
  encodeUtf8String as utf8String,
} from '../../../src/codec/asn1/writer.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Asserts a CodecError('format') for the format given, at the offset given when one is expected. */
function assertFormatError(fn: () => unknown, offset?: number, format = 'test'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    assert.equal(e.kind, 'format');
    assert.equal(e.format, format);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    return true;
  });
}

test('short, long and high-tag-number headers', () => {
  const short = readTlv(hex('04 03 aa bb cc'), 0, 'test');
  assert.deepEqual([short.tag, short.headerLength, short.valueStart, short.valueEnd, short.end], [0x04, 2, 2, 5, 5]);

  const long = readTlv(hex('04 81 80' + 'ab'.repeat(128)), 0, 'test');
  assert.deepEqual([long.headerLength, long.valueEnd - long.valueStart], [3, 128]);

  const four = readTlvHeader(hex('30 84 00 01 00 00'), 0, 'test');
  assert.equal(four.valueEnd - four.valueStart, 65536);

  // [APPLICATION 300] constructed: 0x7f, 300 = 0b10_0101100 -> 0x82 0x2c
  const high = readTlv(hex('7f 82 2c 00'), 0, 'test');
  assert.deepEqual([high.cls, high.constructed, high.number, high.headerLength], [1, true, 300, 4]);
});

test('children are read in order with absolute offsets', () => {
  const der = hex('30 08 02 01 05 0c 03 61 62 63');
  const kids = children(readRoot(der, 'test'));
  assert.deepEqual(
    kids.map((k) => [k.tag, k.offset]),
    [
      [0x02, 2],
      [0x0c, 5],
    ],
  );
  assert.equal(readString(kids[1]!), 'abc');
});

test('BER indefinite lengths, nested, with a constructed OCTET STRING, convert to DER', () => {
  // SEQUENCE (indef) { INTEGER 5, OCTET STRING (constructed, indef) { 04 01 aa, 04 01 bb } EOC } EOC
  const ber = hex('30 80 02 01 05 24 80 04 01 aa 04 01 bb 00 00 00 00');
  const root = readRoot(ber, 'test');
  assert.equal(root.indefinite, true);
  assert.equal(root.end, ber.length);
  const [n, os] = children(root);
  assert.equal(readBigInt(n!), 5n);
  assert.equal(toHex(readOctetString(os!)), 'aabb');
  assert.equal(toHex(toDer(ber, 'test')), '3007020105' + '0402aabb');
  // Non-minimal long-form lengths are BER too.
  assert.equal(toHex(toDer(hex('30 81 04 02 81 01 07'), 'test')), '3003020107');
});

test('DER input passes through toDer unchanged', () => {
  const der = sequence(integer(1), utf8String('x'), explicit(0, octetString(hex('00ff'))));
  assert.deepEqual(toDer(der, 'test'), der);
});

test('short and lying lengths are format errors with the byte offset', () => {
  assertFormatError(() => readTlv(hex(''), 0, 'test'), 0);
  assertFormatError(() => readTlv(hex('30'), 0, 'test'), 1); // no length octet
  assertFormatError(() => readTlv(hex('30 05 02 01'), 0, 'test'), 0); // length 5, 2 bytes left
  assertFormatError(() => readTlv(hex('30 82 01'), 0, 'test'), 2); // long length cut short
  assertFormatError(() => readTlv(hex('30 85 00 00 00 00 01'), 0, 'test'), 1); // 5 length octets
  assertFormatError(() => readTlv(hex('30 ff'), 0, 'test'), 1); // reserved
  assertFormatError(() => readTlv(hex('04 80 00 00'), 0, 'test'), 1); // indefinite primitive
  assertFormatError(() => readTlv(hex('1f 81'), 0, 'test'), 2); // high tag cut short
  assertFormatError(() => readTlv(hex('30 80 02 01 05'), 0, 'test'), 0); // no end-of-contents
  // A child that claims more than its parent holds, even though the input has the bytes.
  const lying = hex('30 03 04 05 aa bb cc dd ee');
  assertFormatError(() => children(readTlv(lying, 0, 'test')), 2);
  assertFormatError(() => readRoot(hex('05 00 00'), 'test'), 2); // trailing byte
});

test('absurd nesting is refused without exhausting the stack', () => {
  const deepIndefinite = new Uint8Array(200 * 2 + 200 * 2);
  for (let i = 0; i < 200; i++) deepIndefinite.set([0x30, 0x80], i * 2);
  assertFormatError(() => readTlv(deepIndefinite, 0, 'test'));

  let nested = hex('05 00');
  for (let i = 0; i < 100; i++) nested = sequence(nested);
  assertFormatError(() => toDer(nested, 'test'));
});

test('OBJECT IDENTIFIER round trips, including arcs past 2^53', () => {
  for (const oid of ['1.2.840.113549.1.1.11', '2.5.29.17', '0.9.2342.19200300.100.1.25', '2.999.3', '2.25.329800735698586629295641978511506172918']) {
    const der = encodeOid(oid);
    assert.equal(readOid(readRoot(der, 'test')), oid);
  }
  assert.equal(toHex(encodeOid('1.2.840.113549')), '06062a864886f70d');
  assertFormatError(() => readOid(readRoot(hex('06 00'), 'test')), 2);
  assertFormatError(() => readOid(readRoot(hex('06 02 2a 86'), 'test')), 3); // ends mid-arc
  assertFormatError(() => readOid(readRoot(hex('06 02 80 01'), 'test')), 2); // leading 0x80
});

test('INTEGER encodings are minimal two’s complement', () => {
  const cases: [bigint, string][] = [
    [0n, '00'],
    [127n, '7f'],
    [128n, '0080'],
    [256n, '0100'],
    [-1n, 'ff'],
    [-128n, '80'],
    [-129n, 'ff7f'],
  ];
  for (const [n, h] of cases) {
    assert.equal(toHex(bigIntToBytes(n)), h, String(n));
    assert.equal(readBigInt(readRoot(integer(n), 'test')), n);
  }
  // Unsigned magnitudes (serials, moduli): leading zeros dropped, 0x00 added before a high bit.
  assert.equal(toHex(integer(hex('0000ff01'))), '020300ff01');
  assert.equal(toHex(integer(hex('0001'))), '020101');
  assertFormatError(() => readBigInt(readRoot(hex('02 00'), 'test')), 0);
});

test('character strings decode by tag', () => {
  const s = (tag: number, bytes: string): string => readString(readRoot(encodeTlv(tag, hex(bytes)), 'test'));
  assert.equal(s(TAG.UTF8_STRING, 'c3bc e282ac'), 'ü€');
  assert.equal(s(TAG.PRINTABLE_STRING, '41 42'), 'AB');
  assert.equal(s(TAG.T61_STRING, '4d fc 6c'), 'Mül'); // Latin-1, as the JDK reads T61String
  assert.equal(s(TAG.IA5_STRING, '61 40 62'), 'a@b');
  assert.equal(s(TAG.BMP_STRING, '20ac 0041'), '€A');
  assert.equal(s(TAG.UNIVERSAL_STRING, '0001f600 00000041'), '😀A');
  assert.equal(s(TAG.VISIBLE_STRING, '7e'), '~');
  assert.equal(s(TAG.NUMERIC_STRING, '31 32'), '12');
  assert.equal(s(TAG.PRINTABLE_STRING, '41 e9'), 'A\ufffd'); // US-ASCII with a stray high byte, as Java decodes it
  assertFormatError(() => readString(readRoot(hex('04 01 41'), 'test')), 0);
});

test('UTCTime and GeneralizedTime, with the leniencies the JDK accepts', () => {
  const t = (tag: number, text: string): Date => readTime(readRoot(encodeTlv(tag, Buffer.from(text, 'latin1')), 'test'));
  assert.equal(t(TAG.UTC_TIME, '491231235959Z').toISOString(), '2049-12-31T23:59:59.000Z');
  assert.equal(t(TAG.UTC_TIME, '500101000000Z').toISOString(), '1950-01-01T00:00:00.000Z'); // RFC 5280 4.1.2.5.1
  assert.equal(t(TAG.UTC_TIME, '2401011200Z').toISOString(), '2024-01-01T12:00:00.000Z'); // no seconds
  assert.equal(t(TAG.UTC_TIME, '240101120000+0130').toISOString(), '2024-01-01T10:30:00.000Z');
  assert.equal(t(TAG.GENERALIZED_TIME, '20500101000000Z').toISOString(), '2050-01-01T00:00:00.000Z');
  assert.equal(t(TAG.GENERALIZED_TIME, '20240101000000.5Z').toISOString(), '2024-01-01T00:00:00.500Z');
  assertFormatError(() => t(TAG.UTC_TIME, '241301000000Z'));
  assertFormatError(() => t(TAG.UTC_TIME, '2401010000'));
  assertFormatError(() => t(TAG.UTC_TIME, '24010100000Z'));
  assertFormatError(() => t(TAG.GENERALIZED_TIME, '2024'));
});

test('time writers pick UTCTime through 2049 and GeneralizedTime after (RFC 5280 4.1.2.5)', () => {
  const d2049 = new Date('2049-12-31T23:59:59Z');
  const d2050 = new Date('2050-01-01T00:00:00Z');
  assert.deepEqual(certTime(d2049), utcTime(d2049));
  assert.deepEqual(certTime(d2050), generalizedTime(d2050));
  assert.equal(Buffer.from(valueBytes(readRoot(certTime(d2050), 'test'))).toString('latin1'), '20500101000000Z');
  for (const d of [d2049, d2050]) assert.equal(readTime(readRoot(certTime(d), 'test')).getTime(), d.getTime());
});

test('BIT STRING, BOOLEAN, implicit tags and SET OF ordering', () => {
  const bits = readBitString(readRoot(hex('03 02 07 80'), 'test'));
  assert.deepEqual([bits.unusedBits, toHex(bits.bytes)], [7, '80']);
  assertFormatError(() => readBitString(readRoot(hex('03 00'), 'test')), 0);
  assertFormatError(() => readBitString(readRoot(hex('03 01 08'), 'test')), 2);
  assert.equal(readBoolean(readRoot(hex('01 01 ff'), 'test')), true);
  assert.equal(toHex(implicit(2, printableString('ab'))), '82026162');
  // X.690 11.6: SET OF sorted by encoding, so the longer 0x31-prefixed element comes after 0x02.
  assert.equal(toHex(setOf(utf8String('b'), integer(1), utf8String('a'))), '3109020101' + '0c0161' + '0c0162');
});
