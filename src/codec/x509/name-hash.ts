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
import { CLASS_UNIVERSAL, TAG, UNIVERSAL as T, type Tlv, children, derError, expectTag, item, readRoot, tagName, tlvBytes, valueBytes } from '../asn1/tlv.js';
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

/**
 * asn1_string_canon (crypto/x509/x_name.c) on UTF-8 bytes: strip leading and trailing ASCII
 * whitespace, collapse each inner run to one space, lowercase ASCII A-Z only. Bytes at or above
 * 0x80 are copied, so "É", "Σ" and full-width letters keep their case.
 */
export function canonicalBytes(u: Uint8Array): Uint8Array {
  let start = 0;
  let end = u.length;
  while (start < end && isSpace(u[start] as number)) start++;
  while (end > start && isSpace(u[end - 1] as number)) end--;
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; ) {
    const b = u[i] as number;
    if (isSpace(b)) {
      out[n++] = 0x20;
      while (isSpace(u[i] as number)) i++;
      continue;
    }
    out[n++] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
    i++;
  }
  return out.subarray(0, n);
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
  const out = v.slice();
  if (out.length > 1) out[out.length - 1] = (out[out.length - 1] as number) & (0xff << unused);
  return out;
}

// A small DER writer of its own: a Name is hashed for every file of a CA folder, and writing each
// AVA and then the whole canonical Name into one exact-size array keeps `hash --rehash` quick.

function lengthSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x1000000 ? 4 : 5;
}

function tlvSize(contentLength: number): number {
  return 1 + lengthSize(contentLength) + contentLength;
}

/** Writes identifier and definite length at `pos` (X.690 8.1.3); returns the position after them. */
function writeHeader(out: Uint8Array, pos: number, tag: number, n: number): number {
  out[pos++] = tag;
  const size = lengthSize(n);
  if (size === 1) {
    out[pos++] = n;
    return pos;
  }
  out[pos++] = 0x80 | (size - 1);
  for (let shift = (size - 2) * 8; shift >= 0; shift -= 8) out[pos++] = Math.floor(n / 2 ** shift) & 0xff;
  return pos;
}

/** A canonical value: a primitive (tag, contents) to encode, or a complete encoding to copy. */
type Value = { tag: number; content: Uint8Array } | { encoded: Uint8Array };

function valueSize(v: Value): number {
  return 'encoded' in v ? v.encoded.length : tlvSize(v.content.length);
}

function writeValue(out: Uint8Array, pos: number, v: Value): number {
  if ('encoded' in v) {
    out.set(v.encoded, pos);
    return pos + v.encoded.length;
  }
  const at = writeHeader(out, pos, v.tag, v.content.length);
  out.set(v.content, at);
  return at + v.content.length;
}

/** One AttributeValue in canonical form: a UTF8String for the ASN1_MASK_CANON types, else a copy. */
function canonicalValue(value: Tlv): Value {
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
    case T.BMP_STRING:
      return { tag: TAG.UTF8_STRING, content: canonicalBytes(toUtf8(value, stringValue(value))) };
    case T.SEQUENCE:
      // Kept in encoded form by the ASN.1 decoder (asn1_d2i_ex_primitive) and written back as is.
      return { encoded: tlvBytes(value) };
    default:
      break;
  }
  if (!COPIED.has(n)) {
    const type = TYPE_NAMES[n] ?? `tag ${tagName(value.tag)}`;
    throw derError(NAME, `attribute value of type ${type}; OpenSSL refuses a Name holding one`, value.offset);
  }
  const v = stringValue(value);
  // Re-encoded primitive with a minimal length, as i2d does with the decoded ASN1_STRING.
  return { tag: n, content: n === T.BIT_STRING ? bitStringContents(value, v) : v };
}

/** AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY } (RFC 5280 4.1.2.4). */
function canonicalAva(ava: Tlv): Uint8Array {
  expectTag(ava, TAG.SEQUENCE, 'AttributeTypeAndValue');
  const parts = children(ava);
  if (parts.length !== 2) throw derError(NAME, `AttributeTypeAndValue has ${parts.length} elements, expected 2`, ava.offset);
  const type = expectTag(item(ava, parts, 0, 'attribute type'), TAG.OID, 'attribute type');
  const oid = valueBytes(type);
  checkOid(type, oid);
  const value = canonicalValue(item(ava, parts, 1, 'attribute value'));
  const inner = tlvSize(oid.length) + valueSize(value);
  const out = new Uint8Array(tlvSize(inner));
  let pos = writeHeader(out, 0, TAG.SEQUENCE, inner);
  pos = writeHeader(out, pos, TAG.OID, oid.length);
  out.set(oid, pos);
  writeValue(out, pos + oid.length, value);
  return out;
}

/**
 * The checks c2i_ASN1_OBJECT makes (crypto/asn1/a_object.c): not empty, no subidentifier starting
 * with 0x80, the last octet ends a subidentifier. (Cheaper than decoding it to dotted text.)
 */
function checkOid(type: Tlv, v: Uint8Array): void {
  const last = v[v.length - 1];
  if (last === undefined || (last & 0x80) !== 0) throw derError(NAME, 'malformed attribute type OBJECT IDENTIFIER', type.offset);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0x80 && (i === 0 || ((v[i - 1] as number) & 0x80) === 0)) {
      throw derError(NAME, 'attribute type OBJECT IDENTIFIER has a subidentifier with a leading zero digit', type.offset);
    }
  }
}

function readName(nameDer: Uint8Array): Tlv {
  return expectTag(readRoot(nameDer, NAME), TAG.SEQUENCE, 'Name');
}

/**
 * x509_name_canon: each RDN becomes a SET OF canonical AVAs, DER-sorted again (memcmp, then
 * length, as der_cmp in tasn_enc.c: a multi-valued RDN can change order), and the SETs are
 * concatenated without the outer SEQUENCE. An empty Name, and an RDN with no AVAs, add nothing.
 */
export function canonicalName(nameDer: Uint8Array): Uint8Array {
  const rdns: { avas: Uint8Array[]; length: number }[] = [];
  let total = 0;
  for (const rdn of children(readName(nameDer))) {
    expectTag(rdn, TAG.SET, 'RelativeDistinguishedName');
    const avas = children(rdn).map(canonicalAva);
    if (avas.length === 0) continue;
    if (avas.length > 1) avas.sort((a, b) => Buffer.compare(a, b));
    let length = 0;
    for (const a of avas) length += a.length;
    rdns.push({ avas, length });
    total += tlvSize(length);
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const { avas, length } of rdns) {
    pos = writeHeader(out, pos, TAG.SET, length);
    for (const a of avas) {
      out.set(a, pos);
      pos += a.length;
    }
  }
  return out;
}

/** The first four digest bytes as a little-endian uint32, printed %08lx (X509_NAME_hash_ex). */
function fold(digest: Buffer): string {
  return digest.readUInt32LE(0).toString(16).padStart(8, '0');
}

/** `openssl x509 -subject_hash` / `-issuer_hash` of a DER Name (OpenSSL 1.0 and later). */
export function subjectHash(nameDer: Uint8Array): string {
  return fold(hash('sha1', canonicalName(nameDer), 'buffer'));
}

/**
 * `-subject_hash_old` (X509_NAME_hash_old): MD5 of the Name's original DER, outer SEQUENCE
 * included, no canonicalization. The Name is still checked, as OpenSSL only hashes what it parsed.
 */
export function subjectHashOld(nameDer: Uint8Array): string {
  canonicalName(nameDer);
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
