/**
 * Human rendering of live checks: what the server said and agreed on above its checks (the lines
 * `openssl s_client` users look for: the greeting, the protocol, the chain sent), and for several
 * servers the one-line-per-endpoint summary a cron mail shows first. The greeting, capabilities,
 * names and notes are outside text (a greeting before STARTTLS is unauthenticated: anyone on the
 * path may have written it), escaped with shown(); --json keeps them exact.
 */
import { shown } from '../display.js';
import type { FleetLine } from '../core/fleet.js';
import type { VerifyReport } from '../core/verify-offline.js';
import type { ServerFacts } from '../core/verify-live.js';
import type { Paint } from './style.js';

const PROTOCOLS: Readonly<Record<string, string>> = { smtp: 'SMTP', lmtp: 'LMTP', imap: 'IMAP', pop3: 'POP3', sieve: 'ManageSieve' };
const VERSIONS: Readonly<Record<string, string>> = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };

/** "SMTP 220", "IMAP": what tells the greeting's protocol (SMTP's code is cut from the greeting text). */
function greetingTag(s: ServerFacts): string {
  const name = PROTOCOLS[s.protocol] ?? s.protocol;
  const code = s.protocol === 'smtp' || s.protocol === 'lmtp' ? ' 220' : '';
  return `${name}${code}, ${s.mode === 'implicit' ? 'inside TLS' : 'plaintext, before STARTTLS'}`;
}

/** The facts a live report shows above its checks; nothing for an offline report or a failed connection. */
export function serverLines(r: VerifyReport): string[] {
  const s = r.server;
  if (s === undefined || !('tlsVersion' in s)) return [];
  const lines: string[] = [];
  const name = PROTOCOLS[s.protocol];
  const mode = s.mode === 'starttls' ? 'STARTTLS' : 'implicit TLS';
  const detected = s.mode === 'implicit' ? 'detected: the server waited for TLS; --starttls none skips the wait' : 'detected: the server greeted in plaintext';
  const source = s.modeSource === 'detected' ? detected : s.modeSource === 'port' ? 'from the port' : 'from --starttls';
  lines.push(`  protocol  ${name === undefined ? mode : `${name}, ${mode}`} (${source})`);
  if (s.greeting !== undefined) lines.push(`  greeting  ${shown(s.greeting.split('\n')[0] ?? '')}  [${greetingTag(s)}]`);
  const exchange = s.keyExchange === undefined ? '' : `, key exchange ${s.keyExchange}`;
  lines.push(`  TLS       ${s.tlsVersion} ${s.cipher}${exchange}, server signature ${s.signatureText}`);
  lines.push(`  OCSP      ${s.ocspStapled ? 'a response was stapled' : 'no response stapled'}`);
  if (s.capabilitiesBeforeTls !== undefined) lines.push(`  before    ${shown(s.capabilitiesBeforeTls.join(', ') || '(no capabilities)')}`);
  if (s.mode === 'starttls' || s.capabilities.length > 0) lines.push(`  after TLS ${shown(s.capabilities.join(', ') || '(no capabilities)')}`);
  if (s.versions !== undefined) {
    lines.push(`  versions  ${s.versions.map((v) => `${VERSIONS[v.version] ?? v.version} ${v.result === 'accepted' ? 'accepted' : v.result === 'refused' ? 'refused' : 'not probed'}`).join(', ')}`);
  }
  s.chain.forEach((c, i) => lines.push(`  sent [${i + 1}]  ${shown(c.subject)}  (issuer ${shown(c.issuer)})`));
  for (const n of s.notes) lines.push(`  note      ${shown(n)}`);
  return lines;
}

function expiry(l: FleetLine): string {
  if (l.daysLeft === null || l.notAfter === null) return '-';
  const date = l.notAfter.slice(0, 10);
  if (l.daysLeft < 0) return `${date} (expired ${-l.daysLeft} days ago)`;
  return `${date} (${l.daysLeft} days)`;
}

/** One line per endpoint, most urgent first (core/fleet.ts), with the checks behind each problem. */
export function renderFleet(lines: readonly FleetLine[], paint: Paint): string {
  const rows = lines.map((l) => [shown(l.target), l.mode, expiry(l), l.verdict, l.problems.map(shown).join('; ')]);
  const head = ['endpoint', 'mode', 'expires', 'verdict', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (cells: readonly string[]): string[] => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c));
  const colour = (verdict: string, text: string): string =>
    verdict === 'ok' ? paint.green(text) : verdict === 'warn' ? paint.yellow(text) : paint.red(text);
  const out = [paint.bold(pad(head).join('  ').trimEnd())];
  rows.forEach((cells, i) => {
    const padded = pad(cells);
    const verdict = lines[i]?.verdict ?? 'ok';
    padded[3] = colour(verdict, padded[3] ?? '');
    out.push(padded.join('  ').trimEnd());
  });
  const bad = lines.filter((l) => l.verdict === 'fail' || l.verdict === 'error').length;
  out.push('', `${lines.length} endpoint(s): ${bad} failed, ${lines.filter((l) => l.verdict === 'warn').length} with warnings`, '');
  return out.join('\n');
}
