/**
 * A spinner on a terminal's stderr for work that takes more than about a second (an RSA-4096 key
 * search, many endpoints). It appears only after `delayMs`, never in a pipe, with --json or
 * --quiet, and it erases its line when done, so quick commands print exactly what they did before.
 */
import type { GlobalOptions, Io } from '../io.js';
import { shown } from '../display.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export async function withSpinner<T>(io: Io, opts: GlobalOptions, text: string, work: Promise<T>, delayMs = 1000): Promise<T> {
  if (!io.stderrIsTTY || opts.json === true || opts.quiet === true || io.env.TERM === 'dumb') return work;
  // The text is mailcert's own, but may quote a name: escaped like every other line.
  const line = shown(text);
  let frame = 0;
  let started = false;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const start = setTimeout(() => {
    started = true;
    ticker = setInterval(() => {
      io.err(`\r${FRAMES[frame++ % FRAMES.length] ?? ''} ${line}`);
    }, 80);
  }, delayMs);
  try {
    return await work;
  } finally {
    clearTimeout(start);
    if (ticker !== undefined) clearInterval(ticker);
    if (started) io.err('\r\x1b[2K');
  }
}
