/**
 * mailcert verify: options -> targets (a keystore, a PEM chain, or live servers) -> checks ->
 * a check list or JSON; exit 0 only when every check passes (warnings too with --strict).
 */
import type { Io } from '../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { defaultAnchors, loadAnchors } from '../../core/anchors.js';
import { verifyFiles, verifyKeystore, type CommonOptions, type VerifyReport } from '../../core/verify-offline.js';
import { damagedPart } from '../../keystore/damaged.js';
import { ExitCode, usageError } from '../../errors.js';
import { painter } from '../../output/style.js';
import { renderVerify } from '../../output/verify.js';

function number(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw usageError(`--${name} ${v}: give a number`);
  return n;
}

/**
 * --at TIME: an ISO 8601 date (midnight UTC) or date-time, UTC unless it carries an offset. Dates
 * that do not exist (2026-02-30) are refused rather than rolled over as Date.parse would.
 */
export function parseAt(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(v.trim());
  const bad = (): never => {
    throw usageError(`--at ${v}: give an ISO 8601 date or date-time`, 'mailcert verify --cert chain.pem --at 2027-03-01 (or --at 2027-03-01T12:00:00Z)');
  };
  if (!m) return bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
  const day = new Date(`${y}-${mo}-${d}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== `${y}-${mo}-${d}` || Number(h) > 23) return bad();
  return date;
}

export async function run(io: Io, opts: Opts): Promise<number> {
  const keystore = str(opts.keystore);
  const cert = str(opts.cert);
  const live = opts.connect !== undefined || opts.targets !== undefined;
  const modes = [keystore, cert].filter((x) => x !== undefined).length + (live ? 1 : 0);
  if (modes !== 1) throw usageError('give one of --keystore FILE, --cert FILE or --connect HOST:PORT', 'mailcert verify --cert chain.pem --key mail.key --host mail.example.com');
  if (!live && (opts.tlsa !== undefined || opts.tlsaFile !== undefined || opts.protocols === true)) throw usageError('--tlsa, --tlsa-file and --protocols check a live server: give --connect HOST:PORT');
  const at = parseAt(str(opts.at));
  const passwords = new PasswordResolver(io, opts);
  const ca = str(opts.ca);
  const anchors = ca === undefined ? defaultAnchors(io.env.NODE_EXTRA_CA_CERTS) : await loadAnchors(ca, () => passwords.find('store', { purpose: `truststore ${ca}` }));
  const common: CommonOptions = {
    anchors,
    host: str(opts.host),
    warnDays: number('warn-days', str(opts.warnDays), 30),
    strict: opts.strict === true,
    allowCn: opts.allowCn === true,
    ...(at === undefined ? {} : { at }),
  };
  if (live) return (await import('./verify-live.js')).runLive(io, opts, common);
  const reports: VerifyReport[] = [];
  if (keystore !== undefined) {
    // Every other input names itself; a codec error left over is about a certificate in the keystore.
    const report = await verifyKeystore(keystore, str(opts.alias), () => passwords.get('store', { purpose: `keystore ${keystore}` }), common).catch((e: unknown) => {
      throw damagedPart(e, keystore, 'a certificate in the keystore');
    });
    reports.push(report);
  } else if (cert !== undefined) {
    const key = str(opts.key);
    reports.push(await verifyFiles(cert, key, () => passwords.get('passin', { purpose: `key ${key ?? ''}` }), common));
  }
  const ok = reports.every((r) => r.ok);
  if (opts.json) {
    const [only] = reports;
    io.out(JSON.stringify(reports.length === 1 && only ? only : { ok, targets: reports }, null, 2) + '\n');
  } else if (!opts.quiet || !ok) {
    io.out(renderVerify(reports, await painter(io, opts)));
  }
  return ok ? ExitCode.ok : ExitCode.verifyFailed;
}
