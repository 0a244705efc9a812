/**
 * The bin entry, and the only file that touches process.* (argv, exit, stdio, env). It builds
 * the program, runs it, and turns every error into one line (what, which file, what to do) plus
 * the exit code of CLI.md; a stack trace only with MAILCERT_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { describeError } from './report.js';
import { terminals, writeAll } from './stdio.js';
import { readBounded } from '../keystore/limits.js';
import { registerRawArguments } from '../keystore/paths.js';
import { readFileSync } from 'node:fs';
import type { Io, StdinRead } from '../io.js';
import { MailcertError, inputError } from '../errors.js';

/** Output goes straight to the descriptor (src/cli/stdio.ts). */
function write(fd: number, text: string | Uint8Array): void {
  // The reader went away (`mailcert list | head`): not an error, stop quietly.
  if (!writeAll(fd, text)) process.exit(process.exitCode ?? 0);
}

/** Straight from descriptor 0, as much as the reader allows and no more (keystore/limits.ts). */
function readStdin(o: StdinRead): Buffer {
  try {
    return readBounded(0, 'standard input', o.what, o.limit, o.firstLine === true);
  } catch (e) {
    if (e instanceof MailcertError) throw e;
    throw inputError(`standard input: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

async function processIo(): Promise<Io> {
  const [stdinIsTTY, stdoutIsTTY, stderrIsTTY] = await terminals();
  return {
    out: (text) => write(1, text),
    err: (text) => write(2, text),
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY,
    stdoutIsTTY,
    stderrIsTTY,
    readStdin: (o) => Promise.resolve(readStdin(o)),
  };
}

/**
 * Names that are not UTF-8 reach Node with U+FFFD in place of their bytes; on Linux the raw bytes
 * are in /proc/self/cmdline (keystore/paths.ts). Read only when an argument shows the loss.
 */
function recoverRawArguments(argv: readonly string[]): void {
  const args = argv.slice(2);
  if (!args.some((a) => a.includes('\ufffd'))) return;
  try {
    registerRawArguments(args, readFileSync('/proc/self/cmdline'));
  } catch {
    // Not Linux: such names stay as Node decoded them.
  }
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  recoverRawArguments(argv);
  const io = await processIo();
  let code = 0;
  const program = await buildProgram(
    io,
    (c) => {
      code = c;
    },
    argv,
  );
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here with exit code 0; commander has already printed the message.
      code = error.exitCode === 0 ? 0 : 2;
    } else {
      const wantsJson = argv.includes('--json');
      const { text, json, exitCode } = describeError(error, io.env.MAILCERT_DEBUG === '1');
      io.err(text);
      if (wantsJson) io.out(JSON.stringify(json, null, 2) + '\n');
      code = exitCode;
    }
  }
  process.exitCode = code;
}
