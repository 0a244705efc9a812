// Core's errors speak of keystores, keys and names (core/errors.ts); each command words them in
// its own flags. Here each through the CLI, with the flag in its message or hint, and the exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mailcert, runOk, tempDir } from '../helpers/tools.js';

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
