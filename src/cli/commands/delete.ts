/** mailcert delete: one entry out of a keystore (keytool -delete; core/delete.ts). */
import type { CommandDef } from '../command.js';
import { entryChange, entryChangeOptions } from '../entry-change.js';
import { passwordHelp } from '../help.js';
import type { Opts } from '../options.js';
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
  options: entryChangeOptions('the entry to remove'),
  moreHelp: passwordHelp,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const change = await entryChange(io, opts);
  if (change === undefined) throw usageError('delete needs --keystore FILE and --alias NAME', 'mailcert delete -k james.jks --alias old-root');
  await showDelete(io, opts, change.path, await deleteEntry(change));
}
