// hash --rehash against `openssl rehash` on copies of the same folder: duplicates, a hash
// collision, CRLs, a bundle, a key, DER, a .txt file; then reruns, stale links, --copy, --dry-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rehash, type RehashResult } from '../../src/core/rehash.js';
import { MailcertError } from '../../src/errors.js';
import { fixturesDir, openssl, runOk, tempDir } from '../helpers/tools.js';

const root = tempDir('mailcert-rehash-');
const hashDir = join(fixturesDir, 'hash');
const src = join(root, 'src');
mkdirSync(src);

const fixture = (name: string): string => readFileSync(join(hashDir, name), 'utf8');

function selfSigned(subject: string, keyOut: string): string {
  return runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyOut, '-subj', subject, '-days', '30']).stdout;
}

// The folder every test starts from (copied, so each tool works on its own copy).
{
  for (const name of readdirSync(hashDir)) {
    // Every fixture certificate, the ones openssl refuses included (both tools must skip those).
    if (name.endsWith('.pem') && name !== 'spaces.pem') writeFileSync(join(src, name), fixture(name));
  }
  writeFileSync(join(src, 'Aardvark.PEM'), fixture('spaces.pem')); // sorts first (strcmp): it wins over ...
  writeFileSync(join(src, 'spaces.pem'), fixture('spaces.pem')); // ... this exact duplicate
  writeFileSync(join(src, 'spaces.crl'), fixture('spaces.crl')); // issuer hash = spaces.pem's subject hash: .r0
  writeFileSync(join(src, 'spaces-again.crl'), fixture('spaces.crl')); // duplicate CRL
  writeFileSync(join(src, 't61.CRL'), fixture('t61-latin1.crl'));
  const c1 = selfSigned('/CN=Collision CA/O=Mailcert Test', join(root, 'c1.key'));
  const c2 = selfSigned('/CN=Collision CA/O=Mailcert Test', join(root, 'c2.key'));
  writeFileSync(join(src, 'collide-1.pem'), c1); // same subject, other key: same hash, .0 and .1
  writeFileSync(join(src, 'collide-2.cer'), c2);
  writeFileSync(join(src, 'collide-3.crt'), c2); // exact duplicate of collide-2.cer
  writeFileSync(join(src, 'bundle.pem'), fixture('upper.pem') + fixture('bmp.pem')); // two certificates: skipped
  writeFileSync(join(src, 'key-only.pem'), readFileSync(join(root, 'c1.key'))); // no certificate: skipped
  writeFileSync(join(src, 'key-and-cert.pem'), readFileSync(join(root, 'c1.key'), 'utf8') + fixture('long-name.pem')); // one item
  writeFileSync(join(src, 'cert-and-crl.pem'), fixture('empty-rdn.pem') + fixture('t61-latin1.crl')); // one item: the certificate
  writeFileSync(join(src, 'universal.txt'), fixture('universal.pem')); // not a rehash extension
  writeFileSync(join(src, 'no-extension'), fixture('universal.pem'));
  runOk('openssl', ['x509', '-in', join(hashDir, 'numeric-ia5.pem'), '-outform', 'DER', '-out', join(src, 'numeric.cer')]); // DER: skipped
  runOk('openssl', ['x509', '-in', join(hashDir, 'multi-rdn-unsorted.pem'), '-trustout', '-addtrust', 'serverAuth', '-out', join(src, 'trusted.crt')]);
  writeFileSync(join(src, 'notes.pem'), 'just text, no PEM blocks\n');
}

const HASH_NAME = /^[0-9a-f]{8}\.r?\d+$/;

function copyOfSrc(name: string): string {
  const dir = join(root, name);
  cpSync(src, dir, { recursive: true });
  return dir;
}

/** name -> link target for every hash-named symbolic link. */
function links(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (HASH_NAME.test(name) && lstatSync(join(dir, name)).isSymbolicLink()) out[name] = readlinkSync(join(dir, name));
  }
  return out;
}

