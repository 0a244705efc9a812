/**
 * Human rendering of verify reports: one line per check, ok / warn / FAIL in colour on a TTY.
 * A check's detail is mailcert's sentence with outside text inside (certificate names, a file
 * name, a server's reply), and the target names a file or a host: both are escaped here, at
 * render time, with shown(); --json keeps them exact.
 */
import { shown } from '../display.js';
import type { Paint } from './style.js';
import type { VerifyReport } from '../core/verify.js';

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
