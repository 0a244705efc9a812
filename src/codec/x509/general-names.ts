/**
 * GeneralName (RFC 5280 4.2.1.6) and the NameConstraints extension (RFC 5280 4.2.1.10), read from
 * the raw extension values: subjectAltName (2.5.29.17) and nameConstraints (2.5.29.30).
 *
 *   GeneralName ::= CHOICE {
 *     otherName [0] OtherName,            -- SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
 *     rfc822Name [1] IA5String, dNSName [2] IA5String, x400Address [3] ORAddress,
 *     directoryName [4] Name,             -- EXPLICIT: Name is a CHOICE
 *     ediPartyName [5] EDIPartyName, uniformResourceIdentifier [6] IA5String,
 *     iPAddress [7] OCTET STRING, registeredID [8] OBJECT IDENTIFIER }
 *   NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
 *                                  excludedSubtrees [1] GeneralSubtrees OPTIONAL }
 *   GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
 *   GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0,
 *                                 maximum [1] BaseDistance OPTIONAL }
 *
 * IA5String values are kept byte for byte (one character per byte), because OpenSSL compares
 * them as bytes (v3_ncons.c). Constraints RFC 5280 calls invalid are refused here, so that a CA
 * with one is a failure however its names are used: an empty extension (Go's crypto/x509 refuses
 * it too), a minimum other than 0 or any maximum ("MUST be zero", "MUST be absent"; OpenSSL
 * fails these with X509_V_ERR_SUBTREE_MINMAX), an iPAddress constraint that is not 8 or 32
 * octets (OpenSSL refuses the whole CA certificate) or whose mask is not a CIDR prefix (RFC 5280
 * points to RFC 4632; OpenSSL accepts any mask, Go refuses them too).
 */
import { CodecError } from '../errors.js';
import { CLASS_CONTEXT, TAG, type Tlv, children, expectTag, readRoot, tlvBytes, valueBytes } from '../asn1/tlv.js';
import { OID } from '../asn1/oid.js';
import { decodeOidValue, readOid, stringValue } from '../asn1/values.js';
import { formatIpv6 } from '../ip.js';
import { formatDn } from './name.js';

export type GeneralName =
  | { readonly type: 'otherName'; readonly typeId: string; readonly value: Tlv }
  | { readonly type: 'rfc822Name' | 'dNSName' | 'uniformResourceIdentifier'; readonly text: string }
  | { readonly type: 'iPAddress'; readonly bytes: Uint8Array }
  | { readonly type: 'directoryName'; readonly name: Uint8Array }
  | { readonly type: 'registeredID'; readonly oid: string }
  | { readonly type: 'x400Address' | 'ediPartyName'; readonly der: Uint8Array };

export interface NameConstraints {
  /** The bases of permittedSubtrees, in encoding order (empty when the field is absent). */
  permitted: GeneralName[];
  excluded: GeneralName[];
}

/** id-on-SmtpUTF8Mailbox, RFC 8398 section 3. */
export const SMTP_UTF8_MAILBOX = OID.smtpUtf8Mailbox;

const SAN_FORMAT = 'subjectAltName';
const NC_FORMAT = 'nameConstraints';

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(format: string, message: string, offset?: number): CodecError {
  return new CodecError('format', format, message, offset);
}