/** Everything about a folder that a run could change. */
function snapshot(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) return `${name} -> ${readlinkSync(path)}`;
      return `${name} ${st.mode.toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    });
}

function opensslRehash(dir: string, ...flags: string[]): { stderr: string } {
  const r = openssl(['rehash', ...flags, dir]);
  // openssl counts a file it cannot use (key-only.pem) as an error: exit status 1, no message.
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return { stderr: r.stderr };
}

const planned = (r: RehashResult): Record<string, string> => Object.fromEntries(r.links.map((l) => [l.name, l.target]));

/** The files openssl and we skip as duplicates and as "not exactly one", from the warnings. */
function skipped(lines: readonly string[]): { duplicates: string[]; notOne: string[] } {
  const duplicates: string[] = [];
  const notOne: string[] = [];
  for (const line of lines) {
    const dup = /skipping duplicate (?:certificate|CRL) in (\S+)/.exec(line);
    if (dup?.[1]) duplicates.push(dup[1]);
    const one = /skipping ([^, ]+), ?it does not contain exactly one/.exec(line);
    if (one?.[1]) notOne.push(one[1]);
  }
  return { duplicates: duplicates.sort(), notOne: notOne.sort() };
}

test('the same <hash>.N and <hash>.rN names and targets as openssl rehash, and the same files skipped', (t) => {
  const theirs = copyOfSrc('openssl');
  const ours = copyOfSrc('ours');
  const { stderr } = opensslRehash(theirs);
  const result = rehash(ours);
  const want = links(theirs);
  assert.deepEqual(links(ours), want);
  assert.deepEqual(planned(result), want);
  assert.ok(result.links.every((l) => l.action === 'create'));
  assert.deepEqual(result.removed, []);
  assert.deepEqual(skipped(result.warnings), skipped(stderr.split('\n')));
  // What the folder is meant to show: a collision numbered .0/.1, a CRL beside its CA's hash.
  const names = Object.keys(want);
  assert.ok(names.some((n) => n.endsWith('.1')), 'a collision');
  assert.ok(names.some((n) => /\.r0$/.test(n)) && names.includes(names.find((n) => n.endsWith('.r0'))?.replace('.r0', '.0') ?? ''), 'a CRL next to its CA');
  assert.equal(want[names.find((n) => want[n] === 'Aardvark.PEM') ?? ''], 'Aardvark.PEM', 'the first name in strcmp order wins a duplicate');
  assert.ok(result.warnings.some((w) => w.includes('key-only.pem')), 'a key without a certificate is reported');
  assert.ok(result.warnings.some((w) => w.includes('numeric.cer') && w.includes('DER')), 'a DER file is reported as such');
  t.diagnostic(`${names.length} links, ${result.warnings.length} warnings`);
});

test('reruns change nothing, in either direction, and OpenSSL finds both colliding certificates', () => {
  const theirs = copyOfSrc('rerun-openssl');
  const ours = copyOfSrc('rerun-ours');
  opensslRehash(theirs);
  rehash(ours);
  const before = snapshot(ours);
  const again = rehash(theirs);
  assert.ok(again.links.every((l) => l.action === 'keep'), 'our run keeps every openssl link');
  assert.deepEqual(again.removed, []);
  opensslRehash(ours);
  assert.deepEqual(snapshot(ours), before, 'openssl keeps every link we made');
  for (const cert of ['collide-1.pem', 'collide-2.cer']) {
    const r = openssl(['verify', '-CApath', ours, join(ours, cert)]);
    assert.equal(r.status, 0, `${cert}: ${r.stdout}${r.stderr}`);
  }
});

test('a stale link is removed and the remaining certificate renumbered from 0', () => {
  const dir = copyOfSrc('stale');
  rehash(dir);
  const collision = Object.entries(links(dir)).filter(([, target]) => target.startsWith('collide-'));
  assert.equal(collision.length, 2);
  const hash = (collision[0]?.[0] ?? '').slice(0, 8);
  unlinkSync(join(dir, 'collide-1.pem'));
  const r = rehash(dir);
  assert.deepEqual(r.removed, [`${hash}.1`]);
  assert.equal(links(dir)[`${hash}.0`], 'collide-2.cer');
  assert.equal(links(dir)[`${hash}.1`], undefined);
  // openssl rehash agrees with the result (it would have kept a dangling .0: openssl/openssl#25272).
  const before = snapshot(dir);
  opensslRehash(dir);
  assert.deepEqual(snapshot(dir), before);
});

test('a file whose content changed loses its old link, and the folder ends as openssl leaves it', () => {
  const dir = copyOfSrc('moved');
  rehash(dir);
  const before = links(dir);
  writeFileSync(join(dir, 'upper.pem'), fixture('bmp.pem')); // now a duplicate of bmp.pem
  const r = rehash(dir);
  const oldName = Object.keys(before).find((n) => before[n] === 'upper.pem');
  assert.ok(oldName && r.removed.includes(oldName));
  assert.ok(r.warnings.some((w) => w === 'skipping duplicate certificate in upper.pem'));
  const theirs = copyOfSrc('moved-openssl');
  writeFileSync(join(theirs, 'upper.pem'), fixture('bmp.pem'));
  opensslRehash(theirs);
  assert.deepEqual(links(dir), links(theirs));
});

test('--copy writes regular files with the same names as openssl links and the bytes of their targets', () => {
  const theirs = copyOfSrc('copy-openssl');
  opensslRehash(theirs);
  const want = links(theirs);
  const dir = copyOfSrc('copy');
  const r = rehash(dir, { copy: true });
  assert.equal(r.mode, 'copy');
  assert.deepEqual(planned(r), want);
  for (const [name, target] of Object.entries(want)) {
    const st = lstatSync(join(dir, name));
    assert.ok(st.isFile() && !st.isSymbolicLink(), name);
    assert.deepEqual(readFileSync(join(dir, name)), readFileSync(join(dir, target)), name);
  }
  // Rerun: the copies are recognised by their bytes and kept.
  const again = rehash(dir, { copy: true });
  assert.ok(again.links.every((l) => l.action === 'keep'));
  // A stale copy (a name like a hash link, bytes of nothing here) is removed in copy mode.
  writeFileSync(join(dir, 'deadbeef.0'), 'stale copy\n');
  assert.deepEqual(rehash(dir, { copy: true }).removed, ['deadbeef.0']);
  // --copy over openssl's links replaces each link by a copy under the same name.
  const over = rehash(theirs, { copy: true });
  assert.ok(over.links.every((l) => l.action === 'replace'));
  assert.deepEqual(Object.keys(links(theirs)), []);
  // And back to links: the same names again, as symbolic links.
  rehash(dir);
  assert.deepEqual(links(dir), want);
});

test('in link mode a regular file named like a link that is no copy of anything here is left alone', () => {
  const dir = copyOfSrc('stranger');
  writeFileSync(join(dir, 'deadbeef.0'), 'someone else\n');
  const r = rehash(dir);
  assert.equal(r.removed.includes('deadbeef.0'), false);
  assert.equal(readFileSync(join(dir, 'deadbeef.0'), 'utf8'), 'someone else\n');
});

test('--dry-run plans what openssl would do and changes nothing', () => {
  const theirs = copyOfSrc('dry-openssl');
  opensslRehash(theirs);
  const dir = copyOfSrc('dry');
  writeFileSync(join(dir, 'deadbeef.0'), 'stale\n');
  const before = snapshot(dir);
  const r = rehash(dir, { dryRun: true, copy: true });
  assert.equal(r.dryRun, true);
  assert.deepEqual(planned(r), links(theirs));
  assert.deepEqual(r.removed, ['deadbeef.0']);
  assert.deepEqual(snapshot(dir), before);
  const linkPlan = rehash(dir, { dryRun: true });
  assert.deepEqual(planned(linkPlan), links(theirs));
  assert.deepEqual(snapshot(dir), before);
});

test('--old names links by the MD5 hash, as openssl rehash -old', () => {
  const theirs = copyOfSrc('old-openssl');
  const ours = copyOfSrc('old-ours');
  opensslRehash(theirs, '-old');
  rehash(ours, { old: true });
  assert.deepEqual(links(ours), links(theirs));
  assert.ok(Object.keys(links(ours)).length > 10);
});

test('a missing folder or a file instead of a folder is an input error (exit 3) naming it', () => {
  const missing = join(root, 'no-such-folder');
  assert.throws(() => rehash(missing), (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && e.message.includes(missing));
  const file = join(src, 'bmp.pem');
  assert.throws(() => rehash(file), (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && e.message.includes(file));
  rmSync(missing, { force: true });
});

test('a folder of many certificates (hashed with node:crypto, rehash-plan.ts MANY_NAMES) gets the names openssl rehash gives it', () => {
  const theirs = copyOfSrc('many-openssl');
  const ours = copyOfSrc('many-ours');
  let added = 0;
  for (const name of readdirSync('/etc/ssl/certs').sort()) {
    if (!name.endsWith('.pem') || added >= 100) continue;
    const pem = readFileSync(join('/etc/ssl/certs', name));
    writeFileSync(join(theirs, `system-${name}`), pem);
    writeFileSync(join(ours, `system-${name}`), pem);
    added++;
  }
  assert.equal(added, 100, 'the system store has 100 certificates to add');
  opensslRehash(theirs);
  const result = rehash(ours);
  assert.deepEqual(links(ours), links(theirs));
  assert.ok(result.links.length > 100, `${result.links.length} links`);
});
