/**
 * A small scripted mail server on 127.0.0.1 for what no real server does on purpose (STYLE.md 8):
 * STARTTLS stripped from EHLO / CAPABILITY / CAPA / the Sieve greeting, STARTTLS refused,
 * plaintext injected right after the go-ahead in the same write, multi-line `220-` greetings,
 * `* PREAUTH`, `* BYE`, silence, hanging up after the greeting, overlong lines and endless
 * replies. The happy paths follow the Dovecot and Postfix transcripts of
 * shared/reference/mail-servers.md §4, so a client that passes here talks to them too.
 *
 *   const server = await startFakeServer({ protocol: 'smtp', inject: '250 forged\r\n' }, identity);
 *   after(() => server.close());
 *
 * It has no side effects on import (Node 20's `--test DIR` also runs helper files).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { makeTestCa } from '../helpers/ca.js';
import { runOk } from '../helpers/tools.js';

export type FakeProtocol = 'smtp' | 'lmtp' | 'imap' | 'pop3' | 'sieve';

export interface Scenario {
  protocol: FakeProtocol;
  /** How the session opens; default 'normal'. 'refuse' is 554 / `* BYE` / -ERR / BYE. */
  greeting?: 'normal' | 'multiline' | 'preauth' | 'refuse' | 'silent' | 'close';
  /** Advertise STARTTLS / STLS (default true); when false the command is also answered with an error. */
  offer?: boolean;
  /** Advertise it but answer 454 / BAD / -ERR / NO. */
  refuse?: boolean;
  /** Bytes written together with the go-ahead line, in the same write (one packet on loopback). */
  inject?: string;
  /** After the go-ahead: start TLS (default), or hold the connection and never answer the ClientHello. */
  afterGoAhead?: 'tls' | 'stall';
  /** IMAP: put `[CAPABILITY ...]` in the greeting instead of waiting for `a1 CAPABILITY`. */
  imapGreetingCapabilities?: boolean;
  /** Extra plaintext capability lines (overlong lines, floods). */
  extraCapabilities?: string[];
  /** TLS from the first byte (SMTPS / IMAPS / POP3S style), then the greeting inside TLS. */
  implicit?: boolean;
  /** The whole greeting as sent, CRLFs included, instead of the script's (hostile text, say). */
  greetingText?: string;
  /** The refusal sent when `refuse` is set, instead of the script's (SMTP only). */
  refuseText?: string;
  /** Wait this long before the greeting and before each answer: a slow server at every step. */
  replyDelayMs?: number;
  /** With replyDelayMs: be slow only inside TLS (the greeting and answers after the handshake). */
  slowInsideTlsOnly?: boolean;
}

export interface TlsIdentity {
  key: string;
  /** PEM certificates exactly as the server sends them (leaf first). */
  chain: string;
}

export interface FakeConnection {
  /** When the connection was accepted and when it closed (performance.now() of the test process). */
  openedAt: number;
  closedAt: number | undefined;
  /** Lines the client sent, and whether they came inside TLS. */
  received: { tls: boolean; line: string }[];
  /** The SNI the client sent (false: none); undefined until TLS. */
  servername: string | false | undefined;
  /** Bytes that came from the client after an injected go-ahead or a stalled one (e.g. a ClientHello). */
  bytesAfterGoAhead: number;
  /** Whether the client sent anything before the last line of a multi-line greeting (pitfall 4). */
  earlyTalker: boolean;
  /** Resolves when the client's connection is gone. */
  closed: Promise<void>;
}

export interface FakeServer {
  port: number;
  connections: FakeConnection[];
  close(): Promise<void>;
}

const NAME = 'fake.test';

/** One client connection on the server side: a line reader that can switch to TLS. */
class Conn implements FakeConnection {
  readonly openedAt = performance.now();
  closedAt: number | undefined;
  received: { tls: boolean; line: string }[] = [];
  servername: string | false | undefined;
  bytesAfterGoAhead = 0;
  earlyTalker = false;
  bytesReceived = 0;
  readonly closed: Promise<void>;
  private socket: Socket | TLSSocket;
  private tls = false;
  private buffer = '';
  private ended = false;
  private waiter: ((line: string | undefined) => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.bytesReceived += chunk.length;
    this.buffer += chunk.toString('latin1');
    this.pump();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.pump();
  };

  constructor(private readonly raw: Socket) {
    this.socket = raw;
    this.closed = new Promise((resolve) =>
      raw.once('close', () => {
        this.closedAt = performance.now();
        resolve();
      }),
    );
    raw.on('error', () => {});
    this.listen(raw);
  }

