/**
 * Hostile inputs (BENCH_ONLY=hostile): time and peak RSS of the CLI on the worst files that can
 * be crafted for its limits, next to the limit that bounds each (call `hostileBenchmarks(runs)`):
 * - PKCS#12 key derivation, bounded by the per-file budget (crypto/kdf.ts FILE_KDF_BUDGET): 100
 *   safes at the JDK's 5,000,000-iteration cap and the 98-byte wrong-password file are refused
 *   before any hashing; a MAC at exactly the budget is the most hashing a file can cause;
 * - deeply nested BER, bounded by the 64-level nesting limit (codec/asn1/tlv.ts);
 * - huge PEM text, bounded by nothing but the file's size: a 10,000-certificate bundle and one
 *   64 MB block.
 * And the cost of one key-derivation round each way node:crypto allows, and what stores made by
 * keytool and openssl spend of the budget, in-process.
 */
import { spawnSync } from 'node:child_process';
import { createHash, hash, pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OID } from '../src/codec/asn1/oid.js';
import {
  encodeExplicit as derExplicit,
  encodeInteger as derInteger,
  encodeOctetString as derOctetString,
  encodeOid as derOid,
  encodeSequence as derSequence,
} from '../src/codec/asn1/writer.js';
import { decodeJceks } from '../src/codec/jceks.js';
import { encodeJks } from '../src/codec/jks.js';
import { decodePem } from '../src/codec/pem.js';
import { jceksRecoverKey } from '../src/crypto/jceks.js';
import { FILE_KDF_BUDGET, KdfBudget, bmpPassword, pkcs12Kdf } from '../src/crypto/kdf.js';
import { decodePkcs12, pkcs12RecoverKey } from '../src/crypto/pkcs12.js';
import { hugePem, hugePemBlock, macData, manySafes, nestedBer, pfx, wrongPasswordMaxIterations } from '../test/helpers/hostile.js';
import { measure, type BoundedResult, type Cmd } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');

const mailcert = (args: string[], status: number, env: NodeJS.ProcessEnv = {}): Cmd => ({ label: 'mailcert', cmd: process.execPath, args: [cli, ...args], env, status });

