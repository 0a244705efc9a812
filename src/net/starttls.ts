/**
 * The plaintext half of `verify --connect`: a hand-written STARTTLS negotiator for SMTP
 * (RFC 3207), LMTP (RFC 2033 + the same STARTTLS), IMAP (RFC 3501 §6.2.1, RFC 2595), POP3
 * (RFC 2595 §4, RFC 2449 CAPA) and ManageSieve (RFC 5804 §2.2), and the short conversation
 * inside TLS afterwards (capabilities again, then QUIT / LOGOUT).
 *
 * Every protocol goes through the same code path (Negotiator.startTls / secured / goodbye);
 * a Dialect only says how its replies look. The rules that make this a checker and not a
 * mail client (shared/reference/mail-servers.md §4, "security pitfalls"):
 * - read line by line, each line at most 8 KiB, each reply at most 1000 lines, each phase under
 *   its own timeout, and the full greeting before talking (a multi-line `220-` greeting);
 * - a missing STARTTLS / STLS capability or a refusal is an error, never a plaintext success,
 *   and STARTTLS is not even tried when it is not advertised;
 * - after the go-ahead line, any byte already received is response injection (Venema 2011,
 *   CVE-2011-0411; "Why TLS is better without STARTTLS", USENIX Security 2021): abort, never
 *   hand those bytes to TLS or to the user;
 * - inside TLS, forget what was learned in plaintext and ask again (RFC 3207 §4.2, RFC 2595
 *   §3.1, RFC 5804 §2.2 where the server re-sends its capabilities by itself).
 */
import type { Duplex } from 'node:stream';
import { LineChannel, type Peer } from './line-channel.js';

export type MailProtocol = 'smtp' | 'lmtp' | 'imap' | 'pop3' | 'sieve';

interface Greeting {
  lines: string[];
  /** Capabilities the greeting itself carries (IMAP `[CAPABILITY ...]`, the Sieve greeting). */
  capabilities?: string[];
}

/** How one protocol looks on the wire; the Negotiator drives all of them the same way. */
interface Dialect {
  /** The protocol it speaks now (an SMTP dialect that met an LMTP server speaks LMTP). */
  readonly spoken: MailProtocol;
  /** The command that starts TLS, also the step name in errors. */
  readonly startTlsCommand: 'STARTTLS' | 'STLS';
  /** ManageSieve re-sends its capabilities after the handshake, unasked (RFC 5804 §2.2). */
  readonly resendsCapabilitiesAfterTls: boolean;
  greeting(ch: LineChannel): Promise<Greeting>;
  /** Capabilities from the greeting when it has them, else by asking. */
  capabilities(ch: LineChannel, greeting: Greeting | undefined): Promise<string[]>;
  offersStartTls(capabilities: readonly string[]): boolean;
  /** What the capabilities let a client authenticate with (mechanisms, LOGIN, USER); [] for nothing. */
  authOffered(capabilities: readonly string[]): string[];
  /** Sends the command and returns the go-ahead line; a refusal is a NetError. */
  startTls(ch: LineChannel): Promise<string>;
  /** Sends QUIT / LOGOUT and reads the answer. */
  quit(ch: LineChannel): Promise<void>;
}

const firstWord = (s: string): string => (s.split(' ')[0] ?? '').toUpperCase();

// ---- SMTP and LMTP (RFC 5321 §4.2, RFC 3207, RFC 2033) ----

interface SmtpReply {
  code: number;
  texts: string[];
  last: string;
}

/** A reply is `ddd-text` lines ending with one `ddd text` (RFC 5321 §4.2.1), all with the same code. */
async function readSmtpReply(ch: LineChannel): Promise<SmtpReply> {
  const texts: string[] = [];
  let code: string | undefined;
  for (;;) {
    const line = await ch.readLine();
    const m = /^(\d{3})(?:([ -])(.*))?$/.exec(line);
    if (m?.[1] === undefined) throw ch.error('protocol', `not an SMTP reply: "${line}"`);
    if (code !== undefined && m[1] !== code) throw ch.error('protocol', `reply code changed within one reply: "${line}"`);
    code = m[1];
    texts.push(m[3] ?? '');
    if (m[2] !== '-') return { code: Number(code), texts, last: line };
  }
}

