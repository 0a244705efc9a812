/**
 * Benchmarks of offline `mailcert verify` (call `verifyOfflineBenchmarks(runs)` from run.ts):
 * - a 3-certificate path (fixtures/verify/good.pem: leaf and intermediate, the root as --ca)
 *   against `openssl verify` on the same files (reported: Node's start-up dominates);
 * - with BENCH_VERIFY_BEFORE=path/to/another/build/bin/mailcert.cjs, the same against that build
 *   (target: at most 1.1x, so path building and validation add nothing noticeable to a check);
 * - hostile input, each refused (test/cli/verify-bounds.test.ts asserts the verdicts): a path of
 *   1,000 CAs and 1,000 CAs of the issuer's name with huge RSA exponents, against openssl verify
 *   refusing the same (reported).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodePem, encodePem } from '../src/codec/pem.js';
import { longPath, sameNameCas, type HostileChain } from '../test/helpers/hostile-chains.js';
import { compare, type Cmd, type Result } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');
const fixtures = join(root, 'fixtures', 'verify');

/** Runs a command that must refuse (exit 1 for mailcert, any failure for openssl): the harness counts only exit 0 as a run. */
const refusing = (label: string, command: string[], expected: 'one' | 'nonzero'): Cmd => ({
  label,
  cmd: 'sh',
  args: ['-c', `"$@" >/dev/null 2>&1; s=$?; ${expected === 'one' ? '[ $s -eq 1 ]' : '[ $s -ne 0 ]'}`, 'sh', ...command],
});

/** The chain split the way openssl verify takes it: the leaf, and the rest as -untrusted. */
function split(chain: string, dir: string, name: string): { leaf: string; untrusted: string } {
  const certs = decodePem(readFileSync(chain, 'latin1')).map((b) => encodePem('CERTIFICATE', b.der));
  const leaf = join(dir, `${name}-leaf.pem`);
  const untrusted = join(dir, `${name}-untrusted.pem`);
  writeFileSync(leaf, certs[0] ?? '');
  writeFileSync(untrusted, certs.slice(1).join(''));
  return { leaf, untrusted };
}

function hostile(name: string, h: HostileChain, dir: string, runs: number): Result {
  const { leaf, untrusted } = split(h.chain, dir, name);
  return compare({
    name: `verify refuses ${name} vs openssl verify`,
    ours: refusing('mailcert', [process.execPath, cli, 'verify', '--cert', h.chain, '--ca', h.root, '--host', 'mail.example.com'], 'one'),
    theirs: refusing('openssl verify', ['openssl', 'verify', '-purpose', 'sslserver', '-CAfile', h.root, '-untrusted', untrusted, leaf], 'nonzero'),
    maxRatio: Number.POSITIVE_INFINITY,
    runs,
  });
}

export function verifyOfflineBenchmarks(runs: number): Result[] {
  const dir = mkdtempSync(join(tmpdir(), 'mailcert-bench-verify-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const chain = join(fixtures, 'good.pem');
  const anchor = join(fixtures, 'root.pem');
  const args = ['verify', '--cert', chain, '--ca', anchor, '--host', 'mail.example.com'];
  const ours: Cmd = { label: 'mailcert', cmd: process.execPath, args: [cli, ...args] };
  const { leaf, untrusted } = split(chain, dir, 'good');
  const results = [
    compare({
      name: 'verify a 3-certificate path vs openssl verify',
      ours,
      theirs: { label: 'openssl verify', cmd: 'openssl', args: ['verify', '-purpose', 'sslserver', '-CAfile', anchor, '-untrusted', untrusted, '-verify_hostname', 'mail.example.com', leaf] },
      maxRatio: Number.POSITIVE_INFINITY,
      runs,
    }),
  ];
  const before = process.env.BENCH_VERIFY_BEFORE;
  if (before) {
    results.push(compare({ name: `verify a 3-certificate path vs the build at ${before}`, ours, theirs: { label: 'before', cmd: process.execPath, args: [before, ...args] }, maxRatio: 1.1, runs }));
  }
  results.push(hostile('a path of 1,000 CAs', longPath(dir, 1000), dir, runs), hostile('1,000 same-name CAs with huge RSA exponents', sameNameCas(dir, 1000, 'huge-exponent'), dir, runs));
  return results;
}
