/**
 * PEM text <-> DER blocks (RFC 7468, with the RFC 1421 headers of traditional encrypted keys).
 *
 * Reading is lenient the way OpenSSL's PEM_read_bio and keytool are (keystore-formats.md 4):
 * text before, between and after blocks (`openssl x509 -text`, `Bag Attributes` from
 * `openssl pkcs12`), CRLF, LF or mixed line ends (keytool writes CRLF inside the block), spaces
 * and tabs, and base64 on one long line. What it refuses: an END label that does not match its
 * BEGIN, a BEGIN without an END, and characters that are not base64. Writing follows RFC 7468
 * section 2 strictly: 64-character lines, LF.
 */
import { CodecError } from './errors.js';
import { readTlv } from './asn1/tlv.js';

export interface PemBlock {
  /** The label between "BEGIN " and the dashes, e.g. "CERTIFICATE". */
  label: string;
  /** RFC 1421 headers in file order (Proc-Type, DEK-Info); empty for RFC 7468 blocks. */
  headers: Record<string, string>;
  /**
   * The decoded DER. For TRUSTED CERTIFICATE only the first DER element (the certificate);
   * the OpenSSL X509_CERT_AUX that follows it is in `aux`.
   */
  der: Uint8Array;
  /** TRUSTED CERTIFICATE only: the bytes after the certificate (X509_CERT_AUX), possibly empty. */
  aux?: Uint8Array;
  /** Character offsets in the text: the start of "-----BEGIN" and just after the END line's dashes. */
  start: number;
  end: number;
}

/** The labels of keystore-formats.md section 4 and RFC 7468, as constants for callers. */
export const PEM_LABEL = {
  CERTIFICATE: 'CERTIFICATE',
  TRUSTED_CERTIFICATE: 'TRUSTED CERTIFICATE',
  X509_CRL: 'X509 CRL',
  CERTIFICATE_REQUEST: 'CERTIFICATE REQUEST',
  NEW_CERTIFICATE_REQUEST: 'NEW CERTIFICATE REQUEST',
  PRIVATE_KEY: 'PRIVATE KEY',
  ENCRYPTED_PRIVATE_KEY: 'ENCRYPTED PRIVATE KEY',
  RSA_PRIVATE_KEY: 'RSA PRIVATE KEY',
  EC_PRIVATE_KEY: 'EC PRIVATE KEY',
  PUBLIC_KEY: 'PUBLIC KEY',
  RSA_PUBLIC_KEY: 'RSA PUBLIC KEY',
  PKCS7: 'PKCS7',
  CMS: 'CMS',
} as const;

const FORMAT = 'PEM';

/** 1-based line number of a character offset, for messages a person can act on. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Byte offset (UTF-8) of a character offset, so CodecError.offset means bytes as everywhere else. */
function byteOffset(text: string, offset: number): number {
  return Buffer.byteLength(text.slice(0, offset), 'utf8');
}

function pemError(text: string, offset: number, message: string): CodecError {
  return new CodecError('format', FORMAT, `line ${lineAt(text, offset)}: ${message}`, byteOffset(text, offset));
}

interface Line {
  text: string;
  /** Character offset of the line start in the whole text. */
  offset: number;
}

function splitLines(text: string, from: number, to: number): Line[] {
  const out: Line[] = [];
  const re = /\r\n|\r|\n/g;
  re.lastIndex = from;
  let start = from;
  for (let m = re.exec(text); m !== null && m.index < to; m = re.exec(text)) {
    out.push({ text: text.slice(start, m.index), offset: start });
    start = m.index + m[0].length;
  }
  out.push({ text: text.slice(start, to), offset: start });
  return out;
}

const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

/**
 * Splits a block body into RFC 1421 headers and base64. As in OpenSSL's PEM_read_bio_ex, headers
 * exist only when the first line of the body holds a colon; they end at the first empty line.
 * Continuation lines (starting with whitespace) extend the previous header (RFC 822 folding).
 */