/**
 * SMTP, or LMTP with LHLO. `orLmtp`: the protocol was only guessed from a 220 greeting, which LMTP
 * sends too (Dovecot's says no more than "ready"); when EHLO is refused as unknown (500/502, RFC
 * 5321 §4.2.4), LHLO is tried on the same session (RFC 2033 §4.1) and the dialect speaks LMTP.
 */
function smtpDialect(first: 'EHLO' | 'LHLO', orLmtp = false): Dialect {
  let hello = first;
  return {
    get spoken(): MailProtocol {
      return hello === 'LHLO' ? 'lmtp' : 'smtp';
    },
    startTlsCommand: 'STARTTLS',
    resendsCapabilitiesAfterTls: false,
    async greeting(ch) {
      ch.phase('greeting');
      // Read up to the final "220 " line: postscreen sends "220-" first to catch clients that
      // talk early (mail-servers.md §3), and a multi-line greeting is legal (RFC 5321 §4.2).
      const reply = await readSmtpReply(ch);
      if (reply.code === 220) return { lines: reply.texts };
      // 554 (no service) and 421 (closing) are the server saying no (RFC 5321 §3.1, §4.2.3).
      if (reply.code === 554 || reply.code === 421) throw ch.error('refused', `the server refused the session: "${reply.last}"`);
      throw ch.error('protocol', `unexpected greeting: "${reply.last}"`);
    },
    async capabilities(ch) {
      ch.phase(hello);
      ch.send(`${hello} ${ch.clientName}`);
      let reply = await readSmtpReply(ch);
      if (orLmtp && hello === 'EHLO' && (reply.code === 500 || reply.code === 502)) {
        hello = 'LHLO';
        ch.phase(hello);
        ch.send(`${hello} ${ch.clientName}`);
        reply = await readSmtpReply(ch);
      }
      if (reply.code !== 250) {
        // STARTTLS is an ESMTP extension (RFC 3207 §4): without a working EHLO there is none.
        throw ch.error(ch.tls ? 'protocol' : 'starttls-not-offered', `${hello} was answered "${reply.last}"`);
      }
      // The first line is the server's name, not a capability.
      return reply.texts.slice(1);
    },
    offersStartTls: (caps) => caps.some((c) => firstWord(c) === 'STARTTLS'),
    // RFC 4954 §3: "AUTH PLAIN LOGIN"; old servers also say "AUTH=PLAIN LOGIN".
    authOffered: (caps) => caps.flatMap((c) => (/^AUTH[ =]/i.test(c) ? c.slice(5).split(' ').filter((m) => m !== '').map((m) => `AUTH ${m.toUpperCase()}`) : [])),
    async startTls(ch) {
      ch.phase('STARTTLS');
      ch.send('STARTTLS');
      const reply = await readSmtpReply(ch);
      // RFC 3207 §4: 220 to go ahead; 454 (TLS not available) or 501; Postfix says 502 when disabled.
      if (reply.code !== 220) throw ch.error('starttls-refused', `the server answered "${reply.last}"`);
      return reply.last;
    },
    async quit(ch) {
      ch.send('QUIT');
      await readSmtpReply(ch);
    },
  };
}

// ---- IMAP (RFC 3501 §6.2.1, §7.1; RFC 2595 §3.1) ----

interface Tagged {
  status: 'OK' | 'NO' | 'BAD';
  line: string;
  capabilities: string[];
}

