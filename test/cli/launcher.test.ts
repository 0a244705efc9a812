// The bundle loader of bin/mailcert.cjs: V8's code cache is kept per bundle file, reused only for
// the same content (the build's hash) and the same file (size, mtime); another build, an edited
// file and rejected data are compiled afresh; an untrusted folder is never used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { trustedCacheDir } from '../../src/cli/launcher.js';
import { cliPath, run, tempDir } from '../helpers/tools.js';

interface Loaded {
  exports: { same: boolean; value: number; sep: string; file: string };
  uses: Record<string, string>;
}

/** What the build records for each bundle file: the start of its SHA-256. */
function idsOf(...files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [basename(f), createHash('sha256').update(readFileSync(f)).digest('hex').slice(0, 16)]));
}

/**
 * Loads file with a fresh loader in a process of its own (within one process V8 serves a second
 * compile of the same source from memory and never looks at the cached data), then saves.
 */
function loadInChild(cacheDir: string | undefined, file: string, ids: Record<string, string>, packs: Record<string, string> = {}): Loaded {
  const script = `
    const { bundleLoader } = await import(${JSON.stringify(new URL('../../src/cli/launcher.js', import.meta.url).href)});
    const loader = bundleLoader(process.argv[1] || undefined, JSON.parse(process.argv[3]), JSON.parse(process.argv[4]));
    const exports = loader.require(process.argv[2]);
    loader.save();
    console.log(JSON.stringify({ exports, uses: Object.fromEntries(loader.uses) }));`;
  const r = run(process.execPath, ['--input-type=module', '-e', script, cacheDir ?? '', file, JSON.stringify(ids), JSON.stringify(packs)]);
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

function bundleWithCache(): { a: string; b: string; cache: string } {
  const { dir, a, b } = bundle();
  const cache = join(dir, 'cache');
  mkdirSync(cache, { mode: 0o700 });
  return { a, b, cache };
}

test('first run compiles and saves a cache per file; the next run uses it and gets the same exports', () => {
  const { a, b, cache } = bundleWithCache();
  const ids = idsOf(a, b);
  const first = loadInChild(cache, a, ids);
  assert.deepEqual(first.exports, { same: true, value: 42, sep: '/', file: a });
  assert.deepEqual(first.uses, { [a]: 'miss', [b]: 'miss' });
  assert.deepEqual(readdirSync(cache).sort(), ['a.cjs.v8', 'b.cjs.v8']);
  for (const f of readdirSync(cache)) assert.equal(statSync(join(cache, f)).mode & 0o777, 0o600, f);

  const second = loadInChild(cache, a, ids);
  assert.deepEqual(second.exports, first.exports);
  assert.deepEqual(second.uses, { [a]: 'hit', [b]: 'hit' });
});

test('another build of a file is compiled afresh even with the same size and time, and its cache replaces the old', () => {
  const { a, b, cache } = bundleWithCache();
  loadInChild(cache, a, idsOf(a, b));
  // What an upgrade looks like: npm gives every installed file the same time, and this change
  // keeps the length. V8 would take the old code (it compares only the length); the build's hash differs.
  const { mtime } = statSync(b);
  writeFileSync(b, 'exports.value = 6 * 9;\n');
  utimesSync(b, mtime, mtime);
  const second = loadInChild(cache, a, idsOf(a, b));
  assert.equal(second.exports.value, 54);
  assert.deepEqual(second.uses, { [a]: 'hit', [b]: 'miss' });
  assert.deepEqual(readdirSync(cache).sort(), ['a.cjs.v8', 'b.cjs.v8']);
  assert.equal(loadInChild(cache, a, idsOf(a, b)).uses[b], 'hit');
});

test('a file edited after the build (same hash recorded, new time) is compiled afresh', () => {
  const { a, b, cache } = bundleWithCache();
  const built = idsOf(a, b);
  loadInChild(cache, a, built);
  writeFileSync(b, 'exports.value = 6 * 9;\n');
  utimesSync(b, new Date(), new Date(Date.now() + 5000));
  const second = loadInChild(cache, a, built);
  assert.equal(second.exports.value, 54);
  assert.deepEqual(second.uses, { [a]: 'hit', [b]: 'miss' });
});

test('damaged cached data is rejected by V8, the file compiles as usual and the cache is rewritten', () => {
  const { a, b, cache } = bundleWithCache();
  const ids = idsOf(a, b);
  loadInChild(cache, a, ids);
  const cached = join(cache, 'a.cjs.v8');
  const data = readFileSync(cached);
  data.fill(0xa5, 32, 64); // V8's own header (magic, version and flag hashes), after our 32 bytes
  writeFileSync(cached, data);
  const second = loadInChild(cache, a, ids);
  assert.equal(second.exports.value, 42);
  assert.equal(second.uses[a], 'rejected');
  assert.equal(loadInChild(cache, a, ids).uses[a], 'hit');
});

test('no cache folder, or a file the build did not record: compiled, nothing written', () => {
  const { dir, a, b } = bundle();
  const loaded = loadInChild(undefined, a, idsOf(a, b));
  assert.equal(loaded.exports.value, 42);
  assert.deepEqual(loaded.uses, { [a]: 'off', [b]: 'off' });
  assert.deepEqual(readdirSync(dir).sort(), ['a.cjs', 'b.cjs']);
  const cache = join(dir, 'cache');
  mkdirSync(cache, { mode: 0o700 });
  assert.deepEqual(loadInChild(cache, a, idsOf(a)).uses, { [a]: 'miss', [b]: 'off' });
  assert.deepEqual(readdirSync(cache), ['a.cjs.v8']);
});

/**
 * A pack as the build writes one: an expression, the object of its modules' CommonJS functions.
 * y.js requires x.js twice; z.js is never required.
 */
function packBundle(): { dir: string; a: string; pack: string; packs: Record<string, string>; cache: string } {
  const { dir } = bundle();
  const pack = join(dir, 'p.cjs');
  writeFileSync(
    pack,
    `({
"x.js": function (exports) { globalThis.xRuns = (globalThis.xRuns ?? 0) + 1; exports.value = 6 * 7; },
"y.js": function (exports, require, module, __filename) {
  const x = require('./x.js');
  module.exports = { same: x === require('./x.js'), value: x.value, sep: require('node:path').sep, file: __filename, xRuns: globalThis.xRuns, zRan: globalThis.zRan === true };
},
"z.js": function () { globalThis.zRan = true; },
})
`,
  );
  const a = join(dir, 'entry.cjs');
  writeFileSync(a, "module.exports = require('./y.js');\n");
  const cache = join(dir, 'cache');
  mkdirSync(cache, { mode: 0o700 });
  return { dir, a, pack, packs: { 'x.js': 'p.cjs', 'y.js': 'p.cjs', 'z.js': 'p.cjs' }, cache };
}

test('a pack runs each of its modules once, on the first require, and is cached like any bundle file', () => {
  const { dir, a, pack, packs, cache } = packBundle();
  const ids = idsOf(a, pack);
  const first = loadInChild(cache, a, ids, packs);
  assert.deepEqual(first.exports, { same: true, value: 42, sep: '/', file: join(dir, 'y.js'), xRuns: 1, zRan: false });
  assert.deepEqual(first.uses, { [a]: 'miss', [pack]: 'miss' });
  assert.deepEqual(readdirSync(cache).sort(), ['entry.cjs.v8', 'p.cjs.v8']);
  const second = loadInChild(cache, a, ids, packs);
  assert.deepEqual(second.exports, first.exports);
  assert.deepEqual(second.uses, { [a]: 'hit', [pack]: 'hit' });
});

test('a module a command file carries a copy of runs once, from the file compiled first, and its own file is not opened', () => {
  const { dir, pack, packs, cache } = packBundle();
  // command.cjs: a pack of its own module and a copy of x.js, whose home is p.cjs.
  const command = join(dir, 'command.cjs');
  writeFileSync(
    command,
    `({
"command.js": function (exports, require, module) { module.exports = { x: require('./x.js'), xAgain: require('./x.js') }; },
"x.js": function (exports) { globalThis.xRuns = (globalThis.xRuns ?? 0) + 1; globalThis.xFrom = 'command.cjs'; exports.value = 6 * 7; },
})
`,
  );
  const entry = join(dir, 'run-command.cjs');
  writeFileSync(entry, "const c = require('./command.js'); const y = require('./y.js'); module.exports = { value: c.x.value, same: c.x === c.xAgain, xRuns: globalThis.xRuns, xFrom: globalThis.xFrom, yValue: y.value, ySame: y.same };\n");
  const all = { ...packs, 'command.js': 'command.cjs' };
  const loaded = loadInChild(cache, entry, idsOf(entry, command, pack), all);
  // y.js (home p.cjs) requires x.js too: the copy already run is the one it gets.
  assert.deepEqual(loaded.exports, { value: 42, same: true, xRuns: 1, xFrom: 'command.cjs', yValue: 42, ySame: true });
  assert.deepEqual(loaded.uses, { [entry]: 'miss', [command]: 'miss', [pack]: 'miss' });
  // Without y.js, p.cjs is never opened.
  const only = join(dir, 'only-command.cjs');
  writeFileSync(only, "module.exports = { value: require('./command.js').x.value };\n");
  assert.deepEqual(loadInChild(cache, only, idsOf(only, command, pack), all).uses, { [only]: 'miss', [command]: 'hit' });

  // p.cjs's cache lists only what ran from p.cjs: x.js ran from the copy, so V8 compiled p.cjs's
  // x.js never. A run that runs p.cjs's own x.js saves the cache again, with it.
  const names = (): string[] => {
    const data = readFileSync(join(cache, 'p.cjs.v8'));
    const end = data.length - 4;
    return data.subarray(end - data.readUInt32LE(end), end).toString('latin1').split('\n');
  };
  assert.deepEqual(names(), ['y.js']);
  const onlyY = join(dir, 'only-y.cjs');
  writeFileSync(onlyY, "module.exports = require('./y.js');\n");
  assert.deepEqual(loadInChild(cache, onlyY, idsOf(onlyY, command, pack), all).uses, { [onlyY]: 'miss', [pack]: 'hit' });
  assert.deepEqual(names(), ['x.js', 'y.js']);
});

test('a cached file is saved again when a run runs modules the cached run did not, and only then', () => {
  const { dir, pack, packs, cache } = packBundle();
  const onlyX = join(dir, 'only-x.cjs');
  writeFileSync(onlyX, "module.exports = { value: require('./x.js').value };\n");
  const both = join(dir, 'both.cjs');
  writeFileSync(both, "module.exports = { value: require('./y.js').value };\n");
  const ids = idsOf(onlyX, both, pack);
  const cached = (): Buffer => readFileSync(join(cache, 'p.cjs.v8'));

  assert.equal(loadInChild(cache, onlyX, ids, packs).exports.value, 42);
  const madeByX = cached();
  assert.deepEqual(loadInChild(cache, onlyX, ids, packs).uses, { [onlyX]: 'hit', [pack]: 'hit' });
  assert.ok(cached().equals(madeByX), 'a run that ran nothing new leaves the cache as it was');

  // y.js is new to the cached run: V8 compiled it this time, and the cache now holds it too.
  assert.deepEqual(loadInChild(cache, both, ids, packs).uses, { [both]: 'miss', [pack]: 'hit' });
  const madeByBoth = cached();
  assert.ok(!madeByBoth.equals(madeByX));
  assert.ok(madeByBoth.includes('y.js') && madeByBoth.includes('x.js'), 'it records the modules of both runs');
  assert.deepEqual(loadInChild(cache, onlyX, ids, packs).uses, { [onlyX]: 'hit', [pack]: 'hit' });
  assert.deepEqual(loadInChild(cache, both, ids, packs).uses, { [both]: 'hit', [pack]: 'hit' });
  assert.ok(cached().equals(madeByBoth));
});

test('a cache file whose last bytes (the length of the module names) lie is not used, and is written again', () => {
  const { a, b, cache } = bundleWithCache();
  const ids = idsOf(a, b);
  loadInChild(cache, a, ids);
  const cached = join(cache, 'b.cjs.v8');
  const data = readFileSync(cached);
  data.writeUInt32LE(0xffffffff, data.length - 4);
  writeFileSync(cached, data);
  const second = loadInChild(cache, a, ids);
  assert.equal(second.exports.value, 42);
  assert.deepEqual(second.uses, { [a]: 'hit', [b]: 'miss' });
  assert.equal(loadInChild(cache, a, ids).uses[b], 'hit');
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
  // One cache file for each bundle file the run loaded: main.cjs, and hash's, which declares its help.
  assert.deepEqual(readdirSync(dir).sort(), ['command-hash.cjs.v8', 'main.cjs.v8']);
  const second = run(process.execPath, [cliPath, 'hash', '--help'], { env });
  assert.equal(second.stdout, first.stdout);

  const off = tempDir();
  const uncached = run(process.execPath, [cliPath, 'hash', '--help'], { env: { ...env, XDG_CACHE_HOME: off, NODE_DISABLE_COMPILE_CACHE: '1' } });
  assert.equal(uncached.stdout, first.stdout);
  assert.deepEqual(readdirSync(off), []);
});
