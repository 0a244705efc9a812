/** mailcert import-chain: root and intermediate CA certificates as trusted entries (core/import-chain.ts). */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { confirmer } from '../confirm.js';
import { sharedInFlags } from '../flag-errors.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { importChain } from '../../core/import-chain.js';
import { readCertificates } from '../../keystore/inputs.js';
import { showImportChain } from '../../output/import-chain.js';

export const command: CommandDef = {
  name: 'import-chain',
  summary: 'add root and intermediate CA certificates as trusted entries',
  examples: ['mailcert import-chain -k james.jks --file root-and-intermediate.pem'],
  options: [
    keystoreOption(),
    { flags: '--file <certs>', description: 'CA certificate(s): PEM bundle, DER or PKCS#7' },
    { flags: '--alias <name>', description: 'entry name (then -1, -2, ... for more)' },
    { flags: '-y, --yes', description: 'do not ask before trusting' },
    { flags: '--storetype <type>', description: 'type of a new keystore: jks or pkcs12' },
    ...keyAccessOptions('keystore'),
    ...passwordOptions('store', 'keystore password'),
  ],
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.ruleBroken, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const file = str(opts.file);
  if (path === undefined || file === undefined) throw usageError('import-chain needs --keystore FILE and --file CERTS', 'mailcert import-chain -k james.jks --file ca-chain.pem');
  const access = await keyAccess(opts);
  const passwords = new PasswordResolver(io, opts);
  // A user naming CA certificates for this command has decided to trust them; ask only on a terminal.
  const ask = confirmer(io, { ...opts, yes: opts.yes === true || !io.stdinIsTTY || opts.json === true });
  const importing = importChain({
    path,
    certs: readCertificates(file),
    alias: str(opts.alias),
    storetype: str(opts.storetype),
    storePassword: (isNew) => passwords.get('store', { purpose: `keystore ${path}`, confirm: isNew }),
    keyPassword: async (alias, storepass) => (passwords.given('key') ? passwords.get('key', { purpose: `key entry ${alias}` }) : storepass),
    confirm: ask,
    access,
  });
  const result = await importing.catch((e: unknown) => {
    throw sharedInFlags(e);
  });
  await showImportChain(io, opts, path, result);
}
