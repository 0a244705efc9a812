#!/usr/bin/env node
// Builds mailcert: `tsc` type-checks and emits dist/ (what the unit tests import), then esbuild
// bundles the CLI into dist/bundle/ (what bin/mailcert.cjs runs and the npm package ships): every
// module of mailcert has one home file, and a copy in the file of a command that loads it at once
// (list, verify); the loader runs each module once, so a class is one class everywhere
// (`instanceof` works across commands), and a run reads only a few small files (main.cjs, the
// command's, and what it shares with others) instead of dozens of modules.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copiesFor, packByCommand } from './bundle-layout.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const { build, transform } = await import('esbuild');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
/**
 * commander requires node:child_process at load time, for "executable" subcommands (git-style
 * separate programs) that mailcert does not use; loading it costs about 2 ms of every start.
 * Inside commander only, it resolves to a stub that would fail loudly if ever called.
 */
const noChildProcessInCommander = {
  name: 'no-child-process-in-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process-stub', namespace: 'mailcert-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'mailcert-stub' }, () => ({
      contents: "const fail = () => { throw new Error('mailcert has no executable subcommands'); }; module.exports = { spawn: fail, execFileSync: fail };",
      loader: 'js',
    }));
  },
};

// Everything Node runs is CommonJS: Node 20 starts a CommonJS file sooner than an ES module, and
// a require() never wakes the ES module loader (a few ms of every run: its own modules, async
// file reads, and a namespace object for each built-in, which for node:crypto loads WebCrypto).
// The large libraries only some runs need are files of their own ("vendor" files), required on
// first use: the prompts (only on a terminal) and node-forge (RC2, for legacy PKCS#12 only).
const vendors = {
  prompts: { pkg: '@inquirer/prompts', contents: "module.exports = require('@inquirer/prompts');" },
  // RC2 and the buffer utilities it needs, not all of node-forge.
  forge: { pkg: 'node-forge', contents: "require('node-forge/lib/rc2'); module.exports = require('node-forge/lib/forge');" },
};
const vendorFiles = {
  name: 'vendor-files',
  setup(b) {
    const byPackage = new Map(Object.entries(vendors).map(([file, { pkg }]) => [pkg, `./vendor-${file}.cjs`]));
    b.onResolve({ filter: /^[@a-z]/ }, (args) => {
      const file = byPackage.get(args.path);
      return file === undefined ? undefined : { path: file, external: true };
    });
  },
};
const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // The unbundled build (unit tests) finds package.json and node-forge through import.meta.url;
  // in the bundle the version is defined and node-forge is required directly (src/crypto/pbe.ts).
  define: { __MAILCERT_VERSION__: JSON.stringify(version), 'import.meta.url': '""' },
  logLevel: 'warning',
  legalComments: 'none',
};
// import() of a vendor file or a module becomes require(): no ES module loader at run time.
const commonJs = { format: 'cjs', supported: { 'dynamic-import': false } };
/**
 * A run reads, and V8 scans, every byte of each file it opens (about 2.5 us a KB here): spaces
 * and comments go. Names stay, so a stack trace (MAILCERT_DEBUG=1) still names each function.
 */
const compact = { minifyWhitespace: true };
for (const [file, { contents }] of Object.entries(vendors)) {
  await build({ ...shared, ...commonJs, ...compact, stdin: { contents, resolveDir: root, loader: 'js' }, outfile: join(outdir, `vendor-${file}.cjs`) });
}

// mailcert's own code: esbuild's code splitting (ES modules only) puts each module in one chunk,
// shared by every command that imports it; each chunk then becomes a CommonJS module. Every file
// of src/cli/commands/ is an entry, for readable names (command-list.js...); program.ts import()s
// the commands, so main.js never loads one it does not run.
const commandsDir = join(root, 'src', 'cli', 'commands');
const commandEntries = readdirSync(commandsDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => [`command-${f.slice(0, -'.ts'.length)}`, join(commandsDir, f)]);
const split = await build({
  ...shared,
  format: 'esm',
  splitting: true,
  write: false,
  metafile: true,
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts'), ...Object.fromEntries(commandEntries) },
  outdir,
  chunkNames: 'chunk-[hash]',
  plugins: [noChildProcessInCommander, vendorFiles],
});
/**
 * A chunk's exports object already has a getter for each export (esbuild's __export, which keeps
 * ES module live bindings); esbuild's __toCommonJS would copy every one into a second object of
 * getters, which costs each run a closure per export and every use a second getter call. The
 * exports object itself, marked as an ES module, is what a require() of the chunk returns.
 */
