/**
 * The bin entry, and the only file that touches process.* (argv, exit, stdio, env). It builds
 * the program, runs it, and turns every error into one line (what, which file, what to do) plus
 * the exit code of CLI.md; a stack trace only with MAILCERT_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { describeError } from './report.js';
import type { Io } from './io.js';

function processIo(): Io {
  return {
    out: (text) => {
      process.stdout.write(text);
    },
    err: (text) => {
      process.stderr.write(text);
    },
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  // A reader that stops early (`mailcert --help | head`) closes the pipe: that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
  const io = processIo();
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
  // Let stdout drain (a large --json document into a pipe) before exiting with the code.
  process.exitCode = code;
}
