// verify --deadline bounds a live check as a whole, where --timeout bounds each step: against the
// scripted server answering slowly at every step, stalling the TLS handshake, or slow only inside
// TLS, the check ends when the deadline passes (measured on the server side, from accept to
// hang-up), exits 5 and names the step it was in. And --save says when it cut the chain a server
// sent, and why. The built CLI runs as a process.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailcertAsync, tempDir } from '../helpers/tools.js';
import { makeTestPki, startFakeServer, type FakeConnection, type FakeServer, type Scenario, type TlsIdentity } from '../net/fake-server.js';

const dir = tempDir('mailcert-deadline-');
const pki = makeTestPki(dir);
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, pki.rootPem);
const IDENTITY: TlsIdentity = { key: pki.key, chain: pki.leafPem + pki.interPem };

const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function serve(scenario: Scenario, identity = IDENTITY): Promise<FakeServer> {
  const server = await startFakeServer(scenario, identity);
  servers.push(server);
  return server;
}

const target = (s: FakeServer): string => `127.0.0.1:${s.port}`;
const base = ['--starttls', 'smtp', '--servername', 'mail.fake.test', '--ca', caFile];

interface Failure {
  ok: boolean;
  checks: { name: string; status: string; detail: string }[];
  server: { error?: string; step?: string; hint?: string };
}

/** How long the server held the connection: from accept to the client hanging up. */
async function heldMs(conn: FakeConnection | undefined): Promise<number> {
  assert.ok(conn, 'the client connected');
  await conn.closed;
  return (conn.closedAt ?? Number.NaN) - conn.openedAt;
}

/** Within the deadline's tolerance: not before it, and not much after (timers, a busy machine). */
function assertNear(ms: number, deadlineMs: number): void {
  assert.ok(ms >= deadlineMs - 50, `ended after ${Math.round(ms)} ms, before the ${deadlineMs} ms deadline`);
  assert.ok(ms <= deadlineMs + 600, `ended after ${Math.round(ms)} ms, well past the ${deadlineMs} ms deadline`);
}

test('a server slow at every step: --timeout alone lets one check take several timeouts; --deadline ends it, naming the step (exit 5)', async () => {
  // 700 ms before each answer, under the 2 s timeout of every step: greeting, EHLO, STARTTLS, EHLO inside TLS, QUIT.
  const slow = await serve({ protocol: 'smtp', replyDelayMs: 700 });
  const unbounded = await mailcertAsync(['verify', '--connect', target(slow), ...base, '--timeout', '2']);
  assert.equal(unbounded.status, 0, unbounded.stderr + unbounded.stdout);
  assert.ok((await heldMs(slow.connections[0])) > 2800, 'without a deadline the check took four slow answers and more');

  const r = await mailcertAsync(['verify', '--connect', target(slow), ...base, '--timeout', '2', '--deadline', '1.5']);
  assertNear(await heldMs(slow.connections[1]), 1500);
  assert.equal(r.status, 5, r.stderr + r.stdout);
  // greeting at 0.7 s, EHLO at 1.4 s: the deadline passes waiting for the answer to STARTTLS.
  assert.match(r.stderr, new RegExp(`^mailcert: ${target(slow)}: STARTTLS: the 1\\.5 s --deadline for the whole check passed\\n  hint: .*--deadline`, 'm'));
  assert.doesNotMatch(r.stderr, /\n\s+at /);

  const json = await mailcertAsync(['verify', '--connect', target(slow), ...base, '--timeout', '2', '--deadline', '1.5', '--json']);
  assert.equal(json.status, 5);
  const doc = JSON.parse(json.stdout) as Failure;
  assert.equal(doc.ok, false);
  assert.deepEqual([doc.server.error, doc.server.step], ['deadline', 'STARTTLS']);
  assert.equal(doc.checks[0]?.status, 'fail');
});