function imapDialect(): Dialect {
  let counter = 0;
  const nextTag = (): string => `a${++counter}`;

  /** Untagged lines may come before the tagged completion (RFC 3501 §2.2.2); collect CAPABILITY ones. */
  async function readTagged(ch: LineChannel, tag: string): Promise<Tagged> {
    const capabilities: string[] = [];
    for (;;) {
      const line = await ch.readLine();
      if (line.startsWith(`${tag} `)) {
        const status = firstWord(line.slice(tag.length + 1));
        if (status === 'OK' || status === 'NO' || status === 'BAD') return { status, line, capabilities };
        throw ch.error('protocol', `not an IMAP completion: "${line}"`);
      }
      const cap = /^\* CAPABILITY (.*)$/i.exec(line);
      if (cap?.[1] !== undefined) capabilities.push(...cap[1].split(' ').filter((a) => a !== ''));
      else if (!line.startsWith('* ')) throw ch.error('protocol', `unexpected line: "${line}"`);
    }
  }

  return {
    spoken: 'imap',
    startTlsCommand: 'STARTTLS',
    resendsCapabilitiesAfterTls: false,
    async greeting(ch) {
      ch.phase('greeting');
      const line = await ch.readLine();
      const m = /^\* (OK|PREAUTH|BYE)\b ?(.*)$/i.exec(line);
      const kind = m?.[1]?.toUpperCase();
      if (kind === 'BYE') throw ch.error('refused', `the server refused the session: "${line}"`);
      if (kind === 'PREAUTH' && !ch.tls) {
        // Already authenticated in plaintext: STARTTLS is no longer allowed (RFC 3501 §6.2.1),
        // and carrying on would be the downgrade bug of the USENIX 2021 paper.
        throw ch.error('preauth', `the server pre-authenticated the plaintext session: "${line}"`);
      }
      if (kind === undefined) throw ch.error('protocol', `not an IMAP greeting: "${line}"`);
      const code = /^\[CAPABILITY ([^\]]*)\]/i.exec(m?.[2] ?? '');
      return code?.[1] === undefined ? { lines: [line] } : { lines: [line], capabilities: code[1].split(' ').filter((a) => a !== '') };
    },
    async capabilities(ch, greeting) {
      if (greeting?.capabilities !== undefined) return greeting.capabilities;
      ch.phase('CAPABILITY');
      const tag = nextTag();
      ch.send(`${tag} CAPABILITY`);
      const done = await readTagged(ch, tag);
      if (done.status !== 'OK') throw ch.error('protocol', `CAPABILITY failed: "${done.line}"`);
      return done.capabilities;
    },
    offersStartTls: (caps) => caps.some((c) => c.toUpperCase() === 'STARTTLS'),
    // RFC 3501 §6.2.3: LOGIN works unless LOGINDISABLED is advertised; AUTHENTICATE takes the AUTH= mechanisms.
    authOffered: (caps) => [
      ...caps.filter((c) => /^AUTH=/i.test(c)).map((c) => c.toUpperCase()),
      ...(caps.some((c) => c.toUpperCase() === 'LOGINDISABLED') ? [] : ['LOGIN (no LOGINDISABLED)']),
    ],
    async startTls(ch) {
      ch.phase('STARTTLS');
      const tag = nextTag();
      ch.send(`${tag} STARTTLS`);
      const done = await readTagged(ch, tag);
      // Dovecot without TLS says "a2 BAD TLS support isn't enabled." (mail-servers.md §4).
      if (done.status !== 'OK') throw ch.error('starttls-refused', `the server answered "${done.line}"`);
      return done.line;
    },
    async quit(ch) {
      const tag = nextTag();
      ch.send(`${tag} LOGOUT`);
      await readTagged(ch, tag);
    },
  };
}

// ---- POP3 (RFC 1939, RFC 2449 CAPA, RFC 2595 §4 STLS) ----

function pop3Dialect(): Dialect {
  return {
    spoken: 'pop3',
    startTlsCommand: 'STLS',
    resendsCapabilitiesAfterTls: false,
    async greeting(ch) {
      ch.phase('greeting');
      const line = await ch.readLine();
      if (/^\+OK\b/.test(line)) return { lines: [line] };
      if (/^-ERR\b/.test(line)) throw ch.error('refused', `the server refused the session: "${line}"`);
      throw ch.error('protocol', `not a POP3 greeting: "${line}"`);
    },
    async capabilities(ch) {
      ch.phase('CAPA');
      ch.send('CAPA');
      const first = await ch.readLine();
      // Old servers answer -ERR to CAPA; STLS may still work there, but a checker can only
      // report what is advertised (mail-servers.md §4): no list means no STLS.
      if (/^-ERR\b/.test(first)) return [];
      if (!/^\+OK\b/.test(first)) throw ch.error('protocol', `not a CAPA answer: "${first}"`);
      const caps: string[] = [];
      for (;;) {
        const line = await ch.readLine();
        if (line === '.') return caps;
        // Multi-line responses are dot-stuffed (RFC 1939 §3).
        caps.push(line.startsWith('.') ? line.slice(1) : line);
      }
    },
    offersStartTls: (caps) => caps.some((c) => firstWord(c) === 'STLS'),
    // RFC 2449 §6.3 SASL (its mechanisms) and §6.8 USER (USER/PASS, the password in the clear).
    authOffered: (caps) =>
      caps.flatMap((c) => {
        const word = firstWord(c);
        if (word === 'USER') return ['USER'];
        return word === 'SASL' ? c.split(' ').slice(1).filter((m) => m !== '').map((m) => `SASL ${m.toUpperCase()}`) : [];
      }),
    async startTls(ch) {
      ch.phase('STLS');
      ch.send('STLS');
      const line = await ch.readLine();
      if (/^\+OK\b/.test(line)) return line;
      if (/^-ERR\b/.test(line)) throw ch.error('starttls-refused', `the server answered "${line}"`);
      throw ch.error('protocol', `not an STLS answer: "${line}"`);
    },
    async quit(ch) {
      ch.send('QUIT');
      await ch.readLine();
    },
  };
}

