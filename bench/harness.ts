/**
 * Side-by-side timing of mailcert against keytool/openssl in one run: the two commands are run
 * interleaved (a, b, a, b, ...) after a warm-up, so machine noise hits both alike; we report
 * medians, the ratio, and peak RSS (GNU time's %M). Benchmarks report; they never fail the tests.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cmd {
  label: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** The exit code a run must end with (default 0): a hostile input is refused with 3. */
  status?: number;
}

export interface Sample {
  ms: number;
  rssKiB: number;
}

const scratch = mkdtempSync(join(tmpdir(), 'mailcert-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * The start-up cache folder of the build a command runs (src/cli/launcher.ts), one per build, as a
 * user with one mailcert has one. The cache holds one file per bundle file: two builds sharing
 * $XDG_CACHE_HOME (this one and BENCH_BEFORE's, or any other mailcert run on the machine
 * meanwhile) would replace each other's at every run and both be timed compiling from scratch.
 */
function cacheHomeOf(c: Cmd): string {
  const cli = [c.cmd, ...c.args].find((a) => a.endsWith('mailcert.cjs')) ?? 'other';
  return join(scratch, `cache-${createHash('sha256').update(cli).digest('hex').slice(0, 12)}`);
}

/** One run under GNU time; a failing command aborts the benchmark (a number from a failure is meaningless). */
export function runOnce(c: Cmd): Sample {
  const out = join(scratch, 'time.txt');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%M', c.cmd, ...c.args], {
    env: { ...process.env, XDG_CACHE_HOME: cacheHomeOf(c), ...c.env },
    input: c.input,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== (c.status ?? 0)) throw new Error(`${c.label} exited ${String(r.status)}, expected ${c.status ?? 0}: ${r.stderr.toString()}`);
  const rssKiB = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
  return { ms, rssKiB };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

export interface Comparison {
  name: string;
  ours: Cmd;
  theirs: Cmd;
  /** Target for median(ours) / median(theirs); Infinity when there is none (the ratio is only reported). */
  maxRatio: number;
  /** Target for our peak RSS. */
  maxRssMiB?: number;
  runs: number;
}

export interface Result {
  name: string;
  oursMs: number;
  theirsMs: number;
  ratio: number;
  oursRssMiB: number;
  theirsRssMiB: number;
  met: boolean;
  target: string;
}

/**
 * The same comparison with NODE_EXTRA_CA_CERTS unset, when this machine sets it (to the whole
 * system CA bundle, say): Node 20 then reads and parses that file at every start, before any of
 * mailcert runs, which hides what is mailcert's own; a user's machine seldom sets it. Empty when
 * the variable is not set: the comparison itself already measures that.
 */
export function withoutExtraCaCerts(c: Comparison): Comparison[] {
  if (!process.env.NODE_EXTRA_CA_CERTS) return [];
  const unset = (cmd: Cmd): Cmd => ({ ...cmd, env: { ...cmd.env, NODE_EXTRA_CA_CERTS: undefined } });
  return [{ ...c, name: `${c.name}, NODE_EXTRA_CA_CERTS unset`, ours: unset(c.ours), theirs: unset(c.theirs) }];
}

export function compare(c: Comparison): Result {
  runOnce(c.ours);
  runOnce(c.theirs);
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  for (let i = 0; i < c.runs; i++) {
    ours.push(runOnce(c.ours));
    theirs.push(runOnce(c.theirs));
  }
  const oursMs = median(ours.map((s) => s.ms));
  const theirsMs = median(theirs.map((s) => s.ms));
  const oursRssMiB = Math.max(...ours.map((s) => s.rssKiB)) / 1024;
  const theirsRssMiB = Math.max(...theirs.map((s) => s.rssKiB)) / 1024;
  const ratio = oursMs / theirsMs;
  const met = ratio <= c.maxRatio && (c.maxRssMiB === undefined || oursRssMiB <= c.maxRssMiB);
  const ratioTarget = Number.isFinite(c.maxRatio) ? `<= ${c.maxRatio}x` : 'report only';
  const target = `${ratioTarget}${c.maxRssMiB === undefined ? '' : `, RSS <= ${c.maxRssMiB} MiB`}`;
  return { name: c.name, oursMs, theirsMs, ratio, oursRssMiB, theirsRssMiB, met, target };
}

/**
 * With BENCH_BEFORE=path/to/another/checkout/bin/mailcert.cjs, `args` run by this build and by
 * that one, NODE_EXTRA_CA_CERTS unset on both sides (Node reading a whole CA bundle at start-up
 * would hide a difference of a few ms). Target: no slower than before (1.05x for noise).
 */
export function againstBefore(name: string, cli: string, args: string[], env: NodeJS.ProcessEnv, runs: number): Result[] {
  const before = process.env.BENCH_BEFORE;
  if (!before) return [];
  const quiet = { ...env, NODE_EXTRA_CA_CERTS: undefined };
  return [
    compare({
      name: `${name}: this build vs BENCH_BEFORE`,
      ours: { label: 'mailcert', cmd: process.execPath, args: [cli, ...args], env: quiet },
      theirs: { label: 'before', cmd: process.execPath, args: [before, ...args], env: quiet },
      maxRatio: 1.05,
      runs,
    }),
  ];
}

export function printResults(results: readonly Result[], runs: number): void {
  const rows = [
    ['benchmark', 'mailcert', 'other', 'ratio', 'target', 'mailcert RSS', 'other RSS', ''],
    ...results.map((r) => [
      r.name,
      `${r.oursMs.toFixed(0)} ms`,
      `${r.theirsMs.toFixed(0)} ms`,
      `${r.ratio.toFixed(2)}x`,
      r.target,
      `${r.oursRssMiB.toFixed(1)} MiB`,
      `${r.theirsRssMiB.toFixed(1)} MiB`,
      r.met ? 'met' : 'MISSED',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  console.log(`medians of ${runs} interleaved runs each (after one warm-up)\n`);
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}

/** One command measured alone against fixed bounds: the hostile-input benchmark (bench/hostile.ts). */
export interface Bounded {
  name: string;
  cmd: Cmd;
  /** The limit in mailcert that bounds the work, as a reader would state it. */
  limit: string;
  maxMs: number;
  maxRssMiB: number;
  runs: number;
}

export interface BoundedResult {
  name: string;
  ms: number;
  rssMiB: number;
  limit: string;
  target: string;
  met: boolean;
}

export function measure(b: Bounded): BoundedResult {
  runOnce(b.cmd);
  const samples: Sample[] = [];
  for (let i = 0; i < b.runs; i++) samples.push(runOnce(b.cmd));
  const ms = median(samples.map((s) => s.ms));
  const rssMiB = Math.max(...samples.map((s) => s.rssKiB)) / 1024;
  return { name: b.name, ms, rssMiB, limit: b.limit, target: `<= ${b.maxMs} ms, <= ${b.maxRssMiB} MiB`, met: ms <= b.maxMs && rssMiB <= b.maxRssMiB };
}

export function printBounded(results: readonly BoundedResult[], runs: number): void {
  const rows = [
    ['hostile input', 'time', 'peak RSS', 'target', 'bounded by', ''],
    ...results.map((r) => [r.name, `${r.ms.toFixed(0)} ms`, `${r.rssMiB.toFixed(1)} MiB`, r.target, r.limit, r.met ? 'met' : 'MISSED']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  console.log(`\nmedians of ${runs} runs each (after one warm-up); peak RSS of all runs\n`);
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}
