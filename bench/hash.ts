/**
 * Benchmarks of `mailcert hash` (call `hashBenchmarks(runs)` from run.ts):
 * - `hash --rehash` of a folder of 150 CA certificates, against `openssl rehash` on the same
 *   folder (target: at most 1.5x) and against `node -e 0` (target: at most 1.6x);
 * - `hash` of the same 150 files in one call, against one `openssl x509 -hash -noout -in` per
 *   file, which is what a shell loop over a folder runs (target: at most 0.1x);
 * - `hash cert.pem`, against `node -e 0` (target: at most 1.35x);
 * - with BENCH_BEFORE, `hash cert.pem` and `hash` of the 150 files against another build;
 * - Node's floor for a rehash (reported): a `node -e` script that does the least any Node program
 *   must for the folder (list it, read each file, decode its base64, walk the DER to the subject,
 *   hash that with node:crypto, read each link), and nothing more (no checks, no canonical form,
 *   no command line), against `node -e 0` and `openssl rehash`. What it takes beyond `node -e 0`
 *   is what the rehash targets leave mailcert for all its own work.
 * Both rehash commands leave the same links, so after the warm-up each run finds a hashed folder,
 * as a cron job or a package hook would. Where this machine sets NODE_EXTRA_CA_CERTS, the rows
 * that compare start-up run again without it (harness.ts withoutExtraCaCerts), with the same targets.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { againstBefore, compare, withoutExtraCaCerts, type Cmd, type Comparison, type Result } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');

const mailcert = (args: string[]): Cmd => ({ label: 'mailcert', cmd: process.execPath, args: [cli, ...args] });
const nodeNothing: Cmd = { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] };

/** 150 distinct CA certificates as PEM files: Node's bundled roots, then the system's. */
function caFolder(count: number): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'mailcert-bench-hash-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const pems = new Set(rootCertificates.map((p) => p.trim() + '\n'));
  try {
    for (const name of readdirSync('/etc/ssl/certs')) {
      if (name.endsWith('.pem')) pems.add(readFileSync(join('/etc/ssl/certs', name), 'utf8').trim() + '\n');
    }
  } catch {
    // no system store: Node's roots are cycled below
  }
  const list = [...pems];
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = join(dir, `ca-${String(i).padStart(3, '0')}.pem`);
    writeFileSync(file, list[i % list.length] ?? '');
    files.push(file);
  }
  return { dir, files };
}

/**
 * The least a Node program does for `hash --rehash DIR` on a folder already hashed: every `.pem`
 * file read, its one certificate's base64 decoded, the DER walked to the subject (Certificate,
 * TBSCertificate, [0] version, serial, signature, issuer, validity) and SHA-1 hashed, every link
 * read. No canonical form, no checks, no writes, no output: a bound, not an implementation.
 */
const REHASH_FLOOR = `
const fs = require('node:fs');
const { hash } = require('node:crypto');
const dir = process.argv[1];
for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
  const p = dir + '/' + d.name;
  if (d.isSymbolicLink()) { fs.readlinkSync(p); continue; }
  if (!d.name.endsWith('.pem')) continue;
  const s = fs.readFileSync(p, 'latin1');
  const i = s.indexOf('-----BEGIN CERTIFICATE-----') + 27;
  const der = Buffer.from(s.slice(i, s.indexOf('-----END', i)), 'base64');
  let q = 0;
  const tl = () => { const l = der[q + 1]; if (l < 0x80) return [2, l]; let v = 0; for (let k = 0; k < (l & 0x7f); k++) v = v * 256 + der[q + 2 + k]; return [2 + (l & 0x7f), v]; };
  q += tl()[0];
  q += tl()[0];
  if (der[q] === 0xa0) { const [h, l] = tl(); q += h + l; }
  for (let k = 0; k < 4; k++) { const [h, l] = tl(); q += h + l; }
  const [h, l] = tl();
  hash('sha1', der.subarray(q, q + h + l));
}`;

export function hashBenchmarks(runs: number): Result[] {
  const { dir, files } = caFolder(150);
  const first = files[0] ?? '';
  const rehashVsNode: Comparison = {
    name: 'hash --rehash 150 CA certificates vs node -e 0',
    ours: mailcert(['hash', '--rehash', dir]),
    theirs: nodeNothing,
    maxRatio: 1.6,
    runs,
  };
  const rehashVsOpenssl: Comparison = {
    name: 'hash --rehash 150 CA certificates vs openssl rehash',
    ours: mailcert(['hash', '--rehash', dir]),
    theirs: { label: 'openssl rehash', cmd: 'openssl', args: ['rehash', dir] },
    maxRatio: 1.5,
    runs,
  };
  const floor: Cmd = { label: 'node floor', cmd: process.execPath, args: ['-e', REHASH_FLOOR, dir] };
  const floorVsNode: Comparison = { name: "Node's floor for a rehash of the 150 (read, base64, SHA-1) vs node -e 0", ours: floor, theirs: nodeNothing, maxRatio: Number.POSITIVE_INFINITY, runs };
  const floorVsOpenssl: Comparison = { ...floorVsNode, name: "the same floor vs openssl rehash", theirs: rehashVsOpenssl.theirs };
  const oneFile: Comparison = {
    name: 'hash cert.pem vs node -e 0',
    ours: mailcert(['hash', first]),
    theirs: nodeNothing,
    maxRatio: 1.35,
    runs,
  };
  return [
    rehashVsNode,
    rehashVsOpenssl,
    {
      name: 'hash 150 files in one call vs openssl x509 -hash per file',
      ours: mailcert(['hash', ...files]),
      theirs: {
        label: 'openssl x509 loop',
        cmd: 'sh',
        args: ['-c', 'for f in "$@"; do openssl x509 -hash -noout -in "$f"; done', 'sh', ...files],
      },
      maxRatio: 0.1,
      runs,
    },
    oneFile,
    ...withoutExtraCaCerts(rehashVsNode),
    ...withoutExtraCaCerts(rehashVsOpenssl),
    ...withoutExtraCaCerts(oneFile),
    floorVsNode,
    floorVsOpenssl,
    ...withoutExtraCaCerts(floorVsNode),
    ...withoutExtraCaCerts(floorVsOpenssl),
  ].map(compare).concat(
    againstBefore('hash cert.pem', cli, ['hash', first], {}, runs),
    againstBefore('hash 150 files', cli, ['hash', ...files], {}, runs),
  );
}