  readLine(): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.pump();
    });
  }

  send(text: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(text);
  }

  end(): void {
    this.socket.end();
  }

  /** Server side of the handshake; false when the client gave up. */
  async startTls(context: SecureContext): Promise<boolean> {
    this.unlisten(this.socket);
    this.buffer = '';
    const secure = new TLSSocket(this.raw, { isServer: true, secureContext: context });
    secure.on('error', () => {});
    const ok = await new Promise<boolean>((resolve) => {
      secure.once('secure', () => resolve(true));
      secure.once('close', () => resolve(false));
    });
    if (!ok) return false;
    this.tls = true;
    this.servername = secure.servername ?? false;
    this.socket = secure;
    this.ended = false;
    this.listen(secure);
    return true;
  }

  /** Stop talking: only count what the client still sends (it should send nothing after an injection). */
  countOnly(): void {
    this.unlisten(this.socket);
    this.raw.on('data', (chunk: Buffer) => {
      this.bytesAfterGoAhead += chunk.length;
    });
    this.raw.resume();
  }

  private listen(s: Socket): void {
    s.on('data', this.onData);
    s.on('end', this.onEnd);
  }

  private unlisten(s: Socket): void {
    s.off('data', this.onData);
    s.off('end', this.onEnd);
    s.pause();
  }

  private pump(): void {
    if (this.waiter === undefined) return;
    const lf = this.buffer.indexOf('\n');
    if (lf >= 0) {
      const line = this.buffer.slice(0, lf).replace(/\r$/, '');
      this.buffer = this.buffer.slice(lf + 1);
      this.received.push({ tls: this.tls, line });
      const w = this.waiter;
      this.waiter = undefined;
      w(line);
    } else if (this.ended) {
      const w = this.waiter;
      this.waiter = undefined;
      w(undefined);
    }
  }

  get secure(): boolean {
    return this.tls;
  }
}

