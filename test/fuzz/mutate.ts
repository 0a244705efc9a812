/**
 * Seeded mutations of tool-made files, for the decoder fuzz targets (targets.ts). Input `i` of a
 * run is a function of (run seed, target, i) alone, so any input can be made again from its index:
 * a crash is reproduced by `npm run fuzz -- --target NAME --seed N`, or by the file it was saved as.
 *
 * Mutations, one to four stacked per input: bit flips, bytes and 32-bit fields set to boundary
 * values (JKS and JCEKS lengths and counts are u32), inserted, deleted and duplicated ranges,
 * truncation, splices of two seeds, and, where the input is DER (found by walking its TLV
 * headers), edits of one element's length or tag, or extra nesting. Text inputs (PEM) also get
 * line edits and DER mutations of a block's decoded body.
 */

import { concatBytes as concat } from '../../src/codec/bytes.js';
import { encodeLength } from '../../src/codec/asn1/writer.js';

/** A 32-bit PRNG (sfc32, from PractRand): fast, small state, good enough to pick mutations. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(...seeds: number[]) {
    // Mix the seeds (murmur3's finalizer) into the four state words, then discard a few outputs.
    let h = 0x9e3779b9;
    for (const s of seeds) h = fmix(h ^ fmix(s >>> 0));
    this.#a = h;
    this.#b = fmix(h + 1);
    this.#c = fmix(h + 2);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uint32. */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit number for a name (FNV-1a), to seed each target's inputs apart. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x1f, 0x20, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xa0, 0xfe, 0xff];

/** A random range [start, end) of `b`, at most `max` long. */
function range(rng: Rng, b: Uint8Array, max = 64): [number, number] {
  const start = rng.below(b.length);
  return [start, Math.min(b.length, start + 1 + rng.below(max))];
}

function flipBits(rng: Rng, b: Uint8Array): Uint8Array {
  const out = b.slice();
  for (let n = 1 + rng.below(8); n > 0 && out.length > 0; n--) {
    const at = rng.below(out.length);
    out[at] = (out[at] as number) ^ (1 << rng.below(8));
  }
  return out;
}

function setInterestingByte(rng: Rng, b: Uint8Array): Uint8Array {
  const out = b.slice();
  if (out.length > 0) out[rng.below(out.length)] = rng.pick(INTERESTING_BYTES);
  return out;
}

/** A big-endian 32-bit field set to a boundary value, or to the input length give or take one. */
function setU32(rng: Rng, b: Uint8Array): Uint8Array {
  if (b.length < 4) return b;
  const out = b.slice();
  const at = rng.below(out.length - 3);
  const old = new DataView(out.buffer, out.byteOffset, out.length).getUint32(at);
  const values = [0, 1, 2, 0x7f, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, b.length - at - 4, b.length - at - 3, old + 1, old - 1, old * 2];
  new DataView(out.buffer, out.byteOffset, out.length).setUint32(at, rng.pick(values) >>> 0);
  return out;
}

function insertBytes(rng: Rng, b: Uint8Array): Uint8Array {
  const at = rng.below(b.length + 1);
  const n = 1 + rng.below(rng.chance(0.2) ? 512 : 16);
  const fill = new Uint8Array(n);
  const mode = rng.below(3);
  for (let i = 0; i < n; i++) fill[i] = mode === 0 ? rng.below(256) : mode === 1 ? rng.pick(INTERESTING_BYTES) : 0;
  return concat(b.subarray(0, at), fill, b.subarray(at));
}

function deleteRange(rng: Rng, b: Uint8Array): Uint8Array {
  if (b.length === 0) return b;
  const [s, e] = range(rng, b, rng.chance(0.2) ? b.length : 32);
  return concat(b.subarray(0, s), b.subarray(e));
}

