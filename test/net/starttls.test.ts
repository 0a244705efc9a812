// The STARTTLS negotiator on its own, over plain sockets to the scripted fake server: each
// protocol's happy path up to the go-ahead (socket handed over paused, nothing buffered), and
// every adversarial case with its own NetError kind (mail-servers.md §4 pitfalls).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { addressLiteral, MAX_LINE_BYTES, type TranscriptLine } from '../../src/net/line-channel.js';
import { Negotiator, type MailProtocol } from '../../src/net/starttls.js';
import { NetError, type NetErrorKind } from '../../src/net/errors.js';
import { ExitCode, MailcertError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';
import { makeTestPki, startFakeServer, type FakeConnection, type FakeServer, type Scenario } from './fake-server.js';

const PROTOCOLS: readonly MailProtocol[] = ['smtp', 'lmtp', 'imap', 'pop3', 'sieve'];
const STARTTLS_WORD: Record<MailProtocol, string> = { smtp: 'STARTTLS', lmtp: 'STARTTLS', imap: 'STARTTLS', pop3: 'STLS', sieve: 'STARTTLS' };

const servers: FakeServer[] = [];
const sockets: Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(scenario: Scenario, identity?: { key: string; chain: string }): Promise<FakeServer> {
  const server = await startFakeServer(scenario, identity);
  servers.push(server);
  return server;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

interface Run {
  transcript: TranscriptLine[];
  socket: Socket;
  negotiator: Negotiator;
  conn: FakeConnection;
}

async function negotiate(scenario: Scenario, timeoutMs = 2000): Promise<Run & { result: Awaited<ReturnType<Negotiator['startTls']>> }> {
  const server = await serve(scenario);
  const socket = await open(server.port);
  const transcript: TranscriptLine[] = [];
  const negotiator = new Negotiator(scenario.protocol, { host: '127.0.0.1', port: server.port, timeoutMs, clientName: '[127.0.0.1]', transcript });
  const result = await negotiator.startTls(socket);
  const conn = server.connections[0];
  assert.ok(conn);
  return { transcript, socket, negotiator, conn, result };
}

/** Runs the negotiation expecting a NetError of `kind`; returns it with the server's view. */
async function failure(scenario: Scenario, kind: NetErrorKind, timeoutMs = 2000): Promise<{ error: NetError; conn: FakeConnection; transcript: TranscriptLine[]; socket: Socket }> {
  const server = await serve(scenario);
  const socket = await open(server.port);
  const transcript: TranscriptLine[] = [];
  const negotiator = new Negotiator(scenario.protocol, { host: '127.0.0.1', port: server.port, timeoutMs, clientName: '[127.0.0.1]', transcript });
  const error = await negotiator.startTls(socket).then(
    () => assert.fail(`expected ${kind}, the negotiation succeeded`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof NetError, `not a NetError: ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  socket.destroy();
  const conn = server.connections[0];
  assert.ok(conn);
  return { error, conn, transcript, socket };
}

const sentByClient = (conn: FakeConnection): string[] => conn.received.map((r) => r.line);

for (const protocol of PROTOCOLS) {
  const word = STARTTLS_WORD[protocol];

  test(`${protocol}: greeting, capabilities, ${word}, go-ahead; the socket is handed over paused and empty`, async () => {
    const { result, transcript, socket, conn } = await negotiate({ protocol });
    assert.ok(result.greeting.length >= 1);
    assert.ok(result.capabilities.some((c) => c.split(' ')[0] === word), result.capabilities.join(', '));
    assert.equal(socket.listenerCount('data'), 0);
    assert.equal(socket.isPaused(), true);
    assert.equal(socket.readableLength, 0);
    assert.equal(transcript.at(-1)?.line, result.goAhead);
    assert.ok(transcript.every((l) => !l.tls));
    assert.ok(sentByClient(conn).some((l) => l.toUpperCase().endsWith(word)));
    socket.destroy();
  });

  test(`${protocol}: ${word} not advertised is 'starttls-not-offered', and ${word} is never sent`, async () => {
    const { error, conn } = await failure({ protocol, offer: false }, 'starttls-not-offered');
    await conn.closed;
    assert.ok(!sentByClient(conn).some((l) => l.toUpperCase().endsWith(word)), sentByClient(conn).join(' | '));
    assert.match(error.message, new RegExp(`^127\\.0\\.0\\.1:\\d+: \\S+: the capabilities do not list ${word}$`));
  });

  test(`${protocol}: ${word} refused is 'starttls-refused'`, async () => {
    const { error } = await failure({ protocol, refuse: true }, 'starttls-refused');
    assert.equal(error.step, word);
    assert.match(error.message, /the server answered "(454 |a\d+ BAD|-ERR|NO )/);
    // The usual cause after a key change: the server's own user cannot read the key file.
    assert.match(error.hint ?? '', /its own user cannot read the key file \(Exim reads it as Debian-exim; a key written 0600 is root's alone\)/);
    assert.match(error.hint ?? '', /let the server's group read the key$/);
  });

  test(`${protocol}: plaintext injected with the go-ahead is 'injection', and nothing reaches TLS`, async () => {
    const { error, conn } = await failure({ protocol, inject: protocol === 'imap' ? 'a3 OK forged\r\n' : '250 forged\r\n' }, 'injection');
    assert.equal(error.step, word);
    await conn.closed;
    // The client hung up without a ClientHello: the forged bytes were never handed on.
    assert.equal(conn.bytesAfterGoAhead, 0);
  });

  test(`${protocol}: a refusing greeting is 'refused' at the greeting`, async () => {
    const { error } = await failure({ protocol, greeting: 'refuse' }, 'refused');
    assert.equal(error.step, 'greeting');
  });

  test(`${protocol}: silence is a 'timeout' at the greeting, within the timeout`, async () => {
    const started = Date.now();
    const { error } = await failure({ protocol, greeting: 'silent' }, 'timeout', 300);
    const elapsed = Date.now() - started;
    assert.equal(error.step, 'greeting');
    assert.ok(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);
    assert.match(error.message, /no answer within 300 ms/);
  });

  test(`${protocol}: a line over ${MAX_LINE_BYTES} bytes is a 'protocol' error`, async () => {
    const long = protocol === 'sieve' ? `"X-LONG" "${'x'.repeat(MAX_LINE_BYTES)}"` : `X-LONG ${'x'.repeat(MAX_LINE_BYTES)}`;
    const { error } = await failure({ protocol, extraCapabilities: [long], imapGreetingCapabilities: false }, 'protocol');
    assert.match(error.message, /a line longer than 8192 bytes/);
  });

  test(`${protocol}: an endless capability list is a 'protocol' error`, async () => {
    const many = Array.from({ length: 1500 }, (_, i) => (protocol === 'sieve' ? `"X-CAP-${i}"` : `X-CAP-${i}`));
    const { error } = await failure({ protocol, extraCapabilities: many }, 'protocol');
    assert.match(error.message, /more than 1000 lines in one reply/);
  });
}

test('smtp: a multi-line 220- greeting is read to its end before EHLO', async () => {
  const { result, conn, socket } = await negotiate({ protocol: 'smtp', greeting: 'multiline' });
  assert.equal(result.greeting.length, 3);
  assert.equal(conn.earlyTalker, false);
  assert.match(sentByClient(conn)[0] ?? '', /^EHLO \[127\.0\.0\.1\]$/);
  socket.destroy();
});

test('smtp: a server hanging up after the greeting is "closed" at EHLO', async () => {
  const { error } = await failure({ protocol: 'smtp', greeting: 'close' }, 'closed');
  assert.equal(error.step, 'EHLO');
});

test('lmtp: LHLO, not EHLO (RFC 2033 §4.1)', async () => {
  const { conn, socket } = await negotiate({ protocol: 'lmtp' });
  assert.deepEqual(sentByClient(conn), ['LHLO [127.0.0.1]', 'STARTTLS']);
  socket.destroy();
});

test('imap: a1 CAPABILITY when the greeting has none, untagged lines before the tagged OK', async () => {
  const { conn, result, transcript, socket } = await negotiate({ protocol: 'imap' });
  assert.deepEqual(sentByClient(conn), ['a1 CAPABILITY', 'a2 STARTTLS']);
  assert.equal(result.goAhead, 'a2 OK Begin TLS negotiation now.');
  assert.ok(transcript.some((l) => l.line.startsWith('* OK [ALERT]')));
  socket.destroy();
});

test('imap: capabilities from the greeting, no CAPABILITY command', async () => {
  const { conn, socket } = await negotiate({ protocol: 'imap', imapGreetingCapabilities: true });
  assert.deepEqual(sentByClient(conn), ['a1 STARTTLS']);
  socket.destroy();
});

test('imap: STARTTLS stripped from the greeting capabilities is not-offered', async () => {
  const { conn } = await failure({ protocol: 'imap', imapGreetingCapabilities: true, offer: false }, 'starttls-not-offered');
  await conn.closed;
  assert.deepEqual(sentByClient(conn), []);
});

test("imap: a '* PREAUTH' greeting is 'preauth' (RFC 3501 §6.2.1)", async () => {
  const { error, conn } = await failure({ protocol: 'imap', greeting: 'preauth' }, 'preauth');
  assert.equal(error.step, 'greeting');
  await conn.closed;
  assert.deepEqual(sentByClient(conn), []);
});

test('pop3: the CAPA list is dot-unstuffed', async () => {
  const { result, socket } = await negotiate({ protocol: 'pop3' });
  assert.ok(result.capabilities.includes('.DOT-STUFFED'));
  assert.ok(!result.capabilities.includes('.'));
  socket.destroy();
});

test('sieve: the greeting is the capability list; no command before STARTTLS', async () => {
  const { result, conn, socket } = await negotiate({ protocol: 'sieve' });
  assert.deepEqual(sentByClient(conn), ['STARTTLS']);
  assert.ok(result.capabilities.includes('IMPLEMENTATION Dovecot Pigeonhole'));
  assert.equal(result.greeting.at(-1), 'OK "Dovecot ready."');
  socket.destroy();
});

test('control characters in server text are escaped in the transcript', async () => {
  // The fake answers sanely, so a throwaway server sends the escape sequence.
  const evil = createServer((s) => {
    s.on('error', () => {});
    s.resume(); // read to EOF, or this side never closes and evil.close() never returns
    s.end('220 \u001b[31mred\u001b[0m\r\n');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const port = (evil.address() as AddressInfo).port;
  const socket = await open(port);
  const transcript: TranscriptLine[] = [];
  const n = new Negotiator('smtp', { host: '127.0.0.1', port, timeoutMs: 1000, clientName: '[127.0.0.1]', transcript });
  await assert.rejects(n.startTls(socket), NetError);
  socket.destroy();
  await new Promise<void>((resolve) => evil.close(() => resolve()));
  assert.equal(transcript[0]?.line, '220 \\x1b[31mred\\x1b[0m');
});

test('NetError is a MailcertError with exit code 5, a hint and a one-line message', async () => {
  const { error } = await failure({ protocol: 'pop3', refuse: true }, 'starttls-refused');
  assert.ok(error instanceof MailcertError);
  assert.equal(error.exitCode, ExitCode.network);
  assert.ok(error.hint !== undefined && error.hint.length > 0);
  assert.doesNotMatch(error.message, /\n/);
  assert.match(error.message, /^127\.0\.0\.1:\d+: STLS: the server answered "-ERR TLS support isn't enabled\."$/);
});

test('implicit TLS: the greeting and capabilities are read inside TLS', async () => {
  const pki = makeTestPki(tempDir('mailcert-net-'));
  for (const protocol of PROTOCOLS) {
    const server = await serve({ protocol, implicit: true }, { key: pki.key, chain: pki.leafPem + pki.interPem });
    const tls: TLSSocket = tlsConnect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false });
    tls.on('error', () => {});
    await new Promise((resolve) => tls.once('secureConnect', resolve));
    const transcript: TranscriptLine[] = [];
    const n = new Negotiator(protocol, { host: '127.0.0.1', port: server.port, timeoutMs: 2000, clientName: '[127.0.0.1]', transcript });
    const inside = await n.secured(tls, 'implicit');
    await n.goodbye(500);
    n.release();
    tls.destroy();
    assert.ok(inside.greeting !== undefined && inside.greeting.length >= 1, protocol);
    assert.ok(!inside.capabilities.some((c) => /^(STARTTLS|STLS)\b/.test(c)), `${protocol}: ${inside.capabilities.join(', ')}`);
    assert.ok(transcript.every((l) => l.tls));
    assert.ok(transcript.some((l) => l.dir === 'C' && /QUIT|LOGOUT/.test(l.line)), protocol);
  }
});

test('addressLiteral: RFC 5321 §4.1.3 literals for the EHLO argument', () => {
  assert.equal(addressLiteral('192.0.2.1'), '[192.0.2.1]');
  assert.equal(addressLiteral('::ffff:127.0.0.1'), '[127.0.0.1]');
  assert.equal(addressLiteral('2001:db8::1'), '[IPv6:2001:db8::1]');
  assert.equal(addressLiteral(undefined), 'localhost');
});

test('no timers are left behind', async () => {
  await delay(10);
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout');
  assert.deepEqual(timers, []);
});
