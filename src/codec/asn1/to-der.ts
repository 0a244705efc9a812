/**
 * BER -> DER (X.690 section 10) for the places where a structure must be re-encoded: a
 * certificate signed over its DER but shipped inside BER (a Windows .p7b), a PKCS#12 shrouded
 * key kept to be written back.
 */
import { concatBytes } from '../bytes.js';
import { CLASS_UNIVERSAL, MAX_DEPTH, UNIVERSAL, type Tlv, children, derError, readRoot, valueBytes } from './tlv.js';
import { stringValue } from './values.js';
import { encodeIdentifier, encodeLength } from './writer.js';

/** Universal string types whose constructed BER form DER replaces by the primitive form (X.690 10.2). */
const JOINABLE_STRINGS: ReadonlySet<number> = new Set([
  UNIVERSAL.OCTET_STRING,
  UNIVERSAL.UTF8_STRING,
  UNIVERSAL.NUMERIC_STRING,
  UNIVERSAL.PRINTABLE_STRING,
  UNIVERSAL.T61_STRING,
  UNIVERSAL.IA5_STRING,
  UNIVERSAL.VISIBLE_STRING,
  UNIVERSAL.GENERAL_STRING,
  UNIVERSAL.UNIVERSAL_STRING,
  UNIVERSAL.BMP_STRING,
]);

function reencode(tlv: Tlv, parts: Uint8Array[], depth: number): number {
  if (depth > MAX_DEPTH) throw derError(tlv.format, `nesting deeper than ${MAX_DEPTH} levels`, tlv.offset);
  let contents: Uint8Array[];
  let constructed = tlv.constructed;
  if (!tlv.constructed) contents = [valueBytes(tlv)];
  else if (tlv.cls === CLASS_UNIVERSAL && JOINABLE_STRINGS.has(tlv.number)) {
    contents = [stringValue(tlv)];
    constructed = false;
  } else {
    contents = [];
    for (const c of children(tlv)) reencode(c, contents, depth + 1);
  }
  let n = 0;
  for (const c of contents) n += c.length;
  const header = concatBytes(encodeIdentifier(tlv.cls, constructed, tlv.number), encodeLength(n));
  parts.push(header, ...contents);
  return header.length + n;
}

/**
 * Re-encodes BER as DER: definite minimal lengths and primitive strings. SET OF elements are not
 * re-sorted: their order is part of what was signed, and OpenSSL keeps it too.
 */
export function toDer(input: Uint8Array, format: string): Uint8Array {
  const parts: Uint8Array[] = [];
  reencode(readRoot(input, format), parts, 0);
  return concatBytes(...parts);
}