/** A range copied elsewhere, or repeated in place a few times (repeated structures, lists). */
function duplicateRange(rng: Rng, b: Uint8Array): Uint8Array {
  if (b.length === 0) return b;
  const [s, e] = range(rng, b, 256);
  const piece = b.subarray(s, e);
  if (rng.chance(0.5)) {
    const times = 1 + rng.below(rng.chance(0.1) ? 200 : 4);
    return concat(b.subarray(0, e), ...Array.from({ length: times }, () => piece), b.subarray(e));
  }
  const at = rng.below(b.length + 1);
  return concat(b.subarray(0, at), piece, b.subarray(at));
}

function truncate(rng: Rng, b: Uint8Array): Uint8Array {
  return b.subarray(0, rng.below(b.length + 1));
}

function splice(rng: Rng, b: Uint8Array, other: Uint8Array): Uint8Array {
  return concat(b.subarray(0, rng.below(b.length + 1)), other.subarray(rng.below(other.length + 1)));
}

// ---------------------------------------------------------------------------------------------
// DER-aware edits

interface Header {
  /** Offset of the identifier octet, and of the first length octet. */
  at: number;
  lenAt: number;
  /** Length octets (1 for the short form). */
  lenBytes: number;
  length: number;
  constructed: boolean;
}

/** The TLV headers of `b` that a lenient walk finds (definite lengths only), at most `max`. */
export function derHeaders(b: Uint8Array, max = 2000): Header[] {
  const out: Header[] = [];
  const walk = (start: number, end: number, depth: number): void => {
    let pos = start;
    while (pos + 2 <= end && out.length < max && depth < 40) {
      const id = b[pos] as number;
      if ((id & 0x1f) === 0x1f) return;
      const lenAt = pos + 1;
      const first = b[lenAt] as number;
      let length = first;
      let lenBytes = 1;
      if (first === 0x80) return;
      if (first > 0x80) {
        lenBytes = 1 + (first & 0x7f);
        if (lenBytes > 5 || lenAt + lenBytes > end) return;
        length = 0;
        for (let i = 1; i < lenBytes; i++) length = length * 256 + (b[lenAt + i] as number);
      }
      const valueAt = lenAt + lenBytes;
      if (valueAt + length > end) return;
      const constructed = (id & 0x20) !== 0;
      out.push({ at: pos, lenAt, lenBytes, length, constructed });
      // OCTET STRINGs and BIT STRINGs often wrap DER (extensions, PKCS#12 safes): look inside too.
      if (constructed || id === 0x04 || id === 0x03) walk(id === 0x03 ? valueAt + 1 : valueAt, valueAt + length, depth + 1);
      pos = valueAt + length;
    }
  };
  walk(0, b.length, 0);
  return out;
}

/** One element's length made shorter, longer, indefinite, non-minimal or absurd. */
function editDerLength(rng: Rng, b: Uint8Array, h: Header): Uint8Array {
  const choices: Uint8Array[] = [
    encodeLength(h.length + 1),
    encodeLength(Math.max(0, h.length - 1)),
    encodeLength(h.length + 1 + rng.below(300)),
    encodeLength(rng.below(h.length + 1)),
    encodeLength(0),
    Uint8Array.of(0x84, 0x7f, 0xff, 0xff, 0xff),
    Uint8Array.of(0x84, 0xff, 0xff, 0xff, 0xff),
    Uint8Array.of(0x85, 0x01, 0x00, 0x00, 0x00, 0x00),
    Uint8Array.of(0x82, (h.length >> 8) & 0xff, h.length & 0xff),
    Uint8Array.of(0xff),
  ];
  if (h.constructed) choices.push(Uint8Array.of(0x80));
  const len = rng.pick(choices);
  const out = concat(b.subarray(0, h.lenAt), len, b.subarray(h.lenAt + h.lenBytes));
  // An indefinite length needs end-of-contents after the contents to stay plausible.
  if (len[0] === 0x80 && rng.chance(0.7)) {
    const end = h.lenAt + len.length + h.length;
    return concat(out.subarray(0, end), Uint8Array.of(0, 0), out.subarray(end));
  }
  return out;
}

const TAGS = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1e, 0x30, 0x31, 0x24, 0x23, 0x80, 0x81, 0xa0, 0xa1, 0xa3, 0x1f];

