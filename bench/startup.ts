/**
 * Start-up of the CLI users run in loops: `mailcert --version` against `node -e 0` (target: at
 * most 1.2x and 48 MiB peak RSS, with NODE_EXTRA_CA_CERTS set as on this machine and unset as on
 * most), the first `npx mailcert` from the packed tarball against a plain `npm install` of the same
 * tarball without running it (reported), and the size of the packed tarball (reported).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compare, withoutExtraCaCerts, type Cmd, type Comparison, type Result } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');

export function startupBenchmarks(runs: number): Result[] {
  const work = mkdtempSync(join(tmpdir(), 'mailcert-bench-npx-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--loglevel=error'], { cwd: root, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const tarball = join(work, packed.stdout.trim().split('\n').pop() ?? '');
  console.log(`npm pack: ${(statSync(tarball).size / 1024).toFixed(0)} KiB tarball`);
  // Each run installs into a fresh folder: the first npx run a CI job pays.
  const fresh = (run: string): Cmd => ({
    label: run,
    cmd: 'sh',
    args: ['-c', `d=$(mktemp -d -p "${work}") && cd "$d" && echo '{"private":true}' > package.json && npm install --offline --no-audit --no-fund --loglevel=error "${tarball}" >/dev/null && ${run}`],
  });
  mkdirSync(join(work, 'empty'), { recursive: true });
  writeFileSync(join(work, 'empty', 'package.json'), '{"private":true}\n');
  // NODE_EXTRA_CA_CERTS (set on some machines to the whole system bundle) is read and parsed at
  // every Node start, before any of mailcert runs: how much that is, for the record.
  const nodeWithout = process.env.NODE_EXTRA_CA_CERTS
    ? [
        compare({
          name: 'node -e 0, NODE_EXTRA_CA_CERTS unset vs set',
          ours: { label: 'node -e 0 (unset)', cmd: process.execPath, args: ['-e', '0'], env: { NODE_EXTRA_CA_CERTS: undefined } },
          theirs: { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
          maxRatio: Number.POSITIVE_INFINITY,
          runs,
        }),
      ]
    : [];
  const version: Comparison = {
    name: 'mailcert --version vs node -e 0',
    ours: { label: 'mailcert', cmd: process.execPath, args: [cli, '--version'] },
    theirs: { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
    maxRatio: 1.2,
    maxRssMiB: 48,
    runs,
  };
  return [
    compare(version),
    compare({
      name: 'npm install tarball + first npx mailcert --version vs npm install alone',
      ours: fresh('npx --offline mailcert --version'),
      theirs: fresh('true'),
      maxRatio: Number.POSITIVE_INFINITY,
      runs: Math.min(runs, 5),
    }),
    ...nodeWithout,
    ...withoutExtraCaCerts(version).map(compare),
  ];
}
