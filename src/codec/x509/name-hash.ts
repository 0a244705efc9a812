/**
 * OpenSSL's subject hash of an X.509 Name (`openssl x509 -hash`, the `<hash>.0` file names of a CA
 * folder) and the pre-1.0 MD5 hash (`-subject_hash_old`), with the canonical form of a Name they
 * are made from, and the issuer and subject Names of a certificate in their original bytes, which
 * the old hash needs (a CRL's issuer comes from codec/crl.ts).
 *
 * The new hash is X509_NAME_hash_ex (crypto/x509/x509_cmp.c) over the canonical encoding that
 * x509_name_canon builds (crypto/x509/x_name.c); keystore-formats.md 5.1 has the rules.
 * test/codec/x509/name-hash.test.ts checks both hashes against openssl on every system root
 * certificate, on the edge cases of fixtures/hash/make.sh, and on BER forms of a Name.
 */
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { CLASS_UNIVERSAL, TAG, UNIVERSAL as T, type Tlv, derError, expectTag, readRoot, readTlv, tagName, tlvBytes, valueBytes } from '../asn1/tlv.js';
import { stringValue } from '../asn1/values.js';
import { readCertificateParts } from './certificate-parts.js';

const NAME = 'X.509 Name';

/**
 * Types that OpenSSL's X509_NAME_ENTRY accepts but does not canonicalize, copied with their tag
 * (B_ASN1_PRINTABLE minus ASN1_MASK_CANON: NumericString, BIT STRING, and the tags ASN1_tag2bit
 * maps to B_ASN1_UNKNOWN). Anything else (VisibleString, OCTET STRING, times, ...) makes OpenSSL
 * refuse the whole certificate ("mstring wrong tag"), so there is no OpenSSL hash to match.
 */
const COPIED: ReadonlySet<number> = new Set([T.BIT_STRING, T.NUMERIC_STRING, 7, 8, 9, 11, 13, 14, 15, 29]);

const TYPE_NAMES: Readonly<Record<number, string>> = {
  4: 'OCTET STRING',
  21: 'VideotexString',
  23: 'UTCTime',
  24: 'GeneralizedTime',
  25: 'GraphicString',
  26: 'VisibleString',
  27: 'GeneralString',
};

/** Bytes OpenSSL's ossl_isspace counts as whitespace: SP, HT, LF, VT, FF, CR (crypto/ctype.c). */
function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

function isAscii(v: Uint8Array): boolean {
  for (const b of v) if (b >= 0x80) return false;
  return true;
}

function view(v: Uint8Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * A string value as UTF-8, the way OpenSSL's ASN1_STRING_to_UTF8 converts it (crypto/asn1/a_mbstr.c):
 * PrintableString, T61String and IA5String bytes are Latin-1 code points (MBSTRING_ASC);
 * BMPString is UCS-2BE, UniversalString UCS-4BE; UTF8String must be valid UTF-8. A surrogate or
 * a code point past U+10FFFF fails there (is_unicode_valid), and with it the whole certificate.
 */
function toUtf8(tlv: Tlv, v: Uint8Array): Uint8Array {
  switch (tlv.number) {
    case T.UTF8_STRING:
      if (!isUtf8(v)) throw derError(NAME, 'UTF8String value is not valid UTF-8', tlv.offset);
      return v;
    case T.BMP_STRING: {
      if (v.length % 2 !== 0) throw derError(NAME, 'BMPString value has an odd number of bytes', tlv.offset);
      for (let i = 0; i < v.length; i += 2) {
        const hi = v[i] as number;
        if (hi >= 0xd8 && hi <= 0xdf) throw derError(NAME, 'BMPString value holds a UTF-16 surrogate', tlv.offset);
      }
      return Buffer.from(Buffer.from(v).swap16().toString('utf16le'), 'utf8');
    }
    case T.UNIVERSAL_STRING: {
      if (v.length % 4 !== 0) throw derError(NAME, 'UniversalString value length is not a multiple of 4', tlv.offset);
      let s = '';
      for (let i = 0; i < v.length; i += 4) {
        const cp = (((v[i] as number) << 24) | ((v[i + 1] as number) << 16) | ((v[i + 2] as number) << 8) | (v[i + 3] as number)) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          throw derError(NAME, `UniversalString value holds the invalid code point 0x${cp.toString(16)}`, tlv.offset);
        }
        s += String.fromCodePoint(cp);
      }
      return Buffer.from(s, 'utf8');
    }
    default:
      // PrintableString, T61String, IA5String: one byte, one Latin-1 character.
      return isAscii(v) ? v : Buffer.from(view(v).toString('latin1'), 'utf8');
  }
}

