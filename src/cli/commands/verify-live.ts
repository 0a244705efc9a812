/**
 * verify --connect / --targets: options -> targets -> live checks; --save writes the chain the
 * server sent. --timeout bounds each step, --deadline each target's whole check.
 */
import type { Io } from '../io.js';
import { str, type Opts } from '../options.js';
import { parseTarget, parseTargetsFile, verifyTargets, type Target } from '../../core/verify-live.js';
import type { CommonOptions, VerifyReport } from '../../core/verify-offline.js';
import { MAX_CHAIN, type StartTlsProtocol } from '../../net/connect.js';
import { encodePem } from '../../codec/pem.js';
import { shown } from '../../display.js';
import { usageError } from '../../errors.js';
import { readInput, writeFileAtomic } from '../../keystore/files.js';
import { withSpinner } from '../../output/spinner.js';
import { mayOverwrite } from '../confirm.js';

export interface LiveOutcome {
  reports: VerifyReport[];
  /** Some connection failed outright (exit code 5). */
  networkFailed: boolean;
}

export async function verifyLive(io: Io, opts: Opts, common: CommonOptions): Promise<LiveOutcome> {
  const protocol = str(opts.starttls) as StartTlsProtocol | undefined;
  const connect = opts.connect;
  const given = Array.isArray(connect) ? connect.filter((c): c is string => typeof c === 'string') : typeof connect === 'string' ? [connect] : [];
  const targets: Target[] = given.map((c) => parseTarget(c, protocol));
  const file = str(opts.targets);
  if (file !== undefined) {
    targets.push(...parseTargetsFile(file, readInput(file, 'targets file').toString('utf8'), protocol));
  }
  if (targets.length === 0) throw usageError('give --connect HOST:PORT (or --targets FILE)');
  const save = str(opts.save);
  if (save !== undefined && targets.length > 1) throw usageError('--save takes the chain of one server: give one --connect');
  const timeoutSeconds = Number(opts.timeout ?? 10);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw usageError(`--timeout ${String(opts.timeout)}: give seconds, e.g. 10`);
  const deadline = seconds('deadline', opts.deadline);
  const servername = str(opts.servername);
  const checking = verifyTargets(targets, {
    ...common,
    ...(servername === undefined ? {} : { servername }),
    timeoutMs: timeoutSeconds * 1000,
    ...(deadline === undefined ? {} : { deadlineMs: deadline * 1000 }),
  });
  const results = await withSpinner(io, opts, `Checking ${targets.length} server${targets.length === 1 ? '' : 's'}`, checking);
  const first = results[0];
  if (save !== undefined && first && first.peerChain.length > 0) {
    writeFileAtomic(save, new TextEncoder().encode(first.peerChain.map((d) => encodePem('CERTIFICATE', d)).join('')), { overwrite: await mayOverwrite(io, opts, [save]), mode: 0o644, what: 'chain file' });
    if (!opts.json && !opts.quiet) io.err(savedMessage(first.peerChain.length, first.certificatesSent, save));
  }
  return { reports: results.map((r) => r.report), networkFailed: results.some((r) => r.networkError !== undefined) };
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
