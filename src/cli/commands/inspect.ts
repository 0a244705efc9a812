/** mailcert inspect: a file (or - for standard input) -> what it is and holds (core/inspect.ts) -> text or JSON. */
import type { Io } from '../../io.js';
import type { Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { inspectBytes, inspectFile, inspectJson } from '../../core/inspect.js';
import { renderInspect } from '../../output/inspect.js';
import { painter } from '../../output/style.js';
import { usageError } from '../../errors.js';
import { inputLimits } from '../../keystore/limits.js';

export async function run(io: Io, opts: Opts, args: string[]): Promise<void> {
  const path = args[0];
  if (path === undefined) throw usageError('inspect needs a FILE', 'mailcert inspect mail.crt');
  const passwords = new PasswordResolver(io, opts);
  const fromStdin = path === '-';
  if (fromStdin && io.stdinIsTTY) throw usageError('inspect -: standard input is a terminal', 'pipe the file in: openssl s_client -showcerts ... | mailcert inspect -');
  if (fromStdin && (opts.storepassStdin === true || opts.passinStdin === true)) {
    throw usageError('inspect -: standard input carries the file, so it cannot carry a password too', 'give the password with --storepass-env VAR / --passin-env VAR or a --*-file FILE');
  }
  const name = fromStdin ? 'standard input' : path;
  const purpose = { purpose: `keystore ${name}` };
  const secrets = {
    storePassword: () => passwords.get('store', purpose),
    givenStorePassword: async () => (passwords.given('store') ? passwords.get('store', purpose) : undefined),
    givenPassin: async () => (passwords.given('passin') ? passwords.get('passin', { purpose: `key ${name}` }) : undefined),
  };
  const report = fromStdin ? await inspectBytes(name, await io.readStdin({ limit: inputLimits.file, what: 'file' }), secrets) : await inspectFile(path, secrets);
  if (opts.json) io.out(JSON.stringify(inspectJson(report), null, 2) + '\n');
  else if (!opts.quiet) io.out(renderInspect(report, await painter(io, opts)));
}
