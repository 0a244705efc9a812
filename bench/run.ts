/**
 * `npm run bench`: mailcert against keytool/openssl on the same inputs, measured side by side.
 * BENCH_RUNS sets the number of interleaved runs (default 10; key generation always takes at
 * least 31, since RSA key search time varies a lot from run to run); BENCH_ONLY=list,genkey,renew,hash,startup,verify,verify-offline,hostile,libraries
 * runs only those groups; BENCH_BEFORE=.../bin/mailcert.cjs adds list and hash rows against that build. The hostile group measures crafted worst-case inputs alone, against fixed bounds (bench/hostile.ts);
 * the libraries group measures asn1js and pkijs against mailcert's own ASN.1 reader and path checks (bench/asn1-libraries.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodePem } from '../src/codec/pem.js';
import { encodeJks } from '../src/codec/jks.js';
import type { StoredEntry, StoredTrustedEntry } from '../src/codec/model.js';
import { encodePkcs12 } from '../src/crypto/pkcs12.js';
import { asn1LibraryReport } from './asn1-libraries.js';
import { againstBefore, compare, printBounded, printResults, withoutExtraCaCerts, type BoundedResult, type Comparison, type Result } from './harness.js';
import { hostileBenchmarks, kdfRoundCosts, realStoreCosts } from './hostile.js';
import { hashBenchmarks } from './hash.js';
import { renewBenchmarks } from './renew.js';
import { startupBenchmarks } from './startup.js';
import { verifyBenchmarks } from './verify.js';
import { verifyOfflineBenchmarks } from './verify-offline.js';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const root = resolve(import.meta.dirname, '..', '..');
const mailcert = (args: string[], env: NodeJS.ProcessEnv = {}) => ({
  label: 'mailcert',
  cmd: process.execPath,
  args: [join(root, 'bin', 'mailcert.cjs'), ...args],
  env,
});
const keytool = (args: string[]) => ({ label: 'keytool', cmd: 'keytool', args });

const work = mkdtempSync(join(tmpdir(), 'mailcert-bench-data-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** `count` trusted entries: Node's bundled roots, cycled under distinct aliases. */
function trustedEntries(count: number): StoredTrustedEntry[] {
  const roots = rootCertificates.map((pem) => decodePem(pem)[0]!.der);
  const created = new Date('2026-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => ({ kind: 'trusted', alias: `root-${String(i).padStart(5, '0')}`, created, cert: roots[i % roots.length]! }));
}

/** A 10,000-entry JKS truststore. */
function bigTruststore(count: number, password: string): string {
  const entries: StoredEntry[] = trustedEntries(count);
  const path = join(work, 'truststore-10k.jks');
  writeFileSync(path, encodeJks(entries, password));
  return path;
}

/** The same certificates in a PKCS#12 truststore, as keytool writes one (encrypted certificate safe, MAC). */
function bigPkcs12(count: number, password: string): string {
  const path = join(work, `truststore-${count}.p12`);
  writeFileSync(path, encodePkcs12(trustedEntries(count), password));
  return path;
}

/** `list` of a keystore against `keytool -list` of it (target 0.3x), also without NODE_EXTRA_CA_CERTS. */
function listAgainstKeytool(name: string, file: string, password: string): Result[] {
  const c: Comparison = {
    name,
    ours: mailcert(['list', '-k', file], { MAILCERT_STOREPASS: password }),
    theirs: keytool(['-list', '-keystore', file, '-storepass', password]),
    maxRatio: 0.3,
    runs,
  };
  return [c, ...withoutExtraCaCerts(c)].map(compare);
}

const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const wanted = (group: string): boolean => only.length === 0 || only.includes(group);
const results: Result[] = [];
const cacerts = '/etc/ssl/certs/java/cacerts';
if (wanted('list') && existsSync(cacerts)) {
  results.push(...listAgainstKeytool('list JDK cacerts', cacerts, 'changeit'));
} else if (wanted('list')) {
  console.log(`(no ${cacerts}: the cacerts comparison needs ca-certificates-java)`);
}
if (wanted('list')) {
  // A legacy (3DES, RC2-40, HMAC-SHA1) PKCS#12 with six keys, as keytool -importkeystore made it
  // (fixtures/wild): listing costs the MAC and the certificate safe, never the six keys.
  const legacySix = join(root, 'fixtures', 'wild', 'legacy-six.p12');
  results.push(...listAgainstKeytool('list legacy PKCS#12 with six keys', legacySix, 'sixkeys1'));
  const big = bigTruststore(10_000, 'changeit');
  const p12 = bigPkcs12(10_000, 'changeit');
  const pass = { MAILCERT_STOREPASS: 'changeit' };
  const cli = join(root, 'bin', 'mailcert.cjs');
  results.push(
    compare({
      name: 'list 10,000-entry PKCS#12',
      ours: mailcert(['list', '-k', p12], pass),
      theirs: keytool(['-list', '-storetype', 'PKCS12', '-keystore', p12, '-storepass', 'changeit']),
      maxRatio: Number.POSITIVE_INFINITY,
      runs,
    }),
    ...(existsSync(cacerts) ? againstBefore('list JDK cacerts', cli, ['list', '-k', cacerts], pass, runs) : []),
    ...againstBefore('list 10,000-entry JKS', cli, ['list', '-k', big], pass, runs),
    ...againstBefore('list 10,000-entry PKCS#12', cli, ['list', '-k', p12], pass, runs),
    ...againstBefore('list the openssl-made PKCS#12 fixture', cli, ['list', '-k', join(root, 'fixtures', 'pkcs12', 'ossl.p12')], { MAILCERT_STOREPASS: 'ossl-pass' }, runs),
  );
  results.push(
  compare({
    name: 'list 10,000-entry JKS',
    ours: mailcert(['list', '-k', big], { MAILCERT_STOREPASS: 'changeit' }),
    theirs: keytool(['-list', '-keystore', big, '-storepass', 'changeit']),
    maxRatio: 0.2,
    maxRssMiB: 150,
    runs,
  }),
  compare({
    name: 'list --json 10,000-entry JKS vs keytool -list -v',
    ours: mailcert(['list', '-k', big, '--json'], { MAILCERT_STOREPASS: 'changeit' }),
    theirs: keytool(['-list', '-v', '-keystore', big, '-storepass', 'changeit']),
    // No target: every certificate is parsed and summarised; reported beside keytool -v.
    maxRatio: Number.POSITIVE_INFINITY,
    runs,
  }),
  );
}

if (wanted('genkey')) {
  const keyRuns = Math.max(runs, 31);
  // Each run starts from no file: the same `rm -f` in a shell on both sides keeps it fair.
  const fresh = (file: string, cmd: string[]): { label: string; cmd: string; args: string[]; env: NodeJS.ProcessEnv } => ({
    label: cmd[0] ?? '',
    cmd: 'sh',
    args: ['-c', `rm -f ${file} ${file}.crt && exec "$@"`, 'sh', ...cmd],
    env: { MAILCERT_STOREPASS: 'changeit' },
  });
  const cli = join(root, 'bin', 'mailcert.cjs');
  const ks = (n: string): string => join(work, n);
  const keytoolEc = (file: string) =>
    fresh(file, ['keytool', '-genkeypair', '-storetype', 'JKS', '-keystore', file, '-storepass', 'changeit', '-alias', 'mail', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com', '-ext', 'SAN=dns:mail.example.com']);
  results.push(
    compare({
      name: 'genkey RSA-2048 into JKS',
      ours: fresh(ks('a.jks'), [process.execPath, cli, 'genkey', '--cn', 'mail.example.com', '-k', ks('a.jks')]),
      theirs: fresh(ks('b.jks'), ['keytool', '-genkeypair', '-storetype', 'JKS', '-keystore', ks('b.jks'), '-storepass', 'changeit', '-alias', 'mail', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=mail.example.com', '-ext', 'SAN=dns:mail.example.com']),
      maxRatio: 0.4,
      runs: keyRuns,
    }),
    compare({
      name: 'genkey EC P-256 into JKS',
      ours: fresh(ks('c.jks'), [process.execPath, cli, 'genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', ks('c.jks')]),
      theirs: keytoolEc(ks('d.jks')),
      maxRatio: 0.3,
      runs: keyRuns,
    }),
    compare({
      name: 'genkey RSA-2048 PEM pair',
      ours: fresh(ks('e.key'), [process.execPath, cli, 'genkey', '--cn', 'mail.example.com', '--key-out', ks('e.key'), '--cert-out', ks('e.key.crt')]),
      theirs: fresh(ks('f.key'), ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ks('f.key'), '-out', ks('f.key.crt'), '-subj', '/CN=mail.example.com', '-addext', 'subjectAltName=DNS:mail.example.com', '-days', '365']),
      maxRatio: 1.3,
      runs: keyRuns,
    }),
  );
  // This machine's environment may set NODE_EXTRA_CA_CERTS (to the whole system bundle, say):
  // Node 20 then reads and parses that file at every start, before any of mailcert runs. The
  // EC row above is what such a machine sees; this one shows the same run without it.
  if (process.env.NODE_EXTRA_CA_CERTS) {
    const ec = fresh(ks('g.jks'), [process.execPath, cli, 'genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', ks('g.jks')]);
    results.push(
      compare({
        name: 'genkey EC P-256 into JKS, NODE_EXTRA_CA_CERTS unset',
        ours: { ...ec, env: { ...ec.env, NODE_EXTRA_CA_CERTS: undefined } },
        theirs: keytoolEc(ks('h.jks')),
        maxRatio: Number.POSITIVE_INFINITY,
        runs: keyRuns,
      }),
    );
  }
}

if (wanted('renew')) results.push(...renewBenchmarks(runs));
if (wanted('hash')) results.push(...hashBenchmarks(runs));
if (wanted('startup')) results.push(...startupBenchmarks(runs));
if (wanted('verify-offline')) results.push(...verifyOfflineBenchmarks(runs));
if (wanted('verify')) results.push(...(await verifyBenchmarks(runs)));
const bounded: BoundedResult[] = wanted('hostile') ? hostileBenchmarks(runs) : [];

if (results.length > 0) printResults(results, runs);
if (bounded.length > 0) {
  printBounded(bounded, runs);
  console.log(`\n${kdfRoundCosts().join('\n')}\n\n${realStoreCosts().join('\n')}`);
}
if (wanted('libraries')) console.log(`\n${(await asn1LibraryReport(runs)).join('\n')}`);
