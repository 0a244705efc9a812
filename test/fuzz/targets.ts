/**
 * The fuzz targets: one per decoder, each with its seeds (the tool-made fixtures, fixtures/) and
 * what a mutated input is put through: first what the CLI command `cli` does with such a file
 * (stage 'decode'), then what other commands go on to do (stage 'keys': decrypting keys).
 *
 * Seeds are tuned so key derivation stays cheap: PKCS#12 and encrypted PKCS#8 come from
 * fixtures/fuzz (made by keytool and openssl with an iteration count of 1), and the JCEKS keys
 * keytool protects with 200,000 MD5 rounds are protected again with 1 (jceksSeed below).
 */
import { createCipheriv } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCrl } from '../../src/codec/crl.js';
import { CodecError } from '../../src/codec/errors.js';
import { sameBytes as bytesEqual } from '../../src/codec/bytes.js';
import { PBE_MD5_3DES_OID, decodeJceks } from '../../src/codec/jceks.js';
import { decodeJks, storeDigest } from '../../src/codec/jks.js';
import { decodePem } from '../../src/codec/pem.js';
import { isEncryptedPem } from '../../src/codec/pem-key.js';
import { readPkcs7Certificates } from '../../src/codec/pkcs7.js';
import { isEncryptedPkcs8, privateKeyInfo } from '../../src/codec/pkcs8.js';
import { encodeEncryptedPrivateKeyInfo, parseEncryptedPrivateKeyInfo } from '../../src/codec/pkcs8-encrypted.js';
import { parseCertificate } from '../../src/codec/x509/certificate.js';
import { deriveDesedeKey, jceksRecoverKey } from '../../src/crypto/jceks.js';
import { jksRecoverKey } from '../../src/crypto/jks-keyprotector.js';
import { KdfBudget } from '../../src/crypto/kdf.js';
import { readTraditionalKey } from '../../src/crypto/pem-key.js';
import { decodePkcs12, pkcs12RecoverKey } from '../../src/crypto/pkcs12.js';
import { decryptPkcs8 } from '../../src/crypto/pkcs8.js';
import { fixturesDir } from '../helpers/tools.js';

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** The password that opens it (store password, PKCS#8 or PEM passphrase). */
  password: string;
  /** Key passwords, where a keystore's keys have their own. */
  keyPasswords: string[];
}

export type Stage = 'decode' | 'keys';

export interface Target {
  name: string;
  /** PEM text: text mutations apply too. */
  text: boolean;
  seeds(): Seed[];
  /** Puts one input through the decoder; a refusal is a CodecError. `at.stage` tells how far it got. */
  run(bytes: Uint8Array, seed: Seed, at: { stage: Stage }): void;
  /** The CLI command that does (at least) stage 'decode' to a file, and its environment. */
  cli(file: string, seed: Seed): { args: string[]; env: Record<string, string> };
}

const read = (...parts: string[]): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir, ...parts)));
const files = (dir: string, re: RegExp): string[] => readdirSync(join(fixturesDir, dir)).filter((f) => re.test(f)).sort();
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

interface JksExpected {
  stores: { file: string; storepass: string; entries: { keypass?: string }[] }[];
}
interface PemExpected {
  passphrase: string;
  storepass: string;
}
const jksExpected = (): JksExpected => JSON.parse(latin1(read('jks', 'expected.json'))) as JksExpected;
const pemExpected = (): PemExpected => JSON.parse(latin1(read('pem', 'expected.json'))) as PemExpected;
const fuzzExpected = (): { seeds: { file: string; password: string }[] } =>
  JSON.parse(latin1(read('fuzz', 'expected.json'))) as { seeds: { file: string; password: string }[] };

/** The JKS/JCEKS fixtures of fixtures/jks and fixtures/pem (keytool.*), with their passwords. */
function javaStores(ext: string): Seed[] {
  const seeds: Seed[] = jksExpected()
    .stores.filter((s) => s.file.endsWith(ext))
    .map((s) => ({ name: `jks/${s.file}`, bytes: read('jks', s.file), password: s.storepass, keyPasswords: [...new Set(s.entries.flatMap((e) => (e.keypass ? [e.keypass] : [])))] }));
  const pem = pemExpected();
  seeds.push({ name: `pem/keytool${ext}`, bytes: read('pem', `keytool${ext}`), password: pem.storepass, keyPasswords: [pem.storepass] });
  return seeds;
}

