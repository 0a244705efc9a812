// Text that did not come from mailcert reaches the terminal escaped, never raw: certificate names
// and SANs made by openssl with escape sequences, BEL, U+202E and a line break in them; a JKS
// whose alias sets the window title and clears the screen; file names with a line break; a
// server whose greeting and refusal carry escape sequences. The built CLI runs as a process in
// text mode (nothing raw on stdout or stderr, no forged line) and with --json (the exact values).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeJks } from '../../src/codec/jks.js';
import { decodePem } from '../../src/codec/pem.js';
import { fixturesDir, mailcert, mailcertAsync, runOk, tempDir, type RunResult } from '../helpers/tools.js';
import { terminal } from '../helpers/tmux.js';
import { makeTestPki, startFakeServer, type FakeServer, type Scenario } from '../net/fake-server.js';

const dir = tempDir('mailcert-terminal-');
const env = { MAILCERT_STOREPASS: 'safety-pass' };

/** What a hostile name carries: an OSC window title, a screen clear, a right-to-left override, a line break that forges a mailcert line. */
const TITLE = '\x1b]0;PWNED\x07';
const CLEAR = '\x1b[2J';
const RLO = '\u202e';
const FORGED = '\nmailcert: forged';
const HOSTILE = `evil${TITLE}${CLEAR}${RLO}moc.elpmaxe${FORGED}`;

/** Terminal controls, DEL, C1, bidi controls, line separators: none may reach a terminal raw (tab and newline are mailcert's own). */
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

function assertSafe(r: RunResult, what: string): void {
  for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    assert.doesNotMatch(text, RAW, `${what}: a raw control character on ${name}: ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /^mailcert: forged/m, `${what}: a forged line on ${name}`);
  }
}

/** A self-signed CA certificate whose subject CN and SAN carry the hostile text, made by openssl. */
function hostileCertificate(): { pem: string; subject: string } {
  const pem = join(dir, 'hostile.pem');
  runOk('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'hostile.key'), '-out', pem, '-days', '30', '-utf8',
    '-subj', `/O=Org/CN=${HOSTILE}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', `subjectAltName=DNS:a${CLEAR}red.example`,
  ]);
  const json = mailcert(['inspect', pem, '--json']);
  assert.equal(json.status, 0, json.stderr);
  const subject = (JSON.parse(json.stdout) as { certificates: { subject: string }[] }).certificates[0]?.subject ?? '';
  return { pem, subject };
}
const cert = hostileCertificate();

