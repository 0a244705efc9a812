// verify --connect against real Dovecot and Postfix started on 127.0.0.1 for this file, and a
// small scripted server only for what no real server does on purpose (plaintext injected after
// the STARTTLS go-ahead, silence). Every verdict is compared with openssl s_client's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keytool, mailcert, mailcertAsync, openssl, tempDir } from '../helpers/tools.js';
import { AUTH_HOST, SERVER_NAME, startMailServers, type MailServers, type PortName } from '../helpers/mail-servers.js';
import { makeTestPki, startFakeServer } from '../net/fake-server.js';

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

// ---- what a port check shows: greeting, mode, capabilities, auth before TLS, versions --------

interface Facts {
  protocol: string;
  mode: string;
  modeSource: string;
  greeting?: string;
  capabilities: string[];
  capabilitiesBeforeTls?: string[];
  authBeforeTls?: string[];
  keyExchange?: string;
  signatureScheme: string | null;
  ocspStapled: boolean;
  versions?: { version: string; result: string; detail: string }[];
  notes: string[];
}
interface Live {
  ok: boolean;
  target: string;
  checks: { name: string; status: string; detail: string }[];
  server: Facts;
}

/** verify --connect HOST:PORT --json with no --starttls: the mode is the server's to show. */
function live(port: number, extra: string[] = [], host = '127.0.0.1', env?: NodeJS.ProcessEnv): { status: number | null; doc: Live; stderr: string } {
  const r = mailcert(['verify', '--connect', `${host}:${port}`, '--servername', SERVER_NAME, '--ca', servers.caPem, '--json', ...extra], env === undefined ? {} : { env });
  return { status: r.status, doc: JSON.parse(r.stdout) as Live, stderr: r.stderr };
}
const statusOf = (d: Live, name: string): string | undefined => d.checks.find((c) => c.name === name)?.status;
const detailOf = (d: Live, name: string): string => d.checks.find((c) => c.name === name)?.detail ?? '';

