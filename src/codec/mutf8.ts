/**
 * Java "modified UTF-8", the string encoding of DataOutputStream.writeUTF / DataInputStream.readUTF,
 * used for JKS and JCEKS aliases and certificate types (keystore-formats.md 1.2). It differs from
 * UTF-8 in two ways: U+0000 is written as C0 80, and each UTF-16 code unit is encoded on its own, so
 * a supplementary character becomes two 3-byte surrogates (CESU-8). Plain UTF-8 for the emoji alias
 * makes keytool fail with "UTFDataFormatException: malformed input".
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import { CodecError } from './errors.js';

/** writeUTF stores the encoded length in an unsigned 16-bit field. */
export const MUTF8_MAX_BYTES = 0xffff;

/** The encoded length of `s`, as DataOutputStream.writeUTF counts it. */
export function mutf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c >= 0x0001 && c <= 0x007f ? 1 : c <= 0x07ff ? 2 : 3;
  }
  return n;
}

/**
 * Encodes `s` without the length prefix. Works per UTF-16 code unit like the JDK, so lone
 * surrogates (legal in both Java and JS strings) round-trip too.
 */
export function encodeMutf8(s: string): Uint8Array {
  const out = new Uint8Array(mutf8Length(s));
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x0001 && c <= 0x007f) {
      out[o++] = c;
    } else if (c <= 0x07ff) {
      // Includes U+0000 as C0 80, so the encoded string never holds a zero byte.
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

/**
 * Decodes modified UTF-8 exactly as DataInputStream.readUTF does: 1-, 2- and 3-byte forms only,
 * continuation bytes must be 10xxxxxx, and 4-byte lead bytes (F0..F7, i.e. standard UTF-8 for a
 * supplementary character) or stray continuation bytes are malformed. Like the JDK it accepts the
 * non-shortest forms it can decode (a raw 00 byte, C1 81 for "A"); re-encoding gives the canonical
 * form. `baseOffset` is where `bytes` starts in the file, for the error offset.
 */
/**
 * The string when every byte is ASCII, where modified UTF-8 is the bytes themselves; else
 * undefined. Almost every alias (and every "X.509") is: a 10,000-entry truststore decodes
 * 20,000 of them.
 */
function asciiOnly(bytes: Uint8Array): string | undefined {
  let s = '';
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k] as number;
    if (b >= 0x80) return undefined;
    s += String.fromCharCode(b);
  }
  return s;
}

export function decodeMutf8(bytes: Uint8Array, format: string, baseOffset = 0): string {
  const ascii = asciiOnly(bytes);
  if (ascii !== undefined) return ascii;
  const units: number[] = [];
  let i = 0;
  const malformed = (why: string): CodecError =>
    new CodecError('format', format, `malformed modified UTF-8 string: ${why}`, baseOffset + i);
  while (i < bytes.length) {
    const a = bytes[i] ?? 0;
    switch (a >> 4) {
      case 0x0:
      case 0x1:
      case 0x2:
      case 0x3:
      case 0x4:
      case 0x5:
      case 0x6:
      case 0x7:
        units.push(a);
        i += 1;
        break;
      case 0xc:
      case 0xd: {
        if (i + 2 > bytes.length) throw malformed('partial character at end');
        const b = bytes[i + 1] ?? 0;
        if ((b & 0xc0) !== 0x80) throw malformed(`bad continuation byte 0x${hex(b)}`);
        units.push(((a & 0x1f) << 6) | (b & 0x3f));
        i += 2;
        break;
      }
      case 0xe: {
        if (i + 3 > bytes.length) throw malformed('partial character at end');
        const b = bytes[i + 1] ?? 0;
        const c = bytes[i + 2] ?? 0;
        if ((b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) {
          throw malformed(`bad continuation bytes 0x${hex(b)} 0x${hex(c)}`);
        }
        units.push(((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f));
        i += 3;
        break;
      }
      default:
        // 10xxxxxx cannot start a character; 1111xxxx is a 4-byte form Java never writes.
        throw malformed(`unexpected byte 0x${hex(a)}`);
    }
  }
  return unitsToString(units);
}

/** DataInputStream.readUTF: a u16 byte length, then the modified UTF-8 bytes. */
export function readJavaUtf(r: ByteReader, what = 'string'): string {
  const len = r.u16(`${what} length`);
  const start = r.offset;
  return decodeMutf8(r.bytes(len, what), r.format, start);
}

/**
 * DataOutputStream.writeUTF. A string longer than 65535 encoded bytes cannot be written (the JDK
 * throws UTFDataFormatException "encoded string too long").
 */
export function writeJavaUtf(w: ByteWriter, s: string, format: string, what = 'string'): void {
  const enc = encodeMutf8(s);
  if (enc.length > MUTF8_MAX_BYTES) {
    throw new CodecError(
      'unsupported',
      format,
      `${what} is too long: ${enc.length} bytes in modified UTF-8, the limit is ${MUTF8_MAX_BYTES}`,
    );
  }
  w.u16(enc.length).bytes(enc);
}

function unitsToString(units: readonly number[]): string {
  // fromCharCode in chunks: spreading 65535 arguments at once can exceed the call stack limit.
  let s = '';
  for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode(...units.slice(i, i + 8192));
  return s;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
