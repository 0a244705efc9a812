/**
 * X.501 Names (RFC 5280 4.1.2.4), parsed once from the original DER, which is kept:
 *
 *   Name ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 *   AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
 *
 * Printed by name-format.ts (keytool, RFC 4514); OpenSSL's canonical form and subject hashes are
 * name-hash.ts's; the keytool -dname syntax is read by dn-string.ts.
 */
import { sameBytes } from '../bytes.js';
import { TAG, type Tlv, children, derError, expectTag, item, readRoot, tlvBytes } from '../asn1/tlv.js';
import { isStringTag, readOid, readString } from '../asn1/values.js';
import { type Ava, keytoolDn, rfc4514Dn } from './name-format.js';

export type { Ava };

export interface DistinguishedName {
  /** The Name's DER as found in the certificate. */
  der: Uint8Array;
  /** RDNs in encoding order (most significant first: C, O, ... CN), each a set of AVAs. */
  rdns: Ava[][];
  /** As keytool 17 prints it in "Owner:"/"Issuer:": `CN=..., OU=..., O=..., C=...`. Computed on first use. */
  readonly text: string;
  /** RFC 4514 string form: `CN=...,O=...,C=...`. Computed on first use. */
  readonly rfc4514: string;
}

function parseAva(tlv: Tlv): Ava {
  expectTag(tlv, TAG.SEQUENCE, 'AttributeTypeAndValue');
  const parts = children(tlv);
  if (parts.length !== 2) throw derError(tlv.format, 'AttributeTypeAndValue must hold a type and a value', tlv.offset);
  const oid = readOid(item(tlv, parts, 0, 'attribute type'));
  const v = item(tlv, parts, 1, 'attribute value');
  return {
    oid,
    tag: v.tag,
    value: isStringTag(v) ? readString(v) : undefined,
    get valueDer() {
      return tlvBytes(v);
    },
  };
}

/** A Name read in place (a certificate's issuer or subject, a directoryName). */
export function nameFromTlv(tlv: Tlv): DistinguishedName {
  expectTag(tlv, TAG.SEQUENCE, 'Name');
  const rdns = children(tlv).map((rdn) => {
    expectTag(rdn, TAG.SET, 'RelativeDistinguishedName');
    const avas = children(rdn).map(parseAva);
    if (avas.length === 0) throw derError(tlv.format, 'empty RelativeDistinguishedName', rdn.offset);
    return avas;
  });
  let text: string | undefined;
  let rfc4514: string | undefined;
  return {
    der: tlvBytes(tlv),
    rdns,
    get text() {
      return (text ??= keytoolDn(rdns));
    },
    get rfc4514() {
      return (rfc4514 ??= rfc4514Dn(rdns));
    },
  };
}

/** Parses a Name given as its own DER (the subject of a CSR, a Name from a keystore). */
export function parseName(nameDer: Uint8Array, format = 'X.509'): DistinguishedName {
  return nameFromTlv(readRoot(nameDer, format));
}

/** A Name's DER formatted as keytool prints it ("CN=Test Intermediate CA, OU=..., O=Example, C=US"). */
export function formatDn(nameDer: Uint8Array): string {
  return parseName(nameDer).text;
}

/** X500Principal.equals: its RFC 2253 form, lowercased, white space runs folded. */
function comparable(nameDer: Uint8Array): string {
  return parseName(nameDer).rfc4514.toLowerCase().replace(/\s+/g, ' ');
}

/**
 * Whether two Names are the same as the JDK's X500Principal.equals decides it (what
 * PKCS12KeyStore matches issuers by): the same DER, or the same canonical string. A Name that
 * cannot be read equals only its own bytes.
 */
export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (sameBytes(a, b)) return true;
  try {
    return comparable(a) === comparable(b);
  } catch {
    return false;
  }
}
