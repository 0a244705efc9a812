// A server's failure in the flags of the command that connected: net words its hints without
// options (net/errors.ts); verify and tlsa name --starttls and --deadline in them, on stderr and
// in verify's --json report. And a TLS version probe the deadline ended says --deadline, in its
// detail and in the protocols check. Against the scripted server (test/net/fake-server.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailcertAsync, tempDir } from '../helpers/tools.js';
import { makeTestPki, startFakeServer, type FakeServer, type Scenario } from '../net/fake-server.js';

const dir = tempDir('mailcert-net-flags-');
const pki = makeTestPki(dir);
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, pki.rootPem);

const servers: FakeServer[] = [];
const others: Server[] = [];
const held: Socket[] = [];
after(async () => {
  for (const s of held) s.destroy();
  await Promise.all([...servers.map((s) => s.close()), ...others.map((s) => new Promise((resolve) => s.close(resolve)))]);
});
async function serve(scenario: Scenario): Promise<string> {
  const server = await startFakeServer(scenario, { key: pki.key, chain: pki.leafPem + pki.interPem });
  servers.push(server);
  return `127.0.0.1:${server.port}`;
}

interface Report {
  ok: boolean;
  checks: { name: string; status: string; detail: string }[];
  server: { error?: string; step?: string; hint?: string; versions?: { version: string; result: string; detail: string }[] };
}

/** The hint line verify prints on stderr for a failed connection, and the --json report's. */
async function failure(target: string, args: string[]): Promise<{ hint: string; doc: Report }> {
  const text = await mailcertAsync(['verify', '--connect', target, '--ca', caFile, ...args]);
  assert.equal(text.status, 5, text.stderr + text.stdout);
  const hint = /^ {2}hint: (.*)$/m.exec(text.stderr)?.[1] ?? '';
  const json = await mailcertAsync(['verify', '--connect', target, '--ca', caFile, ...args, '--json']);
  assert.equal(json.status, 5, json.stderr);
  return { hint, doc: JSON.parse(json.stdout) as Report };
}

test('verify: the hints of a failed connection name --starttls, on stderr and in --json', async () => {
  const preauth = await failure(await serve({ protocol: 'imap', greeting: 'preauth' }), ['--starttls', 'imap']);
  assert.equal(preauth.hint, 'the IMAP server pre-authenticated the session in plaintext, so STARTTLS is impossible; use the implicit-TLS port (993) with --starttls none');
  assert.deepEqual([preauth.doc.server.error, preauth.doc.server.hint], ['preauth', preauth.hint]);

  const stripped = await failure(await serve({ protocol: 'smtp', offer: false }), ['--starttls', 'smtp']);
  assert.equal(stripped.hint, 'the server (or a middlebox stripping it) does not offer STARTTLS; enable TLS on the server, or use its implicit-TLS port with --starttls none');
  assert.equal(stripped.doc.server.hint, stripped.hint);

  const plaintext = await failure(await serve({ protocol: 'smtp' }), ['--starttls', 'none', '--timeout', '2']);
  assert.equal(plaintext.hint, 'the TLS handshake failed; if the server talks plaintext first, pass --starttls smtp|imap|pop3|lmtp|sieve, otherwise check its TLS settings and log');
  assert.equal(plaintext.doc.server.error, 'tls-handshake');

  const silent = await failure(await serve({ protocol: 'smtp', greeting: 'silent' }), ['--starttls', 'smtp', '--timeout', '0.5']);
  assert.equal(silent.hint, 'the server did not answer in time; if it expects TLS at once (implicit TLS, as on 465, 993, 995) use --starttls none, otherwise raise the timeout');
  assert.equal(silent.doc.server.error, 'timeout');

  const late = await failure(await serve({ protocol: 'smtp', greeting: 'silent' }), ['--starttls', 'smtp', '--deadline', '0.5']);
  assert.equal(late.doc.checks[0]?.detail, 'greeting: the 0.5 s --deadline for the whole check passed');
  assert.equal(late.hint, 'the whole check took longer than --deadline allows; raise it if the server is just slow, otherwise check the server or the network at the step named (--timeout bounds each step alone)');
});

test('tlsa --connect: a refusal names --starttls too', async () => {
  const r = await mailcertAsync(['tlsa', '--connect', await serve({ protocol: 'smtp', offer: false }), '--starttls', 'smtp']);
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /^mailcert: 127\.0\.0\.1:\d+: EHLO: .*\n {2}hint: the server \(or a middlebox stripping it\) does not offer STARTTLS; enable TLS on the server, or use its implicit-TLS port with --starttls none\n$/);
});

/**
 * In front of an implicit-TLS server: a ClientHello for TLS 1.0 or 1.1 (its client_version, bytes
 * 9-10 of the record, RFC 5246 7.4.1.2) is never answered; any other goes through. The check
 * itself completes at once; the probes of the old versions wait until the deadline ends them.
 */
async function stallOldVersions(upstream: string): Promise<string> {
  const [, port] = upstream.split(':');
  const proxy = createServer((client) => {
    client.once('data', (hello: Buffer) => {
      if (hello[0] === 0x16 && hello[9] === 3 && (hello[10] === 1 || hello[10] === 2)) {
        held.push(client);
        return;
      }
      const server = tcpConnect(Number(port), '127.0.0.1', () => {
        server.write(hello);
        client.pipe(server).pipe(client);
      });
      server.on('error', () => client.destroy());
      client.on('error', () => server.destroy());
    });
  });
  others.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

test('verify --protocols: a version probe the deadline ended names --deadline, in its detail and the protocols check', async () => {
  const target = await stallOldVersions(await serve({ protocol: 'imap', implicit: true }));
  const r = await mailcertAsync(['verify', '--connect', target, '--starttls', 'none', '--servername', 'mail.fake.test', '--ca', caFile, '--protocols', '--deadline', '1.5', '--json']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const doc = JSON.parse(r.stdout) as Report;
  const passed = 'the 1.5 s --deadline for the whole check passed';
  assert.deepEqual(
    doc.server.versions?.map((v) => [v.version, v.result, v.detail]),
    [
      ['TLSv1', 'failed', passed],
      ['TLSv1.1', 'failed', passed],
      ['TLSv1.2', 'accepted', 'accepted'],
      ['TLSv1.3', 'accepted', 'accepted'],
    ],
  );
  const protocols = doc.checks.find((c) => c.name === 'protocols');
  assert.deepEqual(protocols, { name: 'protocols', status: 'warn', detail: `accepts TLS 1.2, TLS 1.3; TLS 1.0 not probed: ${passed}; TLS 1.1 not probed: ${passed}` });
});
