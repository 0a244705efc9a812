/**
 * The one error type of the network client. It is a MailcertError (exit code 5, CLI.md "Exit
 * codes"), so any caller prints its one-line message and hint; the hints speak of the server and
 * of TLS, never of options (a command words them in its own: cli/flag-errors.ts, by `kind`).
 * `kind` is what code (and --json) branches on, `step` says how far the conversation got.
 */
import { ExitCode, MailcertError } from '../errors.js';

export type NetErrorKind =
  | 'dns' // the host name did not resolve
  | 'refused' // the TCP connection, or the session at the greeting, was refused (or unreachable)
  | 'timeout' // a phase (connect, a reply, the handshake) took longer than the timeout
  | 'deadline' // the whole check took longer than its deadline (the step it was in is named)
  | 'reset' // the peer reset the connection during the plaintext conversation
  | 'tls-handshake' // the TLS handshake failed (alert, wrong version, peer hung up, no certificate)
  | 'starttls-not-offered' // EHLO / CAPABILITY / CAPA / the Sieve greeting lacks STARTTLS or STLS
  | 'starttls-refused' // STARTTLS / STLS was answered 454, 502, BAD, NO or -ERR
  | 'injection' // bytes followed the go-ahead line before TLS started (CVE-2011-0411 class)
  | 'preauth' // IMAP `* PREAUTH` greeting: no STARTTLS is possible (RFC 3501 §6.2.1)
  | 'protocol' // the server spoke something that is not the protocol (or broke a limit)
  | 'closed'; // the server closed the connection before the conversation was done

/** Step names used in messages; free text, but these are the ones this module uses. */
export type NetStep = string;

export const HINTS: Readonly<Record<NetErrorKind, string>> = {
  dns: 'check the host name (and that this machine can resolve it)',
  refused: 'check that the server is running and listening on that port, and that no firewall is in the way',
  timeout:
    'the server did not answer in time; if it expects TLS at once (implicit TLS, as on 465, 993, 995) connect without STARTTLS, otherwise raise the timeout',
  deadline:
    'the whole check took longer than its deadline allows; raise it if the server is just slow, otherwise check the server or the network at the step named (the timeout bounds each step alone)',
  reset: 'the server or something in between dropped the connection; check the server log',
  'tls-handshake':
    'the TLS handshake failed; if the server talks plaintext first, use STARTTLS (SMTP, IMAP, POP3, LMTP or ManageSieve), otherwise check its TLS settings and log',
  'starttls-not-offered':
    'the server (or a middlebox stripping it) does not offer STARTTLS; enable TLS on the server, or use its implicit-TLS port without STARTTLS',
  // A TLS-unavailable reply (SMTP 454, IMAP NO/BAD, POP3 -ERR) is how Exim answers when it cannot
  // read its key: it reads it as Debian-exim on Debian, after dropping root, so a key written 0600
  // for root alone fails at the first STARTTLS, not at start-up.
  'starttls-refused':
    "the server refused to start TLS: TLS may be off, or its own user cannot read the key file (Exim reads it as Debian-exim; a key written 0600 is root's alone); check its log, and let the server's group read the key",
  injection:
    'data arrived after the STARTTLS go-ahead and before TLS (response injection, CVE-2011-0411); something on the path or the server itself is tampering — do not trust this path',
  preauth:
    'the IMAP server pre-authenticated the session in plaintext, so STARTTLS is impossible; use the implicit-TLS port (993) without STARTTLS',
  protocol: 'the server does not speak the protocol expected; check the port and the STARTTLS protocol',
  closed: 'the server hung up early; check its log (it may limit connections or reject this client)',
};

export class NetError extends MailcertError {
  constructor(
    readonly kind: NetErrorKind,
    readonly step: NetStep,
    readonly host: string,
    readonly port: number,
    /** What happened, without the host or step (they are added in front). */
    readonly detail: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(`${hostPort(host, port)}: ${step}: ${oneLine(detail)}`, ExitCode.network, options?.hint ?? HINTS[kind], {
      cause: options?.cause,
    });
  }
}

/** `host:port`, with IPv6 literals in brackets (RFC 3986 §3.2.2) so the port stays readable. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Messages are one line (CLI.md); server text and OpenSSL reasons may carry newlines. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
