/**
 * Hostile inputs (BENCH_ONLY=hostile): time and peak RSS of the CLI on the worst files that can
 * be crafted for its limits, next to the limit that bounds each (call `hostileBenchmarks(runs)`):
 * - PKCS#12 key derivation, bounded by the per-file budget (codec/kdf.ts FILE_KDF_BUDGET): 100
 *   safes at the JDK's 5,000,000-iteration cap and the 98-byte wrong-password file are refused
 *   before any hashing; a MAC at exactly the budget is the most hashing a file can cause;
 * - deeply nested BER, bounded by the 64-level nesting limit (codec/der.ts, codec/asn1.ts);
 * - huge PEM text, bounded by nothing but the file's size: a 10,000-certificate bundle and one
 *   48 MB block.
 * And the cost of one key-derivation round each way node:crypto allows, in-process.
 */
import { createHash, hash, pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OID, derExplicit, derOctetString, derOid, derSequence, derInteger } from '../src/codec/asn1.js';
import { FILE_KDF_BUDGET, bmpPassword, pkcs12Kdf } from '../src/codec/kdf.js';
import { decodePem } from '../src/codec/pem.js';
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
      limit: 'nesting over 64 levels refused (codec/asn1.ts)',
      maxMs: 300,
      maxRssMiB: 100,
      runs,
    }),
    measure({
      name: 'inspect: 100,000 nested BER SEQUENCEs (400 KB)',
      cmd: mailcert(['inspect', file('nested.der', nestedBer(100_000))], 3),
      limit: 'nesting over 64 levels refused (codec/der.ts)',
      maxMs: 300,
      maxRssMiB: 100,
      runs,
    }),
    measure({
      name: `inspect: PEM bundle of ${Math.ceil(10_000 / certs.length) * certs.length} certificates (${(bundle.length / 2 ** 20).toFixed(0)} MB)`,
      cmd: mailcert(['inspect', file('bundle.pem', bundle), '--json'], 0),
      limit: 'the file size (read whole, every certificate parsed)',
      maxMs: 6000,
      maxRssMiB: 400,
      runs: Math.min(runs, 3),
    }),
    measure({
      name: 'inspect: one PEM block of 48 MB (not DER inside)',
      cmd: mailcert(['inspect', file('block.pem', hugePemBlock(48 * 2 ** 20))], 3),
      limit: 'the file size (base64 decoded once)',
      maxMs: 2000,
      maxRssMiB: 400,
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
