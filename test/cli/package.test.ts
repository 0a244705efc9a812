// The published package: `npm pack`, installed into an empty folder, runs with `npx mailcert`,
// and carries no runtime dependencies (everything is in the bundle, node-forge's RC2 included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, repoRoot, run, tempDir } from '../helpers/tools.js';

const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, timeoutMs: 180_000 });

test('npm pack, then npm install of the tarball into an empty folder: npx mailcert works offline', () => {
  const dir = tempDir();
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
  assert.equal(Object.keys(pkg.dependencies ?? {}).length, 0, 'runtime dependencies would be fetched by every npx run');
  const packed = npm(['pack', '--ignore-scripts', '--pack-destination', dir], repoRoot);
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = join(dir, packed.stdout.trim().split('\n').pop() ?? '');
  const app = join(dir, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{ "name": "ci-job", "private": true }\n');
  const installed = npm(['install', '--offline', tarball], app);
  assert.equal(installed.status, 0, installed.stderr);
  const version = run('npx', ['--offline', 'mailcert', '--version'], { cwd: app });
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);
  const genkey = run(join(app, 'node_modules', '.bin', 'mailcert'), ['genkey', '--cn', 'mail.example.com', '--key-type', 'ec'], { cwd: app });
  assert.equal(genkey.status, 0, genkey.stderr);
  assert.match(readFileSync(join(app, 'mail.example.com.crt'), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  // RC2-40 (OpenSSL's -legacy PKCS#12) is the one thing node-forge does for us: the bundle carries it.
  const legacy = run(join(app, 'node_modules', '.bin', 'mailcert'), ['list', '-k', join(fixturesDir, 'pkcs12', 'ossl-legacy.p12')], {
    cwd: app,
    env: { ...process.env, MAILCERT_STOREPASS: 'legacy-pass' },
  });
  assert.equal(legacy.status, 0, legacy.stderr);
  assert.match(legacy.stdout, /PrivateKeyEntry, chain of 3/);
  const listing = run('tar', ['-tzf', tarball]).stdout;
  assert.match(listing, /package\/dist\/bundle\/main\.cjs/);
  assert.doesNotMatch(listing, /package\/(src|test|fixtures)\//);
});
