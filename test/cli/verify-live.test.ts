// verify --connect against real Dovecot and Postfix started on 127.0.0.1 for this file, and a
// small scripted server only for what no real server does on purpose (plaintext injected after
// the STARTTLS go-ahead, silence). Every verdict is compared with openssl s_client's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { keytool, mailcert, mailcertAsync, openssl, tempDir } from '../helpers/tools.js';
import { SERVER_NAME, startMailServers, type MailServers, type PortName } from '../helpers/mail-servers.js';

const dir = tempDir();
let servers: MailServers;
before(async () => {
  servers = await startMailServers();
});
after(async () => {
  await servers.stop();
});

type Proto = 'smtp' | 'imap' | 'pop3' | 'sieve' | 'lmtp' | 'none';
const main: [PortName, Proto][] = [
  ['smtp', 'smtp'],
  ['submission', 'smtp'],
  ['smtps', 'none'],
  ['imap', 'imap'],
  ['imaps', 'none'],
  ['pop3', 'pop3'],
  ['pop3s', 'none'],
  ['sieve', 'sieve'],
  ['lmtp', 'lmtp'],
];

interface Report {
  ok: boolean;
  target: string;
  checks: { name: string; status: string; detail: string }[];
  server?: { mode?: string; tlsVersion?: string; chain?: { subject: string }[]; greeting?: string; error?: string };
}
function verify(port: number, proto: Proto, extra: string[] = []): { status: number | null; report: Report; stderr: string } {
  const r = mailcert(['verify', '--connect', `127.0.0.1:${port}`, '--starttls', proto, '--json', ...extra]);
  return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}
const check = (r: Report, name: string): string | undefined => r.checks.find((c) => c.name === name)?.status;

/** openssl's verdict on the same server: exit 0 with -verify_return_error means it would connect. */
function opensslAccepts(port: number, proto: Proto, name: string, ca?: string): boolean {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', name, '-verify_return_error', '-verify_hostname', name];
  if (proto !== 'none') args.push('-starttls', proto);
  if (ca) args.push('-CAfile', ca);
  else args.push('-no-CApath', '-no-CAstore', '-no-CAfile');
  return openssl(args, { input: '', timeoutMs: 20_000 }).status === 0;
}

test('every real server and port passes with the test CA, and openssl agrees', () => {
  for (const [name, proto] of main) {
    const port = servers.ports[name];
    const v = verify(port, proto, ['--ca', servers.caPem, '--servername', SERVER_NAME]);
    assert.equal(v.status, 0, `${name}: ${JSON.stringify(v.report.checks)}`);
    assert.equal(v.report.ok, true);
    assert.equal(v.report.server?.mode, proto === 'none' ? 'implicit' : 'starttls', name);
    assert.equal(v.report.server?.chain?.length, 2, `${name}: the server sends leaf + intermediate`);
    assert.equal(opensslAccepts(port, proto, SERVER_NAME, servers.caPem), true, `openssl on ${name}`);
  }
});

test('without the CA: exit 1 with the trust check named; openssl refuses too', () => {
  const v = verify(servers.ports.imap, 'imap', ['--servername', SERVER_NAME]);
  assert.equal(v.status, 1);
  assert.equal(check(v.report, 'trust'), 'fail');
  assert.equal(opensslAccepts(servers.ports.imap, 'imap', SERVER_NAME), false);
});

test('a wrong --servername fails the host name check; openssl agrees', () => {
  const v = verify(servers.ports.smtps, 'none', ['--ca', servers.caPem, '--servername', 'other.test.example']);
  assert.equal(v.status, 1);
  assert.equal(check(v.report, 'host name'), 'fail');
  assert.equal(opensslAccepts(servers.ports.smtps, 'none', 'other.test.example', servers.caPem), false);
});

test('expired, wrong-host, self-signed and missing-intermediate certificates: the right check fails, like openssl', () => {
  const cases: [string, string][] = [
    ['Expired', 'validity'],
    ['WrongHost', 'host name'],
    ['SelfSigned', 'trust'],
    ['MissingIntermediate', 'chain'],
  ];
  for (const [variant, failing] of cases) {
    for (const [proto, prefix] of [['smtp', 'smtp'], ['imap', 'imap'], ['none', 'imaps']] as const) {
      const port = servers.ports[`${prefix}${variant}` as PortName];
      const v = verify(port, proto, ['--ca', servers.caPem, '--servername', SERVER_NAME]);
      assert.equal(v.status, 1, `${prefix}${variant}`);
      assert.equal(check(v.report, failing), 'fail', `${prefix}${variant}: ${JSON.stringify(v.report.checks)}`);
      assert.equal(opensslAccepts(port, proto, SERVER_NAME, servers.caPem), false, `openssl on ${prefix}${variant}`);
    }
  }
});