/** PBEParameter ::= SEQUENCE { salt OCTET STRING (8), iterationCount INTEGER } */
function pbeParams(salt: Uint8Array, iterations: number): Uint8Array {
  return Uint8Array.of(0x30, 0x0d, 0x04, 0x08, ...salt, 0x02, 0x01, iterations);
}

/**
 * A keytool-made JCEKS with each PBEWithMD5AndTripleDES key protected again at 1 iteration (same
 * key, same salt), its length field and the store digest written anew: the file layout stays
 * keytool's, the MD5 loop per key becomes two rounds.
 */
function jceksSeed(seed: Seed): Seed {
  let b = seed.bytes;
  for (const e of decodeJceks(b, seed.password).entries) {
    if (e.kind !== 'key' || e.protectedKey === undefined) continue;
    const epki = parseEncryptedPrivateKeyInfo(e.protectedKey, 'JCEKS');
    if (!bytesEqual(epki.oid, PBE_MD5_3DES_OID)) continue;
    const recovered = seed.keyPasswords.flatMap((keypass) => {
      try {
        return [{ keypass, pkcs8: jceksRecoverKey(e.protectedKey!, keypass) }];
      } catch {
        return [];
      }
    })[0];
    if (recovered === undefined) continue;
    const salt = (epki.params as Uint8Array).subarray(4, 12);
    const { key, iv } = deriveDesedeKey(Buffer.from(recovered.keypass, 'latin1'), salt, 1);
    const c = createCipheriv('des-ede3-cbc', key, iv);
    const again = encodeEncryptedPrivateKeyInfo(PBE_MD5_3DES_OID, pbeParams(salt, 1), new Uint8Array(Buffer.concat([c.update(recovered.pkcs8), c.final()])));
    const at = Buffer.from(b).indexOf(Buffer.from(e.protectedKey));
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, again.length);
    b = new Uint8Array(Buffer.concat([b.subarray(0, at - 4), length, again, b.subarray(at + e.protectedKey.length)]));
  }
  const body = b.subarray(0, b.length - 20);
  return { ...seed, bytes: new Uint8Array(Buffer.concat([body, storeDigest(seed.password, body)])) };
}

/** Decoding must fail with a CodecError only; anything else thrown is the crash the fuzzer looks for. */
function ignoreRefusal(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
  }
}

/** inspect of a keystore is list -v: every certificate it holds is parsed and summarised too. */
const keystoreCli = (file: string, seed: Seed): { args: string[]; env: Record<string, string> } => ({
  args: ['inspect', file, '--storepass-env', 'FUZZ_STOREPASS'],
  env: { FUZZ_STOREPASS: seed.password },
});
const inspectCli = (file: string, seed: Seed): { args: string[]; env: Record<string, string> } => ({
  args: ['inspect', file, '--passin-env', 'FUZZ_PASS'],
  env: { FUZZ_PASS: seed.password },
});

const certificateDers = (): Seed[] => {
  const pems = [...files('pem', /\.pem$/).map((f) => ['pem', f]), ...files('hash', /\.pem$/).map((f) => ['hash', f])];
  const seeds = pems.flatMap(([dir = '', f = '']) =>
    decodePem(latin1(read(dir, f)))
      .filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE')
      .map((b, i) => ({ name: `${dir}/${f}#${i}`, bytes: b.der, password: '', keyPasswords: [] })),
  );
  return [...seeds, { name: 'pem/leaf-rsa.der', bytes: read('pem', 'leaf-rsa.der'), password: '', keyPasswords: [] }, { name: 'pem/keytool.cer', bytes: read('pem', 'keytool.cer'), password: '', keyPasswords: [] }];
};

