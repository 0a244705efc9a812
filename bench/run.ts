/**
 * `npm run bench`: mailcert against keytool/openssl on the same inputs, measured side by side.
 * BENCH_RUNS sets the number of interleaved runs (default 10).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodePem } from '../src/codec/pem.js';
import { encodeJks } from '../src/codec/jks.js';
import type { StoredEntry } from '../src/codec/model.js';
import { compare, printResults, type Result } from './harness.js';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const root = resolve(import.meta.dirname, '..', '..');
const mailcert = (args: string[], env: NodeJS.ProcessEnv = {}) => ({
  label: 'mailcert',
  cmd: process.execPath,
  args: [join(root, 'bin', 'mailcert.js'), ...args],
  env,
});
const keytool = (args: string[]) => ({ label: 'keytool', cmd: 'keytool', args });

const work = mkdtempSync(join(tmpdir(), 'mailcert-bench-data-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** A 10,000-entry JKS truststore: Node's bundled roots, cycled under distinct aliases. */
function bigTruststore(count: number, password: string): string {
  const roots = rootCertificates.map((pem) => decodePem(pem)[0]!.der);
  const created = new Date('2026-01-01T00:00:00Z');
  const entries: StoredEntry[] = Array.from({ length: count }, (_, i) => ({
    kind: 'trusted',
    alias: `root-${String(i).padStart(5, '0')}`,
    created,
    cert: roots[i % roots.length]!,
  }));
  const path = join(work, 'truststore-10k.jks');
  writeFileSync(path, encodeJks(entries, password));
  return path;
}

const results: Result[] = [];
const cacerts = '/etc/ssl/certs/java/cacerts';
if (existsSync(cacerts)) {
  results.push(
    compare({
      name: 'list JDK cacerts',
      ours: mailcert(['list', '-k', cacerts], { MAILCERT_STOREPASS: 'changeit' }),
      theirs: keytool(['-list', '-keystore', cacerts, '-storepass', 'changeit']),
      maxRatio: 0.3,
      runs,
    }),
  );
} else {
  console.log(`(no ${cacerts}: the cacerts comparison needs ca-certificates-java)`);
}
const big = bigTruststore(10_000, 'changeit');
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
    name: 'list --json 10,000-entry JKS',
    ours: mailcert(['list', '-k', big, '--json'], { MAILCERT_STOREPASS: 'changeit' }),
    theirs: keytool(['-list', '-v', '-keystore', big, '-storepass', 'changeit']),
    maxRatio: 0.2,
    maxRssMiB: 150,
    runs,
  }),
);
printResults(results, runs);
