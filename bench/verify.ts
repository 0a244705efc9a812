/**
 * Benchmarks of `mailcert verify --connect` against real servers started on loopback for the run
 * (the test harness's Dovecot and Postfix): one implicit-TLS check against `openssl s_client`
 * doing the same verification (target: at most 1.5x), and 50 endpoints in one call against one
 * endpoint (target: at most 3x, so the checks really run concurrently).
 *
 * The servers share the machine's cores with mailcert. In its default mode Dovecot starts a login
 * process for every connection, about 7 ms of CPU each here, more than mailcert spends on a whole
 * check; the 50-endpoint run would then measure Dovecot's process creation. So the benchmark's
 * Dovecot runs in the mode busy servers use, login processes serving many connections; the
 * 50-endpoint run is also measured against the default mode, for the record.
 */
import { join, resolve } from 'node:path';
import { startMailServers, SERVER_NAME } from '../test/helpers/mail-servers.js';
import { compare, type Cmd, type Result } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');
const mailcert = (args: string[]): Cmd => ({ label: 'mailcert', cmd: process.execPath, args: [cli, ...args] });

export async function verifyBenchmarks(runs: number): Promise<Result[]> {
  return [...(await against('shared', runs)), ...(await against('per-connection', runs))];
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
    return [
      compare({
        name: 'verify --connect (implicit TLS) vs openssl s_client',
        ours: one,
        theirs: {
          label: 'openssl s_client',
          cmd: 'openssl',
          args: ['s_client', '-connect', `127.0.0.1:${servers.ports.imaps}`, '-servername', SERVER_NAME, '-verify_return_error', '-verify_hostname', SERVER_NAME, '-CAfile', servers.caPem],
          input: '',
        },
        maxRatio: 1.5,
        runs,
      }),
      fiftyVsOne('verify 50 endpoints in one call vs one endpoint', 3),
    ];
  } finally {
    await servers.stop();
  }
}
