/**
 * stdout and stderr without process.stdout: a write goes straight to the descriptor, and terminals
 * are told from pipes and files without node:tty. Both Node objects load the stream and socket
 * modules first, a few ms of every run; a CLI that prints once and exits needs neither.
 */
import { fstatSync, statSync, writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of text to fd before returning; false when the reader has gone away (EPIPE). A
 * descriptor left non-blocking by whoever started us refuses with EAGAIN while the reader catches
 * up: wait a millisecond and go on.
 */
export function writeAll(fd: number, text: string | Uint8Array): boolean {
  let bytes = typeof text === 'string' ? Buffer.from(text) : text;
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return false;
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  return true;
}

/**
 * Which of fds 0, 1 and 2 are terminals. Pipes and files (every CI run) are told apart by one
 * fstat each, and so is /dev/null (`</dev/null` is how scripts say "no input"); only another
 * character device needs node:tty, which loads Node's socket modules.
 */
export async function terminals(): Promise<[boolean, boolean, boolean]> {
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
