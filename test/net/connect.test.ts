// inspectServer end to end against the scripted fake server with a real openssl-made PKI: every
// protocol through STARTTLS, implicit TLS, the chain exactly as sent (not completed from the trust
// store), SNI, each failure kind, timeouts, and nothing left running.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import { inspectServer, planProtocol, type InspectOptions, type ServerReport } from '../../src/net/connect.js';
import { NetError, type NetErrorKind } from '../../src/net/errors.js';
import { inferProtocol, PLAINTEXT_WAIT_MS } from '../../src/net/detect.js';
import type { MailProtocol } from '../../src/net/starttls.js';
import { ExitCode, MailcertError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';
import { makeTestPki, startFakeServer, type FakeServer, type Scenario, type TlsIdentity } from './fake-server.js';

const pki = makeTestPki(tempDir('mailcert-net-'));
const LEAF_AND_INTER: TlsIdentity = { key: pki.key, chain: pki.leafPem + pki.interPem };
const NAME = 'mail.fake.test';

const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function serve(scenario: Scenario, identity: TlsIdentity = LEAF_AND_INTER): Promise<FakeServer> {
  const server = await startFakeServer(scenario, identity);
  servers.push(server);
  return server;
}

const inspect = (server: FakeServer, opts: Partial<InspectOptions> = {}): Promise<ServerReport> =>
  inspectServer({ host: '127.0.0.1', port: server.port, servername: NAME, timeoutMs: 2000, ...opts });

async function rejection(promise: Promise<unknown>, kind: NetErrorKind, step?: string): Promise<NetError> {
  const error = await promise.then(
    () => assert.fail(`expected a '${kind}' NetError, got a report`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof NetError, `not a NetError: ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  if (step !== undefined) assert.equal(error.step, step, error.message);
  assert.ok(error instanceof MailcertError && error.exitCode === ExitCode.network);
  assert.doesNotMatch(error.message, /\n/);
  return error;
}

const PROTOCOLS: readonly MailProtocol[] = ['smtp', 'lmtp', 'imap', 'pop3', 'sieve'];
/** A capability each fake lists only inside TLS, and the one it lists only outside. */
const TLS_ONLY: Record<MailProtocol, string> = { smtp: 'AUTH PLAIN LOGIN', lmtp: 'AUTH PLAIN LOGIN', imap: 'AUTH=PLAIN', pop3: 'SASL PLAIN', sieve: 'SASL PLAIN LOGIN' };
const QUIT: Record<MailProtocol, RegExp> = { smtp: /^QUIT$/, lmtp: /^QUIT$/, imap: /^a\d+ LOGOUT$/, pop3: /^QUIT$/, sieve: /^LOGOUT$/ };

for (const protocol of PROTOCOLS) {
  test(`${protocol} STARTTLS: greeting, capabilities re-queried inside TLS, the chain as sent, a polite goodbye`, async () => {
    const server = await serve({ protocol });
    const report = await inspect(server, { protocol });
    const conn = server.connections[0];
    assert.ok(conn);
    await conn.closed;

    assert.equal(report.mode, 'starttls');
    assert.equal(report.protocol, protocol);
    assert.equal(report.protocolSource, 'option');
    assert.equal(report.application, protocol);
    assert.ok(report.greeting !== undefined && report.greeting.length > 0);
    // The plaintext capabilities are forgotten: STARTTLS is gone, the TLS-only one is there.
    assert.ok(report.capabilities.includes(TLS_ONLY[protocol]), report.capabilities.join(', '));
    assert.ok(!report.capabilities.some((c) => /^(STARTTLS|STLS)$/.test(c)));
    assert.ok(report.transcript.some((l) => !l.tls) && report.transcript.some((l) => l.tls));
    assert.deepEqual(report.peerChain, [pki.leafDer, pki.interDer]);
    assert.equal(report.servername, NAME);
    assert.equal(conn.servername, NAME);
    assert.match(report.tlsVersion, /^TLSv1\.[23]$/);
    assert.ok(report.cipher.length > 0);
    assert.ok(report.timings.connectMs >= 0 && report.timings.tlsMs >= 0);
    assert.deepEqual(report.notes, []);
    const inside = conn.received.filter((r) => r.tls).map((r) => r.line);
    assert.match(inside.at(-1) ?? '', QUIT[protocol], inside.join(' | '));
    if (protocol === 'sieve') {
      // RFC 5804 §2.2: the server re-sends its capabilities unasked; the client must not ask.
      assert.deepEqual(inside, ['LOGOUT']);
      assert.ok(report.transcript.some((l) => l.tls && l.line === 'OK "TLS negotiation successful."'));
    }
  });
}

test('peerChain is what the server sent: a leaf-only server stays leaf-only', async () => {
  const server = await serve({ protocol: 'smtp' }, { key: pki.key, chain: pki.leafPem });
  const report = await inspect(server, { protocol: 'smtp' });
  assert.deepEqual(report.peerChain, [pki.leafDer]);
});

test("peerChain keeps the server's order and its extra certificates (an unrelated one, the root)", async () => {
  const server = await serve({ protocol: 'pop3' }, { key: pki.key, chain: pki.leafPem + pki.otherPem + pki.interPem + pki.rootPem });
  const report = await inspect(server, { protocol: 'pop3' });
  assert.deepEqual(report.peerChain, [pki.leafDer, pki.otherDer, pki.interDer, pki.rootDer]);
});

test('the getPeerCertificate(true) walk would have completed the chain from the store (why it is not used)', async () => {
  const server = await serve({ protocol: 'smtp', implicit: true }, { key: pki.key, chain: pki.leafPem });
  const socket = tlsConnect({ host: '127.0.0.1', port: server.port, servername: NAME, ca: [pki.rootPem, pki.interPem], rejectUnauthorized: false });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  const seen: string[] = [];
  for (let c = socket.getPeerCertificate(true); c.raw !== undefined && !seen.includes(c.fingerprint256); c = c.issuerCertificate) {
    seen.push(c.fingerprint256);
  }
  socket.destroy();
  assert.equal(seen.length, 3);
});

test('the SNI sent is --servername, whatever the certificate says (verify judges the name, not the connection)', async () => {
  const server = await serve({ protocol: 'smtp' });
  const report = await inspect(server, { protocol: 'smtp', servername: 'other.fake.test' });
  assert.equal(report.servername, 'other.fake.test');
  assert.equal(server.connections[0]?.servername, 'other.fake.test');
  assert.deepEqual(report.peerChain, [pki.leafDer, pki.interDer]);
});

test('an IP literal host without --servername sends no SNI', async () => {
  const server = await serve({ protocol: 'smtp' });
  const report = await inspect(server, { protocol: 'smtp', servername: undefined });
  assert.equal(report.servername, undefined);
  assert.equal(server.connections[0]?.servername, false);
  assert.deepEqual(report.peerChain, [pki.leafDer, pki.interDer]);
});

test('implicit TLS (--starttls none) on a port of no known protocol: the greeting inside TLS tells it, then its capabilities', async () => {
  for (const protocol of PROTOCOLS) {
    const server = await serve({ protocol, implicit: true });
    const report = await inspect(server, { protocol: 'none' });
    assert.equal(report.mode, 'implicit');
    assert.equal(report.protocolSource, 'option');
    // LMTP greets with a 220 like SMTP: EHLO refused as unknown, LHLO tells it.
    assert.equal(report.application, protocol, protocol);
    assert.ok(report.greeting !== undefined && report.greeting.length > 0, protocol);
    assert.ok(report.transcript.length > 0 && report.transcript.every((l) => l.tls), protocol);
    assert.ok(report.capabilities.includes(TLS_ONLY[protocol]), `${protocol}: ${report.capabilities.join(', ')}`);
    assert.deepEqual(report.peerChain, [pki.leafDer, pki.interDer]);
    assert.equal(report.capabilitiesBeforeTls, undefined);
    assert.equal(report.authBeforeTls, undefined);
  }
});

test('no protocol on an unknown port, a server that waits for the client: implicit TLS, detected, and the protocol from its greeting', async () => {
  const server = await serve({ protocol: 'imap', implicit: true });
  const started = performance.now();
  const report = await inspect(server);
  assert.ok(performance.now() - started >= PLAINTEXT_WAIT_MS - 10, 'it waited for a plaintext greeting first');
  assert.equal(report.mode, 'implicit');
  assert.equal(report.protocol, 'none');
  assert.equal(report.protocolSource, 'detected');
  assert.equal(report.application, 'imap');
  assert.match(report.greeting ?? '', /^\* OK Dovecot/);
  assert.ok(report.capabilities.includes('AUTH=PLAIN'));
});

test('no protocol on an unknown port, a server that greets in plaintext: STARTTLS of the protocol it greets in, for each protocol', async () => {
  for (const protocol of PROTOCOLS) {
    const server = await serve({ protocol });
    const report = await inspect(server);
    assert.equal(report.mode, 'starttls', protocol);
    assert.equal(report.protocolSource, 'detected');
    assert.equal(report.application, protocol, protocol);
    assert.equal(report.protocol, protocol);
    assert.ok(report.capabilities.includes(TLS_ONLY[protocol]), `${protocol}: ${report.capabilities.join(', ')}`);
    assert.deepEqual(report.peerChain, [pki.leafDer, pki.interDer]);
    // The greeting was read once, by the negotiator, after detection had looked at it.
    assert.equal(report.transcript.filter((l) => !l.tls && l.dir === 'S' && l.line === report.greeting?.split('\n')[0]).length <= 1, true);
  }
});

test('an LMTP server: a greeting that says LMTP gets LHLO at once; one that does not, after EHLO is refused as unknown', async () => {
  const says = await serve({ protocol: 'lmtp', greetingText: '220 fake.test LMTP ready\r\n' });
  assert.equal((await inspect(says)).application, 'lmtp');
  assert.deepEqual(says.connections[0]?.received.filter((r) => !r.tls).map((r) => r.line.split(' ')[0]), ['LHLO', 'STARTTLS']);
  const quiet = await serve({ protocol: 'lmtp' });
  assert.equal((await inspect(quiet)).application, 'lmtp');
  assert.deepEqual(quiet.connections[0]?.received.map((r) => r.line.split(' ')[0]), ['EHLO', 'LHLO', 'STARTTLS', 'LHLO', 'QUIT']);
  // Told by the user, SMTP stays SMTP: a refused EHLO is the failure it always was.
  await rejection(inspect(await serve({ protocol: 'lmtp' }), { protocol: 'smtp' }), 'starttls-not-offered', 'EHLO');
});

test('a STARTTLS port whose greeting comes late: the ClientHello meets plaintext, and the check starts again waiting for the greeting', async () => {
  // 700 ms before the greeting and every answer: longer than the detection's wait.
  const server = await serve({ protocol: 'smtp', replyDelayMs: PLAINTEXT_WAIT_MS + 200 });
  const report = await inspect(server, { timeoutMs: 3000 });
  assert.equal(report.mode, 'starttls');
  assert.equal(report.application, 'smtp');
  assert.equal(report.protocolSource, 'detected');
  assert.match(report.notes[0] ?? '', /answered a TLS ClientHello in plaintext: a STARTTLS port with a slow greeting/);
  assert.equal(server.connections.length, 2);
  assert.deepEqual(report.peerChain, [pki.leafDer, pki.interDer]);
});

test('a server that speaks first in plaintext, but no mail protocol: a protocol error quoting its line', async () => {
  const server = await serve({ protocol: 'smtp', greetingText: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n' });
  const error = await rejection(inspect(server), 'protocol', 'greeting');
  assert.match(error.message, /spoke first in plaintext, but not SMTP, IMAP, POP3 or ManageSieve: "SSH-2\.0-OpenSSH_9\.2p1/);
});

test('implicit TLS, and inside it no mail greeting: the first line and a note; silence: a note after the timeout', async () => {
  const http = await serve({ protocol: 'smtp', implicit: true, greetingText: 'HTTP/1.1 400 Bad Request\r\n' });
  const report = await inspect(http, { protocol: 'none' });
  assert.equal(report.application, undefined);
  assert.equal(report.greeting, 'HTTP/1.1 400 Bad Request');
  assert.match(report.notes.join(' '), /inside TLS: the first line is not an SMTP, IMAP, POP3 or ManageSieve greeting/);

  const silent = await serve({ protocol: 'smtp', implicit: true, greeting: 'silent' });
  const quiet = await inspect(silent, { protocol: 'none', timeoutMs: 300 });
  assert.equal(quiet.greeting, undefined);
  assert.match(quiet.notes.join(' '), /inside TLS: no greeting within 300 ms/);
  assert.deepEqual(quiet.peerChain, [pki.leafDer, pki.interDer]);
});

test('authentication offered before STARTTLS is reported per protocol; none when the plaintext capabilities offer none', async () => {
  const smtp = await inspect(await serve({ protocol: 'smtp', extraCapabilities: ['AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN'] }), { protocol: 'smtp' });
  assert.deepEqual(smtp.authBeforeTls, ['AUTH PLAIN', 'AUTH LOGIN']);
  assert.ok(smtp.capabilitiesBeforeTls?.includes('STARTTLS'));
  assert.deepEqual((await inspect(await serve({ protocol: 'smtp' }), { protocol: 'smtp' })).authBeforeTls, []);
  // The fake IMAP server says LOGINDISABLED in plaintext; POP3 lists USER; Sieve an empty SASL.
  assert.deepEqual((await inspect(await serve({ protocol: 'imap' }), { protocol: 'imap' })).authBeforeTls, []);
  assert.deepEqual((await inspect(await serve({ protocol: 'pop3' }), { protocol: 'pop3' })).authBeforeTls, ['USER']);
  assert.deepEqual((await inspect(await serve({ protocol: 'sieve' }), { protocol: 'sieve' })).authBeforeTls, []);
  assert.deepEqual((await inspect(await serve({ protocol: 'sieve', extraCapabilities: ['"SASL" "PLAIN"'] }), { protocol: 'sieve' })).authBeforeTls, ['SASL PLAIN']);
});

test('the session facts: the key exchange group, and whether an OCSP response was stapled (asked for every time)', async () => {
  const plain = await inspect(await serve({ protocol: 'smtp' }), { protocol: 'smtp' });
  // The group is what Node's TLS reports (SSL_get_negotiated_group): Node 20 agrees on X25519,
  // Node 24 offers the hybrid X25519MLKEM768 first, and Node 22's build reports nothing for TLS 1.3.
  const major = process.versions.node.split('.')[0];
  const told: Record<string, string | undefined> = { '20': 'X25519', '22': undefined, '24': 'X25519MLKEM768' };
  assert.ok(major !== undefined && major in told, `a Node the suite knows: ${process.version}`);
  assert.equal(plain.keyExchange, told[major]);
  assert.equal(plain.ocspStapled, false);
  assert.equal(plain.ocspBytes, undefined);

  // A server that staples: Node's tls.Server answers the status_request through its 'OCSPRequest' event.
  const response = Buffer.from('30030a0100', 'hex'); // OCSPResponse { responseStatus successful }, no body
  const stapler = createTlsServer({ key: pki.key, cert: pki.leafPem + pki.interPem }, (socket) => {
    // Reading on lets the server see the client hang up (a paused socket never would) and close.
    socket.resume();
    socket.end('+OK stapling POP3 server ready\r\n');
  });
  stapler.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, resp?: Buffer) => void) => done(null, response));
  await new Promise<void>((resolve) => stapler.listen(0, '127.0.0.1', resolve));
  try {
    const stapled = await inspectServer({ host: '127.0.0.1', port: (stapler.address() as AddressInfo).port, protocol: 'none', servername: NAME, timeoutMs: 2000 });
    assert.equal(stapled.ocspStapled, true);
    assert.equal(stapled.ocspBytes, response.length);
    assert.equal(stapled.application, 'pop3');
  } finally {
    await new Promise<void>((resolve) => stapler.close(() => resolve()));
  }
});

test('planProtocol: the well-known ports of CLI.md', () => {
  assert.deepEqual(planProtocol(25), { protocol: 'smtp', source: 'port', application: 'smtp' });
  assert.deepEqual(planProtocol(587), { protocol: 'smtp', source: 'port', application: 'smtp' });
  assert.deepEqual(planProtocol(143), { protocol: 'imap', source: 'port', application: 'imap' });
  assert.deepEqual(planProtocol(110), { protocol: 'pop3', source: 'port', application: 'pop3' });
  assert.deepEqual(planProtocol(24), { protocol: 'lmtp', source: 'port', application: 'lmtp' });
  assert.deepEqual(planProtocol(4190), { protocol: 'sieve', source: 'port', application: 'sieve' });
  assert.deepEqual(planProtocol(465), { protocol: 'none', source: 'port', application: 'smtp' });
  assert.deepEqual(planProtocol(993), { protocol: 'none', source: 'port', application: 'imap' });
  assert.deepEqual(planProtocol(995), { protocol: 'none', source: 'port', application: 'pop3' });
  assert.deepEqual(planProtocol(993, 'none'), { protocol: 'none', source: 'option', application: 'imap' });
  assert.deepEqual(planProtocol(2525, 'smtp'), { protocol: 'smtp', source: 'option', application: 'smtp' });
  assert.deepEqual(planProtocol(2525), { protocol: 'detect', source: 'detected' });
  assert.deepEqual(planProtocol(10465, 'none'), { protocol: 'none', source: 'option' });
});

test('inferProtocol: the first line tells the protocol (reply code, * OK, +OK, a quoted capability)', () => {
  assert.equal(inferProtocol('220 mail.example.com ESMTP Postfix (Debian/GNU)'), 'smtp');
  assert.equal(inferProtocol('220-mail.example.com ESMTP, wait for it\r\n'), 'smtp');
  assert.equal(inferProtocol('554 5.7.1 no SMTP service here'), 'smtp');
  assert.equal(inferProtocol('220 mail.example.com LMTP Server ready'), 'lmtp');
  assert.equal(inferProtocol('* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.'), 'imap');
  assert.equal(inferProtocol('* PREAUTH [CAPABILITY IMAP4rev1] Logged in'), 'imap');
  assert.equal(inferProtocol('* BYE Too many connections'), 'imap');
  assert.equal(inferProtocol('+OK Dovecot (Debian) ready.'), 'pop3');
  assert.equal(inferProtocol('-ERR [SYS/TEMP] busy'), 'pop3');
  assert.equal(inferProtocol('"IMPLEMENTATION" "Dovecot Pigeonhole"'), 'sieve');
  assert.equal(inferProtocol('OK "Dovecot ready."'), 'sieve');
  assert.equal(inferProtocol('SSH-2.0-OpenSSH_9.2p1'), undefined);
  assert.equal(inferProtocol('HTTP/1.1 400 Bad Request'), undefined);
  assert.equal(inferProtocol('2'), undefined);
});

for (const protocol of PROTOCOLS) {
  test(`${protocol}: stripped, refused and injected STARTTLS each fail with their own kind`, async () => {
    await rejection(inspect(await serve({ protocol, offer: false }), { protocol }), 'starttls-not-offered');
    await rejection(inspect(await serve({ protocol, refuse: true }), { protocol }), 'starttls-refused');
    const injected = await serve({ protocol, inject: '250 forged\r\n' });
    await rejection(inspect(injected, { protocol }), 'injection');
    await injected.connections[0]?.closed;
    assert.equal(injected.connections[0]?.bytesAfterGoAhead, 0, 'a ClientHello followed the injected bytes');
  });
}

test("imap: '* PREAUTH' is 'preauth' and '* BYE' is 'refused', both at the greeting", async () => {
  await rejection(inspect(await serve({ protocol: 'imap', greeting: 'preauth' }), { protocol: 'imap' }), 'preauth', 'greeting');
  await rejection(inspect(await serve({ protocol: 'imap', greeting: 'refuse' }), { protocol: 'imap' }), 'refused', 'greeting');
});

test('smtp: a multi-line greeting arriving in parts is waited for', async () => {
  const server = await serve({ protocol: 'smtp', greeting: 'multiline' });
  const report = await inspect(server, { protocol: 'smtp' });
  assert.equal(report.greeting?.split('\n').length, 3);
  assert.equal(server.connections[0]?.earlyTalker, false);
});

test('smtp: a server closing after the greeting is "closed"', async () => {
  await rejection(inspect(await serve({ protocol: 'smtp', greeting: 'close' }), { protocol: 'smtp' }), 'closed', 'EHLO');
});

test('timeouts are per phase and honoured: a silent greeting, a stalled handshake', async () => {
  let started = Date.now();
  const silent = await serve({ protocol: 'pop3', greeting: 'silent' });
  await rejection(inspect(silent, { protocol: 'pop3', timeoutMs: 300 }), 'timeout', 'greeting');
  let elapsed = Date.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);

  started = Date.now();
  const stalled = await serve({ protocol: 'smtp', afterGoAhead: 'stall' });
  const error = await rejection(inspect(stalled, { protocol: 'smtp', timeoutMs: 300 }), 'timeout', 'TLS handshake');
  elapsed = Date.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);
  assert.match(error.message, /^127\.0\.0\.1:\d+: TLS handshake: no handshake within 300 ms$/);
  await silent.connections[0]?.closed;
  await stalled.connections[0]?.closed;
});

test("the deadline bounds the whole check: 'deadline' errors name the step; a slow QUIT after a complete check is only cut short", async () => {
  let started = performance.now();
  const silent = await serve({ protocol: 'imap', greeting: 'silent' });
  const error = await rejection(inspect(silent, { protocol: 'imap', timeoutMs: 5000, deadlineMs: 300 }), 'deadline', 'greeting');
  let elapsed = performance.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);
  // verify words it with its option ("the 0.3 s --deadline ..."): test/cli/verify-deadline.test.ts.
  assert.match(error.message, /^127\.0\.0\.1:\d+: greeting: the 0\.3 s deadline for the whole check passed$/);
  assert.match(error.hint ?? '', /took longer than its deadline allows/);

  // A deadline longer than the timeout leaves the timeout in charge of each step.
  const stalled = await serve({ protocol: 'smtp', afterGoAhead: 'stall' });
  await rejection(inspect(stalled, { protocol: 'smtp', timeoutMs: 300, deadlineMs: 5000 }), 'timeout', 'TLS handshake');

  // Slow only inside TLS: 400 ms per answer. EHLO (400 ms) fits a 700 ms deadline; the QUIT
  // answer would not, so the goodbye stops at the deadline and the report stands.
  started = performance.now();
  const slowInside = await serve({ protocol: 'smtp', replyDelayMs: 400, slowInsideTlsOnly: true });
  const report = await inspect(slowInside, { protocol: 'smtp', timeoutMs: 5000, deadlineMs: 700 });
  elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `${elapsed} ms`);
  assert.equal(report.peerChain.length, 2);
  assert.equal(report.certificatesSent, 2);
  assert.ok(report.capabilities.includes('AUTH PLAIN LOGIN'), 'EHLO inside TLS was answered');
  await Promise.all([silent, stalled, slowInside].flatMap((s) => s.connections.map((c) => c.closed)));
  // The fake's own wait before its QUIT answer outlives the connection; let it run out.
  await delay(400);
});

test("a closed port is 'refused' at connect", async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const error = await rejection(inspectServer({ host: '127.0.0.1', port, protocol: 'smtp', timeoutMs: 2000 }), 'refused', 'connect');
  assert.equal(error.message, `127.0.0.1:${port}: connect: connection refused`);
});

test("a name that cannot resolve is 'dns' (RFC 6761: .invalid never resolves)", async () => {
  const error = await rejection(inspectServer({ host: 'mailcert-test.invalid', port: 25, timeoutMs: 5000 }), 'dns', 'connect');
  assert.match(error.message, /^mailcert-test\.invalid:25: connect: /);
});

test('IPv6 literals are bracketed in messages', async () => {
  const error = await inspectServer({ host: '::1', port: 1, protocol: 'smtp', timeoutMs: 2000 }).then(
    () => assert.fail('connected to [::1]:1'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof NetError);
  assert.match(error.message, /^\[::1\]:1: connect: /);
});

test('nothing is left running: every connection closed by the client, no timers', async () => {
  await Promise.all(servers.flatMap((s) => s.connections.map((c) => c.closed)));
  await delay(10);
  assert.deepEqual(
    process.getActiveResourcesInfo().filter((r) => r === 'Timeout'),
    [],
  );
});
