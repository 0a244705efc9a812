/**
 * Byte arrays: the one equality, order and concatenation every module uses, and big-endian
 * reading and writing for the binary codecs (JKS, JCEKS, and any other codec that wants it). The
 * reader is bounds-checked: a short input or a lying length field becomes a CodecError('format')
 * naming the format and the byte offset, never a RangeError from DataView and never an
 * allocation sized by an untrusted length (STYLE.md habit 1).
 */
import { CodecError } from './errors.js';

/** Whether two byte arrays hold the same bytes (Buffer.equals: a memcmp, not a JavaScript loop). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** memcmp order, a shorter prefix first: the order DER sorts SET OF elements in (X.690 11.6). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.from(a.buffer, a.byteOffset, a.length).compare(b);
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
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

export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  /** `format` names the format in every error this reader throws ("JKS", "JCEKS", ...). */
  constructor(
    bytes: Uint8Array,
    readonly format: string,
  ) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes consumed so far: the offset of the next read. */
  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  /** Throws a format error at the current offset unless `n` more bytes are there. */
  need(n: number, what?: string): void {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new CodecError('format', this.format, `invalid length ${String(n)}${what ? ` for ${what}` : ''}`, this.#pos);
    }
    if (n > this.remaining) {
      const label = what ? `${what}: ` : '';
      throw new CodecError('format', this.format, `truncated: ${label}need ${n} bytes, ${this.remaining} left`, this.#pos);
    }
  }

  /** A format error at `offset` (default: the current one), for callers that check values. */
  fail(message: string, offset: number = this.#pos): CodecError {
    return new CodecError('format', this.format, message, offset);
  }

  /** The next byte, without consuming it. */
  peek(what?: string): number {
    this.need(1, what);
    return this.#view.getUint8(this.#pos);
  }

  u8(what?: string): number {
    this.need(1, what);
    return this.#view.getUint8(this.#pos++);
  }

  u16(what?: string): number {
    this.need(2, what);
    const v = this.#view.getUint16(this.#pos);
    this.#pos += 2;
    return v;
  }

  u32(what?: string): number {
    this.need(4, what);
    const v = this.#view.getUint32(this.#pos);
    this.#pos += 4;
    return v;
  }

  /** A Java int (DataInput.readInt): signed 32-bit. */
  i32(what?: string): number {
    this.need(4, what);
    const v = this.#view.getInt32(this.#pos);
    this.#pos += 4;
    return v;
  }

  u64(what?: string): bigint {
    this.need(8, what);
    const v = this.#view.getBigUint64(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** A Java long (DataInput.readLong): signed 64-bit. */
  i64(what?: string): bigint {
    this.need(8, what);
    const v = this.#view.getBigInt64(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** An unsigned 64-bit value as a number; a format error when it is above 2^53 - 1. */
  u64Number(what?: string): number {
    const at = this.#pos;
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw this.fail(`${what ?? 'value'} ${v.toString()} is too large`, at);
    }
    return Number(v);
  }

  /** The next `n` bytes as a copy, so that decoded models never alias the input buffer. */
  bytes(n: number, what?: string): Uint8Array {
    this.need(n, what);
    const out = this.#bytes.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /**
   * Like bytes(), without copying: a view that shares the input's memory. For large read-only
   * values (the certificates of a 10,000-entry truststore) where a copy would only feed the GC.
   */
  view(n: number, what?: string): Uint8Array {
    this.need(n, what);
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  skip(n: number, what?: string): void {
    this.need(n, what);
    this.#pos += n;
  }

  /** A view (no copy) of input bytes [start, end) already known to be in range, e.g. for a digest. */
  slice(start: number, end: number): Uint8Array {
    if (start < 0 || end < start || end > this.#bytes.length) {
      throw this.fail(`range ${start}..${end} is outside the input`);
    }
    return this.#bytes.subarray(start, end);
  }
}

/** A growable big-endian writer. Values out of range are programming errors (RangeError). */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#len;
    this.#len = need;
    return at;
  }

  u8(v: number): this {
    checkInt(v, 0, 0xff);
    const at = this.#reserve(1);
    this.#view.setUint8(at, v);
    return this;
  }

  u16(v: number): this {
    checkInt(v, 0, 0xffff);
    const at = this.#reserve(2);
    this.#view.setUint16(at, v);
    return this;
  }

  u32(v: number): this {
    checkInt(v, 0, 0xffff_ffff);
    const at = this.#reserve(4);
    this.#view.setUint32(at, v);
    return this;
  }

  /** A Java int (DataOutput.writeInt). */
  i32(v: number): this {
    checkInt(v, -0x8000_0000, 0x7fff_ffff);
    const at = this.#reserve(4);
    this.#view.setInt32(at, v);
    return this;
  }

  u64(v: bigint | number): this {
    const b = BigInt(v);
    if (b < 0n || b > 0xffff_ffff_ffff_ffffn) throw new RangeError(`u64 out of range: ${b.toString()}`);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, b);
    return this;
  }

  /** A Java long (DataOutput.writeLong). */
  i64(v: bigint | number): this {
    const b = BigInt(v);
    if (b < -(2n ** 63n) || b >= 2n ** 63n) throw new RangeError(`i64 out of range: ${b.toString()}`);
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, b);
    return this;
  }

  bytes(b: Uint8Array): this {
    const at = this.#reserve(b.length); // before reading #buf: reserving may replace it
    this.#buf.set(b, at);
    return this;
  }

  /** A copy of what was written so far. */
  toBytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function checkInt(v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${String(v)} is not an integer in ${min}..${max}`);
  }
}