function decodeBody(text: string, lines: Line[]): { headers: Record<string, string>; der: Uint8Array } {
  const headers: Record<string, string> = {};
  let i = 0;
  while (i < lines.length && (lines[i] as Line).text.trim() === '') i++;
  const first = lines[i];
  if (first !== undefined && first.text.includes(':')) {
    let last: string | undefined;
    for (; i < lines.length; i++) {
      const line = lines[i] as Line;
      if (line.text.trim() === '') break;
      if (/^[ \t]/.test(line.text) && last !== undefined) {
        headers[last] = `${headers[last] ?? ''}${line.text.trim()}`;
        continue;
      }
      const colon = line.text.indexOf(':');
      if (colon <= 0) throw pemError(text, line.offset, 'malformed header line (expected "Name: value")');
      last = line.text.slice(0, colon).trim();
      headers[last] = line.text.slice(colon + 1).trim();
    }
    if (i >= lines.length) throw pemError(text, first.offset, 'headers are not followed by an empty line and base64 data');
  }
  let b64 = '';
  let padSeen: Line | undefined;
  let lastData: Line | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i] as Line;
    const compact = line.text.replace(/[ \t]+/g, '');
    if (compact === '') continue;
    if (!BASE64_LINE.test(compact)) {
      const col = [...line.text].findIndex((c) => !/[A-Za-z0-9+/= \t]/.test(c));
      throw pemError(text, line.offset, `invalid base64 character ${JSON.stringify(line.text[col] ?? '')}`);
    }
    if (padSeen !== undefined) throw pemError(text, line.offset, 'base64 data continues after "=" padding');
    const eq = compact.indexOf('=');
    if (eq !== -1) {
      if (!/^=*$/.test(compact.slice(eq)) || compact.length - eq > 2) throw pemError(text, line.offset, 'misplaced "=" in base64');
      padSeen = line;
    }
    b64 += compact;
    lastData = line;
  }
  const unpadded = b64.replace(/=+$/, '');
  if (unpadded.length === 0) throw pemError(text, lines[0]?.offset ?? 0, 'block holds no data');
  if (unpadded.length % 4 === 1 || (padSeen !== undefined && b64.length % 4 !== 0)) {
    throw pemError(text, (padSeen ?? lastData ?? { offset: 0 }).offset, 'truncated base64 data');
  }
  return { headers, der: base64Bytes(unpadded) };
}

/**
 * The common case in one pass: no headers, clean base64. Anything else (headers, a bad character,
 * odd padding) goes through decodeBody, which finds the line to blame.
 */
function quickBody(body: string): { headers: Record<string, string>; der: Uint8Array } | undefined {
  const b64 = body.replace(/[ \t\r\n]+/g, '');
  if (b64.length === 0 || b64.length % 4 !== 0 || NOT_BASE64.test(b64)) return undefined;
  // "=" only as the padding of the last group: "xx==" or "xxx=".
  const eq = b64.indexOf('=');
  if (eq !== -1 && (eq < b64.length - 2 || b64.charCodeAt(b64.length - 1) !== 0x3d)) return undefined;
  return { headers: {}, der: base64Bytes(b64) };
}

/** A search for one bad character, which V8 runs faster than a match of the whole text. */
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/** Decoded base64 as a view of the Buffer Node decodes into: a 48 MB block is not copied again. */
function base64Bytes(b64: string): Uint8Array {
  const buf = Buffer.from(b64, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * `openssl x509 -trustout` writes the certificate followed by X509_CERT_AUX (crypto/x509/x_x509a.c,
 * PEM_read_bio_X509_AUX); keytool cannot read that, so callers get the certificate alone.
 */
function splitTrusted(text: string, at: number, der: Uint8Array): { der: Uint8Array; aux: Uint8Array } {
  try {
    const cert = readTlv(der, 0, FORMAT);
    return { der: der.subarray(0, cert.end), aux: der.subarray(cert.end) };
  } catch (e) {
    if (e instanceof CodecError) throw pemError(text, at, `TRUSTED CERTIFICATE does not start with a DER element: ${e.message}`);
    throw e;
  }
}

/** Every PEM block in the text, in order. Text outside blocks is ignored. */
export function decodePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const BEGIN = /-----BEGIN ([^\r\n]*?)-----/g;
  const END = /-----END ([^\r\n]*?)-----/y;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const label = m[1] ?? '';
    const start = m.index;
    const bodyStart = start + m[0].length;
    const endAt = text.indexOf('-----END ', bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (endAt === -1 || (nextBegin !== -1 && nextBegin < endAt)) {
      throw pemError(text, start, `BEGIN ${label} has no matching END line`);
    }
    END.lastIndex = endAt;
    const em = END.exec(text);
    if (em === null) throw pemError(text, endAt, 'malformed END line');
    if (em[1] !== label) throw pemError(text, endAt, `END ${em[1] ?? ''} does not match BEGIN ${label} on line ${lineAt(text, start)}`);
    const body = quickBody(text.slice(bodyStart, endAt)) ?? decodeBody(text, splitLines(text, bodyStart, endAt));
    const end = endAt + em[0].length;
    const block: PemBlock = { label, headers: body.headers, der: body.der, start, end };
    if (label === PEM_LABEL.TRUSTED_CERTIFICATE) {
      const t = splitTrusted(text, start, body.der);
      block.der = t.der;
      block.aux = t.aux;
    }
    blocks.push(block);
    BEGIN.lastIndex = end;
  }
  return blocks;
}

/** RFC 7468 section 2: BEGIN line, optional RFC 1421 headers and a blank line, 64-char base64 lines, END line. */
export function encodePem(label: string, der: Uint8Array, headers?: Record<string, string>): string {
  if (!/^[\x21-\x2c\x2e-\x7e]+(?:[ -][\x21-\x2c\x2e-\x7e]+)*$/.test(label)) throw new Error(`invalid PEM label ${JSON.stringify(label)}`);
  let out = `-----BEGIN ${label}-----\n`;
  const entries = Object.entries(headers ?? {});
  if (entries.length > 0) {
    for (const [k, v] of entries) out += `${k}: ${v}\n`;
    out += '\n';
  }
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\n`;
  return `${out}-----END ${label}-----\n`;
}
