/**
 * Benchmarks of `mailcert verify --connect` against real servers started on loopback for the run
 * (the test harness's Dovecot and Postfix): one implicit-TLS check against `openssl s_client`
 * doing the same verification (target: at most 1.5x), and 50 endpoints in one call against one
 * endpoint (target: at most 3x, so the checks really run concurrently).
 */
import { join, resolve } from 'node:path';
import { startMailServers, SERVER_NAME } from '../test/helpers/mail-servers.js';
import { compare, type Cmd, type Result } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');
const mailcert = (args: string[]): Cmd => ({ label: 'mailcert', cmd: process.execPath, args: [cli, ...args] });

export async function verifyBenchmarks(runs: number): Promise<Result[]> {
  const servers = await startMailServers();
  try {
    const ports = [servers.ports.smtps, servers.ports.imaps, servers.ports.pop3s];
    const common = ['--starttls', 'none', '--servername', SERVER_NAME, '--ca', servers.caPem];
    const one = mailcert(['verify', '--connect', `127.0.0.1:${servers.ports.imaps}`, ...common]);
    const fifty = mailcert(['verify', ...Array.from({ length: 50 }, (_, i) => ['--connect', `127.0.0.1:${ports[i % ports.length] ?? 0}`]).flat(), ...common]);
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
      compare({ name: 'verify 50 endpoints in one call vs one endpoint', ours: fifty, theirs: one, maxRatio: 3, runs }),
    ];
  } finally {
    await servers.stop();
  }
}