test('inspect: the subject, issuer and SANs are escaped in text; --json keeps them exact', () => {
  const r = mailcert(['inspect', cert.pem]);
  assert.equal(r.status, 0, r.stderr);
  assertSafe(r, 'inspect');
  assert.match(r.stdout, /subject +CN="evil\\x1b\]0;PWNED\\x07\\x1b\[2J\\u202emoc\.elpmaxe\\x0amailcert: forged", O=Org$/m);
  assert.match(r.stdout, /names +DNS:a\\x1b\[2Jred\.example/);
  const doc = JSON.parse(mailcert(['inspect', cert.pem, '--json']).stdout) as { certificates: { subject: string; subjectAltNames: string[] }[] };
  assert.ok(cert.subject.includes(HOSTILE), JSON.stringify(cert.subject));
  assert.deepEqual(doc.certificates[0]?.subjectAltNames, [`DNS:a${CLEAR}red.example`]);
});

test('verify --cert: the check details quoting the names are escaped; --json keeps them exact', () => {
  const r = mailcert(['verify', '--cert', cert.pem, '--host', 'mail.example.com']);
  assert.equal(r.status, 1, r.stderr);
  assertSafe(r, 'verify');
  const doc = JSON.parse(mailcert(['verify', '--cert', cert.pem, '--host', 'mail.example.com', '--json']).stdout) as { checks: { detail: string }[] };
  assert.ok(doc.checks.some((c) => c.detail.includes(HOSTILE) || c.detail.includes(`a${CLEAR}red.example`)), JSON.stringify(doc.checks));
});

test('import, import-chain and list -v print the names escaped; list --json has them exact', () => {
  const trust = join(dir, 'trust.jks');
  const imp = mailcert(['import', '-k', trust, '--file', cert.pem, '--yes'], { env });
  assert.equal(imp.status, 0, imp.stderr);
  assertSafe(imp, 'import');
  assert.match(imp.stdout, /subject +CN="evil\\x1b/);

  const chain = join(dir, 'chain.jks');
  const ic = mailcert(['import-chain', '-k', chain, '--file', cert.pem], { env });
  assert.equal(ic.status, 0, ic.stderr);
  assertSafe(ic, 'import-chain');
  assert.match(ic.stdout, /added +"[^"]+" +CN="evil\\x1b/);

  const list = mailcert(['list', '-k', chain, '-v'], { env });
  assert.equal(list.status, 0, list.stderr);
  assertSafe(list, 'list -v');
  assert.match(list.stdout, /^Owner: CN="evil\\x1b\]0;PWNED\\x07/m);
  const doc = JSON.parse(mailcert(['list', '-k', chain, '--json'], { env }).stdout) as { entries: { chain: { subject: string }[] }[] };
  assert.equal(doc.entries[0]?.chain[0]?.subject, cert.subject);
});

test('on a real terminal the trust question shows the names escaped, and the screen is not cleared', async () => {
  const t = terminal(dir, ['import', '-k', 'prompt.jks', '--file', cert.pem], env);
  const screen = await t.waitFor(/Trust this certificate\?/);
  assert.match(screen, /Owner: +CN="evil\\x1b\]0;PWNED\\x07\\x1b\[2J\\u202emoc\.elpmaxe\\x0amailcert: forged", O=Org/);
  assert.doesNotMatch(screen, /^mailcert: forged/m);
  t.send('n', 'Enter');
  const end = await t.waitFor(/EXIT=\d+/);
  assert.match(end, /EXIT=2/);
  assert.match(end, /Owner: +CN="evil\\x1b/, 'the owner line is still on the screen');
});

test('a JKS whose alias sets the title and clears the screen: list, list -v, export and errors escape it; --json is exact', () => {
  const der = decodePem(readFileSync(cert.pem, 'latin1'))[0]?.der;
  assert.ok(der);
  const alias = `${TITLE}${CLEAR}${RLO}alias${FORGED}`;
  const store = join(dir, 'evil.jks');
  writeFileSync(store, encodeJks([{ kind: 'trusted', alias, created: new Date(), cert: der }], env.MAILCERT_STOREPASS));
  const stored = alias.toLowerCase(); // JKS lowercases aliases (JavaKeyStore.convertAlias)

  for (const args of [['list', '-k', store], ['list', '-k', store, '-v'], ['inspect', store]]) {
    const r = mailcert(args, { env });
    assert.equal(r.status, 0, r.stderr);
    assertSafe(r, args.join(' '));
    assert.match(r.stdout, /\\x1b\]0;pwned\\x07\\x1b\[2j\\u202ealias\\x0amailcert: forged/);
  }
  const json = JSON.parse(mailcert(['list', '-k', store, '--json'], { env }).stdout) as { entries: { alias: string }[] };
  assert.equal(json.entries[0]?.alias, stored);

  const exp = mailcert(['export', '-k', store, '--out', join(dir, 'evil.p12')], { env });
  assert.equal(exp.status, 0, exp.stderr);
  assertSafe(exp, 'export');
  assert.match(exp.stderr, /trusted "\\x1b\]0;pwned/);

  // An error quoting the alias: the entry named is not a key entry.
  const err = mailcert(['certreq', '-k', store, '--alias', stored], { env });
  assert.equal(err.status, 2, err.stderr);
  assertSafe(err, 'certreq error');
  assert.match(err.stderr, /^mailcert: .*entry "\\x1b\]0;pwned.*is a trusted certificate, not a key entry$/m);
  const errJson = JSON.parse(mailcert(['certreq', '-k', store, '--alias', stored, '--json'], { env }).stdout) as { error: { message: string } };
  assert.ok(errJson.error.message.includes(stored), 'the JSON error keeps the exact alias');
});

test('hash: a file name with a line break or a control character is escaped as sha256sum does, one line per file; --json is exact', () => {
  const src = join(fixturesDir, 'hash', 'spaces.pem');
  const plain = join(dir, 'plain.pem');
  const newline = join(dir, `line${FORGED}.pem`);
  const control = join(dir, `title${TITLE}.pem`);
  const backslash = join(dir, 'back\\slash.pem');
  for (const f of [plain, newline, control, backslash]) copyFileSync(src, f);
  const hash = runOk('openssl', ['x509', '-noout', '-hash', '-in', src]).stdout.trim();

  const r = mailcert(['hash', plain, newline, control, backslash]);
  assert.equal(r.status, 0, r.stderr);
  assertSafe(r, 'hash');
  assert.equal(
    r.stdout,
    `${hash}  ${plain}\n` +
      `\\${hash}  ${dir}/line\\nmailcert: forged.pem\n` +
      `\\${hash}  ${dir}/title\\x1b]0;PWNED\\x07.pem\n` +
      // Backslashes alone need no escaping: the line has no leading backslash and the name is as it is.
      `${hash}  ${backslash}\n`,
  );
  const doc = JSON.parse(mailcert(['hash', '--json', newline, control]).stdout) as { hashes: { file: string }[] };
  assert.deepEqual(doc.hashes.map((h) => h.file), [newline, control]);

  // An error naming such a file: one escaped line.
  const missing = join(dir, `missing${CLEAR}${FORGED}.pem`);
  const e = mailcert(['hash', plain, missing]);
  assert.equal(e.status, 3);
  assertSafe(e, 'hash error');
  assert.equal(e.stderr.split('\n')[0], `mailcert: ${dir}/missing\\x1b[2J\\x0amailcert: forged.pem: no such file`);
});

test('a usage error quoting an argument is escaped: a file name from a glob that starts with a dash', () => {
  const r = mailcert(['hash', `-${TITLE}${FORGED}.pem`]);
  assert.equal(r.status, 2);
  assertSafe(r, 'unknown option');
  assert.match(r.stderr, /^mailcert: unknown option '-\\x1b\]0;PWNED\\x07\\x0amailcert: forged\.pem'$/m);
});

test('an error message quoting a certificate file name is escaped: verify --cert on a name with escape sequences', () => {
  const name = join(dir, `chain${TITLE}${RLO}.pem`);
  const r = mailcert(['verify', '--cert', name]);
  assert.equal(r.status, 3);
  assertSafe(r, 'verify --cert missing');
  assert.match(r.stderr, /chain\\x1b\]0;PWNED\\x07\\u202e\.pem/);
});

// ---- a server's greeting and refusal ------------------------------------------------------

const pki = makeTestPki(tempDir('mailcert-terminal-pki-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, pki.rootPem);
const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
async function serve(scenario: Scenario): Promise<FakeServer> {
  const server = await startFakeServer(scenario, { key: pki.key, chain: pki.leafPem + pki.interPem });
  servers.push(server);
  return server;
}

test('verify --connect: the unauthenticated greeting is escaped in text and exact in --json', async () => {
  const greeting = `220 fake.test ESMTP ${TITLE}${CLEAR}${RLO}ready`;
  const server = await serve({ protocol: 'smtp', greetingText: `${greeting}\r\n` });
  const args = ['verify', '--connect', `127.0.0.1:${server.port}`, '--starttls', 'smtp', '--servername', 'mail.fake.test', '--ca', caFile];
  const r = await mailcertAsync(args);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assertSafe(r, 'verify --connect');
  assert.match(r.stdout, /greeting +fake\.test ESMTP \\x1b\]0;PWNED\\x07\\x1b\[2J\\u202eready/);
  const json = await mailcertAsync([...args, '--json']);
  assert.equal((JSON.parse(json.stdout) as { server: { greeting: string } }).server.greeting, greeting.slice(4));
});

test('verify --connect: a STARTTLS refusal quoting the server line is escaped on stderr and exact in --json', async () => {
  const line = `454 4.7.0 ${CLEAR}TLS ${TITLE}not available`;
  const server = await serve({ protocol: 'smtp', refuse: true, refuseText: `${line}\r\n` });
  const args = ['verify', '--connect', `127.0.0.1:${server.port}`, '--starttls', 'smtp'];
  const r = await mailcertAsync(args);
  assert.equal(r.status, 5, r.stderr + r.stdout);
  assertSafe(r, 'STARTTLS refused');
  assert.match(r.stderr, /the server answered "454 4\.7\.0 \\x1b\[2JTLS \\x1b\]0;PWNED\\x07not available"/);
  // What to do: the server's own user may not read its key (Exim as Debian-exim).
  assert.match(r.stderr, /hint: .*Debian-exim.*--key-group GROUP --key-mode 0640/);
  const json = await mailcertAsync([...args, '--json']);
  assert.equal(json.status, 5);
  const doc = JSON.parse(json.stdout) as { checks: { detail: string }[] };
  assert.ok(doc.checks[0]?.detail.includes(line), JSON.stringify(doc.checks));
});
