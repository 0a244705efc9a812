/**
 * verify --connect / --targets: the live options -> the targets and how to reach them -> live
 * checks (core/verify-live.ts) -> the report (output/verify-live.ts). --save writes the chain the
 * server sent; --timeout bounds each step, --deadline each target's whole check. Loaded only for
 * a live check (an offline verify never opens this file).
 */
import type { Io } from '../../io.js';
import { list, str, type Opts } from '../options.js';
import { mayOverwrite } from '../confirm.js';
import { netHint } from '../flag-errors.js';
import type { Anchors } from '../../core/anchors.js';
import { BadServerAddress, BadTargetLine, reworded } from '../../core/errors.js';
import { fleetSummary } from '../../core/fleet.js';
import { protocolsCheck } from '../../core/live-checks.js';
import { parseTlsaRecord, parseTlsaText, TlsaSyntaxError, type TlsaRecord } from '../../core/tlsa.js';
import { parseTarget, parseTargetsFile, saveChain, verifyTargets, type LiveResult, type Target } from '../../core/verify-live.js';
import type { CommonOptions, VerifyReport } from '../../core/verify-offline.js';
import { MAX_CHAIN, type StartTlsProtocol } from '../../net/connect.js';
import { deadlineDetail, formatSeconds } from '../../net/deadline.js';
import { ExitCode, inputError, usageError } from '../../errors.js';
import { readInput } from '../../keystore/files.js';
import { withSpinner } from '../../output/spinner.js';
import { showLive, showSaved } from '../../output/verify-live.js';

/** The live options, read and checked. */
interface LiveInput {
  /** --connect, in the order given. */
  connect: Target[];
  /** --targets FILE. */
  targetsFile: string | undefined;
  /** --starttls: the protocol of every --connect, and of the lines of --targets that name none. */
  protocol: StartTlsProtocol | undefined;
  save: string | undefined;
  servername: string | undefined;
  timeoutMs: number;
  deadlineMs: number | undefined;
  protocols: boolean;
  /** --tlsa, in the order given. */
  tlsa: TlsaRecord[];
  tlsaFile: string | undefined;
}

function liveInput(opts: Opts): LiveInput {
  const protocol = str(opts.starttls) as StartTlsProtocol | undefined;
  const connect = list(opts.connect).map((c) => {
    try {
      return parseTarget(c, protocol);
    } catch (e) {
      throw e instanceof BadServerAddress ? reworded(e, `--connect ${e.text}: ${BadServerAddress.expected}`) : e;
    }
  });
  const timeout = seconds('timeout', opts.timeout ?? '10', 'e.g. 10');
  const deadline = seconds('deadline', opts.deadline, 'e.g. 30');
  return {
    connect,
    targetsFile: str(opts.targets),
    protocol,
    save: str(opts.save),
    servername: str(opts.servername),
    timeoutMs: (timeout ?? 10) * 1000,
    deadlineMs: deadline === undefined ? undefined : deadline * 1000,
    protocols: opts.protocols === true,
    tlsa: list(opts.tlsa).map(tlsaOption),
    tlsaFile: str(opts.tlsaFile),
  };
}

/**
 * Checks the servers and prints the report; returns the exit code (5 when a connection failed, 1
 * for a problem). `anchors` is called once the options and the files they name have been read.
 */
export async function runLive(io: Io, opts: Opts, common: Omit<CommonOptions, 'anchors'>, anchors: () => Promise<Anchors>): Promise<number> {
  const input = liveInput(opts);
  const targets = [...input.connect, ...(input.targetsFile === undefined ? [] : targetsFromFile(input.targetsFile, input.protocol))];
  if (targets.length === 0) throw usageError('give --connect HOST:PORT (or --targets FILE)');
  if (input.save !== undefined && targets.length > 1) throw usageError('--save takes the chain of one server: give one --connect');
  const tlsa = [...input.tlsa, ...(input.tlsaFile === undefined ? [] : tlsaFromFile(input.tlsaFile))];
  const checking = verifyTargets(targets, {
    ...common,
    anchors: await anchors(),
    ...(input.servername === undefined ? {} : { servername: input.servername }),
    timeoutMs: input.timeoutMs,
    ...(input.deadlineMs === undefined ? {} : { deadlineMs: input.deadlineMs }),
    ...(input.protocols ? { protocols: true } : {}),
    ...(tlsa.length > 0 ? { tlsa } : {}),
  });
  const results = await withSpinner(io, opts, `Checking ${targets.length} server${targets.length === 1 ? '' : 's'}`, checking);
  const first = results[0];
  if (input.save !== undefined && first && first.peerChain.length > 0) {
    saveChain(input.save, first.peerChain, await mayOverwrite(io, opts, [input.save]));
    showSaved(io, opts, input.save, first.peerChain.length, first.certificatesSent, MAX_CHAIN);
  }
  const reports = results.map((r) => inFlags(r, input.deadlineMs));
  await showLive(io, opts, reports, reports.length > 1 ? fleetSummary(reports) : []);
  if (results.some((r) => r.networkError !== undefined)) return ExitCode.network;
  return reports.every((r) => r.ok) ? ExitCode.ok : ExitCode.verifyFailed;
}

