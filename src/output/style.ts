/**
 * Colour only on a terminal, never with NO_COLOR, TERM=dumb, --no-color or --json (CLI.md).
 * chalk is loaded only when colour is really on: plain output (pipes, CI, files) does not pay
 * for it at start-up.
 */
import type { ChalkInstance } from 'chalk';
import type { GlobalOptions, Io } from '../io.js';

export function useColor(io: Io, opts: GlobalOptions, stream: 'out' | 'err' = 'out'): boolean {
  const tty = stream === 'out' ? io.stdoutIsTTY : io.stderrIsTTY;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return tty && !noColor && io.env.TERM !== 'dumb' && opts.color !== false && opts.json !== true;
}

/** What the renderers use of chalk: each style returns its text, coloured or not. */
export type Paint = Pick<ChalkInstance, 'bold' | 'green' | 'yellow' | 'red'> & { readonly level: number };

const identity = (text: string): string => text;
const plain = { bold: identity, green: identity, yellow: identity, red: identity, level: 0 } as unknown as Paint;

export async function painter(io: Io, opts: GlobalOptions, stream: 'out' | 'err' = 'out'): Promise<Paint> {
  if (!useColor(io, opts, stream)) return plain;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

export const day = (iso: string): string => iso.slice(0, 10);

/** "mode 0640" for messages; what a key written to a stream or device has instead. */
export function modeText(mode: number | undefined): string {
  return mode === undefined ? 'a stream or device: no file mode' : `mode ${mode.toString(8).padStart(4, '0')}`;
}
