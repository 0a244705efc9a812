/**
 * Runs a fuzz target's inputs in a worker thread and judges them (the oracle):
 * - a crash: anything thrown other than CodecError / MailcertError (worker.ts);
 * - a hang: one input taking more than `hangMs` (2 s) of CPU, seen by a watchdog here that reads
 *   the worker's progress from shared memory; the worker is stopped and a new one goes on after
 *   it. CPU time (this process's, which is the worker's while this thread waits) rather than
 *   wall-clock time, so a busy machine does not make a slow input look like a hang; an input
 *   still running after 30 times that on the clock is one whatever its CPU;
 * - memory: the worker's heap over `memoryMb` (256 MB, its resourceLimits), or this process's
 *   resident set growing by more than that (array buffers live outside the heap).
 * Used by the test (test/fuzz/fuzz.test.ts) and by `npm run fuzz` (scripts/fuzz.mjs).
 */
import { Worker } from 'node:worker_threads';
import { mutate } from './mutate.js';
import { seedsOf, target, type Stage } from './targets.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

export interface Finding {
  target: string;
  /** Index of the input in the run (or in the list replayed). */
  index: number;
  kind: 'crash' | 'hang' | 'memory';
  message: string;
  input: Uint8Array;
  /** The seed it was made from; its password was the one used. */
  seed: string;
}

export interface FuzzReport {
  target: string;
  inputs: number;
  decoded: number;
  refused: Record<Stage, number>;
  findings: Finding[];
  /** Inputs refused at stage 'decode' and inputs decoded, by index, for the CLI check. */
  samples: { refused: number[]; decoded: number[] };
  ms: number;
}

export interface FuzzOptions {
  hangMs?: number;
  memoryMb?: number;
  samples?: number;
}

export interface Input {
  bytes: Uint8Array;
  seed: number;
}

/** Input `index` of a run, made again (the worker makes the same). */
export function inputAt(name: string, runSeed: number, index: number): Input {
  return mutate(seedsOf(name).map((s) => s.bytes), runSeed, name, index, target(name).text);
}

/** Inputs [from, from + count) of run `runSeed` of a target. */
export function fuzzTarget(name: string, runSeed: number, from: number, count: number, opts: FuzzOptions = {}): Promise<FuzzReport> {
  return runInputs(name, runSeed, from, from + count, undefined, opts);
}

/** Explicit inputs (saved crashes) through a target, judged the same way. */
export function replayInputs(name: string, inputs: Input[], opts: FuzzOptions = {}): Promise<FuzzReport> {
  return runInputs(name, 0, 0, inputs.length, inputs, opts);
}

async function runInputs(name: string, runSeed: number, from: number, to: number, inputs: Input[] | undefined, opts: FuzzOptions): Promise<FuzzReport> {
  const t = target(name);
  const seeds = seedsOf(name);
  const started = performance.now();
  const report: FuzzReport = { target: name, inputs: to - from, decoded: 0, refused: { decode: 0, keys: 0 }, findings: [], samples: { refused: [], decoded: [] }, ms: 0 };
  const inputOf = (i: number): Input => inputs?.[i] ?? mutate(seeds.map((s) => s.bytes), runSeed, name, i, t.text);
  const finding = (index: number, kind: Finding['kind'], message: string): void => {
    const input = inputOf(index);
    report.findings.push({ target: name, index, kind, message, input: input.bytes, seed: seeds[input.seed]?.name ?? '' });
  };
  let next = from;
  while (next < to) {
    const stoppedAt = await oneWorker({ target: name, seeds, runSeed, from: next, to, samples: opts.samples ?? 0, progress: new SharedArrayBuffer(4), ...(inputs ? { inputs } : {}) }, report, finding, opts);
    // A worker that had to be stopped is replaced by one that goes on after the input it was on.
    next = stoppedAt === undefined ? to : stoppedAt + 1;
  }
  report.ms = performance.now() - started;
  return report;
}

/** One worker over job.from..to; resolves with the index it was stopped at, or undefined when it finished. */
function oneWorker(
  job: WorkerJob,
  report: FuzzReport,
  finding: (index: number, kind: Finding['kind'], message: string) => void,
  opts: FuzzOptions,
): Promise<number | undefined> {
  const hangMs = opts.hangMs ?? 2000;
  const memoryMb = opts.memoryMb ?? 256;
  const progress = new Int32Array(job.progress);
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 },
  });
  const rssLimit = process.memoryUsage.rss() + memoryMb * 1024 * 1024;
  const current = (): number => Atomics.load(progress, 0) - 1;
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  return new Promise((resolve, reject) => {
    let seen = -1;
    let since = performance.now();
    let cpuSince = cpuMs();
    let settled = false;
    const stop = (index: number | undefined, kind?: Finding['kind'], message?: string): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      if (kind !== undefined && index !== undefined) finding(index, kind, message ?? kind);
      void worker.terminate().then(() => resolve(index), reject);
    };
    const watchdog = setInterval(() => {
      const index = current();
      const now = performance.now();
      const cpu = cpuMs();
      if (index !== seen) {
        seen = index;
        since = now;
        cpuSince = cpu;
        return;
      }
      if (index >= job.from && (cpu - cpuSince > hangMs || now - since > 30 * hangMs)) {
        stop(index, 'hang', `no result after ${Math.round(cpu - cpuSince)} ms of CPU (${Math.round(now - since)} ms on the clock)`);
      }
      else if (process.memoryUsage.rss() > rssLimit) stop(Math.max(index, job.from), 'memory', `resident memory grew by more than ${memoryMb} MB`);
    }, 50);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'crash') {
        finding(m.index, 'crash', m.message);
        return;
      }
      report.decoded += m.decoded;
      report.refused.decode += m.refused.decode;
      report.refused.keys += m.refused.keys;
      report.samples.refused.push(...m.samples.refused);
      report.samples.decoded.push(...m.samples.decoded);
      stop(undefined);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const index = Math.max(current(), job.from);
      stop(index, e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', e.stack ?? e.message);
    });
    worker.on('exit', () => {
      if (!settled) stop(Math.max(current(), job.from), 'crash', 'the worker exited before it was done');
    });
  });
}
