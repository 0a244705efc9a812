// The bundle loader of bin/mailcert.cjs: V8's code cache is kept per bundle file, reused only for
// the same file, rejected data and stale files are compiled afresh, and an untrusted folder is
// never used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trustedCacheDir } from '../../src/cli/launcher.js';
import { cliPath, run, tempDir } from '../helpers/tools.js';

interface Loaded {
  exports: { same: boolean; value: number; sep: string; file: string };
  uses: Record<string, string>;
}

/**
 * Loads file with a fresh loader in a process of its own (within one process V8 serves a second
 * compile of the same source from memory and never looks at the cached data), then saves.
 */
function loadInChild(cacheDir: string | undefined, file: string): Loaded {
  const script = `
    const { bundleLoader } = await import(${JSON.stringify(new URL('../../src/cli/launcher.js', import.meta.url).href)});
    const loader = bundleLoader(process.argv[1] || undefined);
    const exports = loader.require(process.argv[2]);
    loader.save();
    console.log(JSON.stringify({ exports, uses: Object.fromEntries(loader.uses) }));`;
  const r = run(process.execPath, ['--input-type=module', '-e', script, cacheDir ?? '', file]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Loaded;
}

/** Two bundle files: a.cjs requires ./b.cjs twice (one copy) and a Node built-in. */
function bundle(): { dir: string; a: string; b: string } {
  const dir = tempDir();
  const a = join(dir, 'a.cjs');
  const b = join(dir, 'b.cjs');
  writeFileSync(a, "const b = require('./b.cjs'); module.exports = { same: b === require('./b.cjs'), value: b.value, sep: require('node:path').sep, file: __filename };\n");
  writeFileSync(b, 'exports.value = 6 * 7;\n');
  return { dir, a, b };
}

test('first run compiles and saves a cache per file; the next run uses it and gets the same exports', () => {
  const { dir, a, b } = bundle();
  const cache = join(dir, 'cache');
  mkdirSync(cache, { mode: 0o700 });
  const first = loadInChild(cache, a);
  assert.deepEqual(first.exports, { same: true, value: 42, sep: '/', file: a });
  assert.deepEqual(first.uses, { [a]: 'miss', [b]: 'miss' });
  const files = readdirSync(cache);
  assert.equal(files.length, 2);
  for (const f of files) assert.equal(statSync(join(cache, f)).mode & 0o777, 0o600, f);

  const second = loadInChild(cache, a);
  assert.deepEqual(second.exports, first.exports);
  assert.deepEqual(second.uses, { [a]: 'hit', [b]: 'hit' });
});

test('a changed bundle file is compiled afresh, never run from the old cache', () => {
  const { dir, a, b } = bundle();
  const cache = join(dir, 'cache');
  mkdirSync(cache, { mode: 0o700 });
  loadInChild(cache, a);
  // Same length, new content and time: only the recorded size and mtime can tell.
  writeFileSync(b, 'exports.value = 6 * 9;\n');
  utimesSync(b, new Date(), new Date(Date.now() + 5000));
  const second = loadInChild(cache, a);
  assert.equal(second.exports.value, 54);
  assert.deepEqual(second.uses, { [a]: 'hit', [b]: 'miss' });
});

test('damaged cached data is rejected by V8, the file compiles as usual and the cache is rewritten', () => {
  const { dir, a } = bundle();
  const cache = join(dir, 'cache');
  mkdirSync(cache, { mode: 0o700 });
  loadInChild(cache, a);
  const cached = join(cache, readdirSync(cache).find((f) => f.startsWith('a.cjs-')) ?? '');
  const data = readFileSync(cached);
  data.fill(0xa5, 16, 48); // V8's header (magic, version and flag hashes) after our 16 bytes
  writeFileSync(cached, data);
  const second = loadInChild(cache, a);
  assert.equal(second.exports.value, 42);
  assert.equal(second.uses[a], 'rejected');
  assert.equal(loadInChild(cache, a).uses[a], 'hit');
});

test('no cache folder: everything compiles, nothing is written', () => {
  const { dir, a, b } = bundle();
  const loaded = loadInChild(undefined, a);
  assert.equal(loaded.exports.value, 42);
  assert.deepEqual(loaded.uses, { [a]: 'off', [b]: 'off' });
  assert.deepEqual(readdirSync(dir).sort(), ['a.cjs', 'b.cjs']);
});

test('a cache folder others may write to is not trusted', () => {
  const base = tempDir();
  assert.equal(trustedCacheDir(base, 'mailcert', 'compile'), join(base, 'mailcert', 'compile'));
  assert.equal(statSync(join(base, 'mailcert')).mode & 0o777, 0o700);
  chmodSync(join(base, 'mailcert'), 0o777);
  assert.equal(trustedCacheDir(base, 'mailcert', 'compile'), undefined);
  chmodSync(join(base, 'mailcert'), 0o700);
  chmodSync(join(base, 'mailcert', 'compile'), 0o775);
  assert.equal(trustedCacheDir(base, 'mailcert', 'compile'), undefined);
});

test('the CLI keeps its cache under $XDG_CACHE_HOME/mailcert, runs the same from it, and NODE_DISABLE_COMPILE_CACHE turns it off', () => {
  const home = tempDir();
  const env = { ...process.env, XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: '' };
  const first = run(process.execPath, [cliPath, 'hash', '--help'], { env });
  assert.equal(first.status, 0, first.stderr);
  const dir = join(home, 'mailcert', 'compile', `${process.version}-${process.arch}`);
  assert.deepEqual(readdirSync(dir).map((f) => f.replace(/-\d+-\d+\.v8$/, '')).sort(), ['main.cjs']);
  const second = run(process.execPath, [cliPath, 'hash', '--help'], { env });
  assert.equal(second.stdout, first.stdout);

  const off = tempDir();
  const uncached = run(process.execPath, [cliPath, 'hash', '--help'], { env: { ...env, XDG_CACHE_HOME: off, NODE_DISABLE_COMPILE_CACHE: '1' } });
  assert.equal(uncached.stdout, first.stdout);
  assert.deepEqual(readdirSync(off), []);
});
