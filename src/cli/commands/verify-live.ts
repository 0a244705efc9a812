/**
 * verify --connect / --targets: options -> targets -> live checks -> the report (one server: its
 * facts and checks; several: the one-line-per-endpoint summary first, then the details of those
 * with problems). --save writes the chain the server sent. --timeout bounds each step, --deadline
 * each target's whole check.
 */
import type { Io } from '../io.js';
import { str, type Opts } from '../options.js';
import { fleetSummary } from '../../core/fleet.js';
import { parseTlsaRecord, parseTlsaText, TlsaSyntaxError, type TlsaRecord } from '../../core/tlsa.js';
import { parseTarget, parseTargetsFile, verifyTargets, type Target } from '../../core/verify-live.js';
import type { CommonOptions, VerifyReport } from '../../core/verify-offline.js';
import { MAX_CHAIN, type StartTlsProtocol } from '../../net/connect.js';
import { encodePem } from '../../codec/pem.js';
import { shown } from '../../display.js';
import { ExitCode, inputError, usageError } from '../../errors.js';
import { readInput, writeFileAtomic } from '../../keystore/files.js';
import { withSpinner } from '../../output/spinner.js';
import { painter } from '../../output/style.js';
import { renderVerify } from '../../output/verify.js';
import { renderFleet, serverLines } from '../../output/verify-live.js';
import { mayOverwrite } from '../confirm.js';

/** Checks the servers, prints the report, and returns the exit code (5 when a connection failed, 1 for a problem). */
export async function runLive(io: Io, opts: Opts, common: CommonOptions): Promise<number> {
  const targets = readTargets(opts);
  const save = str(opts.save);
  if (save !== undefined && targets.length > 1) throw usageError('--save takes the chain of one server: give one --connect');
  const timeoutSeconds = Number(opts.timeout ?? 10);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw usageError(`--timeout ${String(opts.timeout)}: give seconds, e.g. 10`);
  const deadline = seconds('deadline', opts.deadline);
  const servername = str(opts.servername);
  const tlsa = tlsaRecords(opts);
  const checking = verifyTargets(targets, {
    ...common,
    ...(servername === undefined ? {} : { servername }),
    timeoutMs: timeoutSeconds * 1000,
    ...(deadline === undefined ? {} : { deadlineMs: deadline * 1000 }),
    ...(opts.protocols === true ? { protocols: true } : {}),
    ...(tlsa.length > 0 ? { tlsa } : {}),
  });
  const results = await withSpinner(io, opts, `Checking ${targets.length} server${targets.length === 1 ? '' : 's'}`, checking);
  const first = results[0];
  if (save !== undefined && first && first.peerChain.length > 0) {
    writeFileAtomic(save, new TextEncoder().encode(first.peerChain.map((d) => encodePem('CERTIFICATE', d)).join('')), { overwrite: await mayOverwrite(io, opts, [save]), mode: 0o644, what: 'chain file' });
    if (!opts.json && !opts.quiet) io.err(savedMessage(first.peerChain.length, first.certificatesSent, save));
  }
  const reports = results.map((r) => r.report);
  const ok = reports.every((r) => r.ok);
  await print(io, opts, reports, ok);
  const networkFailed = results.some((r) => r.networkError !== undefined);
  if (networkFailed && !opts.json) {
    for (const r of reports) {
      const hint = r.server !== undefined && 'hint' in r.server ? r.server.hint : undefined;
      if (hint !== undefined) io.err(`mailcert: ${shown(r.target)}: ${shown(r.checks[0]?.detail ?? '')}\n  hint: ${shown(hint)}\n`);
    }
  }
  if (networkFailed) return ExitCode.network;
  return ok ? ExitCode.ok : ExitCode.verifyFailed;
}

/** One server: its report. Several: the summary sorted by urgency, then the reports with a problem (--json: all, in the order given, and the summary). */
async function print(io: Io, opts: Opts, reports: VerifyReport[], ok: boolean): Promise<void> {
  const [only] = reports;
  if (opts.json) {
    io.out(JSON.stringify(reports.length === 1 && only ? only : { ok, summary: fleetSummary(reports), targets: reports }, null, 2) + '\n');
    return;
  }
  if (opts.quiet && ok) return;
  const paint = await painter(io, opts);
  if (reports.length === 1) {
    io.out(renderVerify(reports, paint, serverLines));
    return;
  }
  const troubled = reports.filter((r) => r.checks.some((c) => c.status !== 'ok'));
  io.out(renderFleet(fleetSummary(reports), paint) + (troubled.length > 0 ? `\n${renderVerify(troubled, paint, serverLines)}` : ''));
}

function readTargets(opts: Opts): Target[] {
  const protocol = str(opts.starttls) as StartTlsProtocol | undefined;
  const connect = opts.connect;
  const given = Array.isArray(connect) ? connect.filter((c): c is string => typeof c === 'string') : typeof connect === 'string' ? [connect] : [];
  const targets: Target[] = given.map((c) => parseTarget(c, protocol));
  const file = str(opts.targets);
  if (file !== undefined) targets.push(...parseTargetsFile(file, readInput(file, 'targets file').toString('utf8'), protocol));
  if (targets.length === 0) throw usageError('give --connect HOST:PORT (or --targets FILE)');
  return targets;
}

/** --tlsa (repeatable) and --tlsa-file: a bad record on the command line is a usage error, one in a file bad input naming its line. */
function tlsaRecords(opts: Opts): TlsaRecord[] {
  const given = Array.isArray(opts.tlsa) ? opts.tlsa.filter((t): t is string => typeof t === 'string') : [];
  const records = given.map((text) => {
    try {
      return parseTlsaRecord(text);
    } catch (e) {
      if (!(e instanceof TlsaSyntaxError)) throw e;
      throw usageError(`--tlsa "${text}": ${e.message}`, 'give "USAGE SELECTOR MATCHING HEX", e.g. --tlsa "3 1 1 <64 hex digits>" (mailcert tlsa prints them)');
    }
  });
  const file = str(opts.tlsaFile);
  if (file !== undefined) {
    const parsed = parseTlsaText(readInput(file, 'TLSA file').toString('utf8'));
    const bad = parsed.errors[0];
    if (bad !== undefined) throw inputError(`--tlsa-file ${file}: line ${bad.line}: ${bad.message}`, 'give zone-file TLSA lines or `dig +short TLSA _25._tcp.HOST` output');
    if (parsed.records.length === 0) throw inputError(`--tlsa-file ${file}: holds no TLSA record`, 'give zone-file TLSA lines or `dig +short TLSA _25._tcp.HOST` output');
    records.push(...parsed.records);
  }
  return records;
}


/** A positive number of seconds, or undefined when the option is not given. */
function seconds(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw usageError(`--${name} ${typeof value === 'string' ? value : ''}: give seconds, e.g. 30`);
  return n;
}

/** What --save wrote; when the server sent more than mailcert keeps, says so and why (the --json report has it in server.notes). */
function savedMessage(kept: number, sent: number, file: string): string {
  if (sent <= kept) return `Wrote the ${kept} certificate(s) the server sent to ${shown(file)}\n`;
  return (
    `Wrote the first ${kept} of the ${sent} certificates the server sent to ${shown(file)}: mailcert keeps at most ${MAX_CHAIN} ` +
    '(a real server sends its certificate and one to three intermediates)\n'
  );
}
