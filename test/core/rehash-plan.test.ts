// The plan of hash --rehash from a folder listing held in memory: no folder is read or written
// here (rehash.test.ts runs the whole command against openssl rehash on real folders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planRehash, type FolderEntry, type RehashPlan } from '../../src/core/rehash-plan.js';
import { fixturesDir } from '../helpers/tools.js';

const hashDir = join(fixturesDir, 'hash');
const bytes = (name: string): Buffer => readFileSync(join(hashDir, name));
const expected = JSON.parse(readFileSync(join(hashDir, 'expected.json'), 'utf8')) as {
  certificates: { file: string; hash: string; oldHash: string }[];
  crls: { file: string; hash: string; oldHash: string }[];
};
const hashOf = (file: string, old = false): string => {
  const e = [...expected.certificates, ...expected.crls].find((c) => c.file === file);
  assert.ok(e, file);
  return old ? e.oldHash : e.hash;
};
const file = (name: string, content: Buffer | string = bytes(name)): FolderEntry => ({ name, kind: 'candidate', bytes: content });
const plan = (p: RehashPlan): Record<string, string> => Object.fromEntries(p.links.map((l) => [l.name, `${l.target} ${l.action}`]));

// Two certificates of one subject hash (a collision), a CA and its CRL: the fixtures' own hashes.
const collision = hashOf('empty-issuer.pem');
assert.equal(hashOf('leaf-t61-issuer.pem'), collision);
const spaces = hashOf('spaces.pem');
assert.equal(hashOf('spaces.crl'), spaces);

test('names and numbers from the contents alone, in strcmp order whatever the listing order; duplicates and unusable files are warnings', () => {
  const der = Buffer.from(bytes('upper.pem').toString('latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const p = planRehash([
    file('zz-copy-of-spaces.pem', bytes('spaces.pem')),
    file('leaf-t61-issuer.pem'),
    file('spaces.crl'),
    file('fifo.pem', 'it is not a regular file'),
    file('upper.cer', der),
    file('empty-issuer.pem'),
    file('spaces.pem'),
    file('two.pem', Buffer.concat([bytes('bmp.pem'), bytes('upper.pem')])),
  ]);
  assert.equal(p.mode, 'symlink');
  assert.deepEqual(plan(p), {
    [`${collision}.0`]: 'empty-issuer.pem create',
    [`${collision}.1`]: 'leaf-t61-issuer.pem create',
    [`${spaces}.0`]: 'spaces.pem create',
    [`${spaces}.r0`]: 'spaces.crl create',
  });
  assert.deepEqual(p.warnings, [
    'skipping fifo.pem, it is not a regular file',
    'skipping two.pem, it does not contain exactly one certificate or CRL',
    "skipping upper.cer, it does not contain exactly one certificate or CRL (it is DER; OpenSSL's hash lookup reads PEM only)",
    'skipping duplicate certificate in zz-copy-of-spaces.pem',
  ]);
  assert.deepEqual(p.removed, []);
  assert.deepEqual(p.contents.get(`${spaces}.r0`), bytes('spaces.crl'));
});

test('existing links: one still right is kept with its number, one to a file gone is reused or removed', () => {
  const p = planRehash([
    { name: `${collision}.0`, kind: 'link', target: 'gone.pem' },
    { name: `${collision}.1`, kind: 'link', target: 'leaf-t61-issuer.pem' },
    { name: 'deadbeef.0', kind: 'link', target: 'also-gone.pem' },
    file('empty-issuer.pem'),
    file('leaf-t61-issuer.pem'),
  ]);
  assert.deepEqual(plan(p), { [`${collision}.0`]: 'empty-issuer.pem replace', [`${collision}.1`]: 'leaf-t61-issuer.pem keep' });
  assert.deepEqual(p.removed, ['deadbeef.0']);
});

test('copies are known by their bytes; a regular file that is no copy is removed in copy mode, kept (or replaced with a warning) in link mode', () => {
  const upper = hashOf('upper.pem');
  const entries: FolderEntry[] = [
    file('spaces.pem'),
    file('upper.pem'),
    { name: `${spaces}.0`, kind: 'copy', bytes: bytes('spaces.pem') },
    { name: `${upper}.0`, kind: 'copy', bytes: Buffer.from('not a copy\n') },
    { name: 'deadbeef.0', kind: 'copy', bytes: Buffer.from('a file of someone else\n') },
    { name: 'deadbeef.1', kind: 'copy', bytes: undefined },
  ];
  const copies = planRehash(entries, { copy: true });
  assert.equal(copies.mode, 'copy');
  assert.deepEqual(plan(copies), { [`${spaces}.0`]: 'spaces.pem keep', [`${upper}.0`]: 'upper.pem replace' });
  assert.deepEqual(copies.removed, ['deadbeef.0', 'deadbeef.1']);
  assert.deepEqual(copies.warnings, []);

  const links = planRehash(entries);
  assert.deepEqual(plan(links), { [`${spaces}.0`]: 'spaces.pem replace', [`${upper}.0`]: 'upper.pem replace' });
  assert.deepEqual(links.removed, []);
  assert.deepEqual(links.warnings, [`replacing ${upper}.0, a regular file that is not a copy of upper.pem`]);
});

test('old names use the pre-1.0 MD5 hash (openssl rehash -old)', () => {
  const p = planRehash([file('spaces.pem'), file('spaces.crl')], { old: true });
  assert.deepEqual(plan(p), { [`${hashOf('spaces.pem', true)}.0`]: 'spaces.pem create', [`${hashOf('spaces.crl', true)}.r0`]: 'spaces.crl create' });
});