export const TARGETS: readonly Target[] = [
  {
    name: 'jks',
    text: false,
    seeds: () => javaStores('.jks'),
    run(bytes, seed, at) {
      // The structure alone (as list without a password), the keys, then the digest.
      const store = decodeJks(bytes);
      at.stage = 'keys';
      for (const e of store.entries) {
        if (e.kind === 'key' && e.protectedKey) for (const p of seed.keyPasswords) ignoreRefusal(() => jksRecoverKey(e.protectedKey!, p));
      }
      at.stage = 'decode';
      decodeJks(bytes, seed.password);
    },
    cli: keystoreCli,
  },
  {
    name: 'jceks',
    text: false,
    seeds: () => javaStores('.jceks').map(jceksSeed),
    run(bytes, seed, at) {
      const store = decodeJceks(bytes);
      at.stage = 'keys';
      const budget = new KdfBudget('JCEKS');
      for (const e of store.entries) {
        if (e.kind === 'key' && e.protectedKey) for (const p of seed.keyPasswords) ignoreRefusal(() => jceksRecoverKey(e.protectedKey!, p, budget));
      }
      at.stage = 'decode';
      decodeJceks(bytes, seed.password);
    },
    cli: keystoreCli,
  },
  {
    name: 'pkcs12',
    text: false,
    seeds: () => [
      ...fuzzExpected().seeds.filter((s) => s.file.endsWith('.p12')).map((s) => ({ name: `fuzz/${s.file}`, bytes: read('fuzz', s.file), password: s.password, keyPasswords: [] })),
      { name: 'pkcs12/nopass-ossl.p12', bytes: read('pkcs12', 'nopass-ossl.p12'), password: '', keyPasswords: [] },
    ],
    run(bytes, seed, at) {
      // As the keystore layer reads it: without a password first, then with it; then each key.
      const budget = new KdfBudget('PKCS#12');
      let store;
      try {
        store = decodePkcs12(bytes, undefined, { budget });
      } catch (e) {
        if (!(e instanceof CodecError) || e.kind !== 'password') throw e;
        store = decodePkcs12(bytes, seed.password, { budget });
      }
      at.stage = 'keys';
      for (const e of store.entries) if (e.kind === 'key' && e.protectedKey) pkcs12RecoverKey(e.protectedKey, seed.password, budget);
    },
    cli: keystoreCli,
  },
  {
    name: 'pem',
    text: true,
    seeds: () => {
      const pem = pemExpected();
      const texts = [...files('pem', /\.(pem|csr|txt|p7b)$/).map((f) => ['pem', f]), ...files('hash', /\.(pem|crl)$/).map((f) => ['hash', f])];
      return texts.map(([dir = '', f = '']) => ({ name: `${dir}/${f}`, bytes: read(dir, f), password: pem.passphrase, keyPasswords: [] }));
    },
    run(bytes, seed, at) {
      const blocks = decodePem(latin1(bytes));
      at.stage = 'keys';
      for (const b of blocks) {
        if (b.label === 'RSA PRIVATE KEY' || b.label === 'EC PRIVATE KEY') readTraditionalKey(b, isEncryptedPem(b) ? seed.password : undefined);
      }
    },
    cli: inspectCli,
  },
  {
    name: 'x509',
    text: false,
    seeds: certificateDers,
    run(bytes) {
      parseCertificate(bytes);
    },
    cli: inspectCli,
  },
  {
    name: 'pkcs8',
    text: false,
    seeds: () => {
      const plain = ['pkcs12/rsa.pk8.der', 'pkcs12/ec.pk8.der', 'pem/pkcs8.der'].map((p) => ({ name: p, bytes: read(...p.split('/')), password: '', keyPasswords: [] }));
      const encrypted = fuzzExpected().seeds.filter((s) => s.file.endsWith('.p8.der')).map((s) => ({ name: `fuzz/${s.file}`, bytes: read('fuzz', s.file), password: s.password, keyPasswords: [] }));
      return [...plain, ...encrypted];
    },
    run(bytes, seed) {
      if (isEncryptedPkcs8(bytes)) privateKeyInfo(decryptPkcs8(bytes, seed.password));
      else privateKeyInfo(bytes);
    },
    cli: inspectCli,
  },
  {
    name: 'pkcs7',
    text: false,
    seeds: () => ['chain.p7b', 'chain-p7b.der', 'signed-ber.p7s'].map((f) => ({ name: `pem/${f}`, bytes: read('pem', f), password: '', keyPasswords: [] })),
    run(bytes) {
      readPkcs7Certificates(bytes);
    },
    cli: inspectCli,
  },
  {
    name: 'crl',
    text: false,
    seeds: () => [
      { name: 'pem/crl.der', bytes: read('pem', 'crl.der'), password: '', keyPasswords: [] },
      ...files('hash', /\.crl$/).map((f) => ({ name: `hash/${f}`, bytes: decodePem(latin1(read('hash', f)))[0]?.der ?? new Uint8Array(0), password: '', keyPasswords: [] })),
    ],
    run(bytes) {
      parseCrl(bytes);
    },
    cli: inspectCli,
  },
];

export function target(name: string): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no fuzz target ${name} (targets: ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}

const seedCache = new Map<string, Seed[]>();

/** A target's seeds, made once per process (the JCEKS ones cost a few hundred ms of MD5). */
export function seedsOf(name: string): Seed[] {
  let seeds = seedCache.get(name);
  if (seeds === undefined) {
    seeds = target(name).seeds();
    seedCache.set(name, seeds);
  }
  return seeds;
}