test('implicit TLS on ports that are not 465/993/995: found out, and the greeting and capabilities inside TLS shown, as s_client shows them', () => {
  const cases: [PortName, string, RegExp, string][] = [
    ['smtps', 'smtp', /^mail\.test\.example ESMTP mailcert test server$/, 'PIPELINING'],
    // A busy Dovecot greets first with "Waiting for authentication process to respond..", then the usual line.
    ['imaps', 'imap', /^\* OK (?:\[CAPABILITY IMAP4rev1 .*\] Dovecot \(Debian\) ready\.|Waiting for authentication process to respond\.\.)$/, 'AUTH=PLAIN'],
    ['pop3s', 'pop3', /^\+OK Dovecot \(Debian\) ready\.$/, 'SASL PLAIN LOGIN'],
  ];
  for (const [name, protocol, greeting, capability] of cases) {
    for (const extra of [[], ['--starttls', 'none']]) {
      const { status, doc } = live(servers.ports[name], extra);
      assert.equal(status, 0, `${name} ${extra.join(' ')}: ${JSON.stringify(doc.checks)}`);
      assert.equal(doc.server.mode, 'implicit');
      assert.equal(doc.server.modeSource, extra.length === 0 ? 'detected' : 'option');
      assert.equal(doc.server.protocol, protocol);
      assert.match(doc.server.greeting ?? '', greeting, name);
      assert.ok(doc.server.capabilities.includes(capability), `${name}: ${doc.server.capabilities.join(', ')}`);
      assert.doesNotMatch(doc.server.notes.join(' '), /assumed/);
    }
    // openssl s_client prints the same first line after the handshake (-quiet waits for the server to hang up: say goodbye).
    const bye = protocol === 'imap' ? 'a1 LOGOUT\n' : 'QUIT\n';
    const s = openssl(['s_client', '-connect', `127.0.0.1:${servers.ports[name]}`, '-servername', SERVER_NAME, '-quiet', '-crlf', '-no-CApath', '-no-CAstore', '-no-CAfile'], { input: bye, timeoutMs: 20_000 });
    assert.match(s.stdout.split(/\r?\n/)[0] ?? '', protocol === 'smtp' ? /^220 mail\.test\.example ESMTP mailcert test server$/ : greeting);
  }
  const text = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.smtps}`, '--servername', SERVER_NAME, '--ca', servers.caPem]);
  assert.equal(text.status, 0, text.stdout);
  assert.match(text.stdout, /^ {2}protocol {2}SMTP, implicit TLS \(detected: the server waited for TLS; --starttls none skips the wait\)$/m);
  assert.match(text.stdout, /^ {2}greeting {2}mail\.test\.example ESMTP mailcert test server {2}\[SMTP 220, inside TLS\]$/m);
  assert.match(text.stdout, /^ {2}after TLS PIPELINING, SIZE 10240000, .*CHUNKING$/m);
  assert.match(text.stdout, /^ {2}TLS {7}TLSv1\.3 \S+, key exchange X25519, server signature ecdsa_secp256r1_sha256$/m);
  assert.match(text.stdout, /^ {2}OCSP {6}no response stapled$/m);
});

test('an unknown port that greets in plaintext is STARTTLS of that protocol, for Postfix and each Dovecot protocol; s_client -starttls agrees', () => {
  const cases: [PortName, string][] = [['smtp', 'smtp'], ['submission', 'smtp'], ['imap', 'imap'], ['pop3', 'pop3'], ['sieve', 'sieve'], ['lmtp', 'lmtp']];
  for (const [name, protocol] of cases) {
    const { status, doc } = live(servers.ports[name]);
    assert.equal(status, 0, `${name}: ${JSON.stringify(doc.checks)}`);
    assert.deepEqual([doc.server.mode, doc.server.modeSource, doc.server.protocol], ['starttls', 'detected', protocol], name);
    assert.ok(doc.server.capabilitiesBeforeTls !== undefined && doc.server.capabilitiesBeforeTls.length > 0, name);
    assert.equal(opensslAccepts(servers.ports[name], protocol as Proto, SERVER_NAME, servers.caPem), true, `openssl -starttls ${protocol} on ${name}`);
  }
  const text = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.pop3}`, '--servername', SERVER_NAME, '--ca', servers.caPem]);
  assert.match(text.stdout, /^ {2}protocol {2}POP3, STARTTLS \(detected: the server greeted in plaintext\)$/m);
  assert.match(text.stdout, /^ {2}greeting {2}\+OK Dovecot \(Debian\) ready\. {2}\[POP3, plaintext, before STARTTLS\]$/m);
  assert.match(text.stdout, /^ {2}before {4}CAPA, .*STLS.*$/m);
  assert.match(text.stdout, /^ {2}after TLS CAPA, .*SASL PLAIN LOGIN$/m);
});

test('authentication offered before STARTTLS warns (Postfix smtpd_tls_auth_only = no, Dovecot disable_plaintext_auth = no); the defaults do not', () => {
  const warns: [PortName, string, RegExp][] = [
    ['smtpAuthPlain', '127.0.0.1', /AUTH PLAIN, AUTH LOGIN.*smtpd_tls_auth_only = yes/],
    ['imapAuthPlain', AUTH_HOST, /AUTH=PLAIN, AUTH=LOGIN, LOGIN \(no LOGINDISABLED\).*disable_plaintext_auth = yes/],
    ['pop3AuthPlain', AUTH_HOST, /USER, SASL PLAIN, SASL LOGIN/],
    ['sieveAuthPlain', AUTH_HOST, /SASL PLAIN, SASL LOGIN/],
  ];
  for (const [name, host, detail] of warns) {
    const { status, doc } = live(servers.ports[name], [], host);
    assert.equal(status, 0, `${name}: a warning, not a failure`);
    assert.equal(statusOf(doc, 'plaintext auth'), 'warn', name);
    assert.match(detailOf(doc, 'plaintext auth'), detail);
    assert.equal(live(servers.ports[name], ['--strict'], host).status, 1, `${name} --strict`);
  }
  for (const [name, host] of [['smtp', '127.0.0.1'], ['smtpAuthTlsOnly', '127.0.0.1'], ['imapAuthDefault', AUTH_HOST], ['pop3AuthDefault', AUTH_HOST], ['sieveAuthDefault', AUTH_HOST]] as const) {
    const { status, doc } = live(servers.ports[name], [], host);
    assert.equal(status, 0, name);
    assert.equal(statusOf(doc, 'plaintext auth'), 'ok', `${name}: ${detailOf(doc, 'plaintext auth')}`);
    assert.deepEqual(doc.server.authBeforeTls, [], name);
  }
  // smtpd_tls_auth_only = yes: AUTH comes after STARTTLS only.
  assert.ok(live(servers.ports.smtpAuthTlsOnly).doc.server.capabilities.includes('AUTH PLAIN LOGIN'));
  // Implicit TLS has no plaintext to offer anything in: no such check.
  assert.equal(statusOf(live(servers.ports.imaps).doc, 'plaintext auth'), undefined);
});

