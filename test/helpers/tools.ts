/**
 * Running the real tools (keytool, openssl) and the built CLI from tests. The tools are installed
 * by scripts/test-setup.mjs before the suite runs; a missing tool fails the test, never skips it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export function run(
  cmd: string,
  args: readonly string[],
  opts: { input?: string | Uint8Array; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    input: opts.input,
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return {
    status: r.status,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    stdoutBytes: r.stdout,
  };
}

/** Runs a tool and fails with its stderr when it does not exit 0. */
export function runOk(cmd: string, args: readonly string[], opts: Parameters<typeof run>[2] = {}): RunResult {
  const r = run(cmd, args, opts);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${String(r.status)}:\n${r.stderr}${r.stdout}`);
  }
  return r;
}

export const keytool = (args: readonly string[], opts?: Parameters<typeof run>[2]): RunResult =>
  run('keytool', args, opts);
export const openssl = (args: readonly string[], opts?: Parameters<typeof run>[2]): RunResult =>
  run('openssl', args, opts);

/** The repository root (tests run from dist/test/...). */
export const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
export const fixturesDir = join(repoRoot, 'fixtures');
export const cliPath = join(repoRoot, 'bin', 'mailcert.cjs');

/** Runs the built CLI as a process, with no TTY and a clean password environment. */
export function mailcert(
  args: readonly string[],
  opts: { input?: string | Uint8Array; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const k of Object.keys(env)) if (k.startsWith('MAILCERT_') && !(opts.env && k in opts.env)) delete env[k];
  return run(process.execPath, [cliPath, ...args], { ...opts, env });
}

/** A temporary folder removed after the test file finishes. */
export function tempDir(prefix = 'mailcert-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Like mailcert(), without blocking this process: for tests whose other end (a scripted server)
 * lives in the test process itself and must keep answering while the CLI runs.
 */
export function mailcertAsync(args: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
  for (const k of Object.keys(env)) if (k.startsWith('MAILCERT_') && !(opts.env && k in opts.env)) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ status, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
}