test('the TLS handshake and the commands inside TLS are under the deadline too', async () => {
  const stalled = await serve({ protocol: 'smtp', afterGoAhead: 'stall' });
  const r = await mailcertAsync(['verify', '--connect', target(stalled), ...base, '--timeout', '10', '--deadline', '1', '--json']);
  assertNear(await heldMs(stalled.connections[0]), 1000);
  assert.equal(r.status, 5, r.stderr);
  const handshake = JSON.parse(r.stdout) as Failure;
  assert.deepEqual([handshake.server.error, handshake.server.step], ['deadline', 'TLS handshake']);

  const slowInside = await serve({ protocol: 'smtp', replyDelayMs: 1500, slowInsideTlsOnly: true });
  const inside = await mailcertAsync(['verify', '--connect', target(slowInside), ...base, '--timeout', '5', '--deadline', '1']);
  assertNear(await heldMs(slowInside.connections[0]), 1000);
  assert.equal(inside.status, 5, inside.stderr + inside.stdout);
  assert.match(inside.stderr, new RegExp(`^mailcert: ${target(slowInside)}: EHLO \\(inside TLS\\): the 1 s --deadline for the whole check passed`, 'm'));
});

test('with several targets the deadline bounds each one: the slow one fails, the others are checked', async () => {
  const stalled = await serve({ protocol: 'smtp', afterGoAhead: 'stall' });
  const fine = await serve({ protocol: 'smtp' });
  const r = await mailcertAsync(['verify', '--connect', target(stalled), '--connect', target(fine), ...base, '--deadline', '1', '--json']);
  assert.equal(r.status, 5, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; targets: (Failure & { target: string })[] };
  assert.deepEqual(doc.targets.map((t) => [t.target, t.ok, t.server.error ?? null]), [
    [target(stalled), false, 'deadline'],
    [target(fine), true, null],
  ]);
});

test('--deadline takes a positive number of seconds (exit 2 otherwise)', async () => {
  for (const bad of ['0', '-1', 'soon', '']) {
    const r = await mailcertAsync(['verify', '--connect', '127.0.0.1:25', '--deadline', bad]);
    assert.equal(r.status, 2, `--deadline ${bad}: ${r.stderr}`);
    assert.match(r.stderr, /^mailcert: --deadline .*: give seconds/);
  }
});

test('--save says when the server sent more certificates than mailcert keeps, and why; --json has the count and the note', async () => {
  // The leaf and the intermediate 99 times: 100 certificates in the server's Certificate message.
  const hundred = await serve({ protocol: 'smtp' }, { key: pki.key, chain: pki.leafPem + pki.interPem.repeat(99) });
  const saved = join(dir, 'saved.pem');
  const r = await mailcertAsync(['verify', '--connect', target(hundred), ...base, '--save', saved]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stderr, new RegExp(`^Wrote the first 64 of the 100 certificates the server sent to ${saved}: mailcert keeps at most 64 \\(a real server sends its certificate and one to three intermediates`, 'm'));
  assert.equal(readFileSync(saved, 'latin1').match(/-----BEGIN CERTIFICATE-----/g)?.length, 64);
  assert.match(r.stdout, /note +the server sent 100 certificates; mailcert kept the first 64/);

  const json = await mailcertAsync(['verify', '--connect', target(hundred), ...base, '--json']);
  const doc = JSON.parse(json.stdout) as { server: { chain: unknown[]; certificatesSent: number; notes: string[] } };
  assert.equal(doc.server.chain.length, 64);
  assert.equal(doc.server.certificatesSent, 100);
  assert.ok(doc.server.notes.some((n) => /^the server sent 100 certificates; mailcert kept the first 64 \(its limit: a real server sends/.test(n)), JSON.stringify(doc.server.notes));

  // A usual chain: the message as before, the count equal to the chain.
  const usual = await serve({ protocol: 'smtp' });
  const two = await mailcertAsync(['verify', '--connect', target(usual), ...base, '--save', join(dir, 'two.pem'), '--force']);
  assert.match(two.stderr, /^Wrote the 2 certificate\(s\) the server sent to /m);
  const twoJson = JSON.parse((await mailcertAsync(['verify', '--connect', target(usual), ...base, '--json'])).stdout) as { server: { certificatesSent: number; notes: string[] } };
  assert.equal(twoJson.server.certificatesSent, 2);
  assert.deepEqual(twoJson.server.notes, []);
});
