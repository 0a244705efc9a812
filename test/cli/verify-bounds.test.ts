// verify on hostile input: a path longer than any client follows, a thousand candidate issuers of
// one name (with keys that cost a full exponentiation each, and with ordinary keys), a leaf with
// 100,000 names. Each is refused with a verdict that says why, as openssl verify refuses it; how
// long that takes is measured by `npm run bench` (bench/verify-offline.ts), never here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mailcert, openssl, tempDir } from '../helpers/tools.js';
import { longPath, manyNames, sameNameCas, type HostileChain } from '../helpers/hostile-chains.js';
import { decodePem, encodePem } from '../../src/codec/pem.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = tempDir();

interface Report {
  ok: boolean;
  checks: { name: string; status: string; detail: string }[];
  path: { subject: string }[];
}

function verify(h: HostileChain): { status: number | null; report: Report; check: (name: string) => { status: string; detail: string } | undefined } {
  const r = mailcert(['verify', '--cert', h.chain, '--ca', h.root, '--host', 'mail.example.com', '--json']);
  const report = JSON.parse(r.stdout) as Report;
  return { status: r.status, report, check: (name) => report.checks.find((c) => c.name === name) };
}

function opensslVerify(h: HostileChain): { status: number | null; output: string } {
  const certs = decodePem(readFileSync(h.chain, 'latin1')).map((b) => encodePem('CERTIFICATE', b.der));
  const leaf = join(dir, 'leaf.pem');
  const rest = join(dir, 'untrusted.pem');
  writeFileSync(leaf, certs[0] ?? '');
  writeFileSync(rest, certs.slice(1).join(''));
  const r = openssl(['verify', '-purpose', 'sslserver', '-CAfile', h.root, ...(certs.length > 1 ? ['-untrusted', rest] : []), '-verify_hostname', 'mail.example.com', leaf]);
  return { status: r.status, output: r.stdout + r.stderr };
}

test('a path of 1,000 CAs: the chain check fails at OpenSSL\'s default depth, and openssl refuses it too', () => {
  const h = longPath(dir, 1000);
  const v = verify(h);
  assert.equal(v.status, 1);
  assert.equal(v.check('chain')?.status, 'fail');
  assert.match(v.check('chain')?.detail ?? '', /^longer than 100 CA certificates \(OpenSSL's default -verify_depth\)/);
  assert.equal(v.report.path.length, 102, 'the path reported stops at the limit: the leaf and 101 CAs');
  const o = opensslVerify(h);
  assert.notEqual(o.status, 0);
  assert.match(o.output, /error 22 at|certificate chain too long/);
});

test('a path of 100 CAs, the most OpenSSL follows, still validates', () => {
  const v = verify(longPath(dir, 100));
  assert.equal(v.status, 0, JSON.stringify(v.report.checks));
  assert.equal(v.report.path.length, 102);
});

test('1,000 CAs of the issuer\'s name with huge RSA exponents: each key is refused before any signature check', () => {
  const h = sameNameCas(dir, 1000, 'huge-exponent');
  const v = verify(h);
  assert.equal(v.status, 1);
  assert.equal(v.check('chain')?.status, 'fail');
  assert.match(v.check('chain')?.detail ?? '', /^signature cannot be checked: .* is refused: an RSA public exponent of \d{4} bits .*\(1000 certificates named "CN=Hostile Same-Name CA" tried\)/);
  assert.notEqual(opensslVerify(h).status, 0);
});

test('1,000 CAs of the issuer\'s name with ordinary keys: verify stops after its signature check bound', () => {
  const h = sameNameCas(dir, 1000, 'ec');
  const v = verify(h);
  assert.equal(v.status, 1);
  assert.equal(v.check('chain')?.status, 'fail');
  assert.match(v.check('chain')?.detail ?? '', /^signature does not verify: .*\(stopped after 200 signature checks/);
  assert.notEqual(opensslVerify(h).status, 0);
});

test('a host name failure on a leaf with 100,000 names shows the first few and the count', () => {
  const h = manyNames(dir, 100_000);
  const v = verify(h);
  assert.equal(v.status, 1);
  const detail = v.check('host name')?.detail ?? '';
  assert.equal(v.check('host name')?.status, 'fail');
  assert.match(detail, /^mail\.example\.com is not in subjectAltName \(DNS:host-0\.example\.net, .* and 99995 more \(100000 in all\)\)$/);
  assert.ok(detail.length < 300, `${detail.length} characters`);
  const o = opensslVerify(h);
  assert.notEqual(o.status, 0);
  assert.match(o.output, /error 62 at/);
});
