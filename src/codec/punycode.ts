/**
 * Punycode (RFC 3492) decoding of IDNA A-labels ("xn--bcher-kva" -> "bücher"), for the one place
 * mailcert needs U-labels: an SmtpUTF8Mailbox name (RFC 8398) is compared with an rfc822Name
 * constraint only after the constraint's A-labels are turned into U-labels (RFC 8398 section 6;
 * OpenSSL's nc_email_eai does the same through ossl_a2ulabel, crypto/punycode.c).
 */
import { CodecError } from './errors.js';

const BASE = 36;
const TMIN = 1;
const TMAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 0x80;
/** Integer overflow guard of RFC 3492 6.4, for 32-bit unsigned arithmetic as OpenSSL uses. */
const MAX_INT = 0xffffffff;
/** OpenSSL decodes into a buffer of this many code points (LABEL_BUF_SIZE, crypto/punycode.c); a DNS label has at most 63 octets. */
const MAX_CODE_POINTS = 512;

function fail(label: string, why: string): CodecError {
  return new CodecError('format', 'Punycode', `cannot decode "${label}": ${why}`);
}

/** RFC 3492 6.1. */
function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : Math.floor(delta / 2);
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - TMIN) * TMAX) >> 1) {
    d = Math.floor(d / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * d) / (d + SKEW));
}

function digitOf(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 22; // '0'..'9' are 26..35
  if (c >= 0x41 && c <= 0x5a) return c - 0x41; // 'A'..'Z'
  if (c >= 0x61 && c <= 0x7a) return c - 0x61; // 'a'..'z'
  return BASE;
}

/** The decoding procedure of RFC 3492 6.2, on the part of a label after "xn--". */
export function punycodeDecode(input: string): string {
  if (input.length > MAX_CODE_POINTS) throw fail(input.slice(0, 20) + '...', `longer than ${MAX_CODE_POINTS} characters`);
  const out: number[] = [];
  const delimiter = input.lastIndexOf('-');
  for (let j = 0; j < Math.max(delimiter, 0); j++) {
    const c = input.charCodeAt(j);
    if (c >= 0x80) throw fail(input, 'a basic code point is not ASCII');
    out.push(c);
  }
  let n = INITIAL_N;
  let i = 0;
  let bias = INITIAL_BIAS;
  for (let pos = delimiter > 0 ? delimiter + 1 : 0; pos < input.length; ) {
    const oldi = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= input.length) throw fail(input, 'it ends inside a number');
      const digit = digitOf(input.charCodeAt(pos++));
      if (digit >= BASE) throw fail(input, `"${input.charAt(pos - 1)}" is not a Punycode digit`);
      if (digit > Math.floor((MAX_INT - i) / w)) throw fail(input, 'a number overflows');
      i += digit * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(MAX_INT / (BASE - t))) throw fail(input, 'a number overflows');
      w *= BASE - t;
    }
    bias = adapt(i - oldi, out.length + 1, oldi === 0);
    if (Math.floor(i / (out.length + 1)) > MAX_INT - n) throw fail(input, 'a code point overflows');
    n += Math.floor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw fail(input, `U+${n.toString(16)} is not a Unicode scalar value`);
    out.splice(i, 0, n);
    i++;
  }
  let s = '';
  for (const c of out) s += String.fromCodePoint(c);
  return s;
}

/**
 * A domain with each A-label ("xn--", any case: RFC 5890 2.3.2.1) turned into its U-label, other
 * labels kept as they are (ossl_a2ulabel).
 */
export function toUnicodeDomain(domain: string): string {
  return domain
    .split('.')
    .map((label) => (label.slice(0, 4).toLowerCase() === 'xn--' ? punycodeDecode(label.slice(4)) : label))
    .join('.');
}