test('--at: the chain a server sends is checked as of that moment, as openssl s_client -attime checks it', () => {
  const port = servers.ports.imaps;
  const later = verify(port, 'none', ['--ca', servers.caPem, '--servername', SERVER_NAME, '--at', '2200-01-01']);
  assert.equal(later.status, 1);
  assert.equal(check(later.report, 'validity'), 'fail');
  assert.equal((later.report as Report & { at?: string }).at, '2200-01-01T00:00:00.000Z');
  const sClient = (attime: number): number | null =>
    openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', SERVER_NAME, '-verify_return_error', '-verify_hostname', SERVER_NAME, '-CAfile', servers.caPem, '-attime', String(attime)], { input: '', timeoutMs: 20_000 }).status;
  assert.notEqual(sClient(Date.UTC(2200, 0, 1) / 1000), 0);
  const now = verify(port, 'none', ['--ca', servers.caPem, '--servername', SERVER_NAME, '--at', new Date(Date.now() + 86_400_000).toISOString()]);
  assert.equal(now.status, 0, JSON.stringify(now.report.checks));
  assert.equal(sClient(Math.floor(Date.now() / 1000) + 86_400), 0);
});

test('a server that does not offer STARTTLS is a failure (exit 5), never a plaintext success', () => {
  for (const [name, proto] of [['smtpNoTls', 'smtp'], ['imapNoTls', 'imap'], ['pop3NoTls', 'pop3'], ['sieveNoTls', 'sieve']] as const) {
    const v = verify(servers.ports[name], proto, ['--ca', servers.caPem]);
    assert.equal(v.status, 5, name);
    assert.equal(v.report.ok, false);
    assert.equal(v.report.server?.error, 'starttls-not-offered', name);
    assert.equal(check(v.report, 'connection'), 'fail');
    assert.doesNotMatch(JSON.stringify(v.report), /"status":"ok"/);
  }
});

test('--save writes the chain the server sent; import makes a truststore keytool lists (the Allegra flow)', () => {
  const chain = join(dir, 'chain.pem');
  const r = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.imaps}`, '--starttls', 'none', '--servername', SERVER_NAME, '--ca', servers.caPem, '--save', chain]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /Wrote the 2 certificate\(s\) the server sent/);
  const ks = join(dir, `${SERVER_NAME}.ks`);
  const imp = mailcert(['import', '-k', ks, '--file', chain, '--yes'], { env: { MAILCERT_STOREPASS: 'allegra-1' } });
  assert.equal(imp.status, 0, imp.stderr);
  const l = keytool(['-list', '-keystore', ks, '-storepass', 'allegra-1']);
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, /trustedCertEntry/);
  assert.match(l.stdout, /Your keystore contains 1 entry/);
});

test('several servers in one call, one JSON document with a verdict per target', () => {
  const r = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.smtps}`, '--connect', `127.0.0.1:${servers.ports.pop3s}`, '--connect', `127.0.0.1:${servers.ports.imapsExpired}`, '--starttls', 'none', '--ca', servers.caPem, '--servername', SERVER_NAME, '--json']);
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { ok: boolean; targets: Report[] };
  assert.equal(doc.ok, false);
  assert.deepEqual(doc.targets.map((t) => t.ok), [true, true, false]);
});

// ---- what no real server does on purpose: a scripted SMTP server --------------------------

function scripted(onLine: (line: string, sock: Socket) => void, greeting = '220 fake.test ESMTP\r\n'): Promise<{ port: number; server: Server }> {
  const server = createServer((sock) => {
    sock.on('error', () => undefined);
    if (greeting) sock.write(greeting);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
        onLine(buf.slice(0, i).trim(), sock);
        buf = buf.slice(i + 1);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server })));
}

test('plaintext injected after the STARTTLS go-ahead is detected and fails (exit 5)', async () => {
  const { port, server } = await scripted((line, sock) => {
    if (/^EHLO/i.test(line)) sock.write('250-fake.test\r\n250 STARTTLS\r\n');
    else if (/^STARTTLS/i.test(line)) sock.write('220 2.0.0 Ready to start TLS\r\n250 injected-after-go-ahead\r\n');
  });
  try {
    const r = await mailcertAsync(['verify', '--connect', `127.0.0.1:${port}`, '--starttls', 'smtp', '--json']);
    assert.equal(r.status, 5, r.stderr);
    const doc = JSON.parse(r.stdout) as Report & { server?: { hint?: string } };
    assert.equal(doc.server?.error, 'injection');
    assert.match(doc.server?.hint ?? '', /CVE-2011-0411/);
    assert.match(doc.checks[0]?.detail ?? '', /plaintext followed "220 2\.0\.0 Ready to start TLS" before TLS started/);
  } finally {
    server.close();
  }
});

test('silence is a timeout (exit 5) within --timeout; a closed port is refused (exit 5)', async () => {
  const { port, server } = await scripted(() => undefined, '');
  try {
    const t0 = Date.now();
    const r = await mailcertAsync(['verify', '--connect', `127.0.0.1:${port}`, '--starttls', 'smtp', '--timeout', '0.5']);
    assert.equal(r.status, 5);
    assert.ok(Date.now() - t0 < 5000);
    assert.match(r.stderr, /greeting|timed out|no answer|within/i);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    server.close();
  }
  const closed = await scripted(() => undefined);
  const closedPort = (closed.server.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.server.close(() => resolve()));
  const r = mailcert(['verify', '--connect', `127.0.0.1:${closedPort}`, '--starttls', 'smtp']);
  assert.equal(r.status, 5);
  assert.match(r.stderr, /refused/i);
});