/** BIT STRING as OpenSSL re-encodes it (c2i/i2c_ASN1_BIT_STRING): the unused bits are zeroed. */
function bitStringContents(tlv: Tlv, v: Uint8Array): Uint8Array {
  const unused = v[0];
  if (unused === undefined || unused > 7) throw derError(NAME, 'malformed BIT STRING value', tlv.offset);
  const copy = v.slice();
  if (copy.length > 1) copy[copy.length - 1] = (copy[copy.length - 1] as number) & (0xff << unused);
  return copy;
}

// The canonical Name is written into one buffer kept for every Name (a CA folder hashes one per
// file): each element's contents go after a gap for its identifier and length, and the gap is
// closed once the length is known. No array per attribute, no copy but the one into the buffer.

let out = new Uint8Array(1024);
let pos = 0;

/** Makes room for n more bytes at pos. */
function room(n: number): void {
  if (pos + n <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, pos + n));
  bigger.set(out.subarray(0, pos));
  out = bigger;
}

function lengthSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 5;
}

/** Writes identifier and definite length at `at` (X.690 8.1.3); returns the position after them. */
function writeHeader(at: number, tag: number, n: number): number {
  const o = out;
  o[at++] = tag;
  const size = lengthSize(n);
  if (size === 1) {
    o[at++] = n;
    return at;
  }
  o[at++] = 0x80 | (size - 1);
  for (let shift = (size - 2) * 8; shift >= 0; shift -= 8) o[at++] = Math.floor(n / 2 ** shift) & 0xff;
  return at;
}

/** The most identifier and length octets an element can need: a tag and a five-byte length. */
const GAP = 6;

/** Starts an element: its contents go after the gap. Returns where it starts. */
function openElement(): number {
  room(GAP);
  const at = pos;
  pos += GAP;
  return at;
}

/** Ends the element opened at `at`: its identifier and length, the gap closed. */
function closeElement(at: number, tag: number): void {
  const length = pos - at - GAP;
  const size = 1 + lengthSize(length);
  out.copyWithin(at + size, at + GAP, pos);
  pos -= GAP - size;
  writeHeader(at, tag, length);
}

/** A whole primitive element: tag, length, input[start, end). */
function writeElement(tag: number, input: Uint8Array, start: number, end: number): void {
  room(GAP + end - start);
  pos = writeHeader(pos, tag, end - start);
  out.set(input.subarray(start, end), pos);
  pos += end - start;
}

/**
 * asn1_string_canon (crypto/x509/x_name.c) of the UTF-8 bytes u[start, end), written at pos:
 * strip leading and trailing ASCII whitespace, collapse each inner run to one space, lowercase
 * ASCII A-Z only. Bytes at or above 0x80 are copied, so "É", "Σ" and full-width letters keep
 * their case. Returns false when it met such a byte (the caller may need to check or convert).
 */
function writeCanonical(u: Uint8Array, start: number, end: number): boolean {
  while (start < end && isSpace(u[start] as number)) start++;
  while (end > start && isSpace(u[end - 1] as number)) end--;
  room(end - start);
  const o = out;
  let p = pos;
  let all = 0;
  for (let i = start; i < end; ) {
    const b = u[i] as number;
    // isSpace, written out: no call per byte (most bytes are letters, above 0x20).
    if (b <= 0x20 && (b === 0x20 || b >= 0x09) && (b === 0x20 || b <= 0x0d)) {
      o[p++] = 0x20;
      // The run ends before `end`: the last byte is not whitespace.
      while (isSpace(u[i] as number)) i++;
      continue;
    }
    all |= b;
    o[p++] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
    i++;
  }
  pos = p;
  return all < 0x80;
}