function editDerTag(rng: Rng, b: Uint8Array, h: Header): Uint8Array {
  const out = b.slice();
  out[h.at] = rng.chance(0.3) ? (out[h.at] as number) ^ 0x20 : rng.pick(TAGS);
  if (out[h.at] === 0x1f) return concat(out.subarray(0, h.at + 1), Uint8Array.of(0x81, 0x80, 0x80, 0x80, 0x80, 0x01), out.subarray(h.at + 1));
  return out;
}

/** An element wrapped in one or many more SEQUENCEs (with indefinite lengths: no sizes to fix). */
function nestDer(rng: Rng, b: Uint8Array, h: Header): Uint8Array {
  const depth = rng.chance(0.2) ? 100 + rng.below(2000) : 1 + rng.below(4);
  const end = h.lenAt + h.lenBytes + h.length;
  const open = new Uint8Array(depth * 2).map((_, i) => (i % 2 === 0 ? 0x30 : 0x80));
  return concat(b.subarray(0, h.at), open, b.subarray(h.at, end), new Uint8Array(depth * 2), b.subarray(end));
}

/**
 * Element `h` replaced by `tlv`, with the length of every element around it fixed to match: the
 * file stays well-formed DER around an element of the wrong type, size or content, so the edit
 * reaches the code that reads that element rather than stopping at the first length check.
 */
function replaceElement(b: Uint8Array, headers: readonly Header[], h: Header, tlv: Uint8Array): Uint8Array {
  const end = h.lenAt + h.lenBytes + h.length;
  let out = concat(b.subarray(0, h.at), tlv, b.subarray(end));
  let delta = tlv.length - (end - h.at);
  // Enclosing elements, innermost (latest header) first: their length fields come before the
  // change, so rewriting one never moves the ones still to do.
  const around = headers.filter((a) => a.at < h.at && a.lenAt + a.lenBytes + a.length >= end).sort((x, y) => y.at - x.at);
  for (const a of around) {
    const len = encodeLength(a.length + delta);
    out = concat(out.subarray(0, a.lenAt), len, out.subarray(a.lenAt + a.lenBytes));
    delta += len.length - a.lenBytes;
  }
  return out;
}

/** Random contents for a primitive element: short, boundary-sized or long. */
function randomContent(rng: Rng): Uint8Array {
  const n = rng.pick([0, 1, 2, 3, 4, 5, 8, 9, 16, 20, 32, 33, 64, 127, 128, 129, 255, 256, 1000]);
  const c = new Uint8Array(n);
  const mode = rng.below(3);
  for (let i = 0; i < n; i++) c[i] = mode === 0 ? rng.below(256) : mode === 1 ? rng.pick(INTERESTING_BYTES) : 0xff;
  return c;
}