test('--protocols: TLS 1.2 only on smtpTls12; the default Postfix also takes 1.0 and 1.1 (a warning, RFC 8996), as openssl s_client finds', () => {
  const only12 = live(servers.ports.smtpTls12, ['--protocols']);
  assert.equal(only12.status, 0, JSON.stringify(only12.doc.checks));
  assert.deepEqual(
    only12.doc.server.versions?.map((v) => [v.version, v.result]),
    [['TLSv1', 'refused'], ['TLSv1.1', 'refused'], ['TLSv1.2', 'accepted'], ['TLSv1.3', 'refused']],
  );
  assert.equal(statusOf(only12.doc, 'protocols'), 'ok');
  assert.equal(detailOf(only12.doc, 'protocols'), 'accepts TLS 1.2');

  const old = live(servers.ports.smtp, ['--protocols']);
  assert.equal(old.status, 0);
  assert.equal(statusOf(old.doc, 'protocols'), 'warn');
  assert.match(detailOf(old.doc, 'protocols'), /^accepts TLS 1\.0, TLS 1\.1, TLS 1\.2, TLS 1\.3: TLS 1\.0 and TLS 1\.1 are deprecated \(RFC 8996\)$/);
  assert.equal(live(servers.ports.smtp, ['--protocols', '--strict']).status, 1);
  for (const [flag, accepted] of [['-tls1', true], ['-tls1_1', true], ['-tls1_3', true]] as const) {
    const s = openssl(['s_client', '-connect', `127.0.0.1:${servers.ports.smtp}`, '-starttls', 'smtp', flag, '-cipher', 'DEFAULT@SECLEVEL=0', '-no-CApath', '-no-CAstore', '-no-CAfile'], { input: '', timeoutMs: 20_000 });
    assert.equal(s.status === 0, accepted, `openssl ${flag}`);
  }
  // Implicit TLS (Dovecot, ssl_min_protocol = TLSv1.2), no --starttls: the probes take the mode found.
  const imaps = live(servers.ports.imaps, ['--protocols']);
  assert.deepEqual(imaps.doc.server.versions?.map((v) => v.result), ['refused', 'refused', 'accepted', 'accepted']);
  // Dovecot's LMTP, found out behind a 220 greeting by its answer to EHLO: the probes say LHLO too.
  const lmtp = live(servers.ports.lmtp, ['--protocols']);
  assert.equal(lmtp.doc.server.protocol, 'lmtp');
  assert.deepEqual(lmtp.doc.server.versions?.map((v) => v.result), ['refused', 'refused', 'accepted', 'accepted'], JSON.stringify(lmtp.doc.server.versions));
  const text = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.smtpTls12}`, '--servername', SERVER_NAME, '--ca', servers.caPem, '--protocols']);
  assert.match(text.stdout, /^ {2}versions {2}TLS 1\.0 refused, TLS 1\.1 refused, TLS 1\.2 accepted, TLS 1\.3 refused$/m);
});

test('--protocols says which versions this client could not offer (an openssl.cnf without TLS 1.0 and 1.1)', () => {
  const conf = join(dir, 'no-old-tls.cnf');
  writeFileSync(conf, 'nodejs_conf = nodejs_init\n[nodejs_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\nProtocol = -TLSv1, -TLSv1.1\n');
  const r = live(servers.ports.smtp, ['--protocols'], '127.0.0.1', { NODE_OPTIONS: `--openssl-config=${conf}` });
  assert.deepEqual(r.doc.server.versions?.map((v) => v.result), ['unavailable', 'unavailable', 'accepted', 'accepted']);
  assert.equal(statusOf(r.doc, 'protocols'), 'warn');
  assert.match(detailOf(r.doc, 'protocols'), /TLS 1\.0 not probed: this client could not offer TLSv1 \(no protocols available\); TLS 1\.1 not probed/);
});

// ---- DANE: --tlsa records against what the real servers present --------------------------------

/** The record data `openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256sum` gives (3 1 1 / 2 1 1). */
function opensslSpkiSha256(certPem: string): string {
  const pub = openssl(['x509', '-in', certPem, '-pubkey', '-noout']).stdout;
  const der = openssl(['pkey', '-pubin', '-outform', 'DER'], { input: pub }).stdoutBytes;
  return (openssl(['dgst', '-sha256', '-r'], { input: der }).stdout.split(' ')[0] ?? '').trim();
}

function dane(port: number, records: string[], extra: string[] = ['--ca', servers.caPem]): { status: number | null; doc: Live } {
  const r = mailcert(['verify', '--connect', `127.0.0.1:${port}`, '--servername', SERVER_NAME, '--json', ...records.flatMap((t) => ['--tlsa', t]), ...extra]);
  return { status: r.status, doc: JSON.parse(r.stdout) as Live };
}

test('--tlsa: a matching 3 1 1 passes, a non-matching one fails naming the record to publish, a 2 1 1 on the intermediate anchors the chain', () => {
  const leaf = opensslSpkiSha256(servers.certs.leaf);
  const inter = opensslSpkiSha256(servers.interPem);
  const good = dane(servers.ports.smtp, [`3 1 1 ${leaf}`]);
  assert.equal(good.status, 0, JSON.stringify(good.doc.checks));
  assert.equal(statusOf(good.doc, 'dane'), 'ok');
  assert.match(detailOf(good.doc, 'dane'), /^DANE-EE 3 1 1 [0-9a-f]{16}… matches the server's key: the record alone authenticates the server/);

  const wrong = `3 1 1 ${leaf.slice(0, -1)}${leaf.endsWith('0') ? '1' : '0'}`;
  const bad = dane(servers.ports.smtp, [wrong]);
  assert.equal(bad.status, 1);
  assert.equal(bad.doc.ok, false);
  assert.equal(statusOf(bad.doc, 'dane'), 'fail');
  assert.match(detailOf(bad.doc, 'dane'), new RegExp(`none of the 1 record\\(s\\) matches .*the server's certificate is 3 1 1 ${leaf}; its issuer "CN=Mailcert Test Intermediate CA, O=Mailcert Test, C=DE" is 2 1 1 ${inter}`));

  // DANE-TA: no --ca at all; the record is the trust anchor, and the chain up to it is checked.
  const ta = dane(servers.ports.imaps, [`2 1 1 ${inter}`], ['--starttls', 'none']);
  assert.equal(ta.status, 0, JSON.stringify(ta.doc.checks));
  assert.equal(statusOf(ta.doc, 'trust'), 'ok');
  assert.match(detailOf(ta.doc, 'trust'), /DANE-TA 2 1 1/);
  assert.match(detailOf(ta.doc, 'dane'), /^DANE-TA 2 1 1 [0-9a-f]{16}… matches certificate 2 the server sent, "CN=Mailcert Test Intermediate CA/);
  // Without the record the same check fails on trust.
  assert.equal(statusOf(dane(servers.ports.imaps, [], ['--starttls', 'none']).doc, 'trust'), 'fail');
});

