#!/usr/bin/env node
// `npm run fuzz -- --time 10m [--target NAME] [--seed N]`: the decoder fuzz targets of
// test/fuzz (JKS, JCEKS, PKCS#12, PEM, X.509, PKCS#8, PKCS#7, CRL) on as many mutated inputs as
// the time allows, in turns of 5,000 inputs per target. Every input is judged as in the test
// (a crash, a hang over 2 s, memory over 256 MB), and a few of each turn also go through the
// built CLI (test/fuzz/cli-check.ts). What is found is saved under test/fuzz/corpus/<target>/
// (cli-*.bin for the CLI's findings; the test replays that folder) and printed with the seed and
// input number that make it again. Exit 1 when anything was found. Runs the compiled tests:
// the npm script builds first.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const usage = 'usage: npm run fuzz -- [--time 10m|90s|1h] [--target NAME] [--seed N]';

function parseArgs(argv) {
  const opts = { seconds: 60, target: undefined, seed: Date.now() % 1_000_000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--time') {
      const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value() ?? '');
      if (m === null) throw new Error(`--time takes a duration such as 90s, 10m or 1h\n${usage}`);
      opts.seconds = Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] ?? 's'];
    } else if (flag === '--target') opts.target = value();
    else if (flag === '--seed') {
      opts.seed = Number(value());
      if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new Error(`--seed takes a whole number\n${usage}`);
    } else if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]}\n${usage}`);
  }
  return opts;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`fuzz: ${e.message}`);
  process.exit(2);
}
const runner = join(root, 'dist', 'test', 'fuzz', 'runner.js');
if (!existsSync(runner)) {
  console.error('fuzz: dist/test/fuzz is missing; run npm run build first');
  process.exit(2);
}
const { fuzzTarget, inputAt } = await import(runner);
const { TARGETS } = await import(join(root, 'dist', 'test', 'fuzz', 'targets.js'));
const { cliProblem } = await import(join(root, 'dist', 'test', 'fuzz', 'cli-check.js'));
const scratch = mkdtempSync(join(tmpdir(), 'mailcert-fuzz-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const targets = opts.target === undefined ? TARGETS.map((t) => t.name) : [opts.target];
for (const t of targets) {
  if (!TARGETS.some((x) => x.name === t)) {
    console.error(`fuzz: no target ${t} (targets: ${TARGETS.map((x) => x.name).join(', ')})`);
    process.exit(2);
  }
}

const BATCH = 5_000;
/** Inputs of each turn that also go through the CLI: refused ones, and one that decoded. */
const CLI_SAMPLES = 4;

function save(name, kind, index, seedName, bytes, message, prefix = '') {
  const folder = join(root, 'test', 'fuzz', 'corpus', name);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${prefix}${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`);
  writeFileSync(file, bytes);
  console.log(`\n${kind} in ${name}, input ${index} of seed ${opts.seed} (made from ${seedName}), saved as ${relative(root, file)}`);
  console.log(`  ${message.split('\n').slice(0, 6).join('\n  ')}`);
}
const deadline = Date.now() + opts.seconds * 1000;
const next = Object.fromEntries(targets.map((t) => [t, 0]));
const totals = Object.fromEntries(targets.map((t) => [t, { inputs: 0, decoded: 0, refused: 0, findings: 0 }]));
let found = 0;
console.log(`fuzz: seed ${opts.seed}, ${targets.join(', ')}, for ${opts.seconds} s`);
outer: for (;;) {
  for (const name of targets) {
    if (Date.now() >= deadline) break outer;
    const report = await fuzzTarget(name, opts.seed, next[name], BATCH, { samples: CLI_SAMPLES });
    next[name] += BATCH;
    const t = totals[name];
    t.inputs += report.inputs;
    t.decoded += report.decoded;
    t.refused += report.refused.decode + report.refused.keys;
    for (const f of report.findings) {
      t.findings++;
      found++;
      save(name, f.kind.toUpperCase(), f.index, f.seed, f.input, f.message);
    }
    const samples = [...report.samples.refused.map((i) => [i, true]), ...report.samples.decoded.slice(0, 1).map((i) => [i, false])];
    for (const [index, refused] of samples) {
      const input = inputAt(name, opts.seed, index);
      const problem = cliProblem(name, input, refused, scratch, String(index));
      if (problem === undefined) continue;
      t.findings++;
      found++;
      save(name, 'CLI', index, `seed ${input.seed}`, input.bytes, problem, 'cli-');
    }
  }
}
console.log('\ntarget    inputs    decoded   refused   found');
for (const name of targets) {
  const t = totals[name];
  console.log(`${name.padEnd(9)} ${String(t.inputs).padStart(7)} ${String(t.decoded).padStart(10)} ${String(t.refused).padStart(9)} ${String(t.findings).padStart(7)}`);
}
console.log(found === 0 ? '\nfuzz: nothing found' : `\nfuzz: ${found} finding(s), saved under test/fuzz/corpus/ (npm test replays them)`);
process.exit(found === 0 ? 0 : 1);
