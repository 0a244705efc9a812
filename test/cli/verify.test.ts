// verify, offline: each check's verdict on good and broken set-ups, the exit code a script can
// trust, the JSON shape, and agreement with `openssl verify` on the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';
import { makeTestCa } from '../helpers/ca.js';
import { decodePem, encodePem } from '../../src/codec/pem.js';
import { OID } from '../../src/codec/asn1/oid.js';
import { parseCertificate } from '../../src/codec/x509/certificate.js';
import { assembleSigned, basicConstraints, buildTbsCertificate, extKeyUsage, subjectAltName } from '../../src/codec/x509/build.js';
import { signatureAlgorithmIdentifier, signData, generateKeyPair } from '../../src/crypto/keys.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);
const ca = makeTestCa(dir);
const cat = (out: string, ...files: string[]): string => {
  writeFileSync(out, files.map((f) => readFileSync(f, 'utf8')).join(''));
  return out;
};

interface VerifyJson {
  ok: boolean;
  target: string;
  checks: { name: string; status: 'ok' | 'warn' | 'fail'; detail: string }[];
}
function verify(args: string[], env: Record<string, string> = {}): { status: number | null; json: VerifyJson; check: (name: string) => VerifyJson['checks'][number] | undefined } {
  const r = mailcert(['verify', ...args, '--json'], { env });
  assert.ok(r.status === 0 || r.status === 1, `exit ${String(r.status)}: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as VerifyJson;
  return { status: r.status, json, check: (name) => json.checks.find((c) => c.name === name) };
}

// A server key and certificate issued by the intermediate, and the chain file Dovecot would use.
runOk('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('mail.key'), '-out', p('mail.csr'), '-subj', '/CN=mail.example.com']);
const leaf = ca.sign(p('mail.csr'), 'mail.crt', 'DNS:mail.example.com,DNS:*.mail.example.com,IP:192.0.2.7');
const chain = cat(p('chain.pem'), leaf, ca.interPem);

/** A leaf signed by the test intermediate with chosen dates, made with our builder (openssl 3.0 cannot backdate). */
async function leafWithDates(name: string, notBefore: Date, notAfter: Date): Promise<string> {
  const interKey = createPrivateKey(readFileSync(join(dir, 'inter.key')));
  const inter = parseCertificate(decodePem(readFileSync(ca.interPem, 'utf8'))[0]!.der);
  const pair = await generateKeyPair({ type: 'rsa', bits: 2048 });
  const alg = signatureAlgorithmIdentifier('SHA256withRSA');
  const tbs = buildTbsCertificate({
    serial: Uint8Array.of(0x11, 0x22),
    signatureAlgorithm: alg,
    issuer: inter.subject.der,
    subject: parseCertificate(decodePem(readFileSync(leaf, 'utf8'))[0]!.der).subject.der,
    notBefore,
    notAfter,
    spki: pair.spki,
    extensions: [subjectAltName({ dns: ['mail.example.com'], ip: [] }), basicConstraints(false), extKeyUsage([OID.serverAuth])],
  });
  const der = assembleSigned(tbs, alg, signData('SHA256withRSA', interKey, tbs));
  const out = p(`${name}.pem`);
  writeFileSync(out, encodePem('CERTIFICATE', der) + readFileSync(ca.interPem, 'utf8'));
  return out;
}

test('a complete chain to the given CA passes every check (exit 0), and openssl agrees', () => {
  const v = verify(['--cert', chain, '--key', p('mail.key'), '--ca', ca.rootPem, '--host', 'mail.example.com']);
  assert.equal(v.status, 0);
  assert.equal(v.json.ok, true);
  assert.equal(v.json.target, chain);
  for (const c of v.json.checks) assert.equal(c.status, 'ok', `${c.name}: ${c.detail}`);
  assert.deepEqual(v.json.checks.map((c) => c.name), ['key matches certificate', 'chain', 'trust', 'constraints', 'purpose', 'validity', 'host name', 'key strength', 'signature algorithm']);
  assert.equal(openssl(['verify', '-CAfile', ca.rootPem, '-untrusted', ca.interPem, '-verify_hostname', 'mail.example.com', leaf]).status, 0);
});

test('without the CA the trust check fails (exit 1), as openssl verify does', () => {
  const v = verify(['--cert', chain]);
  assert.equal(v.status, 1);
  assert.equal(v.check('trust')?.status, 'fail');
  assert.match(v.check('trust')?.detail ?? '', /not a trusted root|no path to a trusted root/);
  assert.notEqual(openssl(['verify', '-untrusted', ca.interPem, leaf]).status, 0);
});

test('by default a CA in NODE_EXTRA_CA_CERTS is trusted, as every Node program trusts it', () => {
  const v = verify(['--cert', chain], { NODE_EXTRA_CA_CERTS: ca.rootPem });
  assert.equal(v.check('trust')?.status, 'ok', v.check('trust')?.detail);
  assert.equal(v.status, 0, JSON.stringify(v.json.checks));
});

test('host names: SAN DNS, a wildcard of one label, an IP; a wrong name fails', () => {
  assert.equal(verify(['--cert', chain, '--ca', ca.rootPem, '--host', 'imap.mail.example.com']).check('host name')?.status, 'ok');
  assert.equal(verify(['--cert', chain, '--ca', ca.rootPem, '--host', '192.0.2.7']).check('host name')?.status, 'ok');
  for (const wrong of ['other.example.com', 'a.b.mail.example.com', '192.0.2.8']) {
    const v = verify(['--cert', chain, '--ca', ca.rootPem, '--host', wrong]);
    assert.equal(v.status, 1, wrong);
    assert.equal(v.check('host name')?.status, 'fail', wrong);
    assert.notEqual(openssl(['verify', '-CAfile', ca.rootPem, '-untrusted', ca.interPem, wrong.includes(':') || /^\d/.test(wrong) ? '-verify_ip' : '-verify_hostname', wrong, leaf]).status, 0, wrong);
  }
});

test('a missing intermediate fails the chain check; a misordered chain warns, and --strict fails it', () => {
  const lone = verify(['--cert', leaf, '--ca', ca.rootPem]);
  assert.equal(lone.status, 1);
  assert.equal(lone.check('chain')?.status, 'fail');
  assert.match(lone.check('chain')?.detail ?? '', /no certificate for the issuer "CN=Mailcert Test Intermediate CA/);
  assert.notEqual(openssl(['verify', '-CAfile', ca.rootPem, leaf]).status, 0);
  const shuffled = cat(p('shuffled.pem'), leaf, ca.rootPem, ca.interPem);
  const s = verify(['--cert', shuffled, '--ca', ca.rootPem]);
  assert.equal(s.check('chain')?.status, 'warn');
  assert.equal(s.status, 0);
  assert.equal(verify(['--cert', shuffled, '--ca', ca.rootPem, '--strict']).status, 1);
});

test('a key that does not belong to the certificate fails', () => {
  runOk('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('other.key')]);
  const v = verify(['--cert', chain, '--key', p('other.key'), '--ca', ca.rootPem]);
  assert.equal(v.status, 1);
  assert.equal(v.check('key matches certificate')?.status, 'fail');
});

test('validity: expired fails, expiring within --warn-days warns', async () => {
  const day = 86_400_000;
  const expired = await leafWithDates('expired', new Date(Date.now() - 400 * day), new Date(Date.now() - day));
  const v = verify(['--cert', expired, '--ca', ca.rootPem]);
  assert.equal(v.status, 1);
  assert.equal(v.check('validity')?.status, 'fail');
  assert.match(v.check('validity')?.detail ?? '', /expired on/);
  assert.notEqual(openssl(['verify', '-CAfile', ca.rootPem, '-untrusted', ca.interPem, expired]).status, 0);
  const soon = await leafWithDates('soon', new Date(Date.now() - day), new Date(Date.now() + 10 * day));
  const w = verify(['--cert', soon, '--ca', ca.rootPem]);
  assert.equal(w.check('validity')?.status, 'warn');
  assert.equal(w.status, 0);
  assert.equal(verify(['--cert', soon, '--ca', ca.rootPem, '--warn-days', '5']).check('validity')?.status, 'ok');
});

test('weak keys and SHA-1 signatures fail', () => {
  runOk('openssl', ['req', '-newkey', 'rsa:1024', '-nodes', '-keyout', p('weak.key'), '-out', p('weak.csr'), '-subj', '/CN=mail.example.com']);
  const weak = cat(p('weak-chain.pem'), ca.sign(p('weak.csr'), 'weak.crt', 'DNS:mail.example.com'), ca.interPem);
  assert.equal(verify(['--cert', weak, '--ca', ca.rootPem]).check('key strength')?.status, 'fail');
  writeFileSync(p('sha1.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:mail.example.com\n');
  runOk('openssl', ['x509', '-req', '-sha1', '-in', p('mail.csr'), '-CA', ca.interPem, '-CAkey', join(dir, 'inter.key'), '-CAcreateserial', '-out', p('sha1.crt'), '-days', '30', '-extfile', p('sha1.ext')]);
  const v = verify(['--cert', cat(p('sha1-chain.pem'), p('sha1.crt'), ca.interPem), '--ca', ca.rootPem]);
  assert.equal(v.check('signature algorithm')?.status, 'fail');
  assert.match(v.check('signature algorithm')?.detail ?? '', /SHA1withRSA/);
});

test('--ca as a <hash>.N folder (openssl rehash) and as a JKS truststore', () => {
  const folder = p('ca-dir');
  mkdirSync(folder);
  copyFileSync(ca.rootPem, join(folder, 'root.pem'));
  runOk('openssl', ['rehash', folder]);
  assert.equal(verify(['--cert', chain, '--ca', folder]).check('trust')?.status, 'ok');
  const trust = p('trust.jks');
  runOk('keytool', ['-importcert', '-noprompt', '-storetype', 'JKS', '-keystore', trust, '-storepass', 'trustpass', '-alias', 'root', '-file', ca.rootPem]);
  const v = verify(['--cert', chain, '--ca', trust], { MAILCERT_STOREPASS: 'trustpass' });
  assert.equal(v.check('trust')?.status, 'ok');
  assert.match(v.check('trust')?.detail ?? '', /trust\.jks/);
});

test('a keystore: the rule, the key password James needs, and the chain', () => {
  const env = { MAILCERT_STOREPASS: 'verify-store', KP: 'other-key-pass' };
  const ks = p('james.jks');
  const r = mailcert(['import', '-k', ks, '--key', p('mail.key'), '--file', cat(p('full.pem'), leaf, ca.interPem, ca.rootPem), '--keypass-env', 'KP'], { env });
  assert.equal(r.status, 0, r.stderr);
  const v = verify(['-k', ks, '--ca', ca.rootPem, '--host', 'mail.example.com'], env);
  assert.equal(v.status, 1);
  assert.equal(v.check('keystore rule')?.status, 'ok');
  assert.equal(v.check('key password')?.status, 'fail');
  assert.match(v.check('key password')?.detail ?? '', /key password = store password/);
  assert.equal(v.check('chain')?.status, 'ok');
  assert.equal(v.check('trust')?.status, 'ok');
});

test('the human report lists each check with its verdict', () => {
  const r = mailcert(['verify', '--cert', leaf, '--ca', ca.rootPem]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^ {2}FAIL {2}chain/m);
  assert.match(r.stdout, /^ {2}ok {4}key strength/m);
  assert.match(r.stdout, /verdict: 2 problems/);
});