/** The canonical form of UTF-8 text (asn1_string_canon). */
export function canonicalBytes(u: Uint8Array): Uint8Array {
  pos = 0;
  writeCanonical(u, 0, u.length);
  return out.slice(0, pos);
}

/** A string value as canonical UTF-8, written at pos. */
function writeString(value: Tlv): void {
  const n = value.number;
  if (!value.constructed && n !== T.BMP_STRING && n !== T.UNIVERSAL_STRING) {
    // Nearly every value: a primitive string, canonicalized straight from the input.
    const start = pos;
    if (writeCanonical(value.input, value.valueStart, value.valueEnd)) return;
    if (n === T.UTF8_STRING) {
      if (!isUtf8(valueBytes(value))) throw derError(NAME, 'UTF8String value is not valid UTF-8', value.offset);
      return;
    }
    pos = start; // Latin-1 bytes past 0x7f: converted first
  }
  const u = toUtf8(value, stringValue(value));
  writeCanonical(u, 0, u.length);
}

/** One AttributeValue in canonical form: a UTF8String for the ASN1_MASK_CANON types, else a copy. */
function writeValue(value: Tlv): void {
  if (value.cls !== CLASS_UNIVERSAL) {
    throw derError(NAME, `attribute value has the non-universal tag ${tagName(value.tag)}; OpenSSL refuses it`, value.offset);
  }
  const n = value.number;
  switch (n) {
    case T.UTF8_STRING:
    case T.PRINTABLE_STRING:
    case T.T61_STRING:
    case T.IA5_STRING:
    case T.UNIVERSAL_STRING:
    case T.BMP_STRING: {
      const at = openElement();
      writeString(value);
      closeElement(at, TAG.UTF8_STRING);
      return;
    }
    case T.SEQUENCE: {
      // Kept in encoded form by the ASN.1 decoder (asn1_d2i_ex_primitive) and written back as is.
      room(value.end - value.offset);
      out.set(tlvBytes(value), pos);
      pos += value.end - value.offset;
      return;
    }
    default:
      break;
  }
  if (!COPIED.has(n)) {
    const type = TYPE_NAMES[n] ?? `tag ${tagName(value.tag)}`;
    throw derError(NAME, `attribute value of type ${type}; OpenSSL refuses a Name holding one`, value.offset);
  }
  // Re-encoded primitive with a minimal length, as i2d does with the decoded ASN1_STRING.
  const v = n === T.BIT_STRING ? bitStringContents(value, stringValue(value)) : stringValue(value);
  writeElement(n, v, 0, v.length);
}

/** AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY } (RFC 5280 4.1.2.4), written canonically. */
function writeAva(ava: Tlv): void {
  expectTag(ava, TAG.SEQUENCE, 'AttributeTypeAndValue');
  const { input, valueStart, valueEnd } = ava;
  const type = valueStart < valueEnd ? readTlv(input, valueStart, ava.format, valueEnd, 1) : undefined;
  const value = type !== undefined && type.end < valueEnd ? readTlv(input, type.end, ava.format, valueEnd, 1) : undefined;
  if (type === undefined || value === undefined || value.end !== valueEnd) {
    let count = 0;
    for (let p = valueStart; p < valueEnd; count++) p = readTlv(input, p, ava.format, valueEnd, 1).end;
    throw derError(NAME, `AttributeTypeAndValue has ${count} elements, expected 2`, ava.offset);
  }
  expectTag(type, TAG.OID, 'attribute type');
  checkOid(type);
  const at = openElement();
  writeElement(TAG.OID, input, type.valueStart, type.valueEnd);
  writeValue(value);
  closeElement(at, TAG.SEQUENCE);
}

/**
 * The checks c2i_ASN1_OBJECT makes (crypto/asn1/a_object.c): not empty, no subidentifier starting
 * with 0x80, the last octet ends a subidentifier. (Cheaper than decoding it to dotted text.)
 */
