/** mailcert rename: an entry under a new alias (keytool -changealias; core/rename.ts). */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { sharedInFlags } from '../flag-errors.js';
import { passwordHelp } from '../help.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { AliasTaken, reworded } from '../../core/errors.js';
import { AliasTooLong } from '../../keystore/errors.js';
import { renameEntry } from '../../core/rename.js';
import { showRename } from '../../output/rename.js';

export const command: CommandDef = {
  name: 'rename',
  summary: 'give an entry a new alias (keytool -changealias)',
  examples: [
    'mailcert rename -k james.jks --alias mykey --to james     # keytool\'s default alias, renamed',
    'mailcert rename -k truststore.p12 --alias "root ca" --to rootca',
    '# A key entry keeps its key and its key password; JKS stores aliases lowercased, as keytool does.',
  ],
  options: [
    keystoreOption('the keystore to change (JKS or PKCS#12; the type is read from the content and kept)'),
    { flags: '--alias <name>', description: 'the entry to rename (case-insensitive, as Java compares aliases)' },
    { flags: '--to <name>', description: 'its new alias' },
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
  const to = str(opts.to);
  if (path === undefined || alias === undefined || to === undefined) throw usageError('rename needs --keystore FILE, --alias OLD and --to NEW', 'mailcert rename -k james.jks --alias mykey --to james');
  const access = await keyAccess(opts);
  const passwords = new PasswordResolver(io, opts);
  const renaming = renameEntry({ path, alias, to, toSource: 'given', storePassword: () => passwords.get('store', { purpose: `keystore ${path}` }), access });
  const result = await renaming.catch((e: unknown) => {
    throw inFlags(e);
  });
  showRename(io, opts, path, result);
}

function inFlags(e: unknown): unknown {
  if (e instanceof AliasTaken) return reworded(e, e.message, 'choose another --to, or delete that entry first (mailcert delete --alias NAME)');
  if (e instanceof AliasTooLong && e.from === 'given') return reworded(e, `--to: the alias is too long for a JKS keystore: ${e.size}`, e.hint);
  return sharedInFlags(e);
}
