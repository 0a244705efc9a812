/**
 * Benchmarks of `mailcert verify --connect` against real servers started on loopback for the run
 * (the test harness's Dovecot and Postfix): one implicit-TLS check against `openssl s_client`
 * doing the same verification, and 50 endpoints in one call against one endpoint (target: at
 * most 3x, so the checks really run concurrently). Since a check reads the greeting inside TLS
 * and asks for the capabilities, each of them does that post-TLS step too.
 *
 * The one-check row compares what mailcert itself adds: its median time minus the median of
 * `node -e 0` in the same interleaved runs (Node's own start-up, which s_client does not pay),
 * against s_client (target: at most 1.5x). It is measured as the machine runs it and once more
 * with NODE_EXTRA_CA_CERTS unset, which Node otherwise reads and parses at every start. Beside it,
 * Node's floor (reported): a `node -e` script that does only what any Node client must, load
 * node:tls, tls.connect to the same port as mailcert connects (no trust anchors for OpenSSL, SNI
 * set), finish the handshake, end, also over `node -e 0` against s_client. When the floor alone
 * is over the target, no Node program started per check can meet it.
 *
 * The servers share the machine's cores with mailcert. In its default mode Dovecot starts a login
 * process for every connection, about 7 ms of CPU each here, more than mailcert spends on a whole
 * check; the 50-endpoint run would then measure Dovecot's process creation. So the benchmark's
 * Dovecot runs in the mode busy servers use, login processes serving many connections; the
 * 50-endpoint run is also measured against the default mode, for the record.
 */
import { join, resolve } from 'node:path';
import { startMailServers, SERVER_NAME } from '../test/helpers/mail-servers.js';
import { compare, median, runOnce, type Cmd, type Result, type Sample } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');
const mailcert = (args: string[]): Cmd => ({ label: 'mailcert', cmd: process.execPath, args: [cli, ...args] });
const nodeAlone: Cmd = { label: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] };

/**
 * Node's floor for one check: tls.connect as net/transport.ts connects (a context without trust
 * anchors, so Node loads no roots; SNI; no identity check), the handshake, the end. Arguments:
 * the port and the server name.
 */
const TLS_FLOOR = `
const tls = require('node:tls');
const [port, servername] = process.argv.slice(1);
const s = tls.connect({ host: '127.0.0.1', port: Number(port), servername, secureContext: tls.createSecureContext({ ca: [] }), rejectUnauthorized: false }, () => s.end());
s.on('error', (e) => { console.error(e.message); process.exit(1); });
s.on('close', () => process.exit(0));`;

export async function verifyBenchmarks(runs: number): Promise<Result[]> {
  return [...(await against('shared', runs)), ...(await against('per-connection', runs))];
}

/**
 * mailcert minus `node -e 0` against another command: the three interleaved (a, n, b, a, n, b, ...)
 * after a warm-up, so machine noise hits them alike; medians of each.
 */
function overStartup(name: string, ours: Cmd, theirs: Cmd, maxRatio: number, runs: number, env: NodeJS.ProcessEnv = {}): Result {
  const withEnv = (c: Cmd): Cmd => ({ ...c, env: { ...c.env, ...env } });
  const [a, n, b] = [withEnv(ours), withEnv(nodeAlone), theirs];
  for (const c of [a, n, b]) runOnce(c);
  const samples: Sample[][] = [[], [], []];
  for (let i = 0; i < runs; i++) [a, n, b].forEach((c, j) => samples[j]?.push(runOnce(c)));
  const [oursAll, node, other] = samples.map((s) => median(s.map((x) => x.ms))) as [number, number, number];
  const oursMs = oursAll - node;
  const ratio = oursMs / other;
  const rss = (s: Sample[] | undefined): number => Math.max(...(s ?? []).map((x) => x.rssKiB)) / 1024;
  const target = Number.isFinite(maxRatio) ? `<= ${maxRatio}x` : 'report only';
  return { name: `${name} (${oursAll.toFixed(0)} ms - node -e 0 ${node.toFixed(0)} ms)`, oursMs, theirsMs: other, ratio, oursRssMiB: rss(samples[0]), theirsRssMiB: rss(samples[2]), met: ratio <= maxRatio, target };
}

async function against(loginProcesses: 'shared' | 'per-connection', runs: number): Promise<Result[]> {
  const servers = await startMailServers({ loginProcesses });
  try {
    const ports = [servers.ports.smtps, servers.ports.imaps, servers.ports.pop3s];
    const common = ['--starttls', 'none', '--servername', SERVER_NAME, '--ca', servers.caPem];
    const one = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.imaps}`, ...common]);
    const fifty = mailcert(['verify', ...Array.from({ length: 50 }, (_, i) => ['--connect', `127.0.0.1:${ports[i % ports.length] ?? 0}`]).flat(), ...common]);
    const fiftyVsOne = (name: string, maxRatio: number): Result => compare({ name, ours: fifty, theirs: one, maxRatio, runs });
    if (loginProcesses === 'per-connection') {
      return [fiftyVsOne('verify 50 endpoints vs one, Dovecot default (a login process per connection)', Number.POSITIVE_INFINITY)];
    }
    const sClient: Cmd = {
      label: 'openssl s_client',
      cmd: 'openssl',
      args: ['s_client', '-connect', `127.0.0.1:${servers.ports.imaps}`, '-servername', SERVER_NAME, '-verify_return_error', '-verify_hostname', SERVER_NAME, '-CAfile', servers.caPem],
      input: '',
    };
    const floor: Cmd = { label: 'node floor', cmd: process.execPath, args: ['-e', TLS_FLOOR, String(servers.ports.imaps), SERVER_NAME] };
    const rows = [
      compare({ name: 'verify --connect (implicit TLS, Dovecot) vs openssl s_client', ours: one, theirs: sClient, maxRatio: Number.POSITIVE_INFINITY, runs }),
      overStartup('verify --connect over node -e 0 vs openssl s_client', one, sClient, 1.5, runs),
      overStartup("Node's floor (tls.connect, handshake, end) over node -e 0 vs openssl s_client", floor, sClient, Number.POSITIVE_INFINITY, runs),
    ];
    // The same without the variable Node reads at every start (this machine sets it to the whole system bundle).
    if (process.env.NODE_EXTRA_CA_CERTS) {
      const unset = { NODE_EXTRA_CA_CERTS: undefined };
      rows.push(overStartup('the same, NODE_EXTRA_CA_CERTS unset', one, sClient, 1.5, runs, unset));
      rows.push(overStartup("Node's floor, NODE_EXTRA_CA_CERTS unset", floor, sClient, Number.POSITIVE_INFINITY, runs, unset));
    }
    rows.push(fiftyVsOne('verify 50 endpoints in one call vs one endpoint', 3));
    return rows;
  } finally {
    await servers.stop();
  }
}
