#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner. Files are named
// explicitly so helpers under dist/test/helpers are never mistaken for tests (Node 20's default
// patterns treat every .js under a test/ folder as a test file).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeRuntimes } from './node-runtimes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'dist', 'test'), { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile() && d.name.endsWith('.test.js'))
  .map((d) => relative(root, join(d.parentPath ?? d.path, d.name)))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  process.stderr.write('run-tests: no test files found under dist/test (did the build run?)\n');
  process.exit(1);
}
// The whole suite runs on the machine's Node, then on Node 22 and 24 (scripts/node-runtimes.mjs,
// installed by test-setup); a run of some files only (`node scripts/run-tests.mjs verify`) uses
// the machine's Node alone. Each runtime's folder goes first on PATH, so the npm, npx and
// `#!/usr/bin/env node` the tests start are that runtime's too.
const runtimes = [{ version: process.version.slice(1), node: process.execPath }, ...(only.length === 0 ? nodeRuntimes() : [])];
let failed = 0;
for (const { version, node } of runtimes) {
  process.stderr.write(`run-tests: ${files.length} test files on Node ${version}\n`);
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  const r = spawnSync(node, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root, env });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`run-tests: the suite failed on Node ${version}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
