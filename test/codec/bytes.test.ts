import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader, ByteWriter } from '../../src/codec/bytes.js';
import { CodecError } from '../../src/codec/errors.js';

function isFormatError(offset: number, text?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.kind, 'format');
    assert.equal(e.format, 'TEST');
    assert.equal(e.offset, offset);
    if (text) assert.match(e.message, text);
    return true;
  };
}

void describe('ByteReader', () => {
  void it('reads big-endian integers and tracks offset and remaining', () => {
    const r = new ByteReader(
      Uint8Array.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0x2a),
      'TEST',
    );
    assert.equal(r.u8(), 1);
    assert.equal(r.u16(), 0x0203);
    assert.equal(r.u32(), 0x04050607);
    assert.equal(r.offset, 7);
    assert.equal(r.remaining, 12);
    assert.equal(r.peek(), 0xff);
    assert.equal(r.offset, 7, 'peek does not consume');
    assert.equal(r.i32(), -2);
    assert.equal(r.u64(), 42n);
    assert.equal(r.remaining, 0);
  });

  void it('reads signed and unsigned 64-bit values', () => {
    const bytes = new Uint8Array(8).fill(0xff);
    assert.equal(new ByteReader(bytes, 'TEST').i64(), -1n);
    assert.equal(new ByteReader(bytes, 'TEST').u64(), 0xffff_ffff_ffff_ffffn);
    assert.throws(() => new ByteReader(bytes, 'TEST').u64Number('size'), isFormatError(0, /size .* too large/));
    const safe = Uint8Array.of(0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    assert.equal(new ByteReader(safe, 'TEST').u64Number(), Number.MAX_SAFE_INTEGER);
  });

  void it('throws a format error with the offset instead of a RangeError when input runs out', () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3), 'TEST');
    r.u8();
    assert.throws(() => r.u32('count'), isFormatError(1, /truncated: count: need 4 bytes, 2 left/));
    assert.equal(r.offset, 1, 'a failed read consumes nothing');
    assert.throws(() => r.u64(), isFormatError(1));
    assert.throws(() => r.bytes(0x7fffffff, 'certificate'), isFormatError(1, /need 2147483647 bytes, 2 left/));
    assert.throws(() => r.skip(3), isFormatError(1));
    assert.throws(() => r.bytes(-1), isFormatError(1, /invalid length -1/));
    assert.deepEqual(r.bytes(2), Uint8Array.of(2, 3));
    assert.throws(() => r.peek(), isFormatError(3));
    assert.throws(() => new ByteReader(new Uint8Array(0), 'TEST').u8(), isFormatError(0));
  });

  void it('returns copies from bytes(), so decoded values never alias the input', () => {
    const input = Uint8Array.of(9, 8, 7);
    const got = new ByteReader(input, 'TEST').bytes(3);
    input[0] = 0;
    assert.deepEqual(got, Uint8Array.of(9, 8, 7));
  });

  void it('works on a subarray with a non-zero byteOffset', () => {
    const backing = Uint8Array.of(0xaa, 0xbb, 0x00, 0x01, 0xcc);
    const r = new ByteReader(backing.subarray(2, 4), 'TEST');
    assert.equal(r.u16(), 1);
    assert.throws(() => r.u8(), isFormatError(2));
  });

  void it('slice() checks its range and fail() builds an error at a given offset', () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3, 4), 'TEST');
    assert.deepEqual(r.slice(1, 3), Uint8Array.of(2, 3));
    assert.throws(() => r.slice(2, 9), isFormatError(0, /outside the input/));
    const e = r.fail('bad thing', 3);
    assert.equal(e.kind, 'format');
    assert.equal(e.offset, 3);
    assert.equal(e.message, 'TEST: bad thing (at byte 3)');
  });
});

void describe('ByteWriter', () => {
  void it('writes big-endian values that ByteReader reads back', () => {
    const w = new ByteWriter(16);
    w.u8(0xfe).u16(0xbeef).u32(0xfeedfeed).i32(-1).u64(2n ** 63n).i64(-5).bytes(Uint8Array.of(1, 2));
    const bytes = w.toBytes();
    assert.equal(w.length, 1 + 2 + 4 + 4 + 8 + 8 + 2);
    assert.equal(bytes.length, w.length);
    const r = new ByteReader(bytes, 'TEST');
    assert.equal(r.u8(), 0xfe);
    assert.equal(r.u16(), 0xbeef);
    assert.equal(r.u32(), 0xfeedfeed);
    assert.equal(r.i32(), -1);
    assert.equal(r.u64(), 2n ** 63n);
    assert.equal(r.i64(), -5n);
    assert.deepEqual(r.bytes(2), Uint8Array.of(1, 2));
  });

  void it('grows past its initial capacity on every kind of write', () => {
    const w = new ByteWriter(1);
    const big = new Uint8Array(5000).map((_, i) => i & 0xff);
    for (let i = 0; i < 100; i++) w.u32(i).u8(i).u16(i).u64(i).i64(0 - i).i32(0 - i);
    w.bytes(big);
    const r = new ByteReader(w.toBytes(), 'TEST');
    for (let i = 0; i < 100; i++) {
      assert.equal(r.u32(), i);
      assert.equal(r.u8(), i);
      assert.equal(r.u16(), i);
      assert.equal(r.u64(), BigInt(i));
      assert.equal(r.i64(), BigInt(0 - i));
      assert.equal(r.i32(), 0 - i);
    }
    assert.deepEqual(r.bytes(5000), big);
    assert.equal(r.remaining, 0);
  });

  void it('treats out-of-range values as programming errors', () => {
    const w = new ByteWriter();
    assert.throws(() => w.u8(256), RangeError);
    assert.throws(() => w.u16(-1), RangeError);
    assert.throws(() => w.u32(2 ** 32), RangeError);
    assert.throws(() => w.i32(2 ** 31), RangeError);
    assert.throws(() => w.u32(1.5), RangeError);
    assert.throws(() => w.u64(-1n), RangeError);
    assert.throws(() => w.i64(2n ** 63n), RangeError);
    assert.equal(w.length, 0);
  });

  void it('toBytes() is a snapshot', () => {
    const w = new ByteWriter();
    w.u8(1);
    const first = w.toBytes();
    w.u8(2);
    assert.deepEqual(first, Uint8Array.of(1));
    assert.deepEqual(w.toBytes(), Uint8Array.of(1, 2));
  });
});
