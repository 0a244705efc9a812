/**
 * The last part of the fuzz oracle: an input through the built CLI (bin/mailcert.cjs), with the
 * command its target names (`inspect FILE`, with the password of the seed the input came from). Whatever the
 * input, the CLI ends with exit 0 or 3 and no "internal error" or stack; an error is one line
 * ("mailcert: ...") and at most a hint line; an input its decoder refused is exit 3.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Input } from './runner.js';
import { seedsOf, target } from './targets.js';

const cli = resolve(import.meta.dirname, '..', '..', '..', 'bin', 'mailcert.cjs');

/** Runs the input through the CLI; undefined when all is well, else what went wrong. */
export function cliProblem(name: string, input: Input, refused: boolean, dir: string, label: string): string | undefined {
  const t = target(name);
  const seed = seedsOf(name)[input.seed];
  if (seed === undefined) return `no seed ${input.seed} in ${name}`;
  const file = join(dir, `${name}-${label}.bin`);
  writeFileSync(file, input.bytes);
  const { args, env } = t.cli(file, seed);
  const clean: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of Object.keys(clean)) if (k.startsWith('MAILCERT_')) delete clean[k];
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...clean, ...env }, timeout: 30_000, encoding: 'utf8' });
  const what = `mailcert ${args.join(' ')} (from ${seed.name}) exited ${String(r.status)}${r.signal ? ` on ${r.signal}` : ''}:\n${r.stderr}`;
  if (/internal error|\n\s+at /.test(r.stderr)) return what;
  if (r.status !== 0 && r.status !== 3) return what;
  if (refused && r.status !== 3) return `refused by the decoder, but ${what}`;
  if (r.status === 3) {
    const [first = '', ...rest] = r.stderr.split('\n').filter((l) => l !== '');
    if (!first.startsWith('mailcert: ') || rest.length > 1 || (rest[0] !== undefined && !rest[0].startsWith('  hint: '))) return `not one error line: ${what}`;
  }
  return undefined;
}
