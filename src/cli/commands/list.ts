/** mailcert list: options -> read the keystore -> report -> text or JSON. */
import type { Io } from '../../io.js';
import type { Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { readKeystoreFile } from '../../keystore/keystore.js';
import { listJson, listKeystore } from '../../core/list.js';
import { renderList } from '../../output/list.js';
import { painter } from '../../output/style.js';
import { usageError } from '../../errors.js';

export async function run(io: Io, opts: Opts): Promise<void> {
  const path = opts.keystore;
  if (typeof path !== 'string') throw usageError('list needs --keystore FILE', 'mailcert list --keystore james.jks');
  const passwords = new PasswordResolver(io, opts);
  const store = await readKeystoreFile(path, () => passwords.get('store', { purpose: `keystore ${path}` }));
  const full = opts.json === true || opts.verbose === true;
  const report = listKeystore(path, store, full ? (await import('../../core/cert-summary.js')).certSummary : undefined);
  if (opts.json) io.out(JSON.stringify(listJson(report), null, 2) + '\n');
  else if (!opts.quiet) io.out(renderList(report, opts.verbose === true, await painter(io, opts)));
}
