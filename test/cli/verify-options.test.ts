// verify's options for time and names, and what its JSON report says about them: --at (the time
// every check is made for), --allow-cn, "at" and "path" in the report. The verdicts these change
// on real chains, beside openssl's, are in verify-trust.test.ts (fixtures/verify).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixturesDir, mailcert } from '../helpers/tools.js';

const here = join(fixturesDir, 'verify');
const good = ['verify', '--cert', join(here, 'good.pem'), '--ca', join(here, 'root.pem')];

interface Report {
  ok: boolean;
  at: string;
  checks: { name: string; status: string; detail: string }[];
  path: Record<string, string>[];
}

test('--at takes an ISO 8601 date or date-time; the report says the time it used', () => {
  const cases: [string, string][] = [
    ['2030-01-31', '2030-01-31T00:00:00.000Z'],
    ['2030-01-31T12:30:00Z', '2030-01-31T12:30:00.000Z'],
    ['2030-01-31T12:30', '2030-01-31T12:30:00.000Z'],
    ['2030-01-31 12:30:15.5+02:00', '2030-01-31T10:30:15.500Z'],
    ['2030-01-31T12:30:00-0500', '2030-01-31T17:30:00.000Z'],
  ];
  for (const [given, used] of cases) {
    const r = mailcert([...good, '--at', given, '--json']);
    assert.equal(r.status, 0, `${given}: ${r.stderr}${r.stdout}`);
    assert.equal((JSON.parse(r.stdout) as Report).at, used, given);
  }
  const now = JSON.parse(mailcert([...good, '--json']).stdout) as Report;
  assert.ok(Math.abs(Date.parse(now.at) - Date.now()) < 60_000, 'without --at: now');
});

test('--at refuses what is not a moment (exit 2), before reading any file', () => {
  for (const bad of ['yesterday', '2030-02-30', '2030-13-01', '2030-01-31T25:00', '1700000000', '2030-1-5']) {
    const r = mailcert(['verify', '--cert', '/nonexistent.pem', '--at', bad]);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^mailcert: --at ${bad}: give an ISO 8601 date or date-time\\n  hint: `));
  }
});

test('--at in the human report: the validity check says as of when', () => {
  const r = mailcert([...good, '--at', '2030-06-01']);
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /^ {2}ok {4}validity .*\(as of 2030-06-01T00:00:00\.000Z\)$/m);
});

test('the JSON report gives the path used, leaf to trust anchor, as certificate summaries', () => {
  const report = JSON.parse(mailcert([...good, '--json']).stdout) as Report;
  assert.deepEqual(report.path.map((c) => c.subject), ['CN=mail.example.com', 'CN=Verify Intermediate CA, O=Mailcert Fixtures', 'CN=Verify Root CA, O=Mailcert Fixtures']);
  for (const c of report.path) assert.deepEqual(Object.keys(c), ['subject', 'issuer', 'notBefore', 'notAfter', 'sha256', 'serial', 'signatureAlgorithm', 'publicKey']);
  const lone = JSON.parse(mailcert(['verify', '--cert', join(here, 'leaf-only.pem'), '--ca', join(here, 'root.pem'), '--json']).stdout) as Report;
  assert.deepEqual(lone.path.map((c) => c.subject), ['CN=mail.example.com'], 'a path that reached no anchor: as far as it went');
});

test('--allow-cn: a CN-only certificate passes with a note; a name in neither fails even so', () => {
  const cn = ['verify', '--cert', join(here, 'cn-only.pem'), '--ca', join(here, 'root.pem')];
  const without = mailcert([...cn, '--host', 'mail.example.com']);
  assert.equal(without.status, 1);
  assert.match(without.stdout, /FAIL {2}host name {12}mail\.example\.com matches only the CN/);
  const allowed = mailcert([...cn, '--host', 'mail.example.com', '--allow-cn']);
  assert.equal(allowed.status, 0, allowed.stdout);
  assert.match(allowed.stdout, /ok {4}host name {12}mail\.example\.com matches only the CN, accepted with --allow-cn/);
  const other = mailcert([...cn, '--host', 'other.example.com', '--allow-cn']);
  assert.equal(other.status, 1);
  assert.match(other.stdout, /other\.example\.com matches neither subjectAltName \(none\) nor the CN \(mail\.example\.com\)/);
});
