// mailcert tlsa as a process: every record compared with what openssl (and keytool, for
// keystores) computes for the same certificate or key, as admins are told to compute them:
//   openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum   (3 1 1)
//   openssl x509 -outform DER | sha512sum                                        (3 0 2)
// RSA and EC, chain files (2 1 1), keys, keystores made by keytool, a live server, and a rollover.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keytool, mailcert, mailcertAsync, openssl, run, runOk, tempDir } from '../helpers/tools.js';
import { makeTestCa } from '../helpers/ca.js';
import { makeTestPki, startFakeServer, type FakeServer } from '../net/fake-server.js';

const dir = tempDir('mailcert-tlsa-');
const p = (name: string): string => join(dir, name);
const ca = makeTestCa(dir, 'ec');

/** A key and a certificate for it signed by the test CA; returns [key, cert, chain (cert + intermediate)]. */
function issue(name: string, newkey: string[]): [string, string, string] {
  runOk('openssl', ['req', '-new', ...newkey, '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', '/CN=mail.example.com']);
  const cert = ca.sign(p(`${name}.csr`), `${name}.pem`, 'DNS:mail.example.com');
  writeFileSync(p(`${name}-chain.pem`), runOk('cat', [cert, ca.interPem]).stdout);
  return [p(`${name}.key`), cert, p(`${name}-chain.pem`)];
}
const [rsaKey, rsaCert, rsaChain] = issue('rsa', ['-newkey', 'rsa:2048']);
const [ecKey, ecCert] = issue('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);

/** What the guides run, through a shell: openssl for the DER, sha256sum / sha512sum for the digest. */
function sh(script: string): string {
  return (runOk('sh', ['-c', script]).stdout.split(' ')[0] ?? '').trim();
}
const spkiSha256 = (cert: string): string => sh(`openssl x509 -in '${cert}' -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum`);
const certSha512 = (cert: string): string => sh(`openssl x509 -in '${cert}' -outform DER | sha512sum`);
const spkiHex = (cert: string): string => runOk('sh', ['-c', `openssl x509 -in '${cert}' -pubkey -noout | openssl pkey -pubin -outform DER | od -An -v -tx1 | tr -d ' \\n'`]).stdout;

function tlsa(args: string[], env?: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  return mailcert(['tlsa', ...args], env === undefined ? {} : { env });
}

test('3 1 1 (the default) for RSA and EC certificates equals openssl | sha256sum', () => {
  for (const cert of [rsaCert, ecCert]) {
    const r = tlsa(['--cert', cert]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `3 1 1 ${spkiSha256(cert)}\n`);
  }
});

test('3 0 2 equals openssl x509 -outform DER | sha512sum; 3 1 0 is the SubjectPublicKeyInfo itself', () => {
  for (const cert of [rsaCert, ecCert]) {
    assert.equal(tlsa(['--cert', cert, '--selector', '0', '--matching', '2']).stdout, `3 0 2 ${certSha512(cert)}\n`);
    assert.equal(tlsa(['--cert', cert, '--matching', '0']).stdout, `3 1 0 ${spkiHex(cert)}\n`);
  }
});

test('2 1 1 is the issuing CA of a chain file; a certificate alone has none to give (exit 3)', () => {
  assert.equal(tlsa(['--cert', rsaChain, '--usage', '2']).stdout, `2 1 1 ${spkiSha256(ca.interPem)}\n`);
  // After the leaf, the issuer is found by signature, wherever it is and whatever else is there.
  writeFileSync(p('leaf-root-inter.pem'), runOk('cat', [rsaCert, ca.rootPem, ca.interPem]).stdout);
  assert.equal(tlsa(['--cert', p('leaf-root-inter.pem'), '--usage', '2']).stdout, `2 1 1 ${spkiSha256(ca.interPem)}\n`);
  const alone = tlsa(['--cert', rsaCert, '--usage', '2']);
  assert.equal(alone.status, 3);
  assert.match(alone.stderr, /--usage 2 needs the certificate of the CA that issued "CN=mail\.example\.com" \("CN=Mailcert Test Intermediate CA, O=Mailcert Test, C=DE"\)/);
  assert.match(alone.stderr, /hint: give the chain file/);
});

test('--key: a private key (plain or encrypted) or a public key gives the same 3 1 1 as its certificate; selector 0 needs a certificate (exit 2)', () => {
  const want = `3 1 1 ${spkiSha256(rsaCert)}\n`;
  assert.equal(tlsa(['--key', rsaKey]).stdout, want);
  runOk('openssl', ['pkcs8', '-topk8', '-in', rsaKey, '-out', p('rsa-enc.key'), '-passout', 'pass:staged-secret', '-v2', 'aes-256-cbc']);
  const enc = tlsa(['--key', p('rsa-enc.key'), '--passin-env', 'KEYPASS'], { KEYPASS: 'staged-secret' });
  assert.equal(enc.status, 0, enc.stderr);
  assert.equal(enc.stdout, want);
  runOk('openssl', ['pkey', '-in', ecKey, '-pubout', '-out', p('ec.pub')]);
  assert.equal(tlsa(['--key', p('ec.pub')]).stdout, `3 1 1 ${spkiSha256(ecCert)}\n`);
  const sel0 = tlsa(['--key', rsaKey, '--selector', '0']);
  assert.equal(sel0.status, 2);
  assert.match(sel0.stderr, /selector 0 needs a certificate/);
});

test('--name and --port give zone-file lines; --port alone, a bad name, two sources or none are usage errors', () => {
  const hash = spkiSha256(ecCert);
  assert.equal(tlsa(['--cert', ecCert, '--name', 'mail.example.com', '--port', '25']).stdout, `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${hash}\n`);
  assert.equal(tlsa(['--cert', ecCert, '--name', 'Mail.Example.com.']).stdout, `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${hash}\n`);
  assert.equal(tlsa(['--cert', ecCert, '--name', 'mail.example.com', '--port', '465']).stdout, `_465._tcp.mail.example.com. IN TLSA 3 1 1 ${hash}\n`);
  for (const args of [['--cert', ecCert, '--port', '25'], ['--cert', ecCert, '--name', 'mail example'], ['--cert', ecCert, '--key', ecKey], [], ['--cert', ecCert, '--usage', '4']]) {
    const r = tlsa(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('--keystore: the key entry of a keytool-made JKS and PKCS#12 keystore, as keytool -exportcert | openssl computes it', () => {
  for (const type of ['JKS', 'PKCS12']) {
    const ks = p(`mail-${type}.ks`);
    runOk('keytool', ['-genkeypair', '-storetype', type, '-keystore', ks, '-storepass', 'changeit', '-keypass', 'changeit', '-alias', 'mail', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com']);
    const exported = p(`mail-${type}.pem`);
    assert.equal(keytool(['-exportcert', '-rfc', '-keystore', ks, '-storepass', 'changeit', '-alias', 'mail', '-file', exported]).status, 0);
    const r = tlsa(['--keystore', ks, '--name', 'mail.example.com'], { MAILCERT_STOREPASS: 'changeit' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${spkiSha256(exported)}\n`);
  }
  const nopass = tlsa(['--keystore', p('mail-PKCS12.ks')]);
  assert.equal(nopass.status, 2, 'no password and no terminal');
});

test('rollover: the current keystore and the staged one give the records to publish before the swap, each as openssl computes it', () => {
  const current = p('mail-JKS.ks');
  const staged = p('staged.jks');
  runOk('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', staged, '-storepass', 'changeit', '-keypass', 'changeit', '-alias', 'mail', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=mail.example.com']);
  runOk('keytool', ['-exportcert', '-rfc', '-keystore', staged, '-storepass', 'changeit', '-alias', 'mail', '-file', p('staged.pem')]);
  const env = { MAILCERT_STOREPASS: 'changeit' };
  const r = tlsa(['--keystore', current, '--next', staged, '--name', 'mail.example.com', '--port', '25'], env);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 4, r.stdout);
  assert.match(lines[0] ?? '', /^; current: .*mail-JKS\.ks entry "mail", "CN=mail\.example\.com", valid to \d{4}-\d\d-\d\d$/);
  assert.equal(lines[1], `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${spkiSha256(p('mail-JKS.pem'))}`);
  assert.match(lines[2] ?? '', /^; next \(publish before the swap\): .*staged\.jks entry "mail"/);
  assert.equal(lines[3], `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${spkiSha256(p('staged.pem'))}`);

  const json = tlsa(['--keystore', current, '--next', staged, '--json'], env);
  const doc = JSON.parse(json.stdout) as { records: { role: string; rdata: string; certificate?: { subject: string } }[]; notes: string[] };
  assert.deepEqual(doc.records.map((x) => x.role), ['current', 'next']);
  assert.equal(doc.records[1]?.rdata, `3 1 1 ${spkiSha256(p('staged.pem'))}`);
  assert.equal(doc.records[0]?.certificate?.subject, 'CN=mail.example.com');

  // A renewal that keeps the key: one record, and a note saying so.
  runOk('openssl', ['req', '-new', '-key', ecKey, '-out', p('renew.csr'), '-subj', '/CN=mail.example.com']);
  const renewed = ca.sign(p('renew.csr'), 'renewed.pem', 'DNS:mail.example.com');
  const same = tlsa(['--cert', ecCert, '--next', renewed]);
  assert.equal(same.stdout.split('\n').filter((l) => l.startsWith('3 1 1 ')).length, 1);
  assert.match(same.stderr, /the same key .* nothing to add before the swap/);
  assert.match(same.stderr, /keeps the key: 3 1 1 stays valid/);
  // ...which a selector-0 record does not survive.
  assert.equal(tlsa(['--cert', ecCert, '--next', renewed, '--selector', '0']).stdout.split('\n').filter((l) => l.startsWith('3 0 1 ')).length, 2);
});

const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

test('--connect: what a live server presents, leaf (3 1 1) and issuer (2 1 1), as openssl computes from the same files', async () => {
  const pki = makeTestPki(tempDir('mailcert-tlsa-pki-'));
  const server = await startFakeServer({ protocol: 'smtp' }, { key: pki.key, chain: pki.leafPem + pki.interPem });
  servers.push(server);
  writeFileSync(p('fake-leaf.pem'), pki.leafPem);
  writeFileSync(p('fake-inter.pem'), pki.interPem);
  const target = `127.0.0.1:${server.port}`;
  const ee = await mailcertAsync(['tlsa', '--connect', target, '--starttls', 'smtp', '--name', 'mail.fake.test']);
  assert.equal(ee.status, 0, ee.stderr);
  assert.equal(ee.stdout, `_25._tcp.mail.fake.test. IN TLSA 3 1 1 ${spkiSha256(p('fake-leaf.pem'))}\n`);
  const ta = await mailcertAsync(['tlsa', '--connect', target, '--starttls', 'smtp', '--usage', '2', '--json']);
  const doc = JSON.parse(ta.stdout) as { records: { rdata: string; source: string; certificate: { subject: string } }[] };
  assert.equal(doc.records[0]?.rdata, `2 1 1 ${spkiSha256(p('fake-inter.pem'))}`);
  assert.equal(doc.records[0]?.source, target);
  assert.match(doc.records[0]?.certificate.subject ?? '', /Intermediate/);
  // A record made this way is what verify --tlsa then accepts.
  const checked = await mailcertAsync(['verify', '--connect', target, '--starttls', 'smtp', '--tlsa', ee.stdout.split(' TLSA ')[1]?.trim() ?? '', '--json']);
  assert.equal((JSON.parse(checked.stdout) as { checks: { name: string; status: string }[] }).checks.find((c) => c.name === 'dane')?.status, 'ok');
  const refused = await mailcertAsync(['tlsa', '--connect', '127.0.0.1:1', '--starttls', 'smtp']);
  assert.equal(refused.status, 5);
});

test('--help starts with examples and ends with the exit codes; completion knows the command and its choices', () => {
  const help = mailcert(['tlsa', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Examples:\n {2}\$ mailcert tlsa --cert mail\.crt/);
  assert.match(help.stdout, /Exit codes:\n {2}0 {2}success/);
  const bash = mailcert(['completion', 'bash']).stdout;
  assert.match(bash, /^ {4}tlsa\)$/m);
  assert.match(bash, /^ {8}--usage\) COMPREPLY=\( \$\(compgen -W '3 2 1 0' -- "\$cur"\) \); return 0 ;;$/m);
  assert.match(run('bash', ['-n'], { input: bash }).stderr, /^$/);
  assert.equal(openssl(['version']).status, 0);
});
