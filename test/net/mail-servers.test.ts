/**
 * Proves the harness of test/helpers/mail-servers.ts with the real tool: `openssl s_client`
 * verifies every good port against the test root, fails on each broken-certificate variant with
 * the verify error that variant stands for, and servers meant to lack STARTTLS don't offer it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AUTH_HOST,
  CERT_VARIANTS,
  SERVER_NAME,
  WRONG_HOST,
  instanceProcesses,
  startMailServers,
  variantPort,
  type CertVariant,
  type MailServers,
  type PortName,
} from '../helpers/mail-servers.js';
import { openssl, run, tempDir, type RunResult } from '../helpers/tools.js';

let servers: MailServers | undefined;
before(async () => {
  servers = await startMailServers();
});
after(() => servers?.stop());

function srv(): MailServers {
  assert.ok(servers, 'the mail servers did not start');
  return servers;
}

type Starttls = 'smtp' | 'imap' | 'pop3' | 'sieve' | 'lmtp';

/** `openssl s_client ... </dev/null`, verifying like a strict client would. */
function sClient(port: number, starttls: Starttls | null, opts: { hostname?: string; extra?: string[] } = {}): RunResult {
  const s = srv();
  return openssl(
    [
      's_client', '-connect', `127.0.0.1:${port}`, ...(starttls === null ? [] : ['-starttls', starttls]),
      '-servername', SERVER_NAME, '-verify_return_error', '-verify_hostname', opts.hostname ?? SERVER_NAME,
      '-CAfile', s.caPem, ...(opts.extra ?? []),
    ],
    { input: '', timeoutMs: 15_000 },
  );
}

const transcript = (r: RunResult): string => `${r.stderr}\n${r.stdout}`;

function assertVerified(r: RunResult, what: string): void {
  assert.equal(r.status, 0, `${what}: s_client failed:\n${transcript(r)}`);
  assert.match(r.stdout, /Verify return code: 0 \(ok\)/, what);
}

const certCount = (r: RunResult): number => r.stdout.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

/** Every port that must verify, with the STARTTLS dialect openssl speaks there (null: implicit TLS). */
const GOOD: readonly [PortName, Starttls | null][] = [
  ['smtp', 'smtp'],
  ['submission', 'smtp'],
  ['smtps', null],
  ['imap', 'imap'],
  ['imaps', null],
  ['pop3', 'pop3'],
  ['pop3s', null],
  ['sieve', 'sieve'],
  ['lmtp', 'lmtp'],
];

/** The openssl verify error each variant must produce (X509_V_ERR_* numbers). */
const EXPECTED: Record<CertVariant, RegExp> = {
  expired: /verify error:num=10:certificate has expired/,
  wrongHost: /verify error:num=62:hostname mismatch/,
  selfSigned: /verify error:num=18:self-signed certificate/,
  missingIntermediate: /verify error:num=20:unable to get local issuer certificate/,
};

const VARIANT_PORTS: readonly ['smtp' | 'imap' | 'imaps', Starttls | null][] = [
  ['smtp', 'smtp'],
  ['imap', 'imap'],
  ['imaps', null],
];

describe('good certificate: leaf + intermediate, verified against the test root', () => {
  for (const [name, starttls] of GOOD) {
    it(`${name} (${starttls === null ? 'implicit TLS' : `-starttls ${starttls}`})`, () => {
      const r = sClient(srv().ports[name], starttls, { extra: ['-showcerts'] });
      assertVerified(r, name);
      assert.equal(certCount(r), 2, `${name} sends leaf and intermediate`);
    });
  }
});

describe('certificate variants fail with the matching openssl verify error', () => {
  for (const v of CERT_VARIANTS) {
    for (const [proto, starttls] of VARIANT_PORTS) {
      const name = variantPort(proto, v);
      it(`${name}: ${EXPECTED[v].source.replace(/\\/g, '')}`, () => {
        const r = sClient(srv().ports[name], starttls);
        assert.notEqual(r.status, 0, `${name} must not verify:\n${transcript(r)}`);
        assert.match(transcript(r), EXPECTED[v]);
      });
    }
  }
});

