/** mailcert delete: one entry out of a keystore (keytool -delete; core/delete.ts). */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { passwordHelp } from '../help.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { deleteEntry } from '../../core/delete.js';
import { showDelete } from '../../output/delete.js';

export const command: CommandDef = {
  name: 'delete',
  summary: 'remove an entry from a keystore (keytool -delete)',
  examples: [
    'mailcert delete -k james.jks --alias old-root',
    'mailcert delete -k mail.p12 --alias mail --json     # what went: {"alias", "kind", "cert", "left"}',
    '# Renewing a server key needs no delete: mailcert import -k james.jks --key new.key --file new.pem --replace',
  ],
  options: [
    keystoreOption('the keystore to change (JKS or PKCS#12; the type is read from the content and kept)'),
    { flags: '--alias <name>', description: 'the entry to remove (case-insensitive, as Java compares aliases)' },
    ...keyAccessOptions('keystore'),
    ...passwordOptions('store', 'keystore password'),
  ],
  moreHelp: passwordHelp,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const alias = str(opts.alias);
  if (path === undefined || alias === undefined) throw usageError('delete needs --keystore FILE and --alias NAME', 'mailcert delete -k james.jks --alias old-root');
  const access = await keyAccess(opts);
  const passwords = new PasswordResolver(io, opts);
  const deleting = deleteEntry({ path, alias, storePassword: () => passwords.get('store', { purpose: `keystore ${path}` }), access });
  await showDelete(io, opts, path, await deleting);
}
