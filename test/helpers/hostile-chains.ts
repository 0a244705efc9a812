/**
 * Chains no CA would issue, for verify's bounds: a path of 1,000 CAs, 1,000 CAs of one name, a
 * leaf with 100,000 names. Too many certificates for openssl's command line in a test's time, so
 * they are made here with mailcert's certificate builder and node:crypto, and written as PEM files
 * openssl reads too (the tests run `openssl verify` on them beside mailcert).
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OID } from '../../src/codec/asn1/oid.js';
import {
  encodeBitString as bitString,
  encodeInteger as integer,
  encodeNull as nullValue,
  encodeOid,
  encodeSequence as sequence,
  encodeTlv,
} from '../../src/codec/asn1/writer.js';
import { cnName } from '../../src/codec/x509/dn-string.js';
import {
  assembleSigned,
  authorityKeyIdentifier,
  basicConstraints,
  buildTbsCertificate,
  extension,
  extKeyUsage,
  keyIdentifier,
  keyUsage,
  subjectKeyIdentifier,
} from '../../src/codec/x509/build.js';
import { encodePem } from '../../src/codec/pem.js';
import { signatureAlgorithmIdentifier, signData, spkiOf } from '../../src/crypto/keys.js';

interface Party {
  name: Uint8Array;
  key: KeyObject;
  spki: Uint8Array;
}

const YEAR = 365 * 86_400_000;
let serial = 1;

function ecParty(cn: string): Party {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { name: cnName(cn), key: privateKey, spki: spkiOf(privateKey) };
}

interface CertOptions {
  subject: Uint8Array;
  spki: Uint8Array;
  issuer: Party;
  ca: boolean;
  /** Subject and authority key identifiers (the default); without them only names link certificates. */
  keyIds?: boolean;
  dns?: string[];
}

/** subjectAltName with DNS names, concatenated at once: 100,000 of them are too many for a spread. */
function dnsNames(dns: readonly string[]): Uint8Array {
  return extension(OID.subjectAltName, false, encodeTlv(0x30, Buffer.concat(dns.map((d) => encodeTlv(0x82, Buffer.from(d, 'latin1'))))));
}

function certificate(o: CertOptions): Uint8Array {
  const alg = signatureAlgorithmIdentifier('SHA256withECDSA');
  const ids = o.keyIds === false ? [] : [subjectKeyIdentifier(keyIdentifier(o.spki)), authorityKeyIdentifier(keyIdentifier(o.issuer.spki))];
  const extensions = o.ca
    ? [basicConstraints(true), keyUsage(['keyCertSign', 'cRLSign']), ...ids]
    : [basicConstraints(false), keyUsage(['digitalSignature']), extKeyUsage([OID.serverAuth]), dnsNames(o.dns ?? ['mail.example.com']), ...ids];
  const now = Date.now();
  const tbs = buildTbsCertificate({
    serial: Uint8Array.of((serial >> 16) & 0xff, (serial >> 8) & 0xff, serial++ & 0xff),
    signatureAlgorithm: alg,
    issuer: o.issuer.name,
    subject: o.subject,
    notBefore: new Date(now - YEAR),
    notAfter: new Date(now + 10 * YEAR),
    spki: o.spki,
    extensions,
  });
  return assembleSigned(tbs, alg, signData('SHA256withECDSA', o.issuer.key, tbs));
}

function selfSigned(p: Party): Uint8Array {
  return certificate({ subject: p.name, spki: p.spki, issuer: p, ca: true });
}

function write(dir: string, name: string, ders: readonly Uint8Array[]): string {
  const file = join(dir, name);
  writeFileSync(file, ders.map((d) => encodePem('CERTIFICATE', d)).join(''));
  return file;
}

export interface HostileChain {
  /** The chain file: the leaf first, then the CA certificates. */
  chain: string;
  /** The trust anchor. */
  root: string;
}

/** A leaf under `count` CAs, each issued by the next, the last by the root: a path of count + 2 certificates. */
export function longPath(dir: string, count: number): HostileChain {
  const root = ecParty('Hostile Root CA');
  const cas = Array.from({ length: count }, (_, i) => ecParty(`Hostile CA ${count - i}`));
  const ders: Uint8Array[] = [];
  let issuer = root;
  for (const ca of cas) {
    ders.unshift(certificate({ subject: ca.name, spki: ca.spki, issuer, ca: true }));
    issuer = ca;
  }
  const leaf = ecParty('mail.example.com');
  ders.unshift(certificate({ subject: leaf.name, spki: leaf.spki, issuer, ca: false }));
  return { chain: write(dir, `long-${count}.pem`, ders), root: write(dir, `long-${count}-root.pem`, [selfSigned(root)]) };
}

/**
 * A 3072-bit RSA public key whose exponent is as large as the modulus allows (n - 2), which OpenSSL
 * accepts at this size (its 64-bit limit starts above 3072 bits) and which costs a full
 * exponentiation to use. Nobody holds its private key: only the public key is needed.
 */
function hugeExponentSpki(): Uint8Array {
  const n = randomBytes(384);
  n[0] = (n[0] as number) | 0x80;
  n[383] = (n[383] as number) | 1;
  const e = Uint8Array.from(n);
  e[383] = (e[383] as number) - 2;
  const rsaPublicKey = sequence(integer(n), integer(e));
  return sequence(sequence(encodeOid('1.2.840.113549.1.1.1'), nullValue()), bitString(rsaPublicKey));
}

/**
 * A leaf whose issuer's name `count` CA certificates carry, none with the key that signed the leaf
 * and no key identifiers to tell them apart: each is a candidate issuer whose signature check fails.
 * `keys: 'huge-exponent'` gives them the RSA keys above; 'ec' ordinary P-256 keys.
 */
export function sameNameCas(dir: string, count: number, keys: 'huge-exponent' | 'ec'): HostileChain {
  const root = ecParty('Hostile Root CA');
  const name = cnName('Hostile Same-Name CA');
  const cas = Array.from({ length: count }, () => certificate({ subject: name, spki: keys === 'ec' ? ecParty('unused').spki : hugeExponentSpki(), issuer: root, ca: true, keyIds: false }));
  const signer = { ...ecParty('unused'), name };
  const leaf = ecParty('mail.example.com');
  const leafDer = certificate({ subject: leaf.name, spki: leaf.spki, issuer: signer, ca: false, keyIds: false });
  return { chain: write(dir, `same-name-${keys}-${count}.pem`, [leafDer, ...cas]), root: write(dir, `same-name-${keys}-root.pem`, [selfSigned(root)]) };
}

/** A leaf with `count` DNS names (none of them mail.example.com) under one CA. */
export function manyNames(dir: string, count: number): HostileChain {
  const root = ecParty('Hostile Root CA');
  const leaf = ecParty('mail.example.com');
  const dns = Array.from({ length: count }, (_, i) => `host-${i}.example.net`);
  const leafDer = certificate({ subject: leaf.name, spki: leaf.spki, issuer: root, ca: false, dns });
  return { chain: write(dir, `names-${count}.pem`, [leafDer]), root: write(dir, 'names-root.pem', [selfSigned(root)]) };
}