describe('each variant is broken in exactly one way', () => {
  it('expired verifies when time is not checked', () => {
    assertVerified(sClient(srv().ports.smtpExpired, 'smtp', { extra: ['-no_check_time'] }), 'expired');
  });
  it(`wrongHost verifies for ${WRONG_HOST}`, () => {
    assertVerified(sClient(srv().ports.imapsWrongHost, null, { hostname: WRONG_HOST }), 'wrongHost');
  });
  it('selfSigned verifies when it is its own trust anchor', () => {
    assertVerified(sClient(srv().ports.imapSelfSigned, 'imap', { extra: ['-CAfile', srv().certs.selfSigned] }), 'selfSigned');
  });
  it('missingIntermediate sends only the leaf, and verifies when the client has the intermediate', () => {
    const s = srv();
    // s_client (openssl 3.0) has no -untrusted: trust root + intermediate instead.
    const bundle = join(tempDir(), 'root-and-inter.pem');
    writeFileSync(bundle, readFileSync(s.caPem, 'utf8') + readFileSync(s.interPem, 'utf8'));
    const r = sClient(s.ports.smtpMissingIntermediate, 'smtp', { extra: ['-CAfile', bundle, '-showcerts'] });
    assertVerified(r, 'missingIntermediate');
    assert.equal(certCount(r), 1);
  });
  it('the certificate files: chain verifies, leaf SANs, expired dates', () => {
    const s = srv();
    const ok = run('openssl', ['verify', '-CAfile', s.caPem, '-untrusted', s.interPem, s.certs.leaf]);
    assert.equal(ok.status, 0, ok.stderr);
    const san = run('openssl', ['x509', '-in', s.certs.leaf, '-noout', '-ext', 'subjectAltName']).stdout;
    assert.match(san, /DNS:mail\.test\.example, DNS:localhost, IP Address:127\.0\.0\.1/);
    assert.notEqual(run('openssl', ['x509', '-in', s.certs.expired, '-noout', '-checkend', '0']).status, 0);
  });
});

// ---------------------------------------------------------------------------------------------
// Plaintext conversations, to see what each server advertises before TLS

interface Step {
  send?: string;
  /** Read until the text received since this step's `send` matches. */
  until: RegExp;
}

