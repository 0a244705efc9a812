/**
 * What a file is, from its bytes alone (file names lie: a ".jks" is often PKCS#12 since JDK 9,
 * keystore-formats.md 7.8). Cheap: magic numbers first, then a walk over the first few DER
 * headers, never a full parse. Indefinite lengths are only resolved when a sibling has to be
 * skipped, so a large BER file costs a few header reads too.
 */
import { CodecError } from './errors.js';
import { OID } from './asn1/oid.js';
import { CLASS_CONTEXT, TAG, type Tlv, readTlv, readTlvHeader } from './asn1/tlv.js';
import { readOid } from './asn1/values.js';

export type DetectedFormat = 'JKS' | 'JCEKS' | 'PKCS12' | 'PEM' | 'DER-CERT' | 'PKCS7' | 'PKCS8' | 'PKCS10' | 'CRL' | 'unknown';

const FORMAT = 'detect';

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** "-----BEGIN " in ASCII. */
const PEM_BEGIN = Buffer.from('-----BEGIN ', 'latin1');

/** One element's header; its extent is clipped to `limit` so a truncated file can still be recognised. */
function at(input: Uint8Array, offset: number, limit: number): Tlv {
  const t = readTlvHeader(input, offset, FORMAT, limit);
  return t.valueEnd <= limit ? t : { ...t, valueEnd: limit, end: limit };
}

/** Where the element ends; an indefinite length has to be walked to its end-of-contents. */
function endOf(t: Tlv, limit: number): number {
  return t.indefinite ? readTlv(t.input, t.offset, FORMAT, limit).end : t.end;
}

/** Up to `n` leading children of a constructed element. */
function leading(t: Tlv, n: number): Tlv[] {
  const out: Tlv[] = [];
  if (!t.constructed) return out;
  for (let pos = t.valueStart; pos < t.valueEnd && out.length < n; ) {
    // An end-of-contents marker closes an indefinite-length parent.
    if (t.indefinite && t.input[pos] === 0 && t.input[pos + 1] === 0) break;
    const c = at(t.input, pos, t.valueEnd);
    out.push(c);
    if (out.length < n) pos = endOf(c, t.valueEnd);
  }
  return out;
}

function isTime(t: Tlv | undefined): boolean {
  return t !== undefined && (t.tag === TAG.UTC_TIME || t.tag === TAG.GENERALIZED_TIME);
}

function oidOf(t: Tlv | undefined): string | undefined {
  return t !== undefined && t.tag === TAG.OID ? readOid(t) : undefined;
}

/**
 * Tells the DER structures apart by their first fields:
 * - PKCS#12 PFX: SEQUENCE { INTEGER 3, ContentInfo(data), ... } (RFC 7292 4)
 * - PKCS#7 ContentInfo: SEQUENCE { OID signedData, [0] ... } (RFC 2315 7)
 * - X.509: SEQUENCE { SEQUENCE { [0] version | INTEGER serial, AlgId, Name, SEQUENCE validity, ... }, ... } (RFC 5280 4.1)
 * - CRL: SEQUENCE { SEQUENCE { [INTEGER v2,] AlgId, Name, Time, ... }, ... } (RFC 5280 5.1)
 * - PKCS#10: SEQUENCE { SEQUENCE { INTEGER 0, Name, SubjectPublicKeyInfo, [0] attributes }, ... } (RFC 2986 4)
 * - PKCS#8: SEQUENCE { INTEGER 0|1, AlgId, OCTET STRING ... } or, encrypted,
 *   SEQUENCE { AlgId, OCTET STRING } (RFC 5208 5 and 6, RFC 5958 2)
 */
function detectDer(root: Tlv, truncated: boolean): DetectedFormat {
  const [a, b, c] = leading(root, 3);
  if (a === undefined) return 'unknown';
  if (a.tag === TAG.INTEGER && b?.tag === TAG.SEQUENCE) {
    const version = a.input[a.valueStart];
    if (a.valueEnd - a.valueStart === 1 && version === 3 && oidOf(leading(b, 1)[0]) === OID.data) return 'PKCS12';
    if (c !== undefined && c.tag === TAG.OCTET_STRING && (version === 0 || version === 1)) return 'PKCS8';
    return 'unknown';
  }
  if (a.tag === TAG.OID) return oidOf(a) === OID.signedData && (b === undefined ? truncated : b.cls === CLASS_CONTEXT) ? 'PKCS7' : 'unknown';
  if (a.tag === TAG.SEQUENCE && b?.tag === TAG.OCTET_STRING && c === undefined) return 'PKCS8';
  // A signed structure: SEQUENCE { toBeSigned SEQUENCE, AlgorithmIdentifier, BIT STRING }. In a
  // truncated file the later parts may be missing; the to-be-signed part still tells what it is.
  const algOk = b === undefined ? truncated : b.tag === TAG.SEQUENCE;
  const sigOk = c === undefined ? truncated : c.tag === TAG.BIT_STRING;
  if (a.tag !== TAG.SEQUENCE || !algOk || !sigOk) return 'unknown';
  const [f0, f1, f2, f3, f4] = leading(a, 5);
  if (f0 === undefined) return 'unknown';
  // v2/v3: [0] EXPLICIT version, then the serial INTEGER.
  if (f0.cls === CLASS_CONTEXT && f0.number === 0) return f1?.tag === TAG.INTEGER ? 'DER-CERT' : 'unknown';
  if (f0.tag === TAG.INTEGER) {
    if (f1?.tag === TAG.SEQUENCE && f2?.tag === TAG.SEQUENCE && isTime(f3)) return 'CRL';
    if (f1?.tag === TAG.SEQUENCE && f2?.tag === TAG.SEQUENCE && f3?.tag === TAG.SEQUENCE && f4?.tag === TAG.SEQUENCE) return 'DER-CERT';
    if (f1?.tag === TAG.SEQUENCE && f2?.tag === TAG.SEQUENCE && f3?.cls === CLASS_CONTEXT) return 'PKCS10';
    return 'unknown';
  }
  if (f0.tag === TAG.SEQUENCE && f1?.tag === TAG.SEQUENCE && isTime(f2)) return 'CRL';
  return 'unknown';
}

/** The formats that are keystores (as opposed to PEM, DER or PKCS#7). */
export type KeystoreFormat = 'JKS' | 'JCEKS' | 'PKCS12';

export function isKeystoreFormat(f: DetectedFormat): f is KeystoreFormat {
  return f === 'JKS' || f === 'JCEKS' || f === 'PKCS12';
}

export function detectFormat(bytes: Uint8Array): DetectedFormat {
  // JavaKeyStore.MAGIC and JceKeyStore.JCEKS_MAGIC.
  if (startsWith(bytes, [0xfe, 0xed, 0xfe, 0xed])) return 'JKS';
  if (startsWith(bytes, [0xce, 0xce, 0xce, 0xce])) return 'JCEKS';
  if (bytes[0] === TAG.SEQUENCE) {
    try {
      const root = readTlvHeader(bytes, 0, FORMAT);
      const result = detectDer(at(bytes, 0, bytes.length), root.valueEnd > bytes.length);
      if (result !== 'unknown') return result;
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
    }
  }
  // PEM may follow any amount of text (openssl -text output), so the whole input is searched;
  // Buffer.indexOf is a memchr-speed scan.
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.indexOf(PEM_BEGIN) !== -1 ? 'PEM' : 'unknown';
}
