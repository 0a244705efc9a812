#!/usr/bin/env node
// Builds mailcert: `tsc` type-checks and emits dist/ (what the unit tests import), then esbuild
// bundles the CLI into dist/bundle/ (what bin/mailcert.cjs runs and the npm package ships): one
// CommonJS entry with the runtime dependencies it needs inside, and code-split ES modules for the
// commands and what only some of them need (PKCS#12, prompts), so start-up reads a handful of
// files instead of dozens of modules.
import { spawnSync } from 'node:child_process';
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

// The entry is CommonJS: Node 20 starts a CommonJS file about 4 ms sooner than an ES module,
// and every command pays that. It holds commander, the program and error reporting; each
// command is an ES module entry of its own, code-split, loaded with import() when it runs.
const commands = readdirSync(join(root, 'src', 'cli', 'commands')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
// `hash` runs in loops over CA folders and imports nothing lazily: one self-contained file loads
// faster than its share of the common chunks (each chunk is one more module to load).
const standalone = ['hash'];
const outdir = join(root, 'dist', 'bundle');
const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  define: { __MAILCERT_VERSION__: JSON.stringify(version) },
  plugins: [noChildProcessInCommander],
  logLevel: 'warning',
  legalComments: 'none',
};
await build({
  ...shared,
  entryPoints: Object.fromEntries(commands.filter((c) => !standalone.includes(c)).map((c) => [`command-${c}`, join(root, 'src', 'cli', 'commands', `${c}.ts`)])),
  outdir,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunk-[name]-[hash]',
  // node-forge and other CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __mailcertRequire } from 'node:module'; const require = __mailcertRequire(import.meta.url);" },
});
for (const c of standalone) {
  await build({
    ...shared,
    entryPoints: [join(root, 'src', 'cli', 'commands', `${c}.ts`)],
    outfile: join(outdir, `command-${c}.js`),
    format: 'esm',
    banner: { js: "import { createRequire as __mailcertRequire } from 'node:module'; const require = __mailcertRequire(import.meta.url);" },
  });
}
/** In the entry, `import('./commands/x.js')` becomes `import('./command-x.js')`, left to Node at run time. */
const commandsAsEntries = {
  name: 'commands-as-entries',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => ({ path: `./command-${args.path.slice('./commands/'.length)}`, external: true }));
  },
};
await build({
  ...shared,
  plugins: [...shared.plugins, commandsAsEntries],
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: join(outdir, 'main.cjs'),
  format: 'cjs',
  // program.ts reads package.json through import.meta.url only when __MAILCERT_VERSION__ is unset.
  define: { ...shared.define, 'import.meta.url': '""' },
});
