#!/usr/bin/env node
// Builds mailcert: `tsc` type-checks and emits dist/ (what the unit tests import), then esbuild
// bundles the CLI into dist/bundle/ (what bin/mailcert.cjs runs and the npm package ships): a
// CommonJS entry, one self-contained CommonJS file per command, and the large libraries only
// some runs need as files of their own, so a run reads three or four files instead of dozens of
// modules.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const { build } = await import('esbuild');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
rmSync(join(root, 'dist', 'bundle'), { recursive: true, force: true });
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
// main.cjs holds commander, the program and error reporting; each command is one self-contained
// file, required when it runs. The large libraries only some runs need are files of their own
// ("vendor" files), required on first use: the prompts (only on a terminal), asn1js (PKCS#12 and
// encrypted PKCS#8) and node-forge (RC2, for legacy PKCS#12 only). They hold no mailcert code, so
// one copy of each is shared by whatever requires it.
const vendors = {
  prompts: { pkg: '@inquirer/prompts', contents: "module.exports = require('@inquirer/prompts');" },
  asn1js: { pkg: 'asn1js', contents: "module.exports = require('asn1js');" },
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
const outdir = join(root, 'dist', 'bundle');
const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // import() of a command or a vendor file becomes require(): no ES module loader at run time.
  supported: { 'dynamic-import': false },
  // The unbundled build (unit tests) finds package.json and node-forge through import.meta.url;
  // in the bundle the version is defined and node-forge is required directly (src/codec/pbe.ts).
  define: { __MAILCERT_VERSION__: JSON.stringify(version), 'import.meta.url': '""' },
  logLevel: 'warning',
  legalComments: 'none',
};
for (const [file, { contents }] of Object.entries(vendors)) {
  await build({ ...shared, stdin: { contents, resolveDir: root, loader: 'js' }, outfile: join(outdir, `vendor-${file}.cjs`) });
}
/**
 * In program.ts (the entry's, and `completion`'s copy), `import('./commands/x.js')` becomes
 * `require('./command-x.cjs')`, left to Node at run time.
 */
const commandsAsEntries = {
  name: 'commands-as-entries',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => ({
      path: `./command-${args.path.slice('./commands/'.length, -'.js'.length)}.cjs`,
      external: true,
    }));
  },
};
// The commands program.ts loads (verify-live.ts is part of verify).
const program = readFileSync(join(root, 'src', 'cli', 'program.ts'), 'utf8');
const commands = [...program.matchAll(/import\('\.\/commands\/([a-z-]+)\.js'\)/g)].map((m) => m[1]);
await build({
  ...shared,
  entryPoints: Object.fromEntries(commands.map((c) => [`command-${c}`, join(root, 'src', 'cli', 'commands', `${c}.ts`)])),
  outdir,
  outExtension: { '.js': '.cjs' },
  plugins: [noChildProcessInCommander, vendorFiles, commandsAsEntries],
});
await build({
  ...shared,
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: join(outdir, 'main.cjs'),
  plugins: [noChildProcessInCommander, commandsAsEntries],
});
// bin/mailcert.cjs loads the files above through this, with V8's code cache (src/cli/launcher.ts),
// which may use a file's cache only while its content hash is the one recorded here.
const bundleIds = Object.fromEntries(
  readdirSync(outdir)
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => [f, createHash('sha256').update(readFileSync(join(outdir, f))).digest('hex').slice(0, 16)]),
);
await build({
  ...shared,
  entryPoints: [join(root, 'src', 'cli', 'launcher.ts')],
  outfile: join(outdir, 'launcher.cjs'),
  define: { ...shared.define, __MAILCERT_BUNDLE_IDS__: JSON.stringify(bundleIds) },
});
