// scripts/check-imports.mjs, run as `npm test` runs it (from scripts/test-setup.mjs): on small
// trees made here, with each kind of problem it must find, and on mailcert's own src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot, run, tempDir } from '../helpers/tools.js';

const script = join(repoRoot, 'scripts', 'check-imports.mjs');

/** A src/ folder holding these files (path -> content). */
function tree(files: Record<string, string>): string {
  const src = join(tempDir('mailcert-imports-'), 'src');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), text);
  }
  return src;
}

const check = (src: string) => run(process.execPath, [script, src]);

test("mailcert's src/ has no cycles and no upward imports", () => {
  const r = check(join(repoRoot, 'src'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /no cycles, every import points down the layers/);
});

test('a clean tree passes; imports in comments and strings are not imports', () => {
  const src = tree({
    'errors.ts': 'export class E extends Error {}\n',
    'codec/der.ts': "// import { x } from '../core/use.js'\nexport const der = 'import(\"../cli/main.js\")';\n",
    'core/use.ts': "import { der } from '../codec/der.js';\nimport { E } from '../errors.js';\nexport const use = [der, E];\n",
    'output/show.ts': "import type { use } from '../core/use.js';\nexport type Shown = typeof use;\n",
    'cli/main.ts': "import { use } from '../core/use.js';\nimport type { Shown } from '../output/show.js';\nexport const main = async (): Promise<unknown> => [use, await import('node:fs')] as Shown;\n",
  });
  const r = check(src);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /5 files, 5 imports of ours/);
});

test('a cycle is found through import type, import() and export ... from, and shown as a path', () => {
  const src = tree({
    'core/a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
    'core/b.ts': "export * from './c.js';\nexport type B = string;\n",
    'core/c.ts': "export const c = () => import('./a.js');\n",
    'core/self.ts': "export { self } from './self.js';\n",
  });
  const r = check(src);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^check-imports: cycle: \S*src\/core\/a\.ts -> \S*src\/core\/b\.ts -> \S*src\/core\/c\.ts -> \S*src\/core\/a\.ts$/m);
  assert.match(r.stderr, /^check-imports: cycle: \S*src\/core\/self\.ts -> \S*src\/core\/self\.ts$/m);
});

test('an import up the layers is named with its line; output takes only types from core', () => {
  const src = tree({
    'io.ts': 'export interface Io { out(text: string): void }\n',
    'cli/io.ts': "export type { Io } from '../io.js';\n",
    'codec/pem.ts': "\n\nimport { plan } from '../core/plan.js';\nexport const pem = plan;\n",
    'core/plan.ts': "import type { Io } from '../cli/io.js';\nexport const plan = (io: Io) => io;\n",
    'output/list.ts': "import { plan } from '../core/plan.js';\nimport type { Io } from '../io.js';\nexport const list = (io: Io) => plan(io);\n",
    'keystore/read.ts': "import { list } from '../output/list.js';\nexport const read = list;\n",
    'stray/x.ts': 'export const x = 1;\n',
  });
  const r = check(src);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /src\/codec\/pem\.ts:3: imports \S*src\/core\/plan\.ts: codec\/ may import nothing of ours/);
  assert.match(r.stderr, /src\/core\/plan\.ts:1: imports \S*src\/cli\/io\.ts: core\/ may import keystore, net, crypto, codec, base/);
  assert.match(r.stderr, /src\/output\/list\.ts:1: imports \S*src\/core\/plan\.ts for more than types/);
  assert.match(r.stderr, /src\/keystore\/read\.ts:1: imports \S*src\/output\/list\.ts/);
  assert.match(r.stderr, /src\/stray\/x\.ts: not in a known layer/);
  assert.doesNotMatch(r.stderr, /output\/list\.ts:2/);
});

test('an import of a file that does not exist is reported', () => {
  const r = check(tree({ 'core/a.ts': "import { b } from './b.js';\nexport const a = b;\n" }));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /src\/core\/a\.ts:1: imports \.\/b\.js, which is not a file of/);
});