test('DANE-EE: names, issuer and expiry are not applied (RFC 7672 3.1.1): an expired, a self-signed and a wrong-host certificate pass on their key', () => {
  const leaf = opensslSpkiSha256(servers.certs.leaf); // every variant has the same key
  const cases: [PortName, string, string[]][] = [
    ['smtpExpired', 'validity', ['--ca', servers.caPem]],
    ['smtpSelfSigned', 'trust', []],
    ['smtpWrongHost', 'host name', ['--ca', servers.caPem]],
  ];
  for (const [name, check, extra] of cases) {
    const without = dane(servers.ports[name], [], extra);
    assert.equal(without.status, 1, name);
    assert.equal(statusOf(without.doc, check), 'fail', name);
    const withRecord = dane(servers.ports[name], [`3 1 1 ${leaf}`], extra);
    assert.equal(withRecord.status, 0, `${name}: ${JSON.stringify(withRecord.doc.checks)}`);
    assert.equal(statusOf(withRecord.doc, check), 'ok');
    assert.match(detailOf(withRecord.doc, check), /^not applied under DANE-EE \(RFC 7672 §3\.1\.1\); it found: /);
  }
  // DANE-TA checks the dates: the expired leaf under its intermediate's record still fails.
  const ta = dane(servers.ports.smtpExpired, [`2 1 1 ${opensslSpkiSha256(servers.interPem)}`], []);
  assert.equal(ta.status, 1);
  assert.equal(statusOf(ta.doc, 'dane'), 'ok');
  assert.equal(statusOf(ta.doc, 'validity'), 'fail');
});

