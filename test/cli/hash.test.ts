// `mailcert hash` as a process: output formats, --old, --issuer, --json, stdin, exit codes, and
// --rehash (human and JSON) on a small folder, with openssl as the reference for every hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';

const dir = tempDir('mailcert-hash-cli-');
const hashDir = join(fixturesDir, 'hash');
const spaces = join(hashDir, 'spaces.pem');
const t61 = join(hashDir, 't61-latin1.pem');
const leaf = join(hashDir, 'leaf-t61-issuer.pem');
const crl = join(hashDir, 'spaces.crl');

const x509 = (file: string, flag: string): string => runOk('openssl', ['x509', '-noout', flag, '-in', file]).stdout.trim();
const crlHash = (file: string, flag: string): string => runOk('openssl', ['crl', '-noout', flag, '-in', file]).stdout.trim();

test('one file: the hash alone, as openssl x509 -hash -noout prints it', () => {
  const r = mailcert(['hash', spaces]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${x509(spaces, '-hash')}\n`);
  assert.equal(r.stderr, '');
});

test('several files: "HASH  FILE" per line, in argument order; a CRL gives its issuer hash', () => {
  const r = mailcert(['hash', t61, spaces, crl]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${x509(t61, '-hash')}  ${t61}\n${x509(spaces, '-hash')}  ${spaces}\n${crlHash(crl, '-hash')}  ${crl}\n`);
});

test('--old adds the MD5 hash after the hash; --issuer hashes the issuer', () => {
  const one = mailcert(['hash', '--old', leaf]);
  assert.equal(one.stdout, `${x509(leaf, '-hash')} ${x509(leaf, '-subject_hash_old')}\n`);
  const two = mailcert(['hash', '--old', leaf, crl]);
  assert.equal(two.stdout, `${x509(leaf, '-hash')} ${x509(leaf, '-subject_hash_old')}  ${leaf}\n${crlHash(crl, '-hash')} ${crlHash(crl, '-hash_old')}  ${crl}\n`);
  const issuer = mailcert(['hash', '--issuer', '--old', leaf]);
  assert.equal(issuer.stdout, `${x509(leaf, '-issuer_hash')} ${x509(leaf, '-issuer_hash_old')}\n`);
  assert.notEqual(x509(leaf, '-issuer_hash'), x509(leaf, '-hash'));
});

test('--json: one document with file, kind, whose name, hash (and oldHash with --old)', () => {
  const r = mailcert(['hash', '--json', '--old', spaces, crl]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    hashes: [
      { file: spaces, kind: 'certificate', of: 'subject', hash: x509(spaces, '-hash'), oldHash: x509(spaces, '-subject_hash_old') },
      { file: crl, kind: 'crl', of: 'issuer', hash: crlHash(crl, '-hash'), oldHash: crlHash(crl, '-hash_old') },
    ],
  });
  const plain = JSON.parse(mailcert(['hash', '--json', spaces]).stdout) as { hashes: Record<string, unknown>[] };
  assert.equal(plain.hashes[0]?.oldHash, undefined);
});

test('DER, a bundle (its first certificate, as openssl x509), TRUSTED CERTIFICATE and standard input', () => {
  const der = join(dir, 'spaces.der');
  runOk('openssl', ['x509', '-in', spaces, '-outform', 'DER', '-out', der]);
  const bundle = join(dir, 'bundle.pem');
  writeFileSync(bundle, readFileSync(t61, 'utf8') + readFileSync(spaces, 'utf8'));
  const trusted = join(dir, 'trusted.pem');
  runOk('openssl', ['x509', '-in', spaces, '-trustout', '-addtrust', 'serverAuth', '-out', trusted]);
  for (const file of [der, bundle, trusted]) {
    assert.equal(mailcert(['hash', file]).stdout, `${x509(file, '-hash')}\n`, file);
  }
  const stdin = mailcert(['hash', '-'], { input: readFileSync(t61) });
  assert.equal(stdin.stdout, `${x509(t61, '-hash')}\n`);
});

