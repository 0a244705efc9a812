/**
 * BouncyCastle's own keystore formats, recognised so that mailcert can name them instead of calling
 * them damaged: it reads none of them (keytool with the BouncyCastle provider converts them). Only
 * looked at once a file is known not to be a keystore mailcert reads, so it costs nothing else.
 *
 * - BKS (org.bouncycastle.jce.provider.BcKeyStoreSpi, versions 1 and 2): u32 version, u32 salt
 *   length, salt, u32 iteration count, then the entries in the clear, each
 *     u8 type (1 certificate, 2 key, 3 sealed key, 4 secret), UTF alias, u64 date,
 *     u32 chain length, chain x certificate, then the type's body;
 *   a 0 byte after the last one, then the HMAC-SHA1 (20 bytes). certificate: UTF type, u32 length,
 *   bytes; key: u8 key type, UTF format, UTF algorithm, u32 length, bytes; sealed and secret keys:
 *   u32 length, bytes.
 * - UBER (BcKeyStoreSpi.BouncyCastleStore): the same header, then everything else encrypted
 *   (PBEWithSHAAndTwofish-CBC), so no entry can be walked.
 * - BCFKS (BcFKSKeyStoreSpi): a DER ObjectStore ::= SEQUENCE { storeData, integrityCheck }, the
 *   store data an EncryptedObjectStoreData SEQUENCE { AlgorithmIdentifier, OCTET STRING } (or,
 *   unencrypted, ObjectStoreData SEQUENCE { INTEGER version, AlgorithmIdentifier, GeneralizedTime,
 *   ... }), the check a SEQUENCE (PbkdMacIntegrityCheck) or [0] (SignatureCheck).
 */
import { ByteReader } from './bytes.js';
import { CodecError } from './errors.js';
import { TAG, type Tlv, children, readRoot } from './asn1/tlv.js';

export interface BouncyCastleStore {
  /** The -storetype keytool takes for it with the BouncyCastle provider. */
  storetype: 'BKS' | 'UBER' | 'BCFKS';
  /** "BouncyCastle BKS keystore (version 2)". */
  name: string;
}

const FORMAT = 'BouncyCastle';
/** The HMAC-SHA1 that ends a BKS file. */
const BKS_MAC_LENGTH = 20;

/** The BouncyCastle keystore `bytes` hold, or undefined when they are none of the three. */
export function bouncyCastleStore(bytes: Uint8Array): BouncyCastleStore | undefined {
  try {
    return bksOrUber(bytes) ?? bcfks(bytes);
  } catch (e) {
    if (e instanceof CodecError) return undefined;
    throw e;
  }
}

function bksOrUber(bytes: Uint8Array): BouncyCastleStore | undefined {
  const r = new ByteReader(bytes, FORMAT);
  const version = r.u32();
  // BcKeyStoreSpi.engineLoad reads versions 0 to 2; its salts are 20 bytes, its counts 1024 to 2047.
  if (version > 2) return undefined;
  const saltLength = r.u32();
  if (saltLength < 1 || saltLength > 64) return undefined;
  r.skip(saltLength);
  const iterations = r.u32();
  if (iterations < 1 || iterations > 1 << 20) return undefined;
  if (walksAsBks(r)) return { storetype: 'BKS', name: `BouncyCastle BKS keystore (version ${version})` };
  // UBER's body is ciphertext; its header is BKS's. A BKS whose entries do not walk is no BKS either.
  return version === 1 && r.remaining > 0 ? { storetype: 'UBER', name: 'BouncyCastle UBER keystore' } : undefined;
}

/** Whether the entries walk to the 0 byte that ends them, with exactly the MAC after it. */
function walksAsBks(r: ByteReader): boolean {
  for (;;) {
    const type = r.u8();
    if (type === 0) return r.remaining === BKS_MAC_LENGTH;
    if (type > 4) return false;
    r.skip(r.u16()); // alias
    r.skip(8); // date
    const chain = r.u32();
    if (chain > r.remaining) return false;
    for (let i = 0; i < chain; i++) skipCertificate(r);
    if (type === 1) skipCertificate(r);
    else if (type === 2) {
      r.skip(1);
      r.skip(r.u16()); // format
      r.skip(r.u16()); // algorithm
      r.skip(r.u32());
    } else r.skip(r.u32());
  }
}

function skipCertificate(r: ByteReader): void {
  r.skip(r.u16()); // "X.509"
  r.skip(r.u32());
}

function bcfks(bytes: Uint8Array): BouncyCastleStore | undefined {
  if (bytes[0] !== TAG.SEQUENCE) return undefined;
  const [data, check, more] = children(readRoot(bytes, FORMAT));
  if (data === undefined || check === undefined || more !== undefined || data.tag !== TAG.SEQUENCE) return undefined;
  if (check.tag !== TAG.SEQUENCE && check.tag !== 0xa0) return undefined;
  const [a, b, c] = children(data);
  const encrypted = isAlgorithm(a) && b?.tag === TAG.OCTET_STRING && c === undefined;
  const plain = a?.tag === TAG.INTEGER && isAlgorithm(b) && c?.tag === TAG.GENERALIZED_TIME;
  return encrypted || plain ? { storetype: 'BCFKS', name: 'BouncyCastle BCFKS keystore' } : undefined;
}

function isAlgorithm(t: Tlv | undefined): boolean {
  return t !== undefined && t.tag === TAG.SEQUENCE && children(t)[0]?.tag === TAG.OID;
}
