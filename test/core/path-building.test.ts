// Path building on the chains fixtures/verify/make.sh made with openssl: backtracking past dead
// ends, the most promising failure when every path fails, and the bounds of the search. (The CLI
// verdicts on the same files, and openssl's, are in test/cli/verify-trust.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../helpers/tools.js';
import { decodePem } from '../../src/codec/pem.js';
import { parseCertificate, type CertInfo } from '../../src/codec/x509/certificate.js';
import { buildPath, DEFAULT_LIMITS, type BuildLimits } from '../../src/core/path-building.js';
import { validatePath } from '../../src/core/path-validation.js';
import { keyRefusal, keyStrengthProblem } from '../../src/core/path-keys.js';

/** Parsed afresh each time: signature checks are remembered per parsed certificate, and these tests count them. */
const load = (file: string): CertInfo[] => decodePem(readFileSync(join(fixturesDir, 'verify', file), 'latin1')).map((b) => parseCertificate(b.der));
const subjects = (certs: readonly CertInfo[]): string[] => certs.map((c) => c.subject.text.replace(/, O=Mailcert Fixtures$/, ''));

function build(chainFile: string, anchorFile: string, limits: Partial<BuildLimits> = {}, at = new Date()) {
  const opts = { at, allowCn: false };
  return buildPath(load(chainFile), load(anchorFile), (p) => validatePath(p, true, opts), at, { ...DEFAULT_LIMITS, ...limits });
}

test('a dead end first (the self-signed copy of a cross-signed root): the builder backs out and takes the cross certificate', () => {
  const r = build('cross-signed.pem', 'old-root.pem');
  assert.equal(r.valid, true);
  assert.deepEqual(subjects(r.path.certs), ['CN=mail.example.com', 'CN=Verify Cross Intermediate CA', 'CN=Verify Cross Root CA', 'CN=Verify Old Root CA']);
  assert.equal(r.path.certs[2]?.issuer.text, 'CN=Verify Old Root CA, O=Mailcert Fixtures', 'the cross certificate, not the self-signed copy');
});

test('a CA whose first certificate forbids serverAuth: the second, with the same key, validates', () => {
  const r = build('constraints-first-forbid.pem', 'root.pem');
  assert.equal(r.valid, true);
  assert.deepEqual(r.path.certs[1]?.extKeyUsage?.map((e) => e.name), ['serverAuth', 'clientAuth']);
});

test('when every path fails, the one reaching an anchor with the fewest failing checks is reported', () => {
  // In 2200 every certificate has expired; the clientAuth-only path fails purpose too.
  const r = build('constraints-first-forbid.pem', 'root.pem', {}, new Date('2200-01-01T00:00:00Z'));
  assert.equal(r.valid, false);
  assert.equal(r.path.end.kind, 'anchored');
  assert.deepEqual(r.path.certs[1]?.extKeyUsage?.map((e) => e.name), ['serverAuth', 'clientAuth']);
  if (r.path.end.kind === 'anchored') {
    assert.deepEqual(r.path.end.problems.purpose, []);
    assert.equal(r.path.end.problems.validity.length, 3);
  }
});

test('a path that reaches no anchor: an untrusted root beats a missing issuer; a longer path beats a shorter one', () => {
  const r = build('cross-signed.pem', 'root.pem');
  assert.equal(r.valid, false);
  assert.equal(r.path.end.kind, 'untrusted-root');
  assert.deepEqual(subjects(r.path.certs), ['CN=mail.example.com', 'CN=Verify Cross Intermediate CA', 'CN=Verify Cross Root CA']);
  const lone = build('leaf-only.pem', 'root.pem');
  assert.equal(lone.path.end.kind, 'missing-issuer');
});

test('a certificate with the issuer\'s name whose key did not sign: a bad link, with the reason', () => {
  const r = build('wrong-key.pem', 'root.pem');
  assert.equal(r.path.end.kind, 'bad-link');
  if (r.path.end.kind === 'bad-link') {
    assert.equal(r.path.end.failure.kind, 'mismatch');
    assert.match(r.path.end.failure.reason, /did not make this signature/);
  }
});

test('bounds: depth, signature checks and candidates each stop the search with a reason', () => {
  const deep = build('self-issued-rollover.pem', 'root.pem', { maxIntermediates: 1 });
  assert.equal(deep.valid, false);
  assert.equal(deep.path.end.kind, 'too-long');
  assert.equal(build('self-issued-rollover.pem', 'root.pem', { maxIntermediates: 2 }).valid, true, 'a rollover path has two CA certificates');

  const sigs = build('cross-signed.pem', 'old-root.pem', { maxSignatureChecks: 2 });
  assert.equal(sigs.valid, false);
  assert.match(sigs.stopped ?? '', /^stopped after 2 signature checks/);
  assert.equal(build('cross-signed.pem', 'old-root.pem', { maxSignatureChecks: 5 }).valid, true, 'leaf, intermediate, self-signed copy, cross certificate, old root: five checks');

  const tries = build('cross-signed.pem', 'old-root.pem', { maxCandidates: 2 });
  assert.equal(tries.valid, false);
  assert.match(tries.stopped ?? '', /^stopped after trying 2 candidate issuers/);
});

test('keys: what may be used at all, and what is strong enough', () => {
  const rsa = (bits: number, e: number[]) => ({ algorithm: 'RSA', oid: '1.2.840.113549.1.1.1', bits, exponent: Uint8Array.from(e) });
  assert.equal(keyRefusal(rsa(2048, [1, 0, 1])), undefined);
  assert.equal(keyRefusal(rsa(4096, [3])), undefined);
  assert.match(keyRefusal(rsa(2048, [1, 0, 0, 0, 0, 0, 0, 0, 1])) ?? '', /exponent of 65 bits/);
  assert.equal(keyRefusal(rsa(2048, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), undefined, '64 bits');
  assert.match(keyRefusal(rsa(2048, [1, 0, 0])) ?? '', /no RSA key/, 'an even exponent');
  assert.match(keyRefusal(rsa(2048, [1])) ?? '', /no RSA key/, 'e = 1 makes every signature forgeable');
  assert.match(keyRefusal(rsa(16385, [1, 0, 1])) ?? '', /modulus of 16385 bits/);
  assert.match(keyRefusal({ algorithm: 'DSA', oid: '1.2.840.10040.4.1', bits: 4096 }) ?? '', /DSA key of 4096 bits/);
  assert.equal(keyRefusal({ algorithm: 'DSA', oid: '1.2.840.10040.4.1', bits: 2048 }), undefined, 'used, then refused as too weak for TLS');
  assert.match(keyStrengthProblem(rsa(1024, [1, 0, 1])) ?? '', /RSA needs 2048 bits/);
  assert.match(keyStrengthProblem({ algorithm: 'EC', oid: '1.2.840.10045.2.1', bits: 256, unnamedCurve: 'explicit parameters: a prime field of 256 bits' }) ?? '', /only named curves/);
  assert.equal(keyStrengthProblem({ algorithm: 'Ed25519', oid: '1.3.101.112', bits: 255 }), undefined);
  assert.match(keyStrengthProblem({ algorithm: '1.2.3.4', oid: '1.2.3.4' }) ?? '', /unknown type 1\.2\.3\.4/);
});
