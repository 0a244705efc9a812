// The --targets summary: one line per endpoint, most urgent first (connection errors, failed
// checks, then the soonest expiry), from reports built as core/verify-live builds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetLine, fleetSummary } from '../../src/core/fleet.js';
import type { VerifyReport } from '../../src/core/verify-offline.js';
import type { ServerFacts } from '../../src/core/verify-live.js';

const NOW = new Date('2026-06-01T00:00:00Z');
function server(notAfter: string, mode: 'implicit' | 'starttls' = 'starttls'): ServerFacts {
  const summary = { subject: 'CN=mail', issuer: 'CN=CA', notBefore: '2026-01-01T00:00:00.000Z', notAfter, sha256: 'AA', serial: '1', signatureAlgorithm: 'SHA256withECDSA', publicKey: 'EC secp256r1' };
  return { protocol: 'smtp', mode, modeSource: 'port', capabilities: [], tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', signatureScheme: null, signatureText: '', ocspStapled: false, chain: [summary], certificatesSent: 1, notes: [], timings: { connectMs: 0, tlsMs: 0 } };
}
const report = (target: string, ok: boolean, statuses: ('ok' | 'warn' | 'fail')[], facts?: ServerFacts): VerifyReport => ({
  target,
  ok,
  at: NOW.toISOString(),
  checks: statuses.map((status, i) => ({ name: `check${i}`, status, detail: `detail${i}` })),
  ...(facts === undefined ? { server: { error: 'refused', step: 'connect', hint: undefined } } : { server: facts }),
});

test('fleetLine: mode, whole days left (negative when expired), the verdict and the checks behind it', () => {
  assert.deepEqual(fleetLine(report('a:25', true, ['ok', 'ok'], server('2026-06-11T12:00:00.000Z')), NOW), {
    target: 'a:25', mode: 'STARTTLS smtp', notAfter: '2026-06-11T12:00:00.000Z', daysLeft: 10, verdict: 'ok', problems: [],
  });
  const expired = fleetLine(report('b:993', false, ['ok', 'fail', 'warn'], server('2026-05-01T00:00:00.000Z', 'implicit')), NOW);
  assert.deepEqual([expired.mode, expired.daysLeft, expired.verdict, expired.problems], ['implicit smtp', -31, 'fail', ['check1']]);
  const down = fleetLine(report('c:25', false, ['fail']), NOW);
  assert.deepEqual([down.mode, down.daysLeft, down.verdict, down.problems], ['-', null, 'error', ['detail0']]);
});

test('fleetSummary: errors, then failures (and warnings that --strict made failures), then the rest by soonest expiry', () => {
  const reports = [
    report('ok-late:25', true, ['ok'], server('2027-01-01T00:00:00.000Z')),
    report('warn-soon:25', true, ['warn'], server('2026-06-05T00:00:00.000Z')),
    report('fail-late:25', false, ['fail'], server('2027-02-01T00:00:00.000Z')),
    report('down:25', false, ['fail']),
    report('ok-soon:25', true, ['ok'], server('2026-06-20T00:00:00.000Z')),
    report('strict-warn:25', false, ['warn'], server('2026-12-01T00:00:00.000Z')),
  ];
  assert.deepEqual(fleetSummary(reports, NOW).map((l) => l.target), ['down:25', 'strict-warn:25', 'fail-late:25', 'warn-soon:25', 'ok-soon:25', 'ok-late:25']);
});
