/** mailcert rename: an entry under a new alias (keytool -changealias; core/rename.ts). */
import type { CommandDef } from '../command.js';
import { entryChange, entryChangeOptions } from '../entry-change.js';
import { sharedInFlags } from '../flag-errors.js';
import { passwordHelp } from '../help.js';
import { str, type Opts } from '../options.js';
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
  options: entryChangeOptions('the entry to rename', { flags: '--to <name>', description: 'its new alias' }),
  moreHelp: passwordHelp,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const to = str(opts.to);
  const change = to === undefined ? undefined : await entryChange(io, opts);
  if (to === undefined || change === undefined) throw usageError('rename needs --keystore FILE, --alias OLD and --to NEW', 'mailcert rename -k james.jks --alias mykey --to james');
  const result = await renameEntry({ ...change, to, toSource: 'given' }).catch((e: unknown) => {
    throw inFlags(e);
  });
  showRename(io, opts, change.path, result);
}

function inFlags(e: unknown): unknown {
  if (e instanceof AliasTaken) return reworded(e, e.message, 'choose another --to, or delete that entry first (mailcert delete --alias NAME)');
  if (e instanceof AliasTooLong && e.from === 'given') return reworded(e, `--to: the alias is too long for a JKS keystore: ${e.size}`, e.hint);
  return sharedInFlags(e);
}