export function hostileBenchmarks(runs: number): BoundedResult[] {
  const work = mkdtempSync(join(tmpdir(), 'mailcert-bench-hostile-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const file = (name: string, data: Uint8Array | string): string => {
    const p = join(work, name);
    writeFileSync(p, data);
    return p;
  };
  const budget = `KDF budget ${FILE_KDF_BUDGET.toLocaleString('en-US')} rounds a file`;
  const pass = { MAILCERT_STOREPASS: 'not-the-password' };
  // A PFX whose AuthenticatedSafe is SEQUENCEs nested 100,000 deep (indefinite lengths).
  const nestedPfx = derSequence(derInteger(3), derSequence(derOid(OID.data), derExplicit(0, derOctetString(nestedBer(100_000)))));
  const certs = rootCertificates.map((p) => decodePem(p)[0]!.der);
  const bundle = certs.map((c) => hugePem(c, 1)).join('').repeat(Math.ceil(10_000 / certs.length));
  return [
    measure({
      name: 'list: 100 encrypted safes at 5,000,000 iterations (7 KB)',
      cmd: mailcert(['list', '-k', file('safes.p12', manySafes(100, 5_000_000))], 3, pass),
      limit: `${budget}, checked before deriving`,
      maxMs: 300,
      maxRssMiB: 80,
      runs,
    }),
    measure({
      name: 'list: one 3DES safe at 5,000,000 iterations, wrong password (98 bytes)',
      cmd: mailcert(['list', '-k', file('small.p12', wrongPasswordMaxIterations())], 3, pass),
      limit: `${budget}, checked before deriving`,
      maxMs: 300,
      maxRssMiB: 80,
      runs,
    }),
    measure({
      name: `list: a SHA-1 MAC at ${FILE_KDF_BUDGET.toLocaleString('en-US')} iterations, wrong password`,
      cmd: mailcert(['list', '-k', file('mac.p12', pfx([], macData(FILE_KDF_BUDGET)))], 3, pass),
      limit: `${budget}: the most hashing a file can cause`,
      maxMs: 2000,
      maxRssMiB: 80,
      runs,
    }),
    measure({
      name: 'list: PKCS#12 with 100,000 nested BER SEQUENCEs (400 KB)',
      cmd: mailcert(['list', '-k', file('nested.p12', nestedPfx)], 3, pass),
      limit: 'nesting over 64 levels refused (codec/asn1/tlv.ts)',
      maxMs: 300,
      maxRssMiB: 100,
      runs,
    }),
    measure({
      name: 'inspect: 100,000 nested BER SEQUENCEs (400 KB)',
      cmd: mailcert(['inspect', file('nested.der', nestedBer(100_000))], 3),
      limit: 'nesting over 64 levels refused (codec/asn1/tlv.ts)',
      maxMs: 300,
      maxRssMiB: 100,
      runs,
    }),
    measure({
      name: `inspect: PEM bundle of ${Math.ceil(10_000 / certs.length) * certs.length} certificates (${(bundle.length / 2 ** 20).toFixed(0)} MB)`,
      cmd: mailcert(['inspect', file('bundle.pem', bundle), '--json'], 0),
      limit: 'the file size (read whole, every certificate parsed): 1 ms a certificate',
      maxMs: 10_000,
      maxRssMiB: 400,
      runs: Math.min(runs, 3),
    }),
    measure({
      name: 'inspect: one PEM block of 64 MB (48 MB of random bytes inside)',
      cmd: mailcert(['inspect', file('block.pem', hugePemBlock(48 * 2 ** 20))], 3),
      limit: 'the file size: memory at most 8 times it',
      maxMs: 3000,
      maxRssMiB: 512,
      runs: Math.min(runs, 3),
    }),
  ];
}

/** Nanoseconds per key-derivation round: the PKCS#12 KDF's hash loop each way node:crypto allows, and native PBKDF2. */
export function kdfRoundCosts(): string[] {
  const n = 400_000;
  const salt = new Uint8Array(20);
  const time = (f: () => void): number => {
    f();
    const t0 = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t0) / n;
  };
  const oneShot = time(() => pkcs12Kdf('sha1', bmpPassword('pw'), salt, n, 3, 20));
  const streaming = time(() => {
    let a: Uint8Array = new Uint8Array(20);
    for (let i = 0; i < n; i++) a = createHash('sha1').update(a).digest();
  });
  const oneShotLoop = time(() => {
    let a: Uint8Array = new Uint8Array(20);
    for (let i = 0; i < n; i++) a = hash('sha1', a, 'buffer');
  });
  const pbkdf2 = time(() => pbkdf2Sync('pw', salt, n, 20, 'sha1'));
  return [
    'key derivation, ns per round (SHA-1):',
    `  PKCS#12 KDF, one-shot crypto.hash (what kdf.ts runs)   ${oneShot.toFixed(0)}`,
    `  the same loop with createHash().update().digest()       ${streaming.toFixed(0)}`,
    `  the bare loop of crypto.hash calls, nothing else         ${oneShotLoop.toFixed(0)}`,
    `  PBKDF2, node:crypto pbkdf2Sync (native)                  ${pbkdf2.toFixed(0)}`,
    `  the budget's worst case: ${FILE_KDF_BUDGET.toLocaleString('en-US')} rounds of the PKCS#12 KDF = ${((FILE_KDF_BUDGET * oneShot) / 1e6).toFixed(0)} ms`,
  ];
}

