/**
 * Colour only on a terminal, never with NO_COLOR, TERM=dumb, --no-color or --json (CLI.md).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { GlobalOptions, Io } from '../cli/io.js';

export function useColor(io: Io, opts: GlobalOptions, stream: 'out' | 'err' = 'out'): boolean {
  const tty = stream === 'out' ? io.stdoutIsTTY : io.stderrIsTTY;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return tty && !noColor && io.env.TERM !== 'dumb' && opts.color !== false && opts.json !== true;
}

export function painter(io: Io, opts: GlobalOptions, stream: 'out' | 'err' = 'out'): ChalkInstance {
  return new Chalk({ level: useColor(io, opts, stream) ? 1 : 0 });
}

export const day = (iso: string): string => iso.slice(0, 10);
