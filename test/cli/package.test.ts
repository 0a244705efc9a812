// The published package: `npm pack`, installed into an empty folder, runs with `npx mailcert`,
// and carries no runtime dependencies (everything is in the bundle, node-forge's RC2 included).
// A module runs once in a run, whichever bundle files carry it, so a class is the same class in
// every command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type * as Launcher from '../../src/cli/launcher.js';
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

test('each error class is one class in a run, and what any command throws is an instance of it', async () => {
  const bundleDir = join(repoRoot, 'dist', 'bundle');
  const files = readdirSync(bundleDir).filter((f) => f.endsWith('.cjs'));
  // The base classes live in main.cjs alone.
  for (const name of ['MailcertError', 'CodecError']) {
    const definitions = files.flatMap((f) => readFileSync(join(bundleDir, f), 'utf8').match(new RegExp(`\\bclass ${name}\\b|\\b${name}\\s*=\\s*class\\b`, 'g')) ?? []);
    assert.equal(definitions.length, 1, `class ${name} in the files of dist/bundle`);
  }

  // Every module the build packed, loaded as bin/mailcert.cjs loads them: verify first, whose file
  // carries copies of modules held by other files (scripts/build.mjs), then all the rest.
  const launcher = createRequire(import.meta.url)(join(bundleDir, 'launcher.cjs')) as typeof Launcher;
  const { packs } = launcher.builtBundle;
  assert.ok(Object.keys(packs).includes('main.js') && Object.keys(packs).includes('command-hash.js'));
  const loader = launcher.bundleLoader(undefined, {}, packs);
  const names = ['command-verify.js', ...Object.keys(packs).filter((n) => n !== 'command-verify.js')];
  const modules = names.map((name) => loader.require(join(bundleDir, name)) as Record<string, unknown>);
  const exported = (name: string): unknown[] => [...new Set(modules.map((m) => m[name]).filter((v) => v !== undefined))];
  // One class per name, however many files hold a copy of the module that defines it.
  const classes = new Set(modules.flatMap((m) => Object.keys(m).filter((k) => /^[A-Z]\w*$/.test(k) && typeof m[k] === 'function')));
  assert.ok(classes.has('PassphraseWrong') && classes.has('StoreIntegrityFailed'));
  assert.deepEqual([...classes].filter((name) => exported(name).length > 1), []);
  const [MailcertError] = exported('MailcertError');
  const [CodecError] = exported('CodecError');
  assert.ok(typeof MailcertError === 'function' && typeof CodecError === 'function');

  const hash = loader.require(join(bundleDir, 'command-hash.js')) as { command: { run: (io: unknown, opts: object, ctx: { args: string[] }) => Promise<unknown> } };
  await assert.rejects(hash.command.run({}, {}, { args: [] }), (e) => e instanceof MailcertError);
  const [decodeJks] = exported('decodeJks') as [(bytes: Uint8Array, pass: string) => unknown];
  assert.throws(() => decodeJks(Buffer.from('not a keystore'), 'changeit'), (e) => e instanceof CodecError);
});

test('hash, list and verify load what they need at once from main.cjs and their own file; verify --connect adds one', () => {
  // esbuild's metafile of the split (scripts/build.mjs writes it beside the bundle): which chunk
  // imports which, and whether with an import statement (loaded at once) or an import() (later).
  const meta = JSON.parse(readFileSync(join(repoRoot, 'dist', 'bundle-metafile.json'), 'utf8')) as {
    outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
  };
  const imports = new Map(Object.entries(meta.outputs).map(([path, o]) => [basename(path), o.imports.filter((i) => i.kind === 'import-statement' && i.external !== true).map((i) => basename(i.path))]));
  const bundleDir = join(repoRoot, 'dist', 'bundle');
  const held = (file: string): Set<string> => new Set([...readFileSync(join(bundleDir, file), 'latin1').matchAll(/^"([\w-]+\.js)": function /gm)].map((m) => m[1] as string));
  const runs: Record<string, string[]> = {
    hash: ['main.cjs', 'command-hash.cjs'],
    list: ['main.cjs', 'command-list.cjs'],
    verify: ['main.cjs', 'command-verify.cjs'],
    'verify-live': ['main.cjs', 'command-verify.cjs', 'command-verify-live.cjs'],
  };
  for (const [command, files] of Object.entries(runs)) {
    const open = new Set(files.flatMap((f) => [...held(f)]));
    const loaded = new Set<string>();
    const walk = (name: string): void => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const i of imports.get(name) ?? []) walk(i);
    };
    walk(`command-${command}.js`);
    assert.deepEqual([...loaded].filter((name) => !open.has(name)), [], `${command}: modules in other files than ${files.join(', ')}`);
  }
});
