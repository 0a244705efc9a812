/** mailcert inspect: a file -> what it is and holds (core/inspect.ts) -> text or JSON. */
import type { Io } from '../io.js';
import type { Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { inspectFile, inspectJson } from '../../core/inspect.js';
import { renderInspect } from '../../output/inspect.js';
import { painter } from '../../output/style.js';
import { usageError } from '../../errors.js';

export async function run(io: Io, opts: Opts, args: string[]): Promise<void> {
  const path = args[0];
  if (path === undefined) throw usageError('inspect needs a FILE', 'mailcert inspect mail.crt');
  const passwords = new PasswordResolver(io, opts);
  const purpose = { purpose: `keystore ${path}` };
  const report = await inspectFile(path, {
    storePassword: () => passwords.get('store', purpose),
    givenStorePassword: async () => (passwords.given('store') ? passwords.get('store', purpose) : undefined),
    givenPassin: async () => (passwords.given('passin') ? passwords.get('passin', { purpose: `key ${path}` }) : undefined),
  });
  if (opts.json) io.out(JSON.stringify(inspectJson(report), null, 2) + '\n');
  else if (!opts.quiet) io.out(renderInspect(report, painter(io, opts)));
}
