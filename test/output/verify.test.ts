// verify's --json documents are output/verify.ts's and output/verify-live.ts's, not core's report
// objects printed as they are: the members and their order are README's "JSON shapes" as mailcert
// has always written them, whatever order core builds its report in, and nothing else of core's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FleetLine } from '../../src/core/fleet.js';
import type { ServerFacts, VerifyReport } from '../../src/core/verify.js';
import { verifyJson } from '../../src/output/verify.js';
import { fleetJson, liveJson } from '../../src/output/verify-live.js';

const summary = { subject: 'CN=mail.example.com', issuer: 'CN=CA', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', sha256: 'AB:CD', serial: '01', signatureAlgorithm: 'SHA256withECDSA', publicKey: 'EC secp256r1' };

test('an offline report: target, ok, at, checks, path; never a server', () => {
  const report: VerifyReport = { path: [summary], checks: [{ detail: 'serverAuth', status: 'ok', name: 'purpose' }], at: '2026-06-01T00:00:00.000Z', ok: true, target: 'chain.pem' };
  assert.deepEqual(Object.keys(verifyJson(report)), ['target', 'ok', 'at', 'checks', 'path']);
  assert.deepEqual(Object.keys(verifyJson({ ...report, path: undefined })), ['target', 'ok', 'at', 'checks']);
});

test('a live report: its members in their documented order, the optional ones only when present', () => {
  // Built in another order than the document's, with a member the document does not have.
  const server = {
    versions: [{ detail: 'accepted', result: 'accepted', version: 'TLSv1.3' }],
    timings: { tlsMs: 5, connectMs: 2 },
    greeting: '220 mail.example.com ESMTP',
    notes: [],
    certificatesSent: 1,
    chain: [{ ...summary }],
    keyExchange: 'X25519',
    ocspStapled: false,
    signatureText: 'ecdsa_secp256r1_sha256',
    signatureScheme: 'ecdsa_secp256r1_sha256',
    cipher: 'TLS_AES_256_GCM_SHA384',
    tlsVersion: 'TLSv1.3',
    capabilities: ['PIPELINING'],
    modeSource: 'port',
    mode: 'starttls',
    protocol: 'smtp',
    capabilitiesBeforeTls: ['STARTTLS'],
    authBeforeTls: [],
    servername: 'mail.example.com',
    transcript: ['not in the document'],
  } as ServerFacts;
  const report: VerifyReport = { server, checks: [{ detail: 'TLSv1.3', status: 'ok', name: 'connection' }], at: '2026-06-01T00:00:00.000Z', ok: true, target: 'mail.example.com:25', path: [summary] };
  const json = liveJson(report);
  assert.deepEqual(Object.keys(json), ['target', 'ok', 'at', 'checks', 'path', 'server']);
  assert.deepEqual(Object.keys(json.checks[0] ?? {}), ['name', 'status', 'detail']);
  assert.deepEqual(Object.keys(json.server ?? {}), [
    'protocol', 'mode', 'modeSource', 'capabilities', 'tlsVersion', 'cipher', 'signatureScheme', 'signatureText', 'ocspStapled', 'chain', 'certificatesSent', 'notes', 'timings',
    'servername', 'greeting', 'capabilitiesBeforeTls', 'authBeforeTls', 'keyExchange', 'versions',
  ]);
  const s = json.server;
  assert.ok(s !== undefined && 'tlsVersion' in s);
  assert.deepEqual(Object.keys(s.chain[0] ?? {}), ['subject', 'issuer', 'notBefore', 'notAfter', 'sha256', 'serial', 'signatureAlgorithm', 'publicKey']);
  assert.deepEqual(Object.keys(s.timings), ['connectMs', 'tlsMs']);
  assert.deepEqual(Object.keys(s.versions?.[0] ?? {}), ['version', 'result', 'detail']);

  const bare = liveJson({ ...report, server: { ...server, servername: undefined, greeting: undefined, versions: undefined }, path: undefined });
  assert.deepEqual(Object.keys(bare), ['target', 'ok', 'at', 'checks', 'server']);
  assert.ok(bare.server !== undefined && !('servername' in bare.server) && !('versions' in bare.server));
});

test('a failed connection: error, step and the hint when there is one', () => {
  const failed: VerifyReport = { target: 'mail.example.com:25', ok: false, at: '2026-06-01T00:00:00.000Z', checks: [{ name: 'connection', status: 'fail', detail: 'connect: connection refused' }], server: { hint: 'check it', step: 'connect', error: 'refused' } };
  assert.equal(JSON.stringify(liveJson(failed).server), '{"error":"refused","step":"connect","hint":"check it"}');
  assert.equal(JSON.stringify(liveJson({ ...failed, server: { error: 'refused', step: 'connect', hint: undefined } }).server), '{"error":"refused","step":"connect"}');
});

test('several servers: ok, the summary as given (most urgent first), the reports in the order given', () => {
  const report = (target: string, ok: boolean): VerifyReport => ({ target, ok, at: '2026-06-01T00:00:00.000Z', checks: [] });
  const line = (target: string): FleetLine => ({ problems: [], verdict: 'ok', daysLeft: 200, notAfter: '2027-01-01T00:00:00.000Z', mode: 'STARTTLS smtp', target });
  const doc = fleetJson([report('a:25', true), report('b:25', false)], [line('b:25'), line('a:25')]);
  assert.deepEqual(Object.keys(doc), ['ok', 'summary', 'targets']);
  assert.equal(doc.ok, false);
  assert.deepEqual(Object.keys(doc.summary[0] ?? {}), ['target', 'mode', 'notAfter', 'daysLeft', 'verdict', 'problems']);
  assert.deepEqual(doc.summary.map((l) => l.target), ['b:25', 'a:25']);
  assert.deepEqual(doc.targets.map((t) => t.target), ['a:25', 'b:25']);
});
