/**
 * PKCS#7 / CMS SignedData used as a certificate bundle (.p7b, .p7c; RFC 2315 section 9.1,
 * RFC 5652 section 5.1): reading its certificates, and writing the degenerate "certs-only" form
 * (no content, no signers) that `openssl crl2pkcs7 -nocrl` writes and keytool -printcert and
 * -importcert read.
 */
import { CodecError } from './errors.js';
import { OID } from './asn1/oid.js';
import { CLASS_UNIVERSAL, TAG, children, contextTag, derError, expectTag, isContext, item, readRoot, tlvBytes } from './asn1/tlv.js';
import { toDer } from './asn1/to-der.js';
import { readOid } from './asn1/values.js';
import { encodeExplicit, encodeInteger, encodeOid, encodeSequence, encodeSet, encodeTlv } from './asn1/writer.js';
import { decodePem } from './pem.js';

const FORMAT = 'PKCS#7';

/** PEM labels that carry a ContentInfo: RFC 7468 section 8 names PKCS7 and CMS; "PKCS #7 SIGNED DATA" is older. */
const PKCS7_LABELS = new Set(['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA']);

function isPemText(input: Uint8Array): boolean {
  // PEM starts with text; DER with a SEQUENCE tag (0x30).
  let i = 0;
  while (i < input.length && (input[i] === 0x20 || input[i] === 0x09 || input[i] === 0x0d || input[i] === 0x0a)) i++;
  return i < input.length && input[i] !== 0x30;
}

function pemContentInfo(input: Uint8Array): Uint8Array {
  const block = decodePem(new TextDecoder('utf-8').decode(input)).find((b) => PKCS7_LABELS.has(b.label));
  if (block === undefined) throw new CodecError('format', FORMAT, 'no PKCS7 or CMS PEM block found');
  return block.der;
}

/**
 * The certificates of a SignedData ContentInfo, in file order, each as DER. Accepts DER, BER with
 * indefinite lengths (Windows and `openssl cms -stream` write it; each certificate is re-encoded
 * as DER), and PEM text with the label PKCS7 or CMS.
 */
export function readPkcs7Certificates(input: Uint8Array): Uint8Array[] {
  const der = isPemText(input) ? pemContentInfo(input) : input;
  // ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY OPTIONAL }
  const ci = expectTag(readRoot(der, FORMAT), TAG.SEQUENCE, 'ContentInfo');
  const ciParts = children(ci);
  const type = readOid(item(ci, ciParts, 0, 'contentType'));
  if (type !== OID.signedData) throw new CodecError('unsupported', FORMAT, `content type ${type} is not signedData (${OID.signedData})`);
  const wrapper = item(ci, ciParts, 1, 'content');
  if (!isContext(wrapper, 0) || !wrapper.constructed) throw derError(FORMAT, 'content is not [0] EXPLICIT', wrapper.offset);
  const sd = expectTag(item(wrapper, children(wrapper), 0, 'SignedData'), TAG.SEQUENCE, 'SignedData');
  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, contentInfo, certificates [0] IMPLICIT OPTIONAL,
  //   crls [1] IMPLICIT OPTIONAL, signerInfos SET }
  const sdParts = children(sd);
  expectTag(item(sd, sdParts, 0, 'version'), TAG.INTEGER, 'SignedData version');
  expectTag(item(sd, sdParts, 1, 'digestAlgorithms'), TAG.SET, 'digestAlgorithms');
  expectTag(item(sd, sdParts, 2, 'contentInfo'), TAG.SEQUENCE, 'encapsulated contentInfo');
  const certs = sdParts.slice(3).find((t) => isContext(t, 0));
  if (certs === undefined) return [];
  if (!certs.constructed) throw derError(FORMAT, 'certificates [0] must be constructed', certs.offset);
  const out: Uint8Array[] = [];
  for (const c of children(certs)) {
    // CertificateChoices: only the plain Certificate (a SEQUENCE) is taken; the [0]..[3] choices
    // (PKCS#6 extended and attribute certificates, RFC 5652 10.2.2) are not X.509 certificates.
    if (c.cls !== CLASS_UNIVERSAL || c.tag !== TAG.SEQUENCE) continue;
    // toDer leaves DER unchanged and turns BER back into the DER the signature was made over.
    out.push(toDer(tlvBytes(c), FORMAT));
  }
  return out;
}

/**
 * A degenerate certs-only SignedData (RFC 2315 9.1 / RFC 5652 5.1) in DER: version 1, no digest
 * algorithms, empty data content, the certificates in the order given, no CRLs, no signers, the
 * layout `openssl crl2pkcs7 -nocrl` writes. The certificate order is kept (OpenSSL encodes this
 * field as an implicit SEQUENCE OF and keeps it too), so leaf-first stays leaf-first.
 */
export function encodePkcs7Certificates(certs: readonly Uint8Array[]): Uint8Array {
  for (const c of certs) expectTag(readRoot(c, 'X.509'), TAG.SEQUENCE, 'Certificate');
  const signedData = encodeSequence(
    encodeInteger(1),
    encodeSet(),
    encodeSequence(encodeOid(OID.data)),
    encodeTlv(contextTag(0, true), ...certs),
    encodeSet(),
  );
  return encodeSequence(encodeOid(OID.signedData), encodeExplicit(0, signedData));
}