const copyToCommonJs = 'var __toCommonJS=mod=>__copyProps(__defProp({},"__esModule",{value:true}),mod);';
const markAsCommonJs = 'var __toCommonJS=mod=>__defProp(mod,"__esModule",{value:true});';
// Which source modules each chunk holds, for whoever tunes the layout (not shipped).
writeFileSync(join(root, 'dist', 'bundle-metafile.json'), JSON.stringify(split.metafile));
const chunks = new Map();
for (const out of split.outputFiles) {
  const name = basename(out.path);
  let { code } = await transform(out.text, { ...commonJs, ...compact, platform: 'node', target: 'node20', legalComments: 'none' });
  if (code.includes('__toCommonJS(')) {
    if (!code.includes(copyToCommonJs)) throw new Error(`${name}: esbuild's __toCommonJS is not the one scripts/build.mjs replaces; check the new one`);
    code = code.replace(copyToCommonJs, markAsCommonJs);
  }
  const meta = split.metafile.outputs[Object.keys(split.metafile.outputs).find((k) => basename(k) === name)];
  const ours = (kind) => meta.imports.filter((i) => i.kind === kind && !i.external).map((i) => basename(i.path));
  chunks.set(name, { code, bytes: Buffer.byteLength(code), imports: ours('import-statement'), dynamic: ours('dynamic-import') });
}

// The chunks go into a few files (scripts/bundle-layout.mjs): main.cjs holds main.js, all it
// loads and what hash and list both load; hash and list, the commands scripts run in loops, open
// one file besides main.cjs; the other commands' chunks are grouped by what their runs load
// together. A file (a "pack") is one expression, the object of its chunks' CommonJS module
// functions, each run (and compiled) on the chunk's first require().
const fileOf = packByCommand(chunks, 'main.js', ['command-hash.js', 'command-list.js']);
const packs = Object.fromEntries([...fileOf].sort(([a], [b]) => (a < b ? -1 : 1)));
// list (whose reading of a keystore uses the file code hash's file holds) and verify, run before
// every deployment and by monitors, open only main.cjs and their own file, which also carries
// copies of the modules they share with the other commands; `verify --connect` adds the live
// checks' file, with copies of what verify's file does not hold.
const copies = new Map(['command-list.js', 'command-verify.js'].map((c) => [c.replace(/\.js$/, '.cjs'), copiesFor(chunks, fileOf, c)]));
const verifyHolds = new Set([...fileOf].filter(([, file]) => file === 'command-verify.cjs').map(([name]) => name).concat(copies.get('command-verify.cjs')));
copies.set('command-verify-live.cjs', copiesFor(chunks, fileOf, 'command-verify-live.js', verifyHolds));
for (const file of new Set(fileOf.values())) {
  let text = '({\n';
  for (const [name, holder] of Object.entries(packs)) {
    if (holder === file || copies.get(file)?.includes(name)) text += `${JSON.stringify(name)}: function (exports, require, module, __filename, __dirname) {\n${chunks.get(name).code}\n},\n`;
  }
  writeFileSync(join(outdir, file), `${text}})\n`);
}

// bin/mailcert.cjs loads the files above through this, with V8's code cache (src/cli/launcher.ts),
// which may use a file's cache only while its content hash is the one recorded here.
const bundleIds = Object.fromEntries(
  readdirSync(outdir)
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => [f, createHash('sha256').update(readFileSync(join(outdir, f))).digest('hex').slice(0, 16)]),
);
await build({
  ...shared,
  ...commonJs,
  ...compact,
  entryPoints: [join(root, 'src', 'cli', 'launcher.ts')],
  outfile: join(outdir, 'launcher.cjs'),
  define: { ...shared.define, __MAILCERT_BUNDLE_IDS__: JSON.stringify(bundleIds), __MAILCERT_BUNDLE_PACKS__: JSON.stringify(packs) },
});
