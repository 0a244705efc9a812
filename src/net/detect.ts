/**
 * What a server is, from what it says first. On a port mailcert does not know, a mail server
 * that talks plaintext first (SMTP, IMAP, POP3, ManageSieve) is a STARTTLS port, and one that
 * waits is expecting a ClientHello (implicit TLS, RFC 8314); inside implicit TLS the first line
 * tells the protocol the same way. The bytes read to decide are put back on the stream
 * (Readable.unshift), so the STARTTLS negotiator reads the greeting as if nobody had looked.
 */
import type { Duplex } from 'node:stream';
import type { MailProtocol } from './starttls.js';

/**
 * How long a server on an unknown port may stay silent before it is taken for implicit TLS. Mail
 * servers greet as soon as they accept (Postfix and Dovecot here within a millisecond); one that
 * greets later (a reverse lookup before the banner, a deliberate delay) answers the ClientHello in
 * plaintext, and the check starts again waiting for its greeting (connect.ts).
 */
export const PLAINTEXT_WAIT_MS = 500;
/** Enough of the first line to tell the protocols apart; a greeting line is read whole later. */
const SNIFF_BYTES = 512;

export type FirstBytes = { kind: 'data'; text: string } | { kind: 'silent' } | { kind: 'closed' };

/**
 * Waits up to `ms` for the server's first line (or SNIFF_BYTES of it). What arrived is put back
 * on the stream, which is left paused with none of these listeners on it.
 */
export function firstBytes(socket: Duplex, ms: number): Promise<FirstBytes> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: FirstBytes): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      socket.pause();
      if (size > 0) socket.unshift(Buffer.concat(chunks, size));
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (chunk.includes(0x0a) || size >= SNIFF_BYTES) finish({ kind: 'data', text: Buffer.concat(chunks, size).toString('utf8') });
    };
    const onEnd = (): void => {
      finish(size > 0 ? { kind: 'data', text: Buffer.concat(chunks, size).toString('utf8') } : { kind: 'closed' });
    };
    const timer = setTimeout(() => {
      finish(size > 0 ? { kind: 'data', text: Buffer.concat(chunks, size).toString('utf8') } : { kind: 'silent' });
    }, ms);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onEnd);
    socket.resume();
  });
}

/**
 * The protocol a first line belongs to: a reply code (SMTP, RFC 5321 §4.2; LMTP when it says so,
 * RFC 2033 §4), an untagged `* OK` / `* PREAUTH` / `* BYE` (IMAP, RFC 3501 §7.1), `+OK` / `-ERR`
 * (POP3, RFC 1939 §3), a quoted capability or an OK / NO / BYE response (ManageSieve, RFC 5804 §1.7).
 */
export function inferProtocol(firstLine: string): MailProtocol | undefined {
  const line = firstLine.split(/\r?\n/)[0] ?? '';
  if (/^\d{3}(?:[ -]|$)/.test(line)) return /\bLMTP\b/i.test(line) ? 'lmtp' : 'smtp';
  if (/^\* (?:OK|PREAUTH|BYE)\b/i.test(line)) return 'imap';
  if (/^(?:\+OK|-ERR)\b/.test(line)) return 'pop3';
  if (/^"[^"]*"/.test(line) || /^(?:OK|NO|BYE)\b/i.test(line)) return 'sieve';
  return undefined;
}
