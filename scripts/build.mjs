#!/usr/bin/env node
// Builds mailcert: `tsc` type-checks and emits dist/ (what the unit tests import), then esbuild
// bundles the CLI into dist/bundle/ (what bin/mailcert.js runs and the npm package ships): one
// entry file with the runtime dependencies inside, and split chunks for what only some commands
// need (PKCS#12, prompts), so start-up reads a handful of files instead of dozens of modules.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
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

await build({
  plugins: [noChildProcessInCommander],
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
  outdir: join(root, 'dist', 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[name]-[hash]',
  define: { __MAILCERT_VERSION__: JSON.stringify(version) },
  // node-forge and other CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __mailcertRequire } from 'node:module'; const require = __mailcertRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
