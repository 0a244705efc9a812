/**
 * mailcert verify: options -> what to check (a keystore, a PEM chain, or live servers, whose
 * options verify-live.ts reads) and how (trust anchors, host name, time) -> core's checks -> the
 * check list or JSON (output/verify.ts); exit 0 only when every check passes (warnings too with
 * --strict), 1 when one does not, 5 when a server could not be reached.
 */
import { keystoreOption, type CommandDef } from '../command.js';
import type { Io } from '../../io.js';
import { list, str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import { defaultAnchors, loadAnchors, type Anchors } from '../../core/anchors.js';
import { AnchorsUnusable, reworded } from '../../core/errors.js';
import { verifyFiles, verifyKeystore, type CommonOptions } from '../../core/verify-offline.js';
import type { Remedies } from '../../core/verify.js';
import { damagedPart } from '../../keystore/damaged.js';
import { ExitCode, usageError } from '../../errors.js';
import { showVerify } from '../../output/verify.js';

export const command: CommandDef = {
  name: 'verify',
  summary: 'check a keystore, PEM files or a live mail server (implicit TLS or STARTTLS)',
  examples: [
    'mailcert verify -k james.jks --host mail.example.com',
    'mailcert verify --cert chain.pem --key mail.key --ca root.pem',
    'mailcert verify --connect mail.example.com:587',
    'mailcert verify --connect 127.0.0.1:993 --servername mail.example.com --save chain.pem',
    'mailcert verify --targets servers.txt --deadline 30   # cron: each server checked within 30 s, or exit 5',
    'mailcert verify --cert chain.pem --ca root.pem --at 2027-03-01      # as of a date: audits, old captures',
    'mailcert verify --cert old.pem --host mail.example.com --allow-cn   # a name only in the CN, knowingly',
    'mailcert verify --connect mail.example.com:25 --tlsa "$(mailcert tlsa --cert mail.crt)"   # DANE: the record must match',
    'mailcert verify --connect mail.example.com:10465 --protocols   # mode found out; TLS 1.0-1.3 tried',
  ],
  options: [
    keystoreOption(),
    { flags: '--cert <file>', description: 'server certificate, optionally followed by its intermediates' },
    { flags: '--key <file>', description: 'the private key of --cert' },
    { flags: '--ca <source>', description: "trust anchors: PEM file, <hash>.N folder or keystore (default: Node's roots, the system store, NODE_EXTRA_CA_CERTS)" },
    { flags: '--host <name>', description: 'the DNS name or IP address clients connect to' },
    { flags: '--connect <host:port>', description: 'check a live server (repeat for several, checked concurrently)', repeatable: true },
    { flags: '--targets <file>', description: 'check the servers listed in FILE, one "HOST:PORT [protocol]" per line' },
    { flags: '--starttls <protocol>', description: 'STARTTLS protocol (default: from the port)', choices: ['smtp', 'imap', 'pop3', 'lmtp', 'sieve', 'none'] },
    { flags: '--servername <name>', description: 'TLS SNI name and the name to check' },
    { flags: '--save <file>', description: 'write the chain the server sent (PEM)' },
    { flags: '--warn-days <n>', description: 'warn when a certificate expires within N days', default: '30' },
    { flags: '--at <time>', description: 'make every time-dependent check as of TIME (ISO 8601 date or date-time; UTC unless it has an offset)' },
    { flags: '--allow-cn', description: 'accept a host name found only in the subject CN (OpenSSL-based clients do; Go, NSS/Thunderbird and Apple do not)' },
    { flags: '--timeout <seconds>', description: 'timeout of each network step', default: '10' },
    { flags: '--deadline <seconds>', description: "bound on each server's whole check, every step included (exit 5 naming the step it was in)" },
    { flags: '--protocols', description: 'also try TLS 1.0, 1.1, 1.2 and 1.3 one by one (1.0 and 1.1 warn: RFC 8996)' },
    { flags: '--tlsa <record>', description: 'a TLSA record the chain must match, "3 1 1 HEX" (repeat for several; RFC 7671 DANE)', repeatable: true },
    { flags: '--tlsa-file <file>', description: 'TLSA records from zone-file lines or `dig +short TLSA` output' },
    { flags: '--strict', description: 'warnings fail too' },
    ...passwordOptions('store', 'keystore password'),
  ],
  exitCodes: [ExitCode.ok, ExitCode.verifyFailed, ExitCode.usage, ExitCode.badInput, ExitCode.network, ExitCode.cancelled],
  run,
};

/** What is checked: a keystore's key entry, a PEM chain with an optional key, or live servers (options read by verify-live.ts). */
type Subject = { kind: 'keystore'; path: string } | { kind: 'files'; cert: string; key: string | undefined } | { kind: 'live' };

/** The options every kind of check reads, checked before any file is opened. */
interface VerifyInput {
  subject: Subject;
  /** --ca: the trust anchors' source, else the defaults. */
  ca: string | undefined;
  common: Omit<CommonOptions, 'anchors'>;
}

/** What a user can do about a failed check, in this command's options. */
const REMEDIES: Remedies = { trustRoot: 'pass --ca or import it', acceptCn: '--allow-cn' };

function verifyInput(opts: Opts): VerifyInput {
  const keystore = str(opts.keystore);
  const cert = str(opts.cert);
  const live = opts.connect !== undefined || opts.targets !== undefined;
  const modes = [keystore, cert].filter((x) => x !== undefined).length + (live ? 1 : 0);
  if (modes !== 1) throw usageError('give one of --keystore FILE, --cert FILE or --connect HOST:PORT', 'mailcert verify --cert chain.pem --key mail.key --host mail.example.com');
  if (!live && (list(opts.tlsa).length > 0 || opts.tlsaFile !== undefined || opts.protocols === true)) throw usageError('--tlsa, --tlsa-file and --protocols check a live server: give --connect HOST:PORT');
  const at = parseAt(str(opts.at));
  const host = str(opts.host);
  const common: VerifyInput['common'] = {
    warnDays: number('warn-days', str(opts.warnDays), 30),
    strict: opts.strict === true,
    allowCn: opts.allowCn === true,
    remedies: REMEDIES,
    ...(host === undefined ? {} : { host }),
    ...(at === undefined ? {} : { at }),
  };
  const subject: Subject = keystore !== undefined ? { kind: 'keystore', path: keystore } : cert !== undefined ? { kind: 'files', cert, key: str(opts.key) } : { kind: 'live' };
  return { subject, ca: str(opts.ca), common };
}

async function run(io: Io, opts: Opts): Promise<number> {
  const input = verifyInput(opts);
  const passwords = new PasswordResolver(io, opts);
  const anchors = (): Promise<Anchors> => trustAnchors(io, input.ca, passwords);
  const { subject } = input;
  if (subject.kind === 'live') return (await import('./verify-live.js')).runLive(io, opts, input.common, anchors);
  const common: CommonOptions = { ...input.common, anchors: await anchors() };
  const report =
    subject.kind === 'keystore'
      ? // Every other input names itself; a codec error left over is about a certificate in the keystore.
        await verifyKeystore(subject.path, undefined, () => passwords.get('store', { purpose: `keystore ${subject.path}` }), common).catch((e: unknown) => {
          throw damagedPart(e, subject.path, 'a certificate in the keystore');
        })
      : await verifyFiles(subject.cert, subject.key, () => passwords.get('passin', { purpose: `key ${subject.key ?? ''}` }), common);
  await showVerify(io, opts, [report]);
  return report.ok ? ExitCode.ok : ExitCode.verifyFailed;
}

/** --ca SOURCE, named so in the checks ("anchored at ... (--ca root.pem)"); else Node's roots, the system store and NODE_EXTRA_CA_CERTS. */
async function trustAnchors(io: Io, ca: string | undefined, passwords: PasswordResolver): Promise<Anchors> {
  if (ca === undefined) return defaultAnchors(io.env.NODE_EXTRA_CA_CERTS);
  try {
    const anchors = await loadAnchors(ca, () => passwords.find('store', { purpose: `truststore ${ca}` }));
    return { ...anchors, source: `--ca ${ca}` };
  } catch (e) {
    throw e instanceof AnchorsUnusable ? reworded(e, `--ca ${e.source}: ${e.problem}`) : e;
  }
}

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
function parseAt(v: string | undefined): Date | undefined {
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
