// Core's errors speak of keystores, keys and names (core/errors.ts); each command words them in
// its own flags. Here each through the CLI, with the flag in its message or hint, and the exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedInFlags } from '../../src/cli/flag-errors.js';
import { ExitCode, MailcertError } from '../../src/errors.js';
import { AliasTooLong } from '../../src/keystore/errors.js';
import { GroupNotPermitted } from '../../src/keystore/files.js';
import { fixturesDir, mailcert, runOk, tempDir } from '../helpers/tools.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);
const env = { MAILCERT_STOREPASS: 'store-pass-1', KP: 'wrong' };

function fails(args: string[], code: number): { message: string; hint: string } {
  const r = mailcert(args, { env });
  assert.equal(r.status, code, `mailcert ${args.join(' ')}: ${r.stderr}`);
  const [message = '', hint = ''] = r.stderr.split('\n');
  return { message, hint };
}

runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ec.key'), '-out', p('ec.crt'), '-subj', '/CN=ec.example.com', '-days', '30']);
runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('other.key'), '-out', p('other.crt'), '-subj', '/CN=other.example.com', '-days', '30']);
runOk('openssl', ['pkcs8', '-topk8', '-in', p('ec.key'), '-out', p('ec-enc.key'), '-passout', 'pass:right']);

