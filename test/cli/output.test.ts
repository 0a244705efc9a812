// stdout as scripts see it: mailcert writes straight to the descriptor (src/cli/stdio.ts; the
// full-pipe case is tested there), and a reader that goes away early is not an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { decodePem } from '../../src/codec/pem.js';
import { encodeJks } from '../../src/codec/jks.js';
import { cliPath, tempDir } from '../helpers/tools.js';

const dir = tempDir();
/** A truststore whose `list --json` is about 1.5 MB: far more than any pipe buffer. */
const store = join(dir, 'big.jks');
const roots = rootCertificates.map((pem) => decodePem(pem)[0]?.der ?? new Uint8Array());
writeFileSync(
  store,
  encodeJks(
    Array.from({ length: 2000 }, (_, i) => ({ kind: 'trusted' as const, alias: `root-${i}`, created: new Date('2026-01-01T00:00:00Z'), cert: roots[i % roots.length] ?? new Uint8Array() })),
    'changeit',
  ),
);
const env = { ...process.env, MAILCERT_STOREPASS: 'changeit' };

test('a reader that stops early (| head) ends mailcert quietly, exit 0, no error', async () => {
  const child = spawn(process.execPath, [cliPath, 'list', '-k', store, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<Buffer>((resolve) => child.stdout.once('data', resolve));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.ok(first.length > 0);
  assert.equal(code, 0);
  assert.equal(stderr, '');
});
