#!/usr/bin/env node
// Prepares a fresh clone for `npm test` / `npm run bench`: installs the npm dependencies when
// missing, Node 22 and 24 for the suite to run on too (scripts/node-runtimes.mjs), the real tools
// the interop tests run (openssl, a JDK's keytool, Dovecot and Postfix) with apt-get when missing
// (we run as root on Debian), and builds mailcert. A tool that cannot be
// installed stops the run with the package to install; nothing is ever skipped silently.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeRuntimes } from './node-runtimes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status === 0;
}
// A tool on PATH, or a file a package installs (an absolute path).
const has = (tool) => (tool.startsWith('/') ? existsSync(tool) : spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0);
function die(message) {
  process.stderr.write(`test-setup: ${message}\n`);
  process.exit(1);
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.error('test-setup: installing npm dependencies');
  if (!sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'])) die('npm install failed');
}

// Debian package for each tool the tests run.
const needed = [
  ['openssl', 'openssl'],
  ['keytool', 'openjdk-17-jdk-headless'],
  ['tmux', 'tmux'], // the terminal tests drive mailcert in a real pseudo-terminal
  // BouncyCastle's provider: the tests run the keytool command mailcert suggests for BKS, UBER and BCFKS files
  ['/usr/share/java/bcprov.jar', 'libbcprov-java'],
];
const missing = needed.filter(([tool]) => !has(tool));
if (missing.length > 0) {
  const pkgs = missing.map(([, pkg]) => pkg);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    die(`missing ${missing.map(([t]) => t).join(', ')}: install ${pkgs.join(' ')} (Debian/Ubuntu: apt-get install ${pkgs.join(' ')})`);
  }
  console.error(`test-setup: installing ${pkgs.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!sh('apt-get', ['update', '-qq'], { env })) die('apt-get update failed');
  if (!sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env })) {
    die(`apt-get install ${pkgs.join(' ')} failed`);
  }
  const still = missing.filter(([tool]) => !has(tool));
  if (still.length > 0) die(`still missing after install: ${still.map(([t]) => t).join(', ')}`);
}

// Node 22 and 24, which the suite runs on after the machine's own Node (scripts/run-tests.mjs);
// the benchmark (`--bench`) runs on the machine's Node only.
if (!process.argv.includes('--bench')) {
  try {
    nodeRuntimes();
  } catch (e) {
    die(e.message);
  }
}

// Real Dovecot and Postfix for the `verify --connect` tests (started on loopback by the tests).
if (!sh('bash', [join(root, 'scripts', 'mail-servers-install.sh')])) die('installing dovecot and postfix failed');

if (!sh(process.execPath, [join(root, 'scripts', 'build.mjs')])) {
  die('the TypeScript build failed');
}

// Strict lint (floating promises, no any) is part of the suite, so CI refuses what it catches.
if (!sh(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), 'src', 'test', 'bench'])) {
  die('eslint found problems (npm run lint shows them)');
}

// Import cycles and imports up the layers (cli -> output -> core -> keystore/net -> crypto -> codec).
if (!sh(process.execPath, [join(root, 'scripts', 'check-imports.mjs')])) {
  die('src/ has an import cycle or an import up the layers (node scripts/check-imports.mjs shows them)');
}
