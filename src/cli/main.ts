/**
 * The bin entry, and the only file that touches process.* (argv, exit, stdio, env). It builds
 * the program, runs it, and turns every error into one line (what, which file, what to do) plus
 * the exit code of CLI.md; a stack trace only with MAILCERT_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { fstatSync, statSync, writeSync } from 'node:fs';
import { buildProgram } from './program.js';
import { describeError } from './report.js';
import type { Io } from './io.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of text to fd 1 or 2 before returning. Output goes straight to the descriptor:
 * process.stdout would load Node's stream and socket modules first, a few ms of every run. A
 * descriptor left non-blocking by whoever started us may refuse with EAGAIN while the reader
 * catches up: wait a millisecond and go on.
 */
function writeAll(fd: number, text: string | Uint8Array): void {
  let bytes = typeof text === 'string' ? Buffer.from(text) : text;
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
      // The reader went away (`mailcert list | head`): not an error, stop quietly.
      else if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      else throw e;
    }
  }
}

/**
 * Which of stdin, stdout and stderr are terminals. Pipes and files (every CI run) are told apart by
 * one fstat each, and so is /dev/null (`</dev/null` is how scripts say "no input"); only another
 * character device needs node:tty, which loads Node's socket modules.
 */
async function terminals(): Promise<[boolean, boolean, boolean]> {
  let nullDevice: number | undefined;
  try {
    nullDevice = statSync('/dev/null').rdev;
  } catch {
    // Not a POSIX system: ask node:tty about every character device.
  }
  const maybe = [0, 1, 2].map((fd) => {
    try {
      const st = fstatSync(fd);
      return st.isCharacterDevice() && st.rdev !== nullDevice;
    } catch {
      return false; // closed
    }
  });
  if (!maybe.some(Boolean)) return [false, false, false];
  const { isatty } = await import('node:tty');
  const [a, b, c] = maybe.map((device, fd) => device && isatty(fd));
  return [a === true, b === true, c === true];
}

async function processIo(): Promise<Io> {
  const [stdinIsTTY, stdoutIsTTY, stderrIsTTY] = await terminals();
  return {
    out: (text) => writeAll(1, text),
    err: (text) => writeAll(2, text),
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
