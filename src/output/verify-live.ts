/**
 * What `mailcert verify --connect` and `--targets` print. One server: what it said and agreed on
 * above its checks (the lines `openssl s_client` users look for: the greeting, the protocol, the
 * chain sent). Several: the one-line-per-endpoint summary a cron mail shows first, most urgent
 * first, then the details of those with a problem. --json: one server's report (output/verify.ts),
 * or for several {"ok", "summary": [{"target", "mode", "notAfter", "daysLeft", "verdict",
 * "problems"}], "targets": [report...]}, the targets in the order given. A failed connection's
 * message and hint also go to stderr.
 *
 * The greeting, capabilities, names and notes are outside text (a greeting before STARTTLS is
 * unauthenticated: anyone on the path may have written it), escaped with shown(); --json keeps
 * them exact.
 */
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import type { FleetLine } from '../core/fleet.js';
import type { VerifyReport } from '../core/verify-offline.js';
import type { ConnectionFailure, ServerFacts } from '../core/verify-live.js';
import { painter, type Paint } from './style.js';
import { summaryJson, type SummaryJson } from './summary.js';
import { renderVerify, verifyJson, type VerifyJson } from './verify.js';

/** A live target's server, its members in the order mailcert has always written them. */
export interface ServerJson {
  protocol: string;
  mode: 'implicit' | 'starttls';
  modeSource: 'option' | 'port' | 'detected';
  capabilities: string[];
  tlsVersion: string;
  cipher: string;
  signatureScheme: string | null;
  signatureText: string;
  ocspStapled: boolean;
  chain: SummaryJson[];
  certificatesSent: number;
  notes: string[];
  timings: { connectMs: number; tlsMs: number };
  servername?: string;
  greeting?: string;
  capabilitiesBeforeTls?: string[];
  authBeforeTls?: string[];
  keyExchange?: string;
  versions?: { version: string; result: string; detail: string }[];
}

/** A live target whose connection failed: the kind of failure, the step it reached, what to do. */
export interface FailureJson {
  error: string;
  step: string;
  hint?: string;
}

function serverJson(s: ServerFacts): ServerJson {
  const json: ServerJson = {
    protocol: s.protocol,
    mode: s.mode,
    modeSource: s.modeSource,
    capabilities: s.capabilities,
    tlsVersion: s.tlsVersion,
    cipher: s.cipher,
    signatureScheme: s.signatureScheme,
    signatureText: s.signatureText,
    ocspStapled: s.ocspStapled,
    chain: s.chain.map(summaryJson),
    certificatesSent: s.certificatesSent,
    notes: s.notes,
    timings: { connectMs: s.timings.connectMs, tlsMs: s.timings.tlsMs },
  };
  if (s.servername !== undefined) json.servername = s.servername;
  if (s.greeting !== undefined) json.greeting = s.greeting;
  if (s.capabilitiesBeforeTls !== undefined) json.capabilitiesBeforeTls = s.capabilitiesBeforeTls;
  if (s.authBeforeTls !== undefined) json.authBeforeTls = s.authBeforeTls;
  if (s.keyExchange !== undefined) json.keyExchange = s.keyExchange;
  if (s.versions !== undefined) json.versions = s.versions.map((v) => ({ version: v.version, result: v.result, detail: v.detail }));
  return json;
}

function failureJson(f: ConnectionFailure): FailureJson {
  return f.hint === undefined ? { error: f.error, step: f.step } : { error: f.error, step: f.step, hint: f.hint };
}

/** A live target's report: verify's, and the server last. */
export interface LiveJson extends VerifyJson {
  server?: ServerJson | FailureJson;
}

/** One live target's report as README's document. */
export function liveJson(r: VerifyReport): LiveJson {
  const json: LiveJson = verifyJson(r);
  if (r.server !== undefined) json.server = 'tlsVersion' in r.server ? serverJson(r.server) : failureJson(r.server);
  return json;
}

export interface FleetJson {
  ok: boolean;
  summary: { target: string; mode: string; notAfter: string | null; daysLeft: number | null; verdict: FleetLine['verdict']; problems: string[] }[];
  targets: LiveJson[];
}

/** Several servers' document: the summary as core/fleet.ts ordered it, the reports in the order given. */
export function fleetJson(reports: readonly VerifyReport[], summary: readonly FleetLine[]): FleetJson {
  return {
    ok: reports.every((r) => r.ok),
    summary: summary.map((l) => ({ target: l.target, mode: l.mode, notAfter: l.notAfter, daysLeft: l.daysLeft, verdict: l.verdict, problems: l.problems })),
    targets: reports.map(liveJson),
  };
}

/**
 * Prints the reports of live checks: one server's facts and checks, or several servers' summary
 * (core/fleet.ts's, for several only) and the reports with a problem; then on stderr, unless
 * --json, each failed connection's message and hint.
 */
export async function showLive(io: Io, opts: GlobalOptions, reports: readonly VerifyReport[], summary: readonly FleetLine[]): Promise<void> {
  const ok = reports.every((r) => r.ok);
  const [only] = reports;
  if (opts.json) {
    io.out(JSON.stringify(reports.length === 1 && only ? liveJson(only) : fleetJson(reports, summary), null, 2) + '\n');
    return;
  }
  if (!opts.quiet || !ok) {
    const paint = await painter(io, opts);
    if (reports.length === 1) io.out(renderVerify(reports, paint, serverLines));
    else {
      const troubled = reports.filter((r) => r.checks.some((c) => c.status !== 'ok'));
      io.out(renderFleet(summary, paint) + (troubled.length > 0 ? `\n${renderVerify(troubled, paint, serverLines)}` : ''));
    }
  }
  for (const r of reports) {
    const hint = r.server !== undefined && 'hint' in r.server ? r.server.hint : undefined;
    if (hint !== undefined) io.err(`mailcert: ${shown(r.target)}: ${shown(r.checks[0]?.detail ?? '')}\n  hint: ${shown(hint)}\n`);
  }
}

/**
 * What --save wrote, on stderr; when the server sent more than mailcert keeps (`limit`), says so
 * and why (the --json report has it in server.notes).
 */
export function showSaved(io: Io, opts: GlobalOptions, file: string, kept: number, sent: number, limit: number): void {
  if (opts.json || opts.quiet) return;
  if (sent <= kept) io.err(`Wrote the ${kept} certificate(s) the server sent to ${shown(file)}\n`);
  else io.err(`Wrote the first ${kept} of the ${sent} certificates the server sent to ${shown(file)}: mailcert keeps at most ${limit} (a real server sends its certificate and one to three intermediates)\n`);
}

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
