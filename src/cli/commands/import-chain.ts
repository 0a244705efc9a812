/** mailcert import-chain: options -> CA certificates -> core importChain -> summary or JSON. */
import type { Io } from '../../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { confirmer } from '../confirm.js';
import { keyAccess } from '../key-access.js';
import { importChain } from '../../core/import-chain.js';
import { readCertificates } from '../../keystore/inputs.js';
import { usageError } from '../../errors.js';
import { shown } from '../../display.js';
import { painter } from '../../output/style.js';

export async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const file = str(opts.file);
  if (path === undefined || file === undefined) throw usageError('import-chain needs --keystore FILE and --file CERTS', 'mailcert import-chain -k james.jks --file ca-chain.pem');
  const access = await keyAccess(opts);
  const passwords = new PasswordResolver(io, opts);
  // A user naming CA certificates for this command has decided to trust them; ask only on a terminal.
  const ask = confirmer(io, { ...opts, yes: opts.yes === true || !io.stdinIsTTY || opts.json === true });
  const result = await importChain({
    path,
    certs: readCertificates(file),
    alias: str(opts.alias),
    storetype: str(opts.storetype),
    storePassword: (isNew) => passwords.get('store', { purpose: `keystore ${path}`, confirm: isNew }),
    keyPassword: async (alias, storepass) => (passwords.given('key') ? passwords.get('key', { purpose: `key entry ${alias}` }) : storepass),
    confirm: ask,
    access,
  });
  if (opts.json) {
    io.out(JSON.stringify({ keystore: path, ...result }, null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  const lines = result.added.map((a) => `${paint.green('added')}    "${shown(a.alias)}"  ${shown(a.cert.subject)}  (SHA-256 ${a.cert.sha256})`);
  lines.push(...result.present.map((p) => `present  "${shown(p.alias)}"  ${shown(p.cert.subject)}  (already trusted; unchanged)`));
  io.out(`${result.createdKeystore ? 'Created' : 'Updated'} ${result.type} keystore ${shown(path)}\n${lines.join('\n')}\n`);
}
