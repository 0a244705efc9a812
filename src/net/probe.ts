/**
 * `verify --connect --protocols`: which TLS versions a server still accepts. One connection per
 * version, all at once, each offering that version alone (after STARTTLS where the port needs it),
 * as testssl.sh and `openssl s_client -tls1` do. RFC 8996 deprecates TLS 1.0 and 1.1; the caller
 * judges, this module only reports.
 */
import type { Socket } from 'node:net';
import type { SecureVersion } from 'node:tls';
import type { StepClock } from './deadline.js';
import { NetError } from './errors.js';
import { addressLiteral, type TranscriptLine } from './line-channel.js';
import { Negotiator, type MailProtocol } from './starttls.js';
import { handshake, openTcp, versionContext } from './transport.js';

export const PROBED_VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export interface VersionProbe {
  version: SecureVersion;
  /**
   * accepted: the handshake completed with this version alone; refused: the server ended it;
   * unavailable: this client cannot offer the version (its OpenSSL build or configuration);
   * failed: the probe did not get as far as the handshake (the connection or STARTTLS failed).
   */
  result: 'accepted' | 'refused' | 'unavailable' | 'failed';
  detail: string;
}

export interface ProbeTarget {
  host: string;
  port: number;
  servername: string | undefined;
  clock: StepClock;
  /** STARTTLS first with this protocol; undefined for implicit TLS. */
  starttls?: MailProtocol;
}

/** Every version probed at once; never rejects (a probe's failure is its result). */
export function probeVersions(t: ProbeTarget): Promise<VersionProbe[]> {
  return Promise.all(PROBED_VERSIONS.map((v) => probe(t, v)));
}

/**
 * SSL_R_NO_PROTOCOLS_AVAILABLE: this client could not offer the version at all (an OpenSSL build
 * or an openssl.cnf without it, "Protocol = -TLSv1"); no ClientHello was sent.
 */
const NOT_OFFERED = 'ERR_SSL_NO_PROTOCOLS_AVAILABLE';
/**
 * The server chose the version, and this client refused its legacy handshake signature
 * (tls_process_key_exchange at a security level above 0, set by an openssl.cnf): the server accepts it.
 */
const LEGACY_SIGNATURE = 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED';

async function probe(t: ProbeTarget, version: SecureVersion): Promise<VersionProbe> {
  const context = versionContext(version);
  if (context === undefined) return { version, result: 'unavailable', detail: `this client's OpenSSL cannot offer ${version} alone` };
  const step = `${version} probe`;
  let raw: Socket | undefined;
  let negotiator: Negotiator | undefined;
  try {
    raw = await openTcp(t.host, t.port, t.clock);
    if (t.starttls !== undefined) {
      const transcript: TranscriptLine[] = [];
      negotiator = new Negotiator(t.starttls, { ...t.clock, host: t.host, port: t.port, clientName: addressLiteral(raw.localAddress), transcript });
      await negotiator.startTls(raw);
    }
  } catch (e) {
    raw?.destroy();
    if (!(e instanceof NetError)) throw e;
    return { version, result: 'failed', detail: `${e.step}: ${e.detail}` };
  } finally {
    negotiator?.release();
  }
  try {
    const { socket } = await handshake(raw, { host: t.host, port: t.port, servername: t.servername, clock: t.clock, context, step });
    const agreed = socket.getProtocol();
    socket.destroy();
    return agreed === version ? { version, result: 'accepted', detail: 'accepted' } : { version, result: 'refused', detail: `the server answered with ${agreed ?? 'another version'}` };
  } catch (e) {
    if (!(e instanceof NetError)) throw e;
    const code = (e.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === NOT_OFFERED) return { version, result: 'unavailable', detail: `this client could not offer ${version} (no protocols available)` };
    if (code === LEGACY_SIGNATURE) return { version, result: 'accepted', detail: `the server chose ${version}; this client refused its legacy handshake signature` };
    if (e.kind === 'timeout' || e.kind === 'deadline') return { version, result: 'failed', detail: e.detail };
    return { version, result: 'refused', detail: e.detail.replace(/^handshake failed: /, '') };
  } finally {
    raw.destroy();
  }
}