test('genkey: a CN that is no host name, and an alias taken', () => {
  const cn = fails(['genkey', '--cn', 'Mail Server!', '--key-out', p('x.key'), '--cert-out', p('x.crt')], 2);
  assert.match(cn.message, /the CN "Mail Server!" is not a host name/);
  assert.match(cn.hint, /--cn mail\.example\.com \(or CN=mail\.example\.com in --dname\)/);
  const store = p('genkey.p12');
  assert.equal(mailcert(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', store, '-q'], { env }).status, 0);
  const key = fails(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', store], 4);
  assert.match(key.hint, /or --force to replace the whole keystore/);
  assert.equal(mailcert(['import', '-k', p('trust.ks'), '--file', p('other.crt'), '--alias', 'other', '--yes', '-q'], { env }).status, 0);
  const trusted = fails(['genkey', '--cn', 'mail.example.com', '--key-type', 'ec', '-k', p('trust.ks'), '--alias', 'other'], 4);
  assert.match(trusted.hint, /choose another --alias/);
});

test('import: a key none of the certificates belongs to, and an alias taken', () => {
  const none = fails(['import', '-k', p('pair.p12'), '--key', p('ec.key'), '--file', p('other.crt')], 3);
  assert.match(none.message, /none of the 1 certificate\(s\) in --file matches the key in --key/);
  const taken = fails(['import', '-k', p('trust.ks'), '--file', p('ec.crt'), '--alias', 'other', '--yes'], 2);
  assert.match(taken.message, /alias "other" already exists/);
  assert.match(taken.hint, /choose another --alias/);
});

test('strip-password and export: an encoding that does not fit the key names --format', () => {
  const strip = fails(['strip-password', '--in', p('ec.key'), '--out', p('ec-pkcs1.key'), '--format', 'pkcs1'], 2);
  assert.match(strip.message, /--format pkcs1 is for RSA keys; this is an EC key/);
  assert.match(strip.hint, /--format sec1/);
  assert.equal(mailcert(['import', '-k', p('ec.p12'), '--key', p('ec.key'), '--file', p('ec.crt'), '-q'], { env }).status, 0);
  const exported = fails(['export', '-k', p('ec.p12'), '--key-out', p('ec-export.key'), '--format', 'pkcs1'], 2);
  assert.match(exported.message, /--format pkcs1 is for RSA keys; this is an EC key/);
});

test('inspect: a wrong passphrase names the --passin options', () => {
  const wrong = fails(['inspect', p('ec-enc.key'), '--passin-env', 'KP'], 3);
  assert.match(wrong.message, /the passphrase for this key is incorrect/);
  assert.match(wrong.hint, /--passin-env VAR or --passin-file FILE/);
});

// The keystore layer's errors (keystore/errors.ts) speak of files and passwords; every command
// that meets one names its options: the same words as before the layers stopped naming them.
const pem = (name: string): string => join(fixturesDir, 'pem', name);
const refused = (args: string[], code: number, env: NodeJS.ProcessEnv = {}): { message: string; hint: string } => {
  const r = mailcert(args, { env, cwd: dir });
  assert.equal(r.status, code, `mailcert ${args.join(' ')}: ${r.stderr}`);
  const [message = '', hint = ''] = r.stderr.split('\n');
  return { message, hint };
};

test('an output that exists names --force', () => {
  writeFileSync(p('exists.key'), 'keep');
  const r = refused(['strip-password', '--in', p('ec.key'), '--out', p('exists.key')], 2);
  assert.match(r.message, /exists\.key: private key already exists; not overwriting it$/);
  assert.equal(r.hint, '  hint: pass --force to replace it, or choose another path');
  assert.equal(readFileSync(p('exists.key'), 'utf8'), 'keep');
});

test('keystore passwords name the --storepass, --keypass and --passin options', () => {
  const needs = refused(['verify', '--cert', p('ec.crt'), '--ca', pem('keytool.p12')], 2);
  assert.match(needs.message, /keytool\.p12: this PKCS#12 keystore needs its password$/);
  assert.equal(needs.hint, '  hint: pass --storepass-env VAR or --storepass-file FILE');
  const integrity = refused(['list', '-k', pem('keytool.jks')], 3, { MAILCERT_STOREPASS: 'wrong-pass' });
  assert.equal(integrity.hint, '  hint: check the store password (--storepass-env VAR, --storepass-file FILE); if it is right, the file is damaged: restore it from a backup');
  const key = refused(['export', '-k', join(fixturesDir, 'jks', 'rsa.jks'), '--key-out', p('server.key')], 3, { MAILCERT_STOREPASS: 'storepass1' });
  assert.match(key.message, /rsa\.jks: cannot recover key "server": the key password is incorrect$/);
  assert.equal(key.hint, '  hint: pass the key password with --keypass-env VAR or --keypass-file FILE (it defaults to the store password)');
  const passin = refused(['strip-password', '--in', pem('rsa-des3.pem'), '--out', p('plain.key')], 3, { MAILCERT_PASSIN: 'wrong-pass' });
  assert.match(passin.message, /rsa-des3\.pem: the passphrase for this key is incorrect$/);
  assert.equal(passin.hint, '  hint: check the passphrase given with --passin-env VAR or --passin-file FILE');
});

test('keystore files and types name --file, --cert, --key and --storetype', () => {
  const notStore = refused(['list', '-k', pem('leaf-rsa.pem')], 3);
  assert.equal(notStore.hint, '  hint: check the file; PEM and DER files are read with --file, --cert or --key');
  const type = refused(['genkey', '--cn', 'mail.example.com', '-k', p('new.ks'), '--storetype', 'jceks'], 2, env);
  assert.equal(type.message, 'mailcert: --storetype jceks: mailcert writes jks or pkcs12 keystores');
  const name = refused(['import-chain', '-k', p('trust.store'), '--file', pem('root-ca.pem')], 2, env);
  assert.equal(name.hint, '  hint: pass --storetype jks or --storetype pkcs12, or name it .jks or .p12');
  copyFileSync(join(fixturesDir, 'jks', 'ec.jceks'), p('ec.jceks'));
  const jceks = refused(['import', '-k', p('ec.jceks'), '--file', pem('root-ca.pem'), '--yes'], 2, { MAILCERT_STOREPASS: 'jcekspass' });
  assert.equal(jceks.message, 'mailcert: mailcert does not write JCEKS keystores');
  assert.equal(jceks.hint, '  hint: write JKS or PKCS#12 (--storetype jks|pkcs12)');
  const ascii = refused(['genkey', '--cn', 'mail.example.com', '-k', p('unicode.p12')], 2, { MAILCERT_STOREPASS: 'pässwörd1' });
  assert.equal(ascii.hint, '  hint: choose an ASCII password, or a JKS keystore (--storetype jks), which takes any password');
});

test('the rule: a server certificate beside the key entry, with the command that makes a truststore', () => {
  assert.equal(mailcert(['import', '-k', p('rule.p12'), '--key', p('ec.key'), '--file', p('ec.crt'), '-q'], { env }).status, 0);
  const before = readFileSync(p('rule.p12'));
  const rule = refused(['import', '-k', p('rule.p12'), '--file', pem('leaf-rsa.pem'), '--alias', 'imap', '--yes'], 4, env);
  assert.match(rule.message, /is a server certificate \(not a CA\) beside the key entry "ec"/);
  assert.equal(rule.hint, "  hint: put other servers' certificates in a truststore of their own (a keystore without a key entry), e.g. mailcert import --keystore client.ks --file server.pem");
  assert.deepEqual(readFileSync(p('rule.p12')), before);
});

test('errors not met from here, in the flags every command shares: a group, an alias from the CN or a file', () => {
  const group = sharedInFlags(new GroupNotPermitted('mail.key', 'private key', 107));
  assert.ok(group instanceof MailcertError);
  assert.deepEqual([group.message, group.hint, group.exitCode], ['mail.key: cannot give the private key to group 107: only root or a member of the group can', 'run mailcert as root, or leave out --key-group; nothing was written', ExitCode.badInput]);
  const size = '70000 bytes in modified UTF-8, and a JKS alias holds at most 65535';
  const cn = sharedInFlags(new AliasTooLong('cn', size, `the alias made from the CN is too long for a JKS keystore: ${size}`, ExitCode.usage, 'choose a shorter alias'));
  assert.ok(cn instanceof MailcertError);
  assert.equal(cn.message, `--cn: the alias is too long for a JKS keystore: ${size}`);
  const file = sharedInFlags(new AliasTooLong({ file: 'in.p12' }, size, `in.p12: alias "aaa..." is too long for a JKS keystore: ${size}`, ExitCode.badInput, 'write PKCS#12 instead'));
  assert.ok(file instanceof MailcertError);
  assert.equal(file.hint, 'write PKCS#12 instead (--storetype pkcs12, or an --out name ending in .p12)');
});
