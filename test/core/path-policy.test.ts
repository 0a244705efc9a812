// RFC 5280 6.1 certificate policy processing with the default inputs (any policy acceptable, no
// explicit policy asked for): only the policy fields of each certificate matter, so the paths here
// are made of those fields alone. fixtures/verify's policy-required and critical-known cases check
// the same code on real certificates against `openssl verify -policy_check`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertInfo } from '../../src/codec/x509/certificate.js';
import { policyProblems } from '../../src/core/path-policy.js';

type PolicyFields = Partial<Pick<CertInfo, 'certificatePolicies' | 'policyMappings' | 'policyConstraints' | 'inhibitAnyPolicy' | 'selfIssued'>>;

/** A certificate reduced to its name and policy fields. */
const cert = (name: string, fields: PolicyFields = {}): CertInfo => ({ subject: { text: `CN=${name}` }, selfIssued: false, ...fields }) as unknown as CertInfo;

const P = '2.23.140.1.2.1';
const Q = '2.23.140.1.2.2';
const R = '1.3.6.1.4.1.55555.7';
const ANY = '2.5.29.32.0';
const anchor = cert('Root');

test('without policy extensions, or without a requirement, every path passes', () => {
  assert.deepEqual(policyProblems([cert('leaf'), cert('CA'), anchor]), []);
  assert.deepEqual(policyProblems([cert('leaf', { certificatePolicies: [Q] }), cert('CA', { certificatePolicies: [P] }), anchor]), []);
  assert.deepEqual(policyProblems([anchor]), [], 'a leaf that is itself the anchor');
});

test('requireExplicitPolicy 0: the leaf needs a policy its issuers allow', () => {
  const ca = cert('CA', { certificatePolicies: [P], policyConstraints: { requireExplicitPolicy: 0 } });
  assert.deepEqual(policyProblems([cert('leaf', { certificatePolicies: [P] }), ca, anchor]), []);
  assert.match(policyProblems([cert('leaf'), ca, anchor])[0] ?? '', /^"CN=leaf" has no certificate policy the path allows, and an explicit policy is required by "CN=CA"/);
  assert.equal(policyProblems([cert('leaf', { certificatePolicies: [Q] }), ca, anchor]).length, 1, 'a policy the CA does not allow');
  assert.deepEqual(policyProblems([cert('leaf', { certificatePolicies: [Q] }), cert('CA', { certificatePolicies: [ANY], policyConstraints: { requireExplicitPolicy: 0 } }), anchor]), [], 'anyPolicy allows every policy');
});

test('requireExplicitPolicy counts the certificates below the CA (RFC 5280 6.1.4 (h)-(i), 6.1.5 (a))', () => {
  const path = (skip: number): CertInfo[] => [cert('leaf'), cert('CA 2', { certificatePolicies: [P] }), cert('CA 1', { certificatePolicies: [P], policyConstraints: { requireExplicitPolicy: skip } }), anchor];
  assert.equal(policyProblems(path(2)).length, 1);
  assert.deepEqual(policyProblems(path(3)), []);
});

test('the leaf\'s own requireExplicitPolicy of 0 applies to its path (RFC 5280 6.1.5 (b))', () => {
  assert.equal(policyProblems([cert('leaf', { policyConstraints: { requireExplicitPolicy: 0 } }), cert('CA'), anchor]).length, 1);
});

test('policy mappings: a CA maps its policy to the one the leaf carries; mappings are applied at once', () => {
  const require = { requireExplicitPolicy: 0 };
  const mapping = cert('CA', { certificatePolicies: [P], policyMappings: [{ issuerDomain: P, subjectDomain: Q }], policyConstraints: require });
  assert.deepEqual(policyProblems([cert('leaf', { certificatePolicies: [Q] }), mapping, anchor]), []);
  assert.equal(policyProblems([cert('leaf', { certificatePolicies: [P] }), mapping, anchor]).length, 1, 'P became Q below the CA');
  // P to Q and Q to R in one certificate: P's node expects Q, Q's node expects R (not P -> R).
  const both = cert('CA', { certificatePolicies: [P, Q], policyMappings: [{ issuerDomain: P, subjectDomain: Q }, { issuerDomain: Q, subjectDomain: R }], policyConstraints: require });
  assert.deepEqual(policyProblems([cert('leaf', { certificatePolicies: [Q] }), both, anchor]), []);
  assert.deepEqual(policyProblems([cert('leaf', { certificatePolicies: [R] }), both, anchor]), []);
});

test('inhibitPolicyMapping 0 above a mapping CA deletes the mapped policy; a mapping of anyPolicy is invalid', () => {
  const top = cert('CA 1', { certificatePolicies: [P], policyConstraints: { requireExplicitPolicy: 0, inhibitPolicyMapping: 0 } });
  const mapping = cert('CA 2', { certificatePolicies: [P], policyMappings: [{ issuerDomain: P, subjectDomain: Q }] });
  assert.equal(policyProblems([cert('leaf', { certificatePolicies: [Q] }), mapping, top, anchor]).length, 1);
  const topMapping = cert('CA 1', { certificatePolicies: [P], policyConstraints: { requireExplicitPolicy: 0 } });
  assert.deepEqual(policyProblems([cert('leaf', { certificatePolicies: [Q] }), mapping, topMapping, anchor]), []);
  const anyMapping = cert('CA 2', { certificatePolicies: [P], policyMappings: [{ issuerDomain: ANY, subjectDomain: Q }] });
  assert.match(policyProblems([cert('leaf', { certificatePolicies: [Q] }), anyMapping, topMapping, anchor])[0] ?? '', /maps a policy to or from anyPolicy/);
});

test('inhibitAnyPolicy 0: a CA below that asserts only anyPolicy allows nothing', () => {
  const top = (inhibit?: number): CertInfo => cert('CA 1', { certificatePolicies: [P], policyConstraints: { requireExplicitPolicy: 0 }, ...(inhibit === undefined ? {} : { inhibitAnyPolicy: inhibit }) });
  const anyCa = cert('CA 2', { certificatePolicies: [ANY] });
  const leaf = cert('leaf', { certificatePolicies: [P] });
  assert.deepEqual(policyProblems([leaf, anyCa, top(), anchor]), []);
  assert.equal(policyProblems([leaf, anyCa, top(0), anchor]).length, 1);
  // A self-issued CA below keeps anyPolicy (RFC 5280 6.1.3 (d)(2)).
  assert.deepEqual(policyProblems([leaf, cert('CA 2', { certificatePolicies: [ANY], selfIssued: true }), top(0), anchor]), []);
});
