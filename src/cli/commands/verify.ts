/**
 * mailcert verify: options -> targets (a keystore, a PEM chain, or live servers) -> checks ->
 * a check list or JSON; exit 0 only when every check passes (warnings too with --strict).
 */
import type { Io } from '../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { defaultAnchors, loadAnchors } from '../../core/anchors.js';
import { verifyFiles, verifyKeystore, type CommonOptions, type VerifyReport } from '../../core/verify-offline.js';
import { ExitCode, usageError } from '../../errors.js';
import { painter } from '../../output/style.js';
import { renderVerify } from '../../output/verify.js';

function number(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw usageError(`--${name} ${String(v)}: give a number`);
  return n;
}

export async function run(io: Io, opts: Opts): Promise<number> {
  const keystore = str(opts.keystore);
  const cert = str(opts.cert);
  const connect = opts.connect;
  const modes = [keystore, cert, connect].filter((x) => x !== undefined).length;
  if (modes !== 1) throw usageError('give one of --keystore FILE, --cert FILE or --connect HOST:PORT', 'mailcert verify --cert chain.pem --key mail.key --host mail.example.com');
  const passwords = new PasswordResolver(io, opts);
  const ca = str(opts.ca);
  const anchors = ca === undefined ? defaultAnchors() : await loadAnchors(ca, () => passwords.find('store', { purpose: `truststore ${ca}` }));
  const common: CommonOptions = { anchors, host: str(opts.host), warnDays: number('warn-days', opts.warnDays, 30), strict: opts.strict === true };
  const reports: VerifyReport[] = [];
  if (keystore !== undefined) {
    reports.push(await verifyKeystore(keystore, str(opts.alias), () => passwords.get('store', { purpose: `keystore ${keystore}` }), common));
  } else if (cert !== undefined) {
    const key = str(opts.key);
    reports.push(await verifyFiles(cert, key, () => passwords.get('passin', { purpose: `key ${key ?? ''}` }), common));
  } else {
    const { verifyLive } = await import('./verify-live.js');
    reports.push(...(await verifyLive(io, opts, common)));
  }
  const ok = reports.every((r) => r.ok);
  if (opts.json) {
    const [only] = reports;
    io.out(JSON.stringify(reports.length === 1 && only ? only : { ok, targets: reports }, null, 2) + '\n');
  } else if (!opts.quiet || !ok) {
    io.out(renderVerify(reports, painter(io, opts)));
  }
  return ok ? ExitCode.ok : ExitCode.verifyFailed;
}
