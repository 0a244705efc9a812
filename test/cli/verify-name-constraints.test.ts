// Name constraints through the built CLI: `mailcert verify` on every chain of
// fixtures/name-constraints (made by openssl), its `constraints` check and verdict beside
// `openssl verify -purpose sslserver`'s on the same files. A CN-only leaf is verified with
// --allow-cn, so that only the name constraints can decide it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailcert, tempDir } from '../helpers/tools.js';
import { assertOpensslNcVerdict, ncDir, ncExpected } from '../helpers/name-constraint-cases.js';

interface Report {
  ok: boolean;
  checks: { name: string; status: 'ok' | 'warn' | 'fail'; detail: string }[];
}

const dir = tempDir();

for (const c of ncExpected.cases) {
  test(`verify ${c.name}: constraints ${c.mailcert}, openssl ${c.openssl}`, () => {
    const chain = join(dir, `${c.name}.pem`);
    writeFileSync(chain, [c.leaf, ...c.intermediates].map((f) => readFileSync(join(ncDir, f), 'utf8')).join(''));
    const host = c.host === null ? [] : ['--host', c.host];
    const r = mailcert(['verify', '--cert', chain, '--ca', join(ncDir, c.root), ...host, '--allow-cn', '--json']);
    assert.ok(r.status === 0 || r.status === 1, `exit ${String(r.status)}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as Report;
    const constraints = report.checks.find((k) => k.name === 'constraints');
    assert.ok(constraints, JSON.stringify(report.checks));
    if (c.mailcert === 'ok') {
      assert.equal(constraints.status, 'ok', constraints.detail);
    } else {
      assert.equal(constraints.status, 'fail', constraints.detail);
      assert.equal(report.ok, false);
      assert.equal(r.status, 1);
      for (const s of c.problem) assert.ok(constraints.detail.includes(s), `the detail names ${JSON.stringify(s)}: ${constraints.detail}`);
    }
    assertOpensslNcVerdict(c);
  });
}
