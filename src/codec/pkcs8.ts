/**
 * PKCS#8 PrivateKeyInfo (RFC 5208 5, RFC 5958 2), and telling an EncryptedPrivateKeyInfo
 * (pkcs8-encrypted.ts) apart from one; the encryption is src/crypto/pkcs8.ts's.
 *
 *   PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier,
 *     privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL, publicKey [1] OPTIONAL }
 */
import { CodecError } from './errors.js';
import { algorithmIdentifier, at, encapsulated, octetString, sequence, smallInteger, within } from './asn1/check.js';
import { type Tlv, UNIVERSAL, children, isContext, isUniversal, readRoot } from './asn1/tlv.js';
import { readOid } from './asn1/values.js';
import { KEY_ALGORITHMS, NAMED_CURVES, curveLabel } from './x509/public-key.js';

const FORMAT = 'PKCS#8';

export type PrivateKeyAlgorithm = 'RSA' | 'RSASSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'X25519' | 'X448' | 'DSA' | 'DH' | 'unknown';

export interface PrivateKeyInfoSummary {
  algorithm: PrivateKeyAlgorithm;
  /** The privateKeyAlgorithm OID as found. */
  oid: string;
  /** EC keys: the named curve, as Node names it where known ("P-256"), else as public-key.ts curveLabel does. */
  curve?: string;
}

const PRIVATE_KEY_ALGORITHMS: ReadonlySet<string> = new Set(['RSA', 'RSASSA-PSS', 'EC', 'Ed25519', 'Ed448', 'X25519', 'X448', 'DSA', 'DH']);

/** True for an EncryptedPrivateKeyInfo: two elements, an AlgorithmIdentifier and an OCTET STRING. */
export function isEncryptedPkcs8(der: Uint8Array): boolean {
  let parts: Tlv[];
  try {
    const root = readRoot(der, FORMAT);
    if (!isUniversal(root, UNIVERSAL.SEQUENCE)) return false;
    parts = children(root);
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
  const [alg, data] = parts;
  return parts.length === 2 && alg !== undefined && isUniversal(alg, UNIVERSAL.SEQUENCE) && data !== undefined && isUniversal(data, UNIVERSAL.OCTET_STRING);
}

/** The key algorithm (and curve) of a PrivateKeyInfo; throws CodecError('format') when it is not one. */
export function privateKeyInfo(der: Uint8Array): PrivateKeyInfoSummary {
  const root = readRoot(der, FORMAT);
  const parts = sequence(root, 'PrivateKeyInfo', 3, 5);
  const version = smallInteger(at(parts, 0, root, 'PrivateKeyInfo'), 'PrivateKeyInfo version');
  if (version > 1) throw new CodecError('format', FORMAT, `PrivateKeyInfo version ${version} (expected 0 or 1)`, root.offset);
  const alg = algorithmIdentifier(at(parts, 1, root, 'PrivateKeyInfo'), 'private key algorithm');
  const keyNode = at(parts, 2, root, 'PrivateKeyInfo');
  octetString(keyNode, 'privateKey');
  for (const extra of parts.slice(3)) {
    if (!isContext(extra, 0) && !isContext(extra, 1)) throw new CodecError('format', FORMAT, 'unexpected element after privateKey', extra.offset);
  }
  const name = KEY_ALGORITHMS.get(alg.oid);
  const algorithm = name !== undefined && PRIVATE_KEY_ALGORITHMS.has(name) ? (name as PrivateKeyAlgorithm) : 'unknown';
  const summary: PrivateKeyInfoSummary = { algorithm, oid: alg.oid };
  if (algorithm === 'EC') {
    const curveOid = ecCurveOid(alg.params, keyNode);
    if (curveOid !== undefined) summary.curve = NAMED_CURVES.get(curveOid)?.nodeName ?? curveLabel(curveOid);
  }
  return summary;
}

/**
 * The named curve: from the AlgorithmIdentifier parameters (RFC 5480 2.1.1), else from the
 * ECPrivateKey's own [0] parameters (RFC 5915 3), which some writers fill instead.
 */
function ecCurveOid(params: Tlv | undefined, keyNode: Tlv): string | undefined {
  if (params !== undefined && isUniversal(params, UNIVERSAL.OID)) return readOid(params);
  const ecKey = encapsulated(keyNode, 'privateKey');
  return within(ecKey.base, () => {
    if (!ecKey.root.constructed) return undefined;
    const p = children(ecKey.root).find((c) => isContext(c, 0));
    const inner = p === undefined || !p.constructed ? undefined : children(p)[0];
    return inner !== undefined && isUniversal(inner, UNIVERSAL.OID) ? readOid(inner) : undefined;
  });
}
