/**
 * What `mailcert verify` prints: one line per check, ok / warn / FAIL in colour on a TTY, and the
 * verdict; or with --json README's document: {"target", "ok", "at", "checks": [{"name", "status",
 * "detail"}], "path": [summary...]} (output/verify-live.ts adds a live target's "server");
 * several targets: {"ok", "targets": [report...]}.
 *
 * A check's detail is mailcert's sentence with outside text inside (certificate names, a file
 * name, a server's reply), and the target names a file or a host: both are escaped here, at
 * render time, with shown(); --json keeps them exact.
 */
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import type { CheckStatus, VerifyReport } from '../core/verify.js';
import { painter, type Paint } from './style.js';
import { summaryJson, type SummaryJson } from './summary.js';

export interface CheckJson {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface VerifyJson {
  target: string;
  ok: boolean;
  at: string;
  checks: CheckJson[];
  path?: SummaryJson[];
}

/** One target's report as README's document (a live target's "server" is output/verify-live.ts's). */
export function verifyJson(r: VerifyReport): VerifyJson {
  const json: VerifyJson = { target: r.target, ok: r.ok, at: r.at, checks: r.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail })) };
  if (r.path !== undefined) json.path = r.path.map(summaryJson);
  return json;
}

/** Prints the reports of an offline check (a keystore or PEM files): the checks, or the document; --quiet prints only a failure. */
export async function showVerify(io: Io, opts: GlobalOptions, reports: readonly VerifyReport[]): Promise<void> {
  const ok = reports.every((r) => r.ok);
  const [only] = reports;
  if (opts.json) io.out(JSON.stringify(reports.length === 1 && only ? verifyJson(only) : { ok, targets: reports.map(verifyJson) }, null, 2) + '\n');
  else if (!opts.quiet || !ok) io.out(renderVerify(reports, await painter(io, opts)));
}

export function renderVerify(reports: readonly VerifyReport[], paint: Paint, extra: (r: VerifyReport) => string[] = () => []): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(paint.bold(shown(r.target)), ...extra(r));
    const width = Math.max(...r.checks.map((c) => c.name.length));
    for (const c of r.checks) {
      const tag = c.status === 'ok' ? paint.green('ok  ') : c.status === 'warn' ? paint.yellow('warn') : paint.red('FAIL');
      lines.push(`  ${tag}  ${c.name.padEnd(width)}  ${shown(c.detail)}`);
    }
    const fails = r.checks.filter((c) => c.status === 'fail').length;
    const warns = r.checks.filter((c) => c.status === 'warn').length;
    lines.push(r.ok ? paint.green(`  verdict: ok${warns ? ` (${warns} warning${warns > 1 ? 's' : ''})` : ''}`) : paint.red(`  verdict: ${fails ? `${fails} problem${fails > 1 ? 's' : ''}` : `${warns} warning${warns > 1 ? 's' : ''} (--strict)`}`), '');
  }
  return lines.join('\n');
}