/** Runs a scripted plaintext conversation and returns everything the server said. */
function talk(port: number, steps: readonly Step[], host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = '';
    let mark = 0;
    let i = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply matching ${String(steps[i]?.until)} from port ${port}; got:\n${received}`));
    }, 10_000);
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      for (let step = steps[i]; step !== undefined && step.until.test(received.slice(mark)); step = steps[i]) {
        i++;
        const next = steps[i];
        if (next === undefined) return finish();
        mark = received.length;
        if (next.send !== undefined) socket.write(next.send);
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

const EHLO: readonly Step[] = [{ until: /^220 .*\r\n/m }, { send: 'EHLO client.test\r\n', until: /^250 .*\r\n/m }];
const LHLO: readonly Step[] = [{ until: /^220 .*\r\n/m }, { send: 'LHLO client.test\r\n', until: /^250 .*\r\n/m }];
const IMAP_CAPABILITY: readonly Step[] = [{ until: /^\* OK.*\r\n/m }, { send: 'a1 CAPABILITY\r\n', until: /^a1 .*\r\n/m }];
const POP3_CAPA: readonly Step[] = [{ until: /^\+OK.*\r\n/m }, { send: 'CAPA\r\n', until: /^\.\r\n/m }];
const SIEVE_GREETING: readonly Step[] = [{ until: /^OK.*\r\n/m }];

describe('STARTTLS is offered where it should be, and only there', () => {
  const cases: readonly [PortName, readonly Step[], RegExp, boolean][] = [
    ['smtp', EHLO, /^250[- ]STARTTLS\r$/m, true],
    ['smtpNoTls', EHLO, /^250[- ]STARTTLS\r$/m, false],
    ['lmtp', LHLO, /^250[- ]STARTTLS\r$/m, true],
    ['imap', IMAP_CAPABILITY, /^\* CAPABILITY .*\bSTARTTLS\b/m, true],
    ['imapNoTls', IMAP_CAPABILITY, /^\* CAPABILITY .*\bSTARTTLS\b/m, false],
    ['pop3', POP3_CAPA, /^STLS\r$/m, true],
    ['pop3NoTls', POP3_CAPA, /^STLS\r$/m, false],
    ['sieve', SIEVE_GREETING, /^"STARTTLS"\r$/m, true],
    ['sieveNoTls', SIEVE_GREETING, /^"STARTTLS"\r$/m, false],
  ];
  for (const [name, steps, offer, offered] of cases) {
    it(`${name} ${offered ? 'offers' : 'does not offer'} STARTTLS`, async () => {
      const said = await talk(srv().ports[name], steps);
      if (offered) assert.match(said, offer);
      else assert.doesNotMatch(said, offer);
    });
  }

  it('smtpNoTls answers STARTTLS with 502 (openssl -starttls smtp gives up)', () => {
    const r = sClient(srv().ports.smtpNoTls, 'smtp');
    assert.notEqual(r.status, 0);
    assert.match(transcript(r), /didn't find starttls/i);
  });

  it('submission requires TLS: MAIL before STARTTLS gets 530', async () => {
    const said = await talk(srv().ports.submission, [...EHLO, { send: 'MAIL FROM:<a@client.test>\r\n', until: /^\d{3} .*\r\n/m }]);
    assert.match(said, /^530 5\.7\.0 Must issue a STARTTLS command first/m);
  });
});

describe('the listeners of the TLS version and authentication checks', () => {
  it('smtpTls12 accepts TLS 1.2 only: openssl s_client -tls1_2 verifies, -tls1_3 and -tls1_1 fail', () => {
    const port = srv().ports.smtpTls12;
    assertVerified(sClient(port, 'smtp', { extra: ['-tls1_2'] }), 'smtpTls12 TLS 1.2');
    assert.notEqual(sClient(port, 'smtp', { extra: ['-tls1_3'] }).status, 0, 'TLS 1.3 refused');
    assert.notEqual(sClient(port, 'smtp', { extra: ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'] }).status, 0, 'TLS 1.1 refused');
  });

  it('the default Postfix accepts TLS 1.1 (openssl at security level 0 can tell): what --protocols warns about', () => {
    assertVerified(sClient(srv().ports.smtp, 'smtp', { extra: ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'] }), 'smtp TLS 1.1');
  });

  it('Postfix with SASL: smtpAuthPlain offers AUTH before STARTTLS, smtpAuthTlsOnly does not (and does after)', async () => {
    const s = srv();
    assert.match(await talk(s.ports.smtpAuthPlain, EHLO), /^250[- ]AUTH PLAIN LOGIN\r$/m);
    assert.doesNotMatch(await talk(s.ports.smtpAuthTlsOnly, EHLO), /^250[- ]AUTH\b/m);
    const inside = openssl(['s_client', '-connect', `127.0.0.1:${s.ports.smtpAuthTlsOnly}`, '-starttls', 'smtp', '-crlf', '-quiet'], { input: 'EHLO client.test\r\nQUIT\r\n', timeoutMs: 15_000 });
    assert.match(inside.stdout, /^250[- ]AUTH PLAIN LOGIN\r?$/m);
  });

  it(`Dovecot on ${AUTH_HOST}: the default hides authentication before TLS, disable_plaintext_auth = no offers it`, async () => {
    const s = srv();
    for (const suffix of ['Default', 'Plain'] as const) {
      const plain = suffix === 'Plain';
      assert.equal(s.host(`imapAuth${suffix}`), AUTH_HOST);
      const imap = await talk(s.ports[`imapAuth${suffix}`], IMAP_CAPABILITY, AUTH_HOST);
      assert.equal(/\bLOGINDISABLED\b/.test(imap), !plain, imap);
      assert.equal(/\bAUTH=PLAIN\b/.test(imap), plain, imap);
      const pop3 = await talk(s.ports[`pop3Auth${suffix}`], POP3_CAPA, AUTH_HOST);
      assert.equal(/^USER\r$/m.test(pop3), plain, pop3);
      const sieve = await talk(s.ports[`sieveAuth${suffix}`], SIEVE_GREETING, AUTH_HOST);
      assert.equal(/^"SASL" "PLAIN LOGIN"\r$/m.test(sieve), plain, sieve);
    }
  });
});

/**
 * False for a pid that is gone or a zombie: PID 1 on these machines does not reap orphans, and the
 * daemonized masters are its children, so an exited master can linger as a zombie (no ports, no files).
 */
function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z'; // "pid (comm) STATE ..."
}

// Last: everything above needs the servers running.
describe('stop()', () => {
  it('ends every process of this instance, removes its folder, and is safe to call twice', async (t) => {
    const s = srv();
    const tag = basename(s.dir);
    const masters = s.masterPids();
    assert.equal(masters.length, 2 + CERT_VARIANTS.length + 2 + 1, 'main, notls, one Dovecot per variant and the two authentication ones, plus Postfix');
    const before = run('pgrep', ['-f', tag]);
    assert.equal(before.status, 0, 'pgrep -f finds the running instance (so the check below means something)');
    assert.ok(instanceProcesses(tag).length > masters.length);
    for (const pid of masters) assert.equal(isRunning(pid), true, `master ${pid} running`);

    const started = Date.now();
    await s.stop();
    t.diagnostic(`stop took ${Date.now() - started} ms`);

    const afterStop = run('pgrep', ['-f', tag]);
    assert.equal(afterStop.status, 1, `processes left: ${afterStop.stdout}`);
    assert.deepEqual(instanceProcesses(tag), []);
    for (const pid of masters) assert.equal(isRunning(pid), false, `master ${pid} still running`);
    assert.equal(existsSync(s.dir), false);
    await s.stop();
  });
});
