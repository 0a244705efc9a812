/**
 * The bin entry, and the only file that touches process.* (argv, exit, stdio, env). It builds
 * the program, runs it, and turns every error into one line (what, which file, what to do) plus
 * the exit code of CLI.md; a stack trace only with MAILCERT_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { describeError } from './report.js';
import { terminals, writeAll } from './stdio.js';
import type { Io } from './io.js';

/** Output goes straight to the descriptor (src/cli/stdio.ts). */
function write(fd: number, text: string | Uint8Array): void {
  // The reader went away (`mailcert list | head`): not an error, stop quietly.
  if (!writeAll(fd, text)) process.exit(process.exitCode ?? 0);
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
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const io = await processIo();
  let code = 0;
  const program = buildProgram(
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