// ---- ManageSieve (RFC 5804) ----

/** The quoted strings of a capability line, `"SASL" "PLAIN LOGIN"` -> ["SASL", "PLAIN LOGIN"] (RFC 5804 §1.8). */
function quotedStrings(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
}

const sieveResponse = (line: string): string | undefined => /^(OK|NO|BYE)\b/i.exec(line)?.[1]?.toUpperCase();

/** Capability lines until OK (RFC 5804 §1.7): the greeting, the CAPABILITY answer and the re-sent list after TLS. */
async function readSieveCapabilities(ch: LineChannel): Promise<Greeting> {
  const lines: string[] = [];
  const capabilities: string[] = [];
  for (;;) {
    const line = await ch.readLine();
    lines.push(line);
    const response = sieveResponse(line);
    if (response === 'OK') return { lines, capabilities };
    if (response !== undefined) throw ch.error('refused', `the server refused the session: "${line}"`);
    if (!line.startsWith('"')) throw ch.error('protocol', `not a ManageSieve capability line: "${line}"`);
    capabilities.push(quotedStrings(line).join(' ').trim());
  }
}

function sieveDialect(): Dialect {
  return {
    spoken: 'sieve',
    startTlsCommand: 'STARTTLS',
    resendsCapabilitiesAfterTls: true,
    async greeting(ch) {
      // The greeting is the capability list (RFC 5804 §1.7).
      ch.phase('greeting');
      return readSieveCapabilities(ch);
    },
    async capabilities(ch, greeting) {
      if (greeting?.capabilities !== undefined) return greeting.capabilities;
      ch.phase('CAPABILITY');
      ch.send('CAPABILITY');
      return (await readSieveCapabilities(ch)).capabilities ?? [];
    },
    offersStartTls: (caps) => caps.some((c) => firstWord(c) === 'STARTTLS'),
    // RFC 5804 §1.7: "SASL" followed by the mechanisms, an empty string when there are none.
    authOffered: (caps) => caps.flatMap((c) => (firstWord(c) === 'SASL' ? c.split(' ').slice(1).filter((m) => m !== '').map((m) => `SASL ${m.toUpperCase()}`) : [])),
    async startTls(ch) {
      ch.phase('STARTTLS');
      ch.send('STARTTLS');
      const line = await ch.readLine();
      const response = sieveResponse(line);
      if (response === 'OK') return line;
      if (response !== undefined) throw ch.error('starttls-refused', `the server answered "${line}"`);
      throw ch.error('protocol', `not a ManageSieve response: "${line}"`);
    },
    async quit(ch) {
      ch.send('LOGOUT');
      for (;;) if (sieveResponse(await ch.readLine()) !== undefined) return;
    },
  };
}

function dialectFor(protocol: MailProtocol, guessed: boolean): Dialect {
  switch (protocol) {
    case 'smtp':
      return smtpDialect('EHLO', guessed);
    case 'lmtp':
      // RFC 2033 §4.1: LHLO replaces EHLO; the rest (and Dovecot's STARTTLS) is SMTP's.
      return smtpDialect('LHLO');
    case 'imap':
      return imapDialect();
    case 'pop3':
      return pop3Dialect();
    case 'sieve':
      return sieveDialect();
  }
}

export interface PlaintextResult {
  /** The greeting lines, as received (unauthenticated: anyone on the path could have written them). */
  greeting: string[];
  /** The capabilities advertised in plaintext (to be forgotten once TLS is up). */
  capabilities: string[];
  /** The ways to authenticate those capabilities offer in plaintext (a password readable on the path); [] for none. */
  authOffered: string[];
  /** The line that said go ahead ("220 2.0.0 Ready to start TLS", "a2 OK ...", "+OK ...", "OK ..."). */
  goAhead: string;
}