function derMutation(rng: Rng, b: Uint8Array, other?: Uint8Array): Uint8Array | undefined {
  const headers = derHeaders(b);
  if (headers.length === 0) return undefined;
  const h = rng.pick(headers);
  switch (rng.below(7)) {
    case 0:
    case 1:
      return editDerLength(rng, b, h);
    case 2:
      return editDerTag(rng, b, h);
    case 3:
      return nestDer(rng, b, h);
    case 4: {
      // Another element of this input or of another seed in its place (a subtree crossover).
      const otherHeaders = other !== undefined && rng.chance(0.5) ? derHeaders(other) : [];
      const [from, donors] = otherHeaders.length > 0 && other !== undefined ? [other, otherHeaders] : [b, headers];
      const d = rng.pick(donors);
      return replaceElement(b, headers, h, from.subarray(d.at, d.lenAt + d.lenBytes + d.length));
    }
    case 5: {
      // The same tag with other contents (an INTEGER, a string, a time, an OID of another size).
      const content = randomContent(rng);
      return replaceElement(b, headers, h, concat(Uint8Array.of(b[h.at] as number), encodeLength(content.length), content));
    }
    default: {
      // The element dropped or repeated, its parents' lengths kept right (missing or extra fields).
      const tlv = b.subarray(h.at, h.lenAt + h.lenBytes + h.length);
      return replaceElement(b, headers, h, rng.chance(0.5) ? new Uint8Array(0) : concat(tlv, tlv));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PEM-aware edits

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const PEM_LINES = ['-----BEGIN CERTIFICATE-----', '-----END CERTIFICATE-----', '-----BEGIN RSA PRIVATE KEY-----', '-----END EC PRIVATE KEY-----',
  'Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF', 'DEK-Info: DES-EDE3-CBC,0011223344556677', '', ' ', '====', 'A', '-----BEGIN -----', '-----END X-----'];

function pemMutation(rng: Rng, b: Uint8Array): Uint8Array | undefined {
  const text = latin1(b);
  const lines = text.split('\n');
  switch (rng.below(4)) {
    case 0: {
      lines.splice(rng.below(lines.length), 1);
      return fromLatin1(lines.join('\n'));
    }
    case 1: {
      const at = rng.below(lines.length);
      lines.splice(at, 0, rng.chance(0.5) ? rng.pick(PEM_LINES) : (lines[rng.below(lines.length)] ?? ''));
      return fromLatin1(lines.join('\n'));
    }
    case 2: {
      // A line ending changed: CRLF, CR alone, or none.
      const at = rng.below(lines.length);
      lines[at] = `${lines[at] ?? ''}${rng.pick(['\r', '\r\r', ' \t'])}`;
      return fromLatin1(lines.join(rng.chance(0.1) ? '\r\n' : '\n'));
    }
    default: {
      // The DER inside one block, mutated and encoded again.
      const blocks = [...text.matchAll(/-----BEGIN [^\n]*-----\n([A-Za-z0-9+/=\n]+?)-----END/g)];
      if (blocks.length === 0) return undefined;
      const m = rng.pick(blocks);
      const body = m[1] ?? '';
      const der = new Uint8Array(Buffer.from(body.replace(/\n/g, ''), 'base64'));
      const changed = derMutation(rng, der, der) ?? flipBits(rng, der);
      const b64 = Buffer.from(changed).toString('base64').replace(/.{64}/g, '$&\n');
      const start = (m.index ?? 0) + m[0].length - 5 - body.length;
      return fromLatin1(`${text.slice(0, start)}${b64}${b64.endsWith('\n') ? '' : '\n'}${text.slice(start + body.length)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

export interface Mutated {
  bytes: Uint8Array;
  /** The seed the input started from (its password is the one to try). */
  seed: number;
}

/** Input `index` of a run: a seed with one to four mutations (deterministic in its arguments). */
export function mutate(seeds: readonly Uint8Array[], runSeed: number, target: string, index: number, text: boolean): Mutated {
  const rng = new Rng(runSeed, nameHash(target), index);
  const seed = rng.below(seeds.length);
  let b = seeds[seed] as Uint8Array;
  for (let n = 1 + rng.below(rng.chance(0.3) ? 4 : 2); n > 0; n--) {
    // Half the time a structural edit (DER elements; for PEM text, lines and blocks), else bytes.
    const kind = rng.chance(0.5) ? 9 : rng.below(9);
    let next: Uint8Array | undefined;
    switch (kind) {
      case 0:
      case 1:
        next = flipBits(rng, b);
        break;
      case 2:
        next = setInterestingByte(rng, b);
        break;
      case 3:
        next = setU32(rng, b);
        break;
      case 4:
        next = insertBytes(rng, b);
        break;
      case 5:
        next = deleteRange(rng, b);
        break;
      case 6:
        next = duplicateRange(rng, b);
        break;
      case 7:
        next = truncate(rng, b);
        break;
      case 8:
        next = splice(rng, b, seeds[rng.below(seeds.length)] as Uint8Array);
        break;
      default:
        next = text ? pemMutation(rng, b) : derMutation(rng, b, seeds[rng.below(seeds.length)]);
    }
    if (next !== undefined) b = next;
  }
  return { bytes: b, seed };
}
