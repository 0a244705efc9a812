/**
 * Benchmarks of `mailcert hash` (call `hashBenchmarks(runs)` from run.ts):
 * - `hash --rehash` of a folder of 150 CA certificates, against `openssl rehash` on the same
 *   folder (target: at most 1.5x) and against `node -e 0` (target: at most 1.6x);
 * - `hash` of the same 150 files in one call, against one `openssl x509 -hash -noout -in` per
 *   file, which is what a shell loop over a folder runs (target: at most 0.1x);
 * - `hash cert.pem`, against `node -e 0` (target: at most 1.35x);
 * - with BENCH_BEFORE, `hash cert.pem` and `hash` of the 150 files against another build.
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
  ].map(compare).concat(
    againstBefore('hash cert.pem', cli, ['hash', first], {}, runs),
    againstBefore('hash 150 files', cli, ['hash', ...files], {}, runs),
  );
}
