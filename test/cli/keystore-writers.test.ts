// Keystore updates under stress, with real processes: two `import-chain` runs at once must both
// get their certificate in (50 rounds), and a run killed with SIGKILL at any moment leaves the
// keystore whole (old or new, never half) and leaves no temp or lock file that outlives the next
// run. keytool reads the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { decodeJks, encodeJks } from '../../src/codec/jks.js';
import { decodePem } from '../../src/codec/pem.js';
import type { StoredEntry } from '../../src/codec/model.js';
import { cliPath, keytool, mailcertAsync, runOk, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);
const env = { MAILCERT_STOREPASS: 'changeit' };

/** CA certificates "CA 0" ... made by openssl with one key (the names differ, so do the certificates). */
function makeCas(count: number): string[] {
  runOk('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p('ca.key')]);
  runOk('sh', ['-c', `for i in $(seq 0 ${count - 1}); do openssl req -x509 -key ca.key -subj "/CN=Writer CA $i" -days 30 -addext basicConstraints=critical,CA:TRUE -out ca-$i.pem & done; wait`], { cwd: dir });
  return Array.from({ length: count }, (_, i) => p(`ca-${i}.pem`));
}

const cas = makeCas(200);
let nextCa = 0;

function aliases(store: string): string[] {
  return decodeJks(readFileSync(store), 'changeit').entries.map((e) => e.alias);
}

/** What a kill can leave behind: our temp files (any *.tmp) and lock files. */
const leftovers = (folder: string): string[] => readdirSync(folder).filter((n) => n.endsWith('.tmp') || n.includes('mailcert-lock'));

test('50 rounds of two concurrent import-chain runs on one keystore lose nothing', async () => {
  const store = p('shared.jks');
  const first = await mailcertAsync(['import-chain', '-k', store, '--storetype', 'jks', '--file', cas[nextCa++] as string], { env });
  assert.equal(first.status, 0, first.stderr);
  const lost: string[] = [];
  for (let round = 0; round < 50; round++) {
    const a = `writer-ca-${nextCa}`;
    const b = `writer-ca-${nextCa + 1}`;
    const runs = await Promise.all([cas[nextCa++], cas[nextCa++]].map((f) => mailcertAsync(['import-chain', '-k', store, '--file', f as string], { env })));
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    const now = aliases(store);
    for (const alias of [a, b]) if (!now.includes(alias)) lost.push(`round ${round}: ${alias}`);
  }
  assert.deepEqual(lost, []);
  assert.equal(aliases(store).length, 101);
  assert.match(keytool(['-list', '-keystore', store, '-storepass', 'changeit']).stdout, /Your keystore contains 101 entries/);
  assert.deepEqual(leftovers(dir), []);
});

/** A JKS truststore big enough that writing it takes a while: Node's roots under 3,000 aliases. */
function bigStore(path: string): void {
  const roots = rootCertificates.map((pem) => decodePem(pem)[0]?.der).filter((d): d is Uint8Array => d !== undefined);
  const created = new Date('2026-01-01T00:00:00Z');
  const entries: StoredEntry[] = Array.from({ length: 3000 }, (_, i) => ({ kind: 'trusted', alias: `root-${i}`, created, cert: roots[i % roots.length] as Uint8Array }));
  writeFileSync(path, encodeJks(entries, 'changeit'));
}

/**
 * Starts an import-chain and kills it with SIGKILL: after `delayMs`, or (delayMs undefined) the
 * moment a temp file of keystore size appears beside the store, i.e. in the middle of the write.
 * Resolves to whether the kill came too late (the run had exited on its own).
 */
function killDuring(store: string, ca: string, delayMs: number | undefined): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'import-chain', '-k', store, '--file', ca], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const kill = (): void => void child.kill('SIGKILL');
    const timer = delayMs === undefined ? undefined : setTimeout(kill, delayMs);
    const poll =
      delayMs === undefined
        ? setInterval(() => {
            for (const n of readdirSync(dir)) {
              if (!n.endsWith('.tmp')) continue;
              try {
                if (statSync(join(dir, n)).size > 1000) kill();
              } catch {
                // renamed meanwhile
              }
            }
          }, 1)
        : undefined;
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve(code !== null);
    });
  });
}

test('kill -9 at random moments: the keystore stays whole, and the next run removes what the killed ones left', async () => {
  const store = p('big.jks');
  bigStore(store);
  let count = aliases(store).length;
  // How long a whole run takes here, to spread the kills over it.
  const started = Date.now();
  const full = await mailcertAsync(['import-chain', '-k', store, '--file', cas[nextCa++] as string], { env });
  assert.equal(full.status, 0, full.stderr);
  const runMs = Date.now() - started;
  count++;
  let leftTemp = false;
  let leftLock = false;
  let randomKills = 0;
  for (let attempt = 0; attempt < 120 && !(leftTemp && leftLock && randomKills >= 20); attempt++) {
    const midWrite = attempt % 3 === 2 && !leftTemp;
    const exited = await killDuring(store, cas[nextCa++] as string, midWrite ? undefined : Math.random() * runMs * 1.2);
    if (!midWrite) randomKills++;
    // Old or new, never half: the store always decodes, with its digest checked.
    const now = aliases(store).length;
    assert.ok(now === count || now === count + 1, `attempt ${attempt}: ${now} entries after ${count}`);
    count = now;
    const left = leftovers(dir);
    if (left.some((n) => n.endsWith('.tmp')) && !exited) leftTemp = true;
    if (left.some((n) => n.includes('mailcert-lock'))) leftLock = true;
  }
  assert.ok(leftTemp, 'some kill landed in the middle of a write and left a temp file');
  // The next run takes over the dead process's lock at once and removes its temp files.
  const next = await mailcertAsync(['import-chain', '-k', store, '--file', cas[nextCa++] as string], { env });
  assert.equal(next.status, 0, next.stderr);
  assert.equal(aliases(store).length, count + 1);
  assert.deepEqual(leftovers(dir), []);
  assert.ok(leftLock, 'some kill left a lock file, and the run after it went ahead');
  assert.equal(keytool(['-list', '-keystore', store, '-storepass', 'changeit']).status, 0);
});
