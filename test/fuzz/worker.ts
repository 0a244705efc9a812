/**
 * The fuzz worker thread (runner.ts starts it with a heap limit and watches it): puts inputs
 * through one target, tells the runner which input it is on through shared memory, and reports
 * what each input did. A refusal is a CodecError (or MailcertError); anything else thrown is a
 * crash, reported with its stack.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mutate } from './mutate.js';
import { target, type Seed, type Stage } from './targets.js';

export interface WorkerJob {
  target: string;
  /** The target's seeds, made once by the runner (structured-cloned here). */
  seeds: Seed[];
  runSeed: number;
  /** Inputs [from, to): generated ones of the run, or of `inputs` (replaying saved ones). */
  from: number;
  to: number;
  inputs?: { bytes: Uint8Array; seed: number }[];
  /** Int32Array view: [0] = index + 1 of the input being run (0 before the first). */
  progress: SharedArrayBuffer;
  /** How many refused and decoded inputs to report by index, for the CLI check. */
  samples: number;
}

export type WorkerMessage =
  | { type: 'crash'; index: number; message: string }
  | {
      type: 'done';
      decoded: number;
      refused: Record<Stage, number>;
      samples: { refused: number[]; decoded: number[] };
    };

function isRefusal(e: unknown): boolean {
  return e instanceof Error && (e.name === 'CodecError' || e.name === 'MailcertError');
}

function main(): void {
  const job = workerData as WorkerJob;
  const port = parentPort;
  if (port === null) throw new Error('fuzz worker: no parent port');
  const t = target(job.target);
  const { seeds } = job;
  const seedBytes = seeds.map((s) => s.bytes);
  const progress = new Int32Array(job.progress);
  const refused: Record<Stage, number> = { decode: 0, keys: 0 };
  const samples = { refused: [] as number[], decoded: [] as number[] };
  let decoded = 0;
  for (let i = job.from; i < job.to; i++) {
    Atomics.store(progress, 0, i + 1);
    const input = job.inputs?.[i] ?? mutate(seedBytes, job.runSeed, t.name, i, t.text);
    const seed = seeds[input.seed] ?? seeds[0];
    if (seed === undefined) throw new Error(`fuzz target ${t.name} has no seeds`);
    const at: { stage: Stage } = { stage: 'decode' };
    try {
      t.run(input.bytes, seed, at);
      decoded++;
      if (samples.decoded.length < job.samples) samples.decoded.push(i);
    } catch (e) {
      if (!isRefusal(e)) {
        const message = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
        port.postMessage({ type: 'crash', index: i, message } satisfies WorkerMessage);
        continue;
      }
      refused[at.stage]++;
      if (at.stage === 'decode' && samples.refused.length < job.samples) samples.refused.push(i);
    }
  }
  port.postMessage({ type: 'done', decoded, refused, samples } satisfies WorkerMessage);
}

main();
