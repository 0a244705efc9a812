// The README's Quick start, run as written on a fresh clone of this repository: the first command
// installs and makes a key and certificate. (The second, `npm test`, is what CI runs on a fresh
// clone; running it again from inside the suite would recurse.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, repoRoot, run, runOk, tempDir } from '../helpers/tools.js';

test("the README's install-and-genkey command works on a fresh clone", () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '');
  assert.equal(commands.length, 2, `the Quick start should hold two commands:\n${block}`);
  assert.equal(commands[1], 'npm test');
  const first = commands[0] ?? '';
  assert.match(first, /npx mailcert genkey --cn mail\.example\.com/);

  const clone = join(tempDir(), 'mailcert');
  runOk('git', ['clone', '--quiet', repoRoot, clone]);
  // The npm cache is warm from this suite's own install; --prefer-offline keeps it from refetching.
  const r = run('sh', ['-c', first], { cwd: clone, env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }, timeoutMs: 300_000 });
  assert.equal(r.status, 0, `${first}\n${r.stderr.slice(-3000)}`);
  assert.equal(statSync(join(clone, 'mail.example.com.key')).mode & 0o777, 0o600);
  const text = openssl(['x509', '-in', join(clone, 'mail.example.com.crt'), '-noout', '-subject', '-ext', 'subjectAltName']).stdout;
  assert.match(text, /subject=CN = mail\.example\.com/);
  assert.match(text, /DNS:mail\.example\.com/);
});
