/**
 * The report an admin reads from cron when `verify --connect` checks many servers (--targets):
 * one line per endpoint, the most urgent first: failed endpoints (connection errors and failed
 * checks, and warnings with --strict), then the rest by how soon the certificate expires.
 */
import type { VerifyReport } from './verify-offline.js';

export interface FleetLine {
  target: string;
  /** "STARTTLS smtp", "implicit imap", or "-" when the connection failed before TLS. */
  mode: string;
  /** The server certificate's notAfter and the whole days left until then (negative: expired); null without a certificate. */
  notAfter: string | null;
  daysLeft: number | null;
  /** error: the connection failed (exit code 5); fail / warn: the worst check; ok otherwise. */
  verdict: 'ok' | 'warn' | 'fail' | 'error';
  /** The checks behind a fail or warn verdict, or the connection failure. */
  problems: string[];
}

const DAY = 86_400_000;

/** Days left are counted from the moment the checks were made for (now, or verify --at). */
export function fleetLine(r: VerifyReport, now: Date = new Date(r.at)): FleetLine {
  const s = r.server;
  if (s === undefined || !('tlsVersion' in s)) {
    const failed = r.checks.find((c) => c.status === 'fail');
    return { target: r.target, mode: '-', notAfter: null, daysLeft: null, verdict: 'error', problems: failed === undefined ? [] : [failed.detail] };
  }
  const leaf = s.chain[0];
  const notAfter = leaf?.notAfter ?? null;
  const daysLeft = notAfter === null ? null : Math.floor((Date.parse(notAfter) - now.getTime()) / DAY);
  const fails = r.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const warns = r.checks.filter((c) => c.status === 'warn').map((c) => c.name);
  const verdict = fails.length > 0 ? 'fail' : warns.length > 0 ? 'warn' : 'ok';
  return { target: r.target, mode: `${s.mode === 'starttls' ? 'STARTTLS' : 'implicit'} ${s.protocol}`, notAfter, daysLeft, verdict, problems: fails.length > 0 ? fails : warns };
}

/** The lines, most urgent first: not ok (errors before failed checks), then the soonest expiry; unknown expiry first. */
export function fleetSummary(reports: readonly VerifyReport[], now?: Date): FleetLine[] {
  const lines = reports.map((r) => ({ line: fleetLine(r, now ?? new Date(r.at)), ok: r.ok }));
  const rank = (x: { line: FleetLine; ok: boolean }): number => (x.ok ? 2 : x.line.verdict === 'error' ? 0 : 1);
  const days = (l: FleetLine): number => l.daysLeft ?? Number.NEGATIVE_INFINITY;
  lines.sort((a, b) => rank(a) - rank(b) || days(a.line) - days(b.line) || a.line.target.localeCompare(b.line.target));
  return lines.map((x) => x.line);
}
