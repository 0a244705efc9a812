// What mailcert does to files it writes, as an admin on a bad day meets it: private keys are 0600
// (or --key-mode) whatever they replace, a replaced keystore keeps its owner and group, links are
// followed to the real file, /dev/stdout redirected by the shell is written as the shell opened
// it, a user who cannot keep a file's owner is refused before anything changes, and names that
// are not UTF-8 open. keytool and openssl read what is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, fixturesDir, keytool, mailcert, openssl, run, tempDir } from '../helpers/tools.js';

const dir = tempDir();
// Other users (nobody, below) must reach the folders they are given.
chmodSync(dir, 0o755);
const p = (n: string): string => join(dir, n);
const env = { MAILCERT_STOREPASS: 'changeit' };
const root = join(fixturesDir, 'pem', 'root-ca.pem');
const intermediate = join(fixturesDir, 'pem', 'intermediate-ca.pem');
const mode = (path: string): number => statSync(path).mode & 0o777;

function ok(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): string {
  const r = mailcert(args, { env: { ...env, ...opts.env }, ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }) });
  assert.equal(r.status, 0, `mailcert ${args.join(' ')}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

/** A shell line with "$M" for the CLI: redirections are the shell's, as users type them. */
function sh(line: string, cwd = dir): ReturnType<typeof run> {
  return run('sh', ['-c', line], { cwd, env: { ...process.env, NO_COLOR: '1', M: `${process.execPath} ${cliPath}`, ...env } });
}

/** Runs the CLI as user nobody (65534), as `setpriv` does for a service account. */
function asNobody(args: string[]): ReturnType<typeof run> {
  return run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliPath, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', NODE_DISABLE_COMPILE_CACHE: '1', ...env },
  });
}

const key = p('source.key');
ok(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '--key-out', key, '--cert-out', p('source.crt')]);

test('a private key written over a 0644 or 0666 file is 0600, and the message says so truthfully', () => {
  writeFileSync(p('old-0644.key'), 'a certificate, once');
  chmodSync(p('old-0644.key'), 0o644);
  const out = ok(['strip-password', '--in', key, '--out', p('old-0644.key'), '--force']);
  assert.equal(mode(p('old-0644.key')), 0o600);
  assert.match(out, /mode 0600/);
  assert.equal(openssl(['pkey', '-in', p('old-0644.key'), '-noout']).status, 0);

  writeFileSync(p('old-0666.key'), 'x');
  chmodSync(p('old-0666.key'), 0o666);
  writeFileSync(p('old.crt'), 'x');
  const gen = ok(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '--key-out', p('old-0666.key'), '--cert-out', p('old.crt'), '--force']);
  assert.equal(mode(p('old-0666.key')), 0o600);
  assert.match(gen, /Wrote private key .*old-0666\.key \(mode 0600\)/);
});

test('a key written through a link goes into the file the link names, 0600 there, and the link stays', () => {
  mkdirSync(p('private'));
  writeFileSync(p('private/mail.key'), 'old key');
  chmodSync(p('private/mail.key'), 0o644);
  symlinkSync('private/mail.key', p('mail.key'));
  ok(['strip-password', '--in', key, '--out', p('mail.key'), '--force']);
  assert.ok(lstatSync(p('mail.key')).isSymbolicLink());
  assert.equal(mode(p('private/mail.key')), 0o600);
  assert.match(readFileSync(p('private/mail.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});

test('--key-mode and --key-group set who may read the key (Exim as Debian-exim, the ssl-cert group)', () => {
  const out = ok(['strip-password', '--in', key, '--out', p('exim.key'), '--key-mode', '0640', '--key-group', 'ssl-cert']);
  const ssl = Number(run('getent', ['group', 'ssl-cert']).stdout.split(':')[2]);
  assert.deepEqual([mode(p('exim.key')), statSync(p('exim.key')).gid], [0o640, ssl]);
  assert.match(out, /mode 0640/);
  ok(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', p('group.p12'), '--key-group', '8', '--key-mode', '440']);
  assert.deepEqual([mode(p('group.p12')), statSync(p('group.p12')).gid], [0o440, 8]);
  ok(['export', '-k', p('group.p12'), '--key-out', p('export.key'), '--key-mode', '0600', '--key-group', 'mail']);
  assert.equal(statSync(p('export.key')).gid, 8);
});

test('a mode that gives other users anything is refused with exit 2, before anything is read or written', () => {
  for (const [value, message] of [
    ['0644', /--key-mode 0644: refused: it lets every user of the machine read or change the private key/],
    ['0602', /--key-mode 0602: refused/],
    ['rw-r-----', /--key-mode rw-r-----: give an octal mode such as 0600 or 0640/],
    ['4600', /give an octal mode/],
  ] as const) {
    const r = mailcert(['strip-password', '--in', key, '--out', p('refused.key'), '--key-mode', value]);
    assert.equal(r.status, 2, value);
    assert.match(r.stderr, message);
  }
  const g = mailcert(['import-chain', '-k', p('refused.jks'), '--file', root, '--key-group', 'no-such-group-here'], { env });
  assert.equal(g.status, 2);
  assert.match(g.stderr, /--key-group no-such-group-here: no such group/);
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('refused')), []);
});

test('updating a keystore keeps its owner, group and a mode that gives others nothing (keytool keeps them too)', () => {
  const store = p('james.jks');
  ok(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', store]);
  chownSync(store, 8, 8);
  chmodSync(store, 0o640);
  ok(['import-chain', '-k', store, '--file', root]);
  ok(['import', '-k', store, '--file', intermediate, '--yes', '--alias', 'inter']);
  const st = statSync(store);
  assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [8, 8, 0o640]);
  assert.equal(keytool(['-list', '-keystore', store, '-storepass', 'changeit']).status, 0);
});

test('a keystore reached through links is updated in place; the links stay (the Debian cacerts layout)', () => {
  mkdirSync(p('etc-ssl-certs-java'));
  mkdirSync(p('jvm-lib-security'));
  const real = p('etc-ssl-certs-java/cacerts');
  ok(['import-chain', '-k', real, '--file', root, '--storetype', 'jks']);
  symlinkSync(real, p('jvm-lib-security/cacerts'));
  symlinkSync('jvm-lib-security/cacerts', p('java-home-cacerts'));
  const out = ok(['import-chain', '-k', p('java-home-cacerts'), '--file', intermediate]);
  assert.match(out, /Updated JKS keystore/);
  assert.ok(lstatSync(p('java-home-cacerts')).isSymbolicLink() && lstatSync(p('jvm-lib-security/cacerts')).isSymbolicLink());
  const listed = keytool(['-list', '-keystore', real, '-storepass', 'changeit']);
  assert.match(listed.stdout, /Your keystore contains 2 entries/);
  assert.deepEqual(readdirSync(p('etc-ssl-certs-java')), ['cacerts'], 'no temp or lock file left beside the real store');
});

test('--out /dev/stdout redirected to a file is written there, and >> appends (never "already exists", never truncated)', () => {
  writeFileSync(p('redirected.pem'), 'old content\n');
  const r = sh(`$M strip-password --in "${key}" --out /dev/stdout > redirected.pem`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(p('redirected.pem'), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n[^]*-----END PRIVATE KEY-----\n$/);
  writeFileSync(p('bundle.pem'), 'first line\n');
  const a = sh(`$M export -k james.jks --cert-out /dev/stdout >> bundle.pem && $M strip-password --in "${key}" --out /dev/fd/1 --force >> bundle.pem`);
  assert.equal(a.status, 0, a.stderr);
  const text = readFileSync(p('bundle.pem'), 'utf8');
  assert.ok(text.startsWith('first line\n-----BEGIN CERTIFICATE-----'), text.slice(0, 80));
  assert.match(text, /-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----/);
  // --force with a descriptor name: still written as opened, the name never replaced.
  const f = sh(`$M strip-password --in "${key}" --out /proc/self/fd/1 --force | head -1`);
  assert.equal(f.stdout, '-----BEGIN PRIVATE KEY-----\n');
  assert.ok(lstatSync('/dev/stdout').isSymbolicLink());
});

test('a FIFO is written to directly', () => {
  assert.equal(spawnSync('mkfifo', [p('out.fifo')]).status, 0);
  const r = sh(`cat out.fifo > from-fifo.pem & $M strip-password --in "${key}" --out out.fifo; wait`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(p('from-fifo.pem'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  assert.ok(lstatSync(p('out.fifo')).isFIFO());
});

test('as a user who cannot keep the owner of a keystore, the update is refused and nothing changes', () => {
  mkdirSync(p('shared'));
  chmodSync(p('shared'), 0o777);
  const store = p('shared/server.jks');
  ok(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', store]);
  chownSync(store, 8, 8);
  chmodSync(store, 0o666);
  const before = readFileSync(store);
  const r = asNobody(['import-chain', '-k', store, '--file', root]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /server\.jks: cannot keep the owner and group of the keystore \(uid 8, gid 8\) when replacing it as uid 65534; nothing was written/);
  assert.match(r.stderr, /hint: run mailcert as root or as the file's owner/);
  assert.ok(readFileSync(store).equals(before));
  assert.equal(statSync(store).uid, 8);
  assert.deepEqual(readdirSync(p('shared')), ['server.jks']);
  // A group the user is not in: refused, nothing written.
  writeFileSync(p('readable.key'), readFileSync(key));
  chmodSync(p('readable.key'), 0o644);
  const g = asNobody(['strip-password', '--in', p('readable.key'), '--out', p('shared/nobody.key'), '--key-group', 'mail']);
  assert.equal(g.status, 3, g.stderr);
  assert.match(g.stderr, /nobody\.key: cannot give the private key to group 8: only root or a member of the group can/);
  assert.deepEqual(readdirSync(p('shared')), ['server.jks']);
});

test('a run that changes nothing needs no write access: certificates already present in a read-only folder', () => {
  mkdirSync(p('readonly'));
  const store = p('readonly/trust.jks');
  ok(['import-chain', '-k', store, '--file', root, '--storetype', 'jks']);
  chmodSync(store, 0o644);
  const r = asNobody(['import-chain', '-k', store, '--file', root, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { present: unknown[] }).present.length, 1);
  const w = asNobody(['import-chain', '-k', store, '--file', intermediate]);
  assert.equal(w.status, 3);
  assert.match(w.stderr, /trust\.jks: cannot write the keystore \(EACCES\)/);
  assert.deepEqual(readdirSync(p('readonly')), ['trust.jks']);
});

test('file names that are not UTF-8 open: the raw bytes come from /proc/self/cmdline', () => {
  mkdirSync(p('latin1'));
  const name = Buffer.from('caf\xe9.pem', 'latin1');
  writeFileSync(Buffer.concat([Buffer.from(p('latin1/')), name]), readFileSync(root));
  // printf makes the Latin-1 byte; Node's argv would hold U+FFFD in its place.
  const r = sh(`$M hash "$(printf 'caf\\351.pem')"`, p('latin1'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), openssl(['x509', '-hash', '-noout', '-in', root]).stdout.trim());
  const w = sh(`$M import-chain -k "$(printf 'cl\\351s.jks')" --file ${root} --storetype jks && $M strip-password --in ${key} --out "$(printf 'cl\\351.key')"`, p('latin1'));
  assert.equal(w.status, 0, w.stderr);
  const names = readdirSync(p('latin1'), { encoding: 'buffer' }).map((n) => n.toString('latin1')).sort();
  assert.deepEqual(names, ['caf\xe9.pem', 'cl\xe9.key', 'cl\xe9s.jks']);
  assert.equal(statSync(Buffer.concat([Buffer.from(p('latin1/')), Buffer.from('cl\xe9.key', 'latin1')])).mode & 0o777, 0o600);
});
