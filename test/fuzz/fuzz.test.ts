// Every decoder against 10,000 seeded mutations of the tool-made fixtures (the same inputs on
// every run: seed 1), judged by runner.ts: no crash (anything thrown but CodecError), no input
// running over 2 s, no memory over 256 MB. A sample of the inputs goes through the built CLI:
// a refused file is exit 3 with one error line (and its hint), never "internal error". Inputs
// that once crashed a decoder are kept in test/fuzz/corpus/<target>/ and replayed.
// `npm run fuzz -- --time 10m` runs the same targets for as long as it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliProblem } from './cli-check.js';
import { fuzzTarget, inputAt, replayInputs, type Finding } from './runner.js';
import { TARGETS, seedsOf } from './targets.js';
import { encodeOctetString as derOctetString, encodeSequence as derSequence } from '../../src/codec/asn1/writer.js';
import { hugePemBlock, pbeAlgorithm } from '../helpers/hostile.js';
import { repoRoot, tempDir } from '../helpers/tools.js';

const RUN_SEED = 1;
const INPUTS = 10_000;
const dir = tempDir('mailcert-fuzz-');
const corpusDir = join(repoRoot, 'test', 'fuzz', 'corpus');

const describeFinding = (f: Finding): string => `${f.kind} at input ${f.index} (from ${f.seed}): ${f.message.split('\n').slice(0, 3).join(' | ')}`;

for (const t of TARGETS) {
  test(`fuzz ${t.name}: ${INPUTS.toLocaleString('en-US')} mutated inputs end in a result or a CodecError, in time and memory`, async () => {
    const report = await fuzzTarget(t.name, RUN_SEED, 0, INPUTS, { samples: 2 });
    assert.deepEqual(report.findings.map(describeFinding), []);
    // Both outcomes occur: the mutations neither all break the seeds nor leave them intact.
    assert.ok(report.decoded > INPUTS / 100 && report.refused.decode > INPUTS / 2, JSON.stringify({ decoded: report.decoded, refused: report.refused }));
    const cli = [
      ...report.samples.refused.map((index) => cliProblem(t.name, inputAt(t.name, RUN_SEED, index), true, dir, String(index))),
      ...report.samples.decoded.slice(0, 1).map((index) => cliProblem(t.name, inputAt(t.name, RUN_SEED, index), false, dir, String(index))),
    ];
    assert.deepEqual(cli.filter((p) => p !== undefined), []);
  });
}

test('inputs that once crashed a decoder or the CLI (test/fuzz/corpus) are refused or read, never a crash', async () => {
  let replayed = 0;
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
    // The ones found through the CLI (cli-*.bin) go through it again.
    const cli = inputs.filter((_, i) => files[Math.floor(i / passwords.length)]?.startsWith('cli-'));
    assert.deepEqual(cli.map((input, i) => cliProblem(t.name, input, false, dir, `corpus-${i}`)).filter((p) => p !== undefined), [], t.name);
    replayed += files.length;
  }
  assert.ok(replayed > 0, 'the corpus holds the inputs that found the bugs fixed so far');
});

test('the oracle itself: an input over the CPU limit is a hang, one over the memory limit is memory', async () => {
  // An encrypted PKCS#8 asking for 900,000 rounds of the PKCS#12 KDF (within the file budget):
  // refused after the hashing, which a 100 ms limit calls a hang and a 20 s one does not.
  const slow = { bytes: derSequence(pbeAlgorithm('pkcs12-3des', 300_000), derOctetString(new Uint8Array(16))), seed: 0 };
  const strict = await replayInputs('pkcs8', [slow], { hangMs: 100 });
  assert.deepEqual(strict.findings.map((f) => f.kind), ['hang']);
  const lenient = await replayInputs('pkcs8', [slow], { hangMs: 20_000 });
  assert.deepEqual(lenient.findings, []);
  assert.equal(lenient.refused.decode, 1);
  // 30 MB of PEM text: its strings and buffers pass 48 MB.
  const big = { bytes: new TextEncoder().encode(hugePemBlock(30 * 2 ** 20)), seed: 0 };
  const tight = await replayInputs('pem', [big], { memoryMb: 48 });
  assert.deepEqual(tight.findings.map((f) => f.kind), ['memory']);
});
