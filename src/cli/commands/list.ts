/** mailcert list: the entries of a keystore, as `keytool -list [-v]` shows them. */
import type { CommandDef } from '../command.js';
import { keystoreOption } from '../command.js';
import type { Opts } from '../options.js';
import { passwordHelp } from '../help.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { listKeystore } from '../../core/list.js';
import { readKeystoreFile } from '../../keystore/keystore.js';
import { showList } from '../../output/list.js';

export const command: CommandDef = {
  name: 'list',
  summary: 'list the entries of a keystore (what keytool -list shows)',
  examples: [
    'mailcert list -k james.jks',
    'mailcert list -k james.jks -v                 # every certificate of every chain',
    'mailcert list -k cacerts --storepass-env P --json',
  ],
  options: [
    keystoreOption(),
    { flags: '-v, --verbose', description: 'show every certificate of each chain with its validity and fingerprints' },
    ...passwordOptions('store', 'keystore password'),
  ],
  moreHelp: passwordHelp,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const path = opts.keystore;
  if (typeof path !== 'string') throw usageError('list needs --keystore FILE', 'mailcert list --keystore james.jks');
  const verbose = opts.verbose === true;
  const passwords = new PasswordResolver(io, opts);
  const store = await readKeystoreFile(path, () => passwords.get('store', { purpose: `keystore ${path}` }));
  // Certificates are parsed (and the X.509 code loaded) only when they are shown.
  const summarize = opts.json === true || verbose ? (await import('../../core/cert-summary.js')).certSummary : undefined;
  await showList(io, opts, listKeystore(path, store, summarize), verbose);
}
