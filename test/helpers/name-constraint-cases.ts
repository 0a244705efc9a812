/**
 * The name-constraint cases fixtures/name-constraints/make.sh made with openssl, and openssl's own
 * verdict on each (`openssl verify -purpose sslserver`), for the codec-level and the CLI tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePem } from '../../src/codec/pem.js';
import { parseCertificate, type CertInfo } from '../../src/codec/x509/certificate.js';
import { fixturesDir, openssl } from './tools.js';

export const ncDir = join(fixturesDir, 'name-constraints');

export interface NcCase {
  name: string;
  leaf: string;
  intermediates: string[];
  root: string;
  host: string | null;
  mailcert: 'ok' | 'fail';
  openssl: 'ok' | 'fail';
  opensslError: string | null;
  problem: string[];
  note: string;
}
export const ncExpected = JSON.parse(readFileSync(join(ncDir, 'expected.json'), 'utf8')) as { openssl: string; cases: NcCase[] };

export function loadNcCert(file: string): CertInfo {
  const block = decodePem(readFileSync(join(ncDir, file), 'utf8'))[0];
  assert.ok(block, `${file} holds a certificate`);
  return parseCertificate(block.der);
}

/** `openssl verify -purpose sslserver` of the case: its verdict and the error it names. */
export function opensslNcVerdict(c: NcCase): { verdict: 'ok' | 'fail'; error: string | null } {
  const args = ['verify', '-no-CApath', '-no-CAstore', '-purpose', 'sslserver', '-CAfile', join(ncDir, c.root)];
  for (const i of c.intermediates) args.push('-untrusted', join(ncDir, i));
  const r = openssl([...args, join(ncDir, c.leaf)]);
  const error = /^error \d+ at \d+ depth lookup: (.*)$/m.exec(r.stdout + r.stderr)?.[1] ?? null;
  return { verdict: r.status === 0 ? 'ok' : 'fail', error };
}

/** The case's openssl verdict is the one expected.json states: the fixture's premise is proven. */
export function assertOpensslNcVerdict(c: NcCase): void {
  const theirs = opensslNcVerdict(c);
  assert.equal(theirs.verdict, c.openssl, `openssl verify says ${theirs.verdict} (${theirs.error ?? ''})`);
  assert.equal(theirs.error, c.opensslError);
}