/**
 * A report in verify's flags. Core words a failed connection as net does, without options, in the
 * `connection` check (`STEP: DETAIL`) and the server's hint; and a TLS version probe the deadline
 * ended says so in net's words ("the 5 s deadline for the whole check passed", net/deadline.ts),
 * in its detail and in the `protocols` check made from it.
 */
function inFlags(r: LiveResult, deadlineMs: number | undefined): VerifyReport {
  const passed = deadlineMs === undefined ? undefined : deadlineDetail({ timeoutMs: 0, deadlineMs });
  const flagged = (text: string): string =>
    passed !== undefined && text.endsWith(passed) ? `${text.slice(0, -passed.length)}the ${formatSeconds(deadlineMs ?? 0)} --deadline for the whole check passed` : text;
  const e = r.networkError;
  const server = r.report.server;
  if (e !== undefined) {
    const [connection, ...rest] = r.report.checks;
    const checks = connection === undefined ? rest : [{ ...connection, detail: `${e.step}: ${e.kind === 'deadline' ? flagged(e.detail) : e.detail}` }, ...rest];
    return { ...r.report, checks, server: { error: e.kind, step: e.step, hint: netHint(e) } };
  }
  if (server === undefined || !('versions' in server) || server.versions === undefined || !server.versions.some((v) => v.result === 'failed' && flagged(v.detail) !== v.detail)) return r.report;
  const versions = server.versions.map((v) => (v.result === 'failed' ? { ...v, detail: flagged(v.detail) } : v));
  return { ...r.report, checks: r.report.checks.map((c) => (c.name === 'protocols' ? protocolsCheck(versions) : c)), server: { ...server, versions } };
}

/** The servers --targets FILE lists; a bad line is a usage error naming the file and the line. */
function targetsFromFile(file: string, protocol: StartTlsProtocol | undefined): Target[] {
  try {
    return parseTargetsFile(file, readInput(file, 'targets file').toString('utf8'), protocol);
  } catch (e) {
    throw e instanceof BadTargetLine ? reworded(e, `--targets ${e.message}`) : e;
  }
}

/** --tlsa RECORD: a bad record on the command line is a usage error. */
function tlsaOption(text: string): TlsaRecord {
  try {
    return parseTlsaRecord(text);
  } catch (e) {
    if (!(e instanceof TlsaSyntaxError)) throw e;
    throw usageError(`--tlsa "${text}": ${e.message}`, 'give "USAGE SELECTOR MATCHING HEX", e.g. --tlsa "3 1 1 <64 hex digits>" (mailcert tlsa prints them)');
  }
}

/** --tlsa-file FILE: a bad record there is bad input naming its line. */
function tlsaFromFile(file: string): TlsaRecord[] {
  const parsed = parseTlsaText(readInput(file, 'TLSA file').toString('utf8'));
  const bad = parsed.errors[0];
  if (bad !== undefined) throw inputError(`--tlsa-file ${file}: line ${bad.line}: ${bad.message}`, 'give zone-file TLSA lines or `dig +short TLSA _25._tcp.HOST` output');
  if (parsed.records.length === 0) throw inputError(`--tlsa-file ${file}: holds no TLSA record`, 'give zone-file TLSA lines or `dig +short TLSA _25._tcp.HOST` output');
  return parsed.records;
}

/** A positive number of seconds, or undefined when the option is not given. */
function seconds(name: string, value: unknown, example: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw usageError(`--${name} ${typeof value === 'string' ? value : ''}: give seconds, ${example}`);
  return n;
}
