// The Node.js versions the suite runs on besides the machine's own: mailcert supports Node 20.19
// and later, and `npm test` proves it on the current 22 and 24 too. The npm registry carries
// Node's own binaries as node-<platform>-<arch> packages; they are installed once into
// .cache/node-runtimes (about 50 MB each to download).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.cache', 'node-runtimes');
const VERSIONS = ['22.23.3', '24.21.0'];

const alias = (version) => `node${version.split('.')[0]}`;
const binary = (version) => join(dir, 'node_modules', alias(version), 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

/** The binaries, installing what is missing; throws with what to do when that fails. */
export function nodeRuntimes() {
  const missing = VERSIONS.filter((v) => !existsSync(binary(v)));
  if (missing.length > 0) {
    const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
    const specs = missing.map((v) => `${alias(v)}@npm:${pkg}@${v}`);
    console.error(`test-setup: installing Node ${missing.join(', ')} from the npm registry (${pkg})`);
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm install ${specs.join(' ')} failed; the suite runs on Node ${VERSIONS.join(' and ')} too`);
  }
  return VERSIONS.map((version) => ({ version, node: binary(version) }));
}