/** One GeneralName by its context tag (all IMPLICIT except directoryName, X.680 31.2.7). */
export function parseGeneralName(tlv: Tlv): GeneralName {
  if (tlv.cls !== CLASS_CONTEXT) throw fail(tlv.format, `a GeneralName has the tag 0x${tlv.tag.toString(16)}`, tlv.offset);
  switch (tlv.number) {
    case 0: {
      const parts = children(tlv);
      const [id, wrapped] = parts;
      if (parts.length !== 2 || id === undefined || wrapped === undefined || wrapped.tag !== 0xa0) {
        throw fail(tlv.format, 'otherName is not { type-id, [0] value }', tlv.offset);
      }
      const inner = children(wrapped);
      if (inner.length !== 1 || inner[0] === undefined) throw fail(tlv.format, 'otherName value is not one element', wrapped.offset);
      return { type: 'otherName', typeId: readOid(id), value: inner[0] };
    }
    case 1:
    case 2:
    case 6: {
      const type = tlv.number === 1 ? 'rfc822Name' : tlv.number === 2 ? 'dNSName' : 'uniformResourceIdentifier';
      return { type, text: latin1.decode(stringValue(tlv)) };
    }
    case 3:
      return { type: 'x400Address', der: tlvBytes(tlv) };
    case 4: {
      const inner = children(tlv);
      if (inner.length !== 1 || inner[0] === undefined) throw fail(tlv.format, 'directoryName is not one Name', tlv.offset);
      return { type: 'directoryName', name: tlvBytes(expectTag(inner[0], TAG.SEQUENCE, 'directoryName')) };
    }
    case 5:
      return { type: 'ediPartyName', der: tlvBytes(tlv) };
    case 7:
      return { type: 'iPAddress', bytes: stringValue(tlv) };
    case 8:
      if (tlv.constructed) throw fail(tlv.format, 'registeredID must be primitive', tlv.offset);
      return { type: 'registeredID', oid: decodeOidValue(valueBytes(tlv), tlv.format, tlv.valueStart) };
    default:
      throw fail(tlv.format, `a GeneralName has the unknown tag [${tlv.number}]`, tlv.offset);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName: the value of a subjectAltName extension. */
export function parseGeneralNames(value: Uint8Array): GeneralName[] {
  const seq = expectTag(readRoot(value, SAN_FORMAT), TAG.SEQUENCE, 'GeneralNames');
  const names = children(seq).map(parseGeneralName);
  if (names.length === 0) throw fail(SAN_FORMAT, 'it holds no names (RFC 5280 4.2.1.6: at least one)', seq.offset);
  return names;
}

/** Whether `mask` is some ones followed only by zeros: a CIDR prefix (RFC 4632 3.1). */
function isPrefixMask(mask: Uint8Array): boolean {
  let zeros = false;
  for (const b of mask) {
    for (let bit = 0x80; bit !== 0; bit >>= 1) {
      if ((b & bit) === 0) zeros = true;
      else if (zeros) return false;
    }
  }
  return true;
}

function checkIpConstraint(base: Uint8Array, tlv: Tlv): void {
  if (base.length !== 8 && base.length !== 32) {
    throw fail(NC_FORMAT, `an iPAddress constraint has ${base.length} octets; RFC 5280 4.2.1.10 wants 8 (IPv4) or 32 (IPv6): address and mask`, tlv.offset);
  }
  if (!isPrefixMask(base.subarray(base.length / 2))) {
    throw fail(NC_FORMAT, `the iPAddress constraint ${formatGeneralName({ type: 'iPAddress', bytes: base }, true)} has a mask that is not a CIDR prefix`, tlv.offset);
  }
}

/** GeneralSubtrees: the bases, after checking minimum and maximum (RFC 5280 4.2.1.10). */
function parseSubtrees(list: Tlv, which: string): GeneralName[] {
  const subtrees = children(list);
  if (subtrees.length === 0) throw fail(NC_FORMAT, `${which} is empty (RFC 5280: SIZE (1..MAX))`, list.offset);
  return subtrees.map((subtree) => {
    const parts = children(expectTag(subtree, TAG.SEQUENCE, 'GeneralSubtree'));
    const [baseTlv, ...rest] = parts;
    if (baseTlv === undefined) throw fail(NC_FORMAT, 'a GeneralSubtree has no base', subtree.offset);
    const base = parseGeneralName(baseTlv);
    let last = -1;
    for (const p of rest) {
      // minimum [0] IMPLICIT INTEGER, maximum [1] IMPLICIT INTEGER, in that order.
      if (p.tag !== 0x80 && p.tag !== 0x81) throw fail(NC_FORMAT, `a GeneralSubtree has an unexpected tag 0x${p.tag.toString(16)}`, p.offset);
      if (p.number <= last) throw fail(NC_FORMAT, 'a GeneralSubtree repeats or reorders minimum and maximum', p.offset);
      last = p.number;
      const v = valueBytes(p);
      if (p.number === 1) throw fail(NC_FORMAT, 'a GeneralSubtree has a maximum (RFC 5280 4.2.1.10: MUST be absent)', p.offset);
      if (v.length === 0 || v.some((b) => b !== 0)) throw fail(NC_FORMAT, 'a GeneralSubtree has a minimum other than 0 (RFC 5280 4.2.1.10: MUST be zero)', p.offset);
    }
    if (base.type === 'iPAddress') checkIpConstraint(base.bytes, baseTlv);
    return base;
  });
}

/** The value of a nameConstraints extension. Throws CodecError when it is malformed or invalid. */
export function parseNameConstraints(value: Uint8Array): NameConstraints {
  const seq = expectTag(readRoot(value, NC_FORMAT), TAG.SEQUENCE, 'NameConstraints');
  const out: NameConstraints = { permitted: [], excluded: [] };
  let last = -1;
  for (const field of children(seq)) {
    if ((field.tag !== 0xa0 && field.tag !== 0xa1) || field.number <= last) {
      throw fail(NC_FORMAT, `unexpected field with tag 0x${field.tag.toString(16)}`, field.offset);
    }
    last = field.number;
    if (field.number === 0) out.permitted = parseSubtrees(field, 'permittedSubtrees');
    else out.excluded = parseSubtrees(field, 'excludedSubtrees');
  }
  if (last === -1) throw fail(NC_FORMAT, 'it has neither permittedSubtrees nor excludedSubtrees (RFC 5280 4.2.1.10)', seq.offset);
  return out;
}

/** The text of an otherName's value when it is a UTF8String (as SmtpUTF8Mailbox must be), else undefined. */
export function otherNameUtf8(name: { value: Tlv }): string | undefined {
  if (name.value.tag !== TAG.UTF8_STRING) return undefined;
  try {
    return utf8.decode(stringValue(name.value));
  } catch {
    return undefined;
  }
}

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  // An IPv4-mapped address keeps its dotted quad (RFC 5952 section 5): ::ffff:10.1.2.3.
  if (bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.subarray(12).join('.')}`;
  }
  if (bytes.length === 16) return formatIpv6(bytes);
  return `#${Buffer.from(bytes).toString('hex')}`;
}

function prefixLength(mask: Uint8Array): number {
  let n = 0;
  for (const b of mask) for (let bit = 0x80; bit !== 0 && (b & bit) !== 0; bit >>= 1) n++;
  return n;
}

function dnText(name: Uint8Array): string {
  try {
    return formatDn(name);
  } catch {
    return `#${Buffer.from(name).toString('hex')}`;
  }
}

/**
 * A GeneralName the way openssl's configuration writes it (DNS:, email:, URI:, IP:, dirName:,
 * otherName:OID;UTF8:, RID:), which is how admins write name constraints. An iPAddress
 * constraint (`asConstraint`) is shown as address/prefix-length.
 */
export function formatGeneralName(name: GeneralName, asConstraint = false): string {
  switch (name.type) {
    case 'dNSName':
      return `DNS:${name.text}`;
    case 'rfc822Name':
      return `email:${name.text}`;
    case 'uniformResourceIdentifier':
      return `URI:${name.text}`;
    case 'iPAddress': {
      const half = name.bytes.length / 2;
      if (!asConstraint || (half !== 4 && half !== 16)) return `IP:${ipText(name.bytes)}`;
      const mask = name.bytes.subarray(half);
      const shown = isPrefixMask(mask) ? String(prefixLength(mask)) : ipText(mask);
      return `IP:${ipText(name.bytes.subarray(0, half))}/${shown}`;
    }
    case 'directoryName':
      return `dirName:"${dnText(name.name)}"`;
    case 'otherName': {
      const text = otherNameUtf8(name);
      return text === undefined ? `otherName:${name.typeId}` : `otherName:${name.typeId};UTF8:${text}`;
    }
    case 'registeredID':
      return `RID:${name.oid}`;
    default:
      return name.type;
  }
}
