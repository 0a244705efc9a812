// verify's trust decisions on the chains fixtures/verify/make.sh made with openssl: for every case
// of expected.json, mailcert's verdict, the checks that fail and warn and why, the path it reports,
// and, in the same test, `openssl verify -purpose sslserver` on the same files, so that each
// premise is proven by the real tool. Where the two differ on purpose, the case says why and the
// test asserts both answers (and OpenSSL's own, stricter mode where it has one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, mailcert, openssl, tempDir } from '../helpers/tools.js';
import { decodePem, encodePem } from '../../src/codec/pem.js';

interface OpensslRun {
  args: string[];
  ok: boolean;
  error?: number;
  drop?: number[];
}
interface Case {
  name: string;
  rule: string;
  cert: string;
  ca: string;
  args: string[];
  mailcert: { ok: boolean; failing: string[]; warning: string[]; detail?: Record<string, string> };
  openssl: OpensslRun[];
  difference?: string;
  path?: string[];
}
interface Report {
  ok: boolean;
  at: string;
  checks: { name: string; status: 'ok' | 'warn' | 'fail'; detail: string }[];
  path: { subject: string }[];
}

const here = join(fixturesDir, 'verify');
const expected = JSON.parse(readFileSync(join(here, 'expected.json'), 'utf8')) as { host: string; cases: Case[] };
const dir = tempDir();

/** openssl verify on the case's chain: the leaf, the rest as -untrusted (less the dropped positions). */
function opensslVerify(c: Case, run: OpensslRun): { status: number | null; output: string } {
  const certs = decodePem(readFileSync(join(here, c.cert), 'latin1')).map((b) => encodePem('CERTIFICATE', b.der));
  const leaf = join(dir, `${c.name}-leaf.pem`);
  writeFileSync(leaf, certs[0] ?? '');
  const rest = certs.slice(1).filter((_, i) => !(run.drop ?? []).includes(i + 1));
  const untrusted = join(dir, `${c.name}-untrusted.pem`);
  writeFileSync(untrusted, rest.join(''));
  const args = ['verify', '-purpose', 'sslserver', '-CAfile', join(here, c.ca), ...(rest.length > 0 ? ['-untrusted', untrusted] : []), '-verify_hostname', expected.host, ...run.args, leaf];
  const r = openssl(args);
  return { status: r.status, output: r.stdout + r.stderr };
}

for (const c of expected.cases) {
  test(`${c.name}: ${c.rule}`, () => {
    const r = mailcert(['verify', '--cert', join(here, c.cert), '--ca', join(here, c.ca), '--host', expected.host, '--json', ...c.args]);
    assert.ok(r.status === 0 || r.status === 1, `exit ${String(r.status)}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as Report;
    const shown = JSON.stringify(report.checks, null, 1);
    assert.equal(r.status, c.mailcert.ok ? 0 : 1, shown);
    assert.equal(report.ok, c.mailcert.ok, shown);
    assert.deepEqual(report.checks.filter((k) => k.status === 'fail').map((k) => k.name), c.mailcert.failing, shown);
    assert.deepEqual(report.checks.filter((k) => k.status === 'warn').map((k) => k.name), c.mailcert.warning, shown);
    for (const [name, pattern] of Object.entries(c.mailcert.detail ?? {})) {
      assert.match(report.checks.find((k) => k.name === name)?.detail ?? `(no ${name} check)`, new RegExp(pattern), shown);
    }
    if (c.path) assert.deepEqual(report.path.map((p) => p.subject), c.path);

    c.openssl.forEach((run) => {
      const o = opensslVerify(c, run);
      assert.equal(o.status === 0, run.ok, `openssl verify ${run.args.join(' ')}: ${o.output}`);
      if (run.error !== undefined) assert.match(o.output, new RegExp(`error ${run.error} at`), o.output);
    });
    // mailcert never says ok where openssl refuses: where it accepts, openssl accepts the same path
    // (given only that path's certificates when it would not find it itself).
    if (c.mailcert.ok) assert.ok(c.openssl.some((run) => run.ok), 'mailcert says ok where openssl verify refuses');
    const first = c.openssl[0] as OpensslRun;
    assert.equal(c.difference !== undefined, first.ok !== c.mailcert.ok, 'a case where mailcert and openssl differ says why, and only such a case');
  });
}

test('every chain file in fixtures/verify is a case', () => {
  const files = new Set(expected.cases.flatMap((c) => [c.cert, c.ca]));
  for (const f of ['good.pem', 'cross-signed.pem', 'self-issued-rollover.pem', 'cn-only.pem', 'empty-subject-ca.pem', 'leaf-only.pem']) assert.ok(files.has(f), f);
});
