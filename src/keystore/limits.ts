/**
 * How much mailcert reads of one input. Every input has a limit suited to its kind, far above
 * any real file of that kind, so a mistaken name (/dev/zero, `yes |`, a disk image) ends in a
 * clear exit-3 error naming the file, its size and the limit, instead of filling the memory of a
 * mail server (and, past 512 MB, V8's string limit). A regular file over the limit is refused
 * from its size before any of it is read; anything else (a pipe, a device) is read up to the
 * limit and refused at the first byte past it.
 */
import { fstatSync, readSync, type Stats } from 'node:fs';
import { ExitCode, MailcertError } from '../errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export const inputLimits = {
  /**
   * JDK 17's cacerts is 165 KB for about 140 entries (1.2 KB each), so the 10,000-entry
   * truststore of the benchmark is about 12 MB; 128 MiB is ten times that.
   */
  keystore: 128 * MiB,
  /**
   * Certificate files and bundles: the Mozilla bundle is about 220 KB; even every CA
   * certificate in the CT logs, about 10,000, is some 20 MB of PEM.
   */
  'certificate file': 64 * MiB,
  /** A private key: an RSA-16384 key is 13 KB of PEM; 1 MiB leaves room for any wrapping. */
  'key file': 1 * MiB,
  /**
   * Anything inspect and hash read, CRLs included: a revoked certificate takes 30 to 40 bytes
   * of a CRL, so the largest public CRLs (about a million entries) are some 40 MB of DER and
   * 55 MB of PEM; 256 MiB holds five million entries in DER.
   */
  file: 256 * MiB,
  /** A password is one line; 64 KiB is a thousand times a long passphrase. */
  password: 64 * KiB,
  /** --targets: one "HOST:PORT [protocol]" line per server, 16 MiB is some 500,000 servers. */
  'targets file': 16 * MiB,
  /** --tlsa-file: zone-file lines or `dig +short` output; a record is under 300 bytes, 1 MiB is thousands. */
  'TLSA file': 1 * MiB,
} as const;

export type InputKind = keyof typeof inputLimits;

function size(n: number): string {
  if (n < KiB) return `${n} bytes`;
  if (n < MiB) return `${Math.round(n / KiB)} KiB`;
  const m = n / MiB;
  return `${Number.isInteger(m) ? m : m.toFixed(1)} MiB`;
}

export function tooLarge(name: string, what: string, bytes: number | undefined, limit: number): MailcertError {
  return new MailcertError(
    `${name}: too large for a ${what} (${bytes === undefined ? `more than ${size(limit)}` : size(bytes)}; mailcert reads at most ${size(limit)})`,
    ExitCode.badInput,
    `check that this is the right file: no real ${what} comes near that size`,
  );
}

/** Sleeps a millisecond, for a descriptor that has no data yet (made only when one is met). */
export function pauseBriefly(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}

/**
 * Reads an open descriptor to its end, or with untilNewline to its first line feed (included),
 * refusing more than `limit` bytes before it. `name` and `what` are for the message; `st` is the
 * descriptor's fstat, when the caller has it already.
 */
export function readBounded(fd: number, name: string, what: string, limit: number, untilNewline = false, st: Stats = fstatSync(fd)): Buffer {
  const regular = st.isFile();
  if (regular && st.size > limit && !untilNewline) throw tooLarge(name, what, st.size, limit);
  let buf = Buffer.allocUnsafe(Math.min(limit + 1, regular && st.size > 0 ? st.size + 1 : 64 * KiB));
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      if (len > limit) throw tooLarge(name, what, regular && st.size > len ? st.size : undefined, limit);
      const bigger = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    let n: number;
    try {
      n = readSync(fd, buf, len, buf.length - len, null);
    } catch (e) {
      // A descriptor its opener left non-blocking (stdin of some CI runners): wait for data.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      pauseBriefly();
      continue;
    }
    if (n === 0) break;
    const found = untilNewline && buf.subarray(len, len + n).includes(0x0a);
    len += n;
    // A regular file read up to the size fstat gave is done, as readFileSync has it, without one
    // more read for the end (a file that grew fills the spare byte of the buffer and is read on).
    if (found || (regular && len === st.size)) break;
  }
  if (untilNewline) {
    const nl = buf.subarray(0, len).indexOf(0x0a);
    if (nl !== -1 && nl <= limit) return buf.subarray(0, nl + 1);
  }
  if (len > limit) throw tooLarge(name, what, undefined, limit);
  return buf.subarray(0, len);
}

/** The first line of a password source, without its line ending (like openssl's file: and stdin). */
export function firstLine(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  const nl = text.search(/\r?\n/);
  return nl === -1 ? text : text.slice(0, nl);
}