function checkOid(type: Tlv): void {
  const { input: v, valueStart: start, valueEnd: end } = type;
  if (end <= start || ((v[end - 1] as number) & 0x80) !== 0) throw derError(NAME, 'malformed attribute type OBJECT IDENTIFIER', type.offset);
  for (let i = start; i < end; i++) {
    if (v[i] === 0x80 && (i === start || ((v[i - 1] as number) & 0x80) === 0)) {
      throw derError(NAME, 'attribute type OBJECT IDENTIFIER has a subidentifier with a leading zero digit', type.offset);
    }
  }
}

/**
 * One RDN as a SET OF canonical AVAs, DER-sorted again (memcmp, then length, as der_cmp in
 * tasn_enc.c: a multi-valued RDN can change order). An RDN with no AVAs adds nothing.
 */
function writeRdn(rdn: Tlv): void {
  expectTag(rdn, TAG.SET, 'RelativeDistinguishedName');
  const at = openElement();
  const first = pos;
  let starts: number[] | undefined;
  for (let p = rdn.valueStart; p < rdn.valueEnd; ) {
    const ava = readTlv(rdn.input, p, rdn.format, rdn.valueEnd, 1);
    p = ava.end;
    if (pos !== first) (starts ??= [first]).push(pos);
    writeAva(ava);
  }
  if (pos === first) {
    pos = at;
    return;
  }
  if (starts !== undefined) {
    const avas = starts.map((s, i) => out.slice(s, starts[i + 1] ?? pos)).sort((a, b) => Buffer.compare(a, b));
    let p = first;
    for (const a of avas) {
      out.set(a, p);
      p += a.length;
    }
  }
  closeElement(at, TAG.SET);
}

/**
 * x509_name_canon: each RDN becomes a SET OF canonical AVAs, and the SETs are concatenated without
 * the outer SEQUENCE (an empty Name adds nothing). Written at the start of `out`; returns its length.
 */
function writeCanonicalName(nameDer: Uint8Array): number {
  const name = expectTag(readRoot(nameDer, NAME), TAG.SEQUENCE, 'Name');
  pos = 0;
  for (let p = name.valueStart; p < name.valueEnd; ) {
    const rdn = readTlv(nameDer, p, NAME, name.valueEnd, 1);
    p = rdn.end;
    writeRdn(rdn);
  }
  return pos;
}

/** The canonical encoding of a DER Name that OpenSSL's hashes are made from (x509_name_canon). */
export function canonicalName(nameDer: Uint8Array): Uint8Array {
  return out.slice(0, writeCanonicalName(nameDer));
}

/** The first four digest bytes as a little-endian uint32, printed %08lx (X509_NAME_hash_ex). */
function fold(digest: Buffer): string {
  return digest.readUInt32LE(0).toString(16).padStart(8, '0');
}

/** `openssl x509 -subject_hash` / `-issuer_hash` of a DER Name (OpenSSL 1.0 and later): SHA-1 of the canonical encoding. */
export function subjectHash(nameDer: Uint8Array): string {
  const length = writeCanonicalName(nameDer);
  return fold(hash('sha1', out.subarray(0, length), 'buffer'));
}

/**
 * `-subject_hash_old` (X509_NAME_hash_old): MD5 of the Name's original DER, outer SEQUENCE
 * included, no canonicalization. The Name is still checked, as OpenSSL only hashes what it parsed.
 */
export function subjectHashOld(nameDer: Uint8Array): string {
  writeCanonicalName(nameDer);
  return fold(hash('md5', nameDer, 'buffer'));
}

export interface CertificateNames {
  /** The DER of each Name exactly as in the certificate (views into the input). */
  issuer: Uint8Array;
  subject: Uint8Array;
}

/** The issuer and subject of a DER certificate, as their original bytes (views into the input). */
export function certificateNames(der: Uint8Array): CertificateNames {
  const parts = readCertificateParts(der);
  return { issuer: tlvBytes(parts.issuer), subject: tlvBytes(parts.subject) };
}