export interface SecuredResult {
  /** The greeting read inside TLS: implicit TLS, and ManageSieve's re-sent capability list. */
  greeting?: string[];
  /** Capabilities as the server states them inside TLS. */
  capabilities: string[];
}

/**
 * One mail session, plaintext then TLS. A class because the dialect keeps state across the TLS
 * switch (IMAP tags go on: a1, a2 before, a3, a4 after) and the live channel must be released.
 */
export class Negotiator {
  private readonly dialect: Dialect;
  private channel: LineChannel | undefined;

  /** `guessed`: the protocol was told by a greeting, not by the user or the port (an SMTP one may turn out LMTP). */
  constructor(
    readonly protocol: MailProtocol,
    private readonly peer: Peer,
    guessed = false,
  ) {
    this.dialect = dialectFor(protocol, guessed);
  }

  /** The protocol spoken: `protocol`, or LMTP where a guessed SMTP server wanted LHLO. */
  get spoken(): MailProtocol {
    return this.dialect.spoken;
  }

  /**
   * Greeting, capabilities, STARTTLS, go-ahead. Resolves with the socket paused, none of our
   * listeners left on it and nothing received beyond the go-ahead line, ready for
   * tls.connect({ socket }); every other outcome is a NetError.
   */
  async startTls(socket: Duplex): Promise<PlaintextResult> {
    const ch = this.open(socket, false);
    try {
      const greeting = await this.dialect.greeting(ch);
      const capabilities = await this.dialect.capabilities(ch, greeting);
      if (!this.dialect.offersStartTls(capabilities)) {
        // Never try it anyway and never go on in plaintext: a stripped capability is exactly
        // what a downgrade attack looks like (pitfall 2).
        throw ch.error('starttls-not-offered', `the capabilities do not list ${this.dialect.startTlsCommand}`);
      }
      const goAhead = await this.dialect.startTls(ch);
      const left = ch.detach();
      if (left > 0) {
        // Pitfall 1: whatever follows the go-ahead in plaintext was not protected by TLS, yet a
        // careless client would read it as the first TLS-era reply. Abort instead of discarding.
        throw ch.error('injection', `${left} byte(s) of plaintext followed "${goAhead}" before TLS started`);
      }
      return { greeting: greeting.lines, capabilities, authOffered: this.dialect.authOffered(capabilities), goAhead };
    } finally {
      this.release();
    }
  }

  /**
   * Inside TLS. After STARTTLS: capabilities asked again (ManageSieve: the re-sent list read
   * first, before sending anything). After implicit TLS: the greeting, then the capabilities.
   */
  async secured(tlsSocket: Duplex, mode: 'starttls' | 'implicit', ready?: Promise<void>): Promise<SecuredResult> {
    const ch = this.open(tlsSocket, true);
    const readsGreeting = mode === 'implicit' || this.dialect.resendsCapabilitiesAfterTls;
    // `ready`: the server's session ticket is in. Written before it, the first command's answer
    // waits behind the unacknowledged ticket for the delayed ACK (Nagle; mail-servers.md §4, 7).
    if (!readsGreeting && ready !== undefined) await ready;
    const greeting = readsGreeting ? await this.dialect.greeting(ch) : undefined;
    const capabilities = await this.dialect.capabilities(ch, greeting);
    return greeting === undefined ? { capabilities } : { greeting: greeting.lines, capabilities };
  }

  /** QUIT / LOGOUT on the TLS channel, waiting at most graceMs for the answer. Never throws. */
  async goodbye(graceMs: number): Promise<void> {
    const ch = this.channel;
    if (ch === undefined) return;
    try {
      ch.phase('QUIT', graceMs);
      await this.dialect.quit(ch);
    } catch {
      // The answer to QUIT tells nothing about the certificate; a server that hangs up first is fine.
    }
  }

  /** Removes our listeners and timers from the current socket (idempotent). */
  release(): void {
    this.channel?.detach();
    this.channel = undefined;
  }

  private open(socket: Duplex, tls: boolean): LineChannel {
    this.release();
    const ch = new LineChannel(socket, this.peer, tls);
    this.channel = ch;
    return ch;
  }
}
