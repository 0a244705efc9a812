// Every decoder against 10,000 seeded mutations of the tool-made fixtures (the same inputs on
// every run: seed 1), judged by runner.ts: no crash (anything thrown but CodecError), no input
// running over 2 s, no memory over 256 MB. A sample of the inputs goes through the built CLI:
// a refused file is exit 3 with one error line (and its hint), never "internal error". Inputs
// that once crashed a decoder are kept in test/fuzz/corpus/<target>/ and replayed.
// `npm run fuzz -- --time 10m` runs the same targets for as long as it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzTarget, inputAt, replayInputs, type Finding, type FuzzReport } from './runner.js';
import { TARGETS, seedsOf, type Seed } from './targets.js';
import { mailcert, repoRoot, tempDir } from '../helpers/tools.js';

const RUN_SEED = 1;
const INPUTS = 10_000;
const dir = tempDir('mailcert-fuzz-');
const corpusDir = join(repoRoot, 'test', 'fuzz', 'corpus');

const describeFinding = (f: Finding): string => `${f.kind} at input ${f.index} (from ${f.seed}): ${f.message.split('\n').slice(0, 3).join(' | ')}`;

/** The CLI on one input: refused ones exit 3 with "mailcert: ..." and at most a hint line. */
function throughCli(name: string, index: number, refused: boolean, report: FuzzReport): void {
  const t = TARGETS.find((x) => x.name === name)!;
  const input = inputAt(name, RUN_SEED, index);
  const seed = seedsOf(name)[input.seed] as Seed;
  const file = join(dir, `${name}-${index}.bin`);
  writeFileSync(file, input.bytes);
  const { args, env } = t.cli(file, seed);
  const r = mailcert(args, { env });
  const what = `${name} input ${index} (${report.target}, from ${seed.name}): exit ${String(r.status)}\n${r.stderr}`;
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, what);
  if (refused) {
    assert.equal(r.status, 3, what);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.ok(lines.length <= 2 && lines[0]?.startsWith('mailcert: ') && (lines[1] === undefined || lines[1].startsWith('  hint: ')), what);
  } else {
    assert.ok(r.status === 0 || r.status === 3, what);
  }
}

for (const t of TARGETS) {
  test(`fuzz ${t.name}: ${INPUTS.toLocaleString('en-US')} mutated inputs end in a result or a CodecError, in time and memory`, async () => {
    const report = await fuzzTarget(t.name, RUN_SEED, 0, INPUTS, { samples: 2 });
    assert.deepEqual(report.findings.map(describeFinding), []);
    // Both outcomes occur: the mutations neither all break the seeds nor leave them intact.
    assert.ok(report.decoded > INPUTS / 100 && report.refused.decode > INPUTS / 2, JSON.stringify({ decoded: report.decoded, refused: report.refused }));
    for (const index of report.samples.refused) throughCli(t.name, index, true, report);
    for (const index of report.samples.decoded.slice(0, 1)) throughCli(t.name, index, false, report);
  });
}

test('inputs that once crashed a decoder (test/fuzz/corpus) are refused or read, never a crash', async () => {
  for (const t of TARGETS) {
    const folder = join(corpusDir, t.name);
    if (!existsSync(folder)) continue;
    const files = readdirSync(folder).filter((f) => f.endsWith('.bin')).sort();
    // Each saved input with each password its target's seeds use.
    const seeds = seedsOf(t.name);
    const passwords = [...new Set(seeds.map((s) => s.password))].map((p) => seeds.findIndex((s) => s.password === p));
    const inputs = files.flatMap((f) => passwords.map((seed) => ({ bytes: new Uint8Array(readFileSync(join(folder, f))), seed })));
    const report = await replayInputs(t.name, inputs);
    assert.deepEqual(report.findings.map(describeFinding), [], t.name);
  }
});