test('PKIX-EE 1 1 1: as RFC 6698 on IMAP; on SMTP a warning that RFC 7672 makes it unusable', () => {
  const record = `1 1 1 ${opensslSpkiSha256(servers.certs.leaf)}`;
  const imap = dane(servers.ports.imap, [record]);
  assert.equal(imap.status, 0);
  assert.equal(statusOf(imap.doc, 'dane'), 'ok');
  const smtp = dane(servers.ports.smtp, [record]);
  assert.equal(statusOf(smtp.doc, 'dane'), 'warn');
  assert.match(detailOf(smtp.doc, 'dane'), /RFC 7672 §3\.1\.3/);
  // Without a trusted root PKIX-EE does not hold.
  assert.equal(statusOf(dane(servers.ports.imap, [record], []).doc, 'dane'), 'fail');
});

test('--tlsa-file: zone-file lines (parentheses, comments, other records) and `dig +short` output (the hex in groups, a CNAME line)', () => {
  const leaf = opensslSpkiSha256(servers.certs.leaf);
  const zone = join(dir, 'zone.txt');
  writeFileSync(zone, `$ORIGIN example.com.\nmail IN A 192.0.2.1\n; the MX\n_25._tcp.mail 3600 IN TLSA ( 3 1 1\n  ${leaf.slice(0, 32)}\n  ${leaf.slice(32)} )\n`);
  assert.equal(statusOf(live(servers.ports.smtp, ['--tlsa-file', zone]).doc, 'dane'), 'ok');
  const dig = join(dir, 'dig.txt');
  writeFileSync(dig, `_25._tcp.mx.example.net.\n3 1 1 ${leaf.slice(0, 56).toUpperCase()} ${leaf.slice(56).toUpperCase()}\n`);
  assert.equal(statusOf(live(servers.ports.smtp, ['--tlsa-file', dig]).doc, 'dane'), 'ok');

  const badFile = join(dir, 'bad.txt');
  writeFileSync(badFile, `3 1 1 ${leaf}\n3 1 1 abcd\n`);
  const r = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.smtp}`, '--tlsa-file', badFile]);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /--tlsa-file .*bad\.txt: line 2: a SHA2-256 record holds 32 bytes \(64 hex digits\), this one 2/);
  const usage = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.smtp}`, '--tlsa', '3 1 one abcd']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--tlsa "3 1 one abcd": "one" is not a matching type/);
  assert.equal(mailcert(['verify', '--cert', servers.certs.chain, '--tlsa', `3 1 1 ${leaf}`]).status, 2);
});

// ---- several endpoints: the cron report ------------------------------------------------------