test('a missing file or one that is not a certificate: exit 3, one message naming the file', () => {
  const missing = join(dir, 'nope.pem');
  const r = mailcert(['hash', spaces, missing]);
  assert.equal(r.status, 3);
  assert.equal(r.stdout, '', 'nothing printed for the files before it');
  assert.match(r.stderr, new RegExp(`^mailcert: ${missing}: no such file`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  const key = join(dir, 'key.pem');
  runOk('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
  const k = mailcert(['hash', key]);
  assert.equal(k.status, 3);
  assert.match(k.stderr, new RegExp(`^mailcert: ${key}: not a certificate or CRL \\(it holds PRIVATE KEY\\)`));
  assert.match(k.stderr, /hint: /);
  const refused = join(hashDir, 'visible-string.pem');
  const v = mailcert(['hash', refused]);
  assert.equal(v.status, 3);
  assert.match(v.stderr, new RegExp(`^mailcert: ${refused}: cannot hash the subject`));
  assert.notEqual(openssl(['x509', '-noout', '-hash', '-in', refused]).status, 0, 'openssl cannot either');
  const json = mailcert(['hash', '--json', missing]);
  assert.equal(json.status, 3);
  assert.equal((JSON.parse(json.stdout) as { error: { exitCode: number } }).error.exitCode, 3);
});

test('usage errors exit 2: no files and no --rehash, files with --rehash, --copy without --rehash', () => {
  for (const args of [['hash'], ['hash', '--rehash', dir, spaces], ['hash', '--copy', spaces], ['hash', '--dry-run', spaces], ['hash', '--rehash', dir, '--issuer']]) {
    const r = mailcert(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^mailcert: /, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('--rehash: one line per change on stdout, warnings and a summary on stderr; --json; --dry-run', () => {
  const ca = join(dir, 'ca');
  mkdirSync(ca);
  for (const f of ['spaces.pem', 'spaces.crl', 't61-latin1.pem']) writeFileSync(join(ca, f), readFileSync(join(hashDir, f)));
  writeFileSync(join(ca, 'copy-of-spaces.pem'), readFileSync(spaces));
  const h = x509(spaces, '-hash');
  const t = x509(t61, '-hash');

  const dry = mailcert(['hash', '--rehash', ca, '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(dry.stdout, `would link ${h}.0 -> copy-of-spaces.pem\nwould link ${h}.r0 -> spaces.crl\nwould link ${t}.0 -> t61-latin1.pem\n`);
  assert.match(dry.stderr, /warning: skipping duplicate certificate in spaces\.pem/);
  assert.match(dry.stderr, /dry run, nothing was changed/);
  assert.equal(readdirSync(ca).length, 4);

  const real = mailcert(['hash', '--rehash', ca]);
  assert.equal(real.status, 0, real.stderr);
  assert.equal(real.stdout, dry.stdout.replaceAll('would ', ''));
  assert.ok(lstatSync(join(ca, `${h}.0`)).isSymbolicLink());

  const json = mailcert(['hash', '--rehash', ca, '--json', '--copy']);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(json.stderr, '', '--json prints nothing else');
  assert.deepEqual(JSON.parse(json.stdout), {
    dir: ca,
    mode: 'copy',
    dryRun: false,
    links: [
      { name: `${h}.0`, target: 'copy-of-spaces.pem', kind: 'certificate', action: 'replace' },
      { name: `${h}.r0`, target: 'spaces.crl', kind: 'crl', action: 'replace' },
      { name: `${t}.0`, target: 't61-latin1.pem', kind: 'certificate', action: 'replace' },
    ],
    removed: [],
    warnings: ['skipping duplicate certificate in spaces.pem'],
  });
  assert.ok(lstatSync(join(ca, `${h}.0`)).isFile());

  const quiet = mailcert(['hash', '--rehash', ca, '--copy', '-q']);
  assert.equal(quiet.status, 0);
  assert.equal(quiet.stdout + quiet.stderr, '');
});