/**
 * What stores the tools make spend of the budget (the numbers kdf.ts's FILE_KDF_BUDGET comment
 * quotes): a JKS with 5 keys and 100 trusted certificates, converted by keytool into PKCS#12
 * (JDK 17 default and legacy layouts) and JCEKS, and openssl pkcs12 -export of a key with 100
 * certificates (default and -legacy). Listing spends the MAC and certificate safes; "every key"
 * is what decrypting all keys (export) adds.
 */
export function realStoreCosts(): string[] {
  const work = mkdtempSync(join(tmpdir(), 'mailcert-bench-stores-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const pass = 'bench-pass';
  const run = (cmd: string, args: string[]): void => {
    const r = spawnSync(cmd, args, { cwd: work, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  };
  const roots = rootCertificates.slice(0, 100).map((p) => decodePem(p)[0]!.der);
  const created = new Date('2026-01-01T00:00:00Z');
  writeFileSync(join(work, 'base.jks'), encodeJks(roots.map((cert, i) => ({ kind: 'trusted', alias: `ca-${i}`, created, cert })), pass));
  for (let i = 0; i < 5; i++) {
    run('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', 'base.jks', '-storepass', pass, '-keypass', pass, '-alias', `key-${i}`, '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', `CN=mail${i}.example.com`]);
  }
  const convert = (out: string, type: string, extra: string[] = []): void =>
    run('keytool', [...extra, '-importkeystore', '-srckeystore', 'base.jks', '-srcstoretype', 'JKS', '-srcstorepass', pass, '-destkeystore', out, '-deststoretype', type, '-deststorepass', pass, '-destkeypass', pass, '-noprompt']);
  convert('jdk.p12', 'PKCS12');
  convert('jdk-legacy.p12', 'PKCS12', ['-J-Dkeystore.pkcs12.legacy']);
  convert('store.jceks', 'JCEKS');
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=mail.example.com']);
  writeFileSync(join(work, 'cas.pem'), rootCertificates.slice(0, 100).join('\n'));
  run('openssl', ['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-certfile', 'cas.pem', '-passout', `pass:${pass}`, '-out', 'ossl.p12']);
  run('openssl', ['pkcs12', '-export', '-legacy', '-inkey', 'k.pem', '-in', 'c.pem', '-certfile', 'cas.pem', '-passout', `pass:${pass}`, '-out', 'ossl-legacy.p12']);

  const read = (f: string): Uint8Array => new Uint8Array(readFileSync(join(work, f)));
  const row = (what: string, budget: KdfBudget, listed: number): string =>
    `  ${what.padEnd(52)} list ${listed.toLocaleString('en-US').padStart(9)}, every key ${(budget.spent - listed).toLocaleString('en-US').padStart(9)} more`;
  const lines = [`what tool-made stores spend of the ${FILE_KDF_BUDGET.toLocaleString('en-US')}-round budget (rounds):`];
  for (const [file, what] of [
    ['jdk.p12', 'keytool JDK 17 PKCS12, 5 keys + 100 trusted'],
    ['jdk-legacy.p12', 'keytool JDK 17 PKCS12 legacy, 5 keys + 100 trusted'],
    ['ossl.p12', 'openssl pkcs12 -export, 1 key + 101 certificates'],
    ['ossl-legacy.p12', 'openssl pkcs12 -export -legacy, the same'],
  ] as const) {
    const budget = new KdfBudget('PKCS#12');
    const r = decodePkcs12(read(file), pass, { budget });
    const listed = budget.spent;
    for (const e of r.entries) if (e.kind === 'key' && e.protectedKey) pkcs12RecoverKey(e.protectedKey, pass, budget);
    lines.push(row(what, budget, listed));
  }
  const budget = new KdfBudget('JCEKS');
  for (const e of decodeJceks(read('store.jceks'), pass).entries) if (e.kind === 'key' && e.protectedKey) jceksRecoverKey(e.protectedKey, pass, budget);
  lines.push(row('keytool JDK 17 JCEKS, 5 keys + 100 trusted', budget, 0));
  return lines;
}