test('--targets: one line per endpoint, failures first then the soonest expiry; --json has the same summary; exit 1, or 5 when one was unreachable', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const file = join(dir, 'targets.txt');
  const good = [`127.0.0.1:${servers.ports.smtpTls12} smtp`, `127.0.0.1:${servers.ports.imaps} none`];
  const lines = [...good, `127.0.0.1:${servers.ports.imapsExpired}`, `127.0.0.1:${servers.ports.smtpAuthPlain}`, `127.0.0.1:${closedPort} smtp`];
  writeFileSync(file, `# mail servers\n${lines.join('\n')}\n`);
  const args = ['verify', '--targets', file, '--servername', SERVER_NAME, '--ca', servers.caPem];

  const text = mailcert(args);
  assert.equal(text.status, 5, text.stderr);
  const rows = text.stdout.split('\n');
  assert.match(rows[0] ?? '', /^endpoint +mode +expires +verdict$/);
  assert.match(rows[1] ?? '', new RegExp(`^127\\.0\\.0\\.1:${closedPort} +- +- +error +connect: connection refused$`));
  assert.match(rows[2] ?? '', new RegExp(`^127\\.0\\.0\\.1:${servers.ports.imapsExpired} +implicit imap +2020-02-01 \\(expired \\d+ days ago\\) +fail +validity$`));
  for (const row of rows.slice(3, 6)) assert.match(row, /^127\.0\.0\.1:\d+ +(STARTTLS smtp|implicit imap) +\d{4}-\d\d-\d\d \(36\d days\) +(ok|warn)/);
  assert.match(text.stdout, /^5 endpoint\(s\): 2 failed, 1 with warnings$/m);
  // The details follow for the endpoints with something to say.
  assert.match(text.stdout, new RegExp(`^127\\.0\\.0\\.1:${servers.ports.smtpAuthPlain}\\n(?: {2}.*\\n)*? {2}warn {2}plaintext auth`, 'm'));
  assert.doesNotMatch(text.stdout, new RegExp(`^127\\.0\\.0\\.1:${servers.ports.smtpTls12}$`, 'm'));

  const json = mailcert([...args, '--json']);
  assert.equal(json.status, 5);
  const doc = JSON.parse(json.stdout) as { ok: boolean; summary: { target: string; verdict: string; daysLeft: number | null; mode: string; problems: string[] }[]; targets: Live[] };
  assert.equal(doc.ok, false);
  assert.deepEqual(doc.summary.map((l) => l.verdict).slice(0, 2), ['error', 'fail']);
  assert.deepEqual(doc.targets.map((t) => t.target), lines.map((l) => l.split(' ')[0]));
  assert.ok((doc.summary[1]?.daysLeft ?? 0) < 0);

  writeFileSync(file, `${[...good, `127.0.0.1:${servers.ports.imapsExpired}`].join('\n')}\n`);
  assert.equal(mailcert(args).status, 1);
  writeFileSync(file, `${[...good, `127.0.0.1:${servers.ports.smtpAuthPlain}`].join('\n')}\n`);
  assert.equal(mailcert(args).status, 0);
  const strict = mailcert([...args, '--strict', '--json']);
  assert.equal(strict.status, 1);
  const strictDoc = JSON.parse(strict.stdout) as { summary: { target: string; verdict: string }[] };
  assert.deepEqual(strictDoc.summary[0], { ...strictDoc.summary[0], target: `127.0.0.1:${servers.ports.smtpAuthPlain}`, verdict: 'warn' });
});

// ---- the chain as sent, and outside text in the new lines (a scripted server) ----------------

test('a root sent along is a note, not a second complaint; hostile capabilities reach the terminal escaped, --json exact', async () => {
  mkdirSync(join(dir, 'pki'));
  const pki = makeTestPki(join(dir, 'pki'));
  writeFileSync(join(dir, 'pki-root.pem'), pki.rootPem);
  const hostile = 'X-\u001b]0;PWNED\u0007\u001b[2J\u202eEVIL';
  const server = await startFakeServer({ protocol: 'smtp', extraCapabilities: [hostile] }, { key: pki.key, chain: pki.leafPem + pki.interPem + pki.rootPem });
  try {
    const args = ['verify', '--connect', `127.0.0.1:${server.port}`, '--starttls', 'smtp', '--servername', 'mail.fake.test', '--ca', join(dir, 'pki-root.pem')];
    const text = await mailcertAsync(args);
    assert.equal(text.status, 0, text.stdout);
    assert.match(text.stdout, /^ {2}note {6}the server sends the root "CN=Mailcert Test Root CA, O=Mailcert Test, C=DE" \(certificate 3\): clients use their own copy/m);
    assert.match(text.stdout, /^ {2}ok {4}chain /m);
    assert.match(text.stdout, /X-\\x1b\]0;PWNED\\x07\\x1b\[2J\\u202eEVIL/);
    assert.doesNotMatch(text.stdout, /\u001b|\u202e/);
    const json = JSON.parse((await mailcertAsync([...args, '--json'])).stdout) as Live;
    assert.ok(json.server.capabilitiesBeforeTls?.includes(hostile));
  } finally {
    await server.close();
  }
});