export async function startFakeServer(scenario: Scenario, identity?: TlsIdentity): Promise<FakeServer> {
  const context = identity === undefined ? undefined : createSecureContext({ key: identity.key, cert: identity.chain });
  const connections: Conn[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((raw) => {
    sockets.add(raw);
    raw.once('close', () => sockets.delete(raw));
    const conn = new Conn(raw);
    connections.push(conn);
    serve(conn, scenario, context).catch(() => raw.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake server: no port');
  return {
    port: address.port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function serve(conn: Conn, s: Scenario, context: SecureContext | undefined): Promise<void> {
  if (s.implicit === true) {
    if (context === undefined || !(await conn.startTls(context))) return;
  }
  const script = SCRIPTS[s.protocol];
  const greeting = s.greeting ?? 'normal';
  if (greeting === 'silent') return;
  // A slow server's wait ends when the client hangs up, so no timer of ours outlives the connection.
  const hungUp = new AbortController();
  void conn.closed.then(() => hungUp.abort());
  /** Waits like a slow server; false when the client hung up meanwhile. */
  const slow = async (): Promise<boolean> => {
    if (s.replyDelayMs === undefined || (s.slowInsideTlsOnly === true && !conn.secure)) return true;
    return delay(s.replyDelayMs, true, { signal: hungUp.signal }).catch(() => false);
  };
  if (!(await slow())) return;
  const text = s.greetingText ?? script.greeting(greeting, s, conn.secure);
  if (greeting === 'multiline') {
    // The last line comes later, as postscreen does; a client must not talk before it.
    const cut = text.lastIndexOf('\r\n', text.length - 3) + 2;
    conn.send(text.slice(0, cut));
    await delay(150);
    conn.earlyTalker = conn.bytesReceived > 0;
    conn.send(text.slice(cut));
  } else conn.send(text);
  if (greeting === 'close' || greeting === 'refuse') {
    conn.end();
    return;
  }
  for (;;) {
    const line = await conn.readLine();
    if (line === undefined) return;
    if (!(await slow())) return;
    const answer = script.answer(line, s, conn.secure);
    if (answer.kind === 'reply') {
      conn.send(answer.text);
      if (answer.end === true) {
        conn.end();
        return;
      }
      continue;
    }
    // The go-ahead, and whatever is injected with it, leave in one write.
    conn.send(answer.text + (s.inject ?? ''));
    if (s.inject !== undefined || s.afterGoAhead === 'stall' || context === undefined) {
      conn.countOnly();
      return;
    }
    if (!(await conn.startTls(context))) return;
    if (script.afterTls !== undefined) conn.send(script.afterTls());
  }
}

type Answer = { kind: 'reply'; text: string; end?: boolean } | { kind: 'go-ahead'; text: string };

interface Script {
  greeting(kind: NonNullable<Scenario['greeting']>, s: Scenario, secure: boolean): string;
  answer(line: string, s: Scenario, secure: boolean): Answer;
  /** What the server sends unasked once TLS is up (ManageSieve, RFC 5804 §2.2). */
  afterTls?: () => string;
}

const reply = (text: string, end?: boolean): Answer => (end === true ? { kind: 'reply', text, end } : { kind: 'reply', text });
const offered = (s: Scenario, secure: boolean): boolean => s.offer !== false && !secure;

function smtpScript(hello: 'EHLO' | 'LHLO'): Script {
  return {
    greeting: (kind) => {
      if (kind === 'multiline') return `220-${NAME} ESMTP\r\n220-please wait for the whole greeting\r\n220 ${NAME} ready\r\n`;
      if (kind === 'refuse') return `554 5.3.2 ${NAME} no SMTP service here\r\n`;
      return hello === 'LHLO' ? `220 ${NAME} Dovecot (Debian) ready.\r\n` : `220 ${NAME} ESMTP Postfix (Debian/GNU)\r\n`;
    },
    answer(line, s, secure) {
      const verb = (line.split(' ')[0] ?? '').toUpperCase();
      if (verb === hello) {
        const caps = ['PIPELINING', 'SIZE 10240000', ...(offered(s, secure) ? ['STARTTLS'] : []), ...(secure ? ['AUTH PLAIN LOGIN'] : []), ...(secure ? [] : (s.extraCapabilities ?? [])), '8BITMIME'];
        return reply([NAME, ...caps].map((c, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${c}\r\n`).join(''));
      }
      if (verb === 'STARTTLS') {
        if (secure) return reply('554 5.5.1 Error: TLS already active\r\n');
        if (s.offer === false) return reply('502 5.5.1 Error: command not implemented\r\n');
        if (s.refuse === true) return reply(s.refuseText ?? '454 4.7.0 TLS not available due to local problem\r\n');
        return { kind: 'go-ahead', text: hello === 'LHLO' ? '220 2.0.0 Begin TLS negotiation now.\r\n' : '220 2.0.0 Ready to start TLS\r\n' };
      }
      if (verb === 'QUIT') return reply('221 2.0.0 Bye\r\n', true);
      return reply('502 5.5.2 Error: command not recognized\r\n');
    },
  };
}

const imapScript: Script = {
  greeting: (kind, s, secure) => {
    if (kind === 'preauth') return '* PREAUTH [CAPABILITY IMAP4rev1] Logged in as fake\r\n';
    if (kind === 'refuse') return '* BYE Too many connections\r\n';
    const caps = `IMAP4rev1 SASL-IR${offered(s, secure) ? ' STARTTLS' : ''}${secure ? ' AUTH=PLAIN' : ' LOGINDISABLED'}`;
    return s.imapGreetingCapabilities === true ? `* OK [CAPABILITY ${caps}] Dovecot (Debian) ready.\r\n` : '* OK Dovecot (Debian) ready.\r\n';
  },
  answer(line, s, secure) {
    const [tag = '', command = ''] = line.split(' ');
    switch (command.toUpperCase()) {
      case 'CAPABILITY': {
        const caps = `IMAP4rev1 SASL-IR${offered(s, secure) ? ' STARTTLS' : ''}${secure ? ' AUTH=PLAIN' : ' LOGINDISABLED'}`;
        const extra = secure ? '' : (s.extraCapabilities ?? []).map((c) => `* ${c}\r\n`).join('');
        return reply(`${extra}* CAPABILITY ${caps}\r\n${tag} OK Pre-login capabilities listed, post-login capabilities have more.\r\n`);
      }
      case 'STARTTLS':
        if (s.offer === false || s.refuse === true || secure) return reply(`${tag} BAD TLS support isn't enabled.\r\n`);
        // An untagged line before the tagged completion is legal (RFC 3501 §2.2.2).
        return { kind: 'go-ahead', text: `* OK [ALERT] untagged data before the completion\r\n${tag} OK Begin TLS negotiation now.\r\n` };
      case 'LOGOUT':
        return reply(`* BYE Logging out\r\n${tag} OK Logout completed.\r\n`, true);
      default:
        return reply(`${tag} BAD Error in IMAP command received by server.\r\n`);
    }
  },
};

const pop3Script: Script = {
  greeting: (kind) => (kind === 'refuse' ? '-ERR [SYS/TEMP] Too many connections\r\n' : '+OK Dovecot (Debian) ready.\r\n'),
  answer(line, s, secure) {
    switch (line.toUpperCase()) {
      case 'CAPA': {
        const caps = ['CAPA', 'TOP', 'UIDL', 'RESP-CODES', ...(offered(s, secure) ? ['STLS'] : []), ...(secure ? ['SASL PLAIN'] : ['..DOT-STUFFED']), 'USER'];
        const extra = secure ? [] : (s.extraCapabilities ?? []);
        return reply(`+OK\r\n${[...caps, ...extra].join('\r\n')}\r\n.\r\n`);
      }
      case 'STLS':
        if (s.offer === false || s.refuse === true || secure) return reply("-ERR TLS support isn't enabled.\r\n");
        return { kind: 'go-ahead', text: '+OK Begin TLS negotiation now.\r\n' };
      case 'QUIT':
        return reply('+OK Logging out.\r\n', true);
      default:
        return reply('-ERR Unknown command.\r\n');
    }
  },
};

function sieveCapabilities(s: Scenario, secure: boolean, end: string): string {
  const caps = ['"IMPLEMENTATION" "Dovecot Pigeonhole"', '"SIEVE" "fileinto reject envelope vacation"', '"NOTIFY" "mailto"', `"SASL" "${secure ? 'PLAIN LOGIN' : ''}"`];
  if (offered(s, secure)) caps.push('"STARTTLS"');
  if (!secure) caps.push(...(s.extraCapabilities ?? []));
  caps.push('"VERSION" "1.0"', end);
  return caps.map((c) => `${c}\r\n`).join('');
}

const sieveScript: Script = {
  greeting: (kind, s, secure) => (kind === 'refuse' ? 'BYE "Too many connections"\r\n' : sieveCapabilities(s, secure, 'OK "Dovecot ready."')),
  answer(line, s, secure) {
    switch (line.toUpperCase()) {
      case 'CAPABILITY':
        return reply(sieveCapabilities(s, secure, 'OK "Capability completed."'));
      case 'STARTTLS':
        if (s.offer === false || s.refuse === true || secure) return reply('NO "TLS is not available."\r\n');
        return { kind: 'go-ahead', text: 'OK "Begin TLS negotiation now."\r\n' };
      case 'LOGOUT':
        return reply('OK "Logout completed."\r\n', true);
      default:
        return reply('NO "Unknown command."\r\n');
    }
  },
  afterTls: () => sieveCapabilities({ protocol: 'sieve' }, true, 'OK "TLS negotiation successful."'),
};

const SCRIPTS: Record<FakeProtocol, Script> = {
  smtp: smtpScript('EHLO'),
  lmtp: smtpScript('LHLO'),
  imap: imapScript,
  pop3: pop3Script,
  sieve: sieveScript,
};

/** What the tests serve and trust, all made by openssl: root -> intermediate -> leaf, and an unrelated self-signed one. */
export interface TestPki {
  key: string;
  leafPem: string;
  interPem: string;
  rootPem: string;
  otherPem: string;
  leafDer: Uint8Array;
  interDer: Uint8Array;
  rootDer: Uint8Array;
  otherDer: Uint8Array;
}

/** The leaf is for mail.fake.test and 127.0.0.1; EC keys keep openssl quick. */
export function makeTestPki(dir: string): TestPki {
  const ca = makeTestCa(dir, 'ec');
  const p = (n: string): string => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  runOk('openssl', ['req', ...ec, '-keyout', p('leaf.key'), '-out', p('leaf.csr'), '-subj', '/CN=mail.fake.test']);
  const leaf = ca.sign(p('leaf.csr'), 'leaf.pem', 'DNS:mail.fake.test,IP:127.0.0.1');
  runOk('openssl', ['req', '-x509', ...ec, '-keyout', p('other.key'), '-out', p('other.pem'), '-days', '30', '-subj', '/CN=Unrelated Test Root']);
  const der = (pemPath: string): Uint8Array => new Uint8Array(runOk('openssl', ['x509', '-in', pemPath, '-outform', 'DER']).stdoutBytes);
  return {
    key: readFileSync(p('leaf.key'), 'utf8'),
    leafPem: readFileSync(leaf, 'utf8'),
    interPem: readFileSync(ca.interPem, 'utf8'),
    rootPem: readFileSync(ca.rootPem, 'utf8'),
    otherPem: readFileSync(p('other.pem'), 'utf8'),
    leafDer: der(leaf),
    interDer: der(ca.interPem),
    rootDer: der(ca.rootPem),
    otherDer: der(p('other.pem')),
  };
}
