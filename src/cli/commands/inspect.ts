/** mailcert inspect: what a file (or - for standard input) is and holds (core/inspect.ts). */
import type { CommandDef, RunContext } from '../command.js';
import type { Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { reworded, WrongPassphrase } from '../../core/errors.js';
import { inspectBytes, inspectFile, type InspectSecrets } from '../../core/inspect.js';
import { inputLimits } from '../../keystore/limits.js';
import { showInspect } from '../../output/inspect.js';

export const command: CommandDef = {
  name: 'inspect',
  summary: 'show what a certificate, request, key, keystore, PKCS#7 or CRL file is and holds',
  examples: [
    'mailcert inspect mail.crt                  # subject, names, validity, usage, fingerprints',
    'mailcert inspect mail.key                  # type and size; an encrypted key stays encrypted',
    'mailcert inspect james.jks                 # entries; without a password the integrity is not checked',
    'mailcert inspect mail.p12 --storepass-env P12_PASS --json',
    'openssl s_client -connect mail.example.com:993 -showcerts </dev/null | mailcert inspect -',
    '# A PKCS#12 file needs its password (unless it has none); a JKS password only adds the integrity check.',
    '# An encrypted key is described without its passphrase; with --passin-* also its size and fingerprint.',
  ],
  arguments: [{ name: '<file>', description: 'any certificate, request, key, CRL, PKCS#7 or keystore file (PEM or DER; the type is read from the content)' }],
  options: [...passwordOptions('store', 'keystore password'), ...passwordOptions('passin', 'passphrase of an encrypted key (used only when given)')],
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts, { args }: RunContext): Promise<void> {
  const path = args[0];
  if (path === undefined) throw usageError('inspect needs a FILE', 'mailcert inspect mail.crt');
  const passwords = new PasswordResolver(io, opts);
  const fromStdin = path === '-';
  if (fromStdin && io.stdinIsTTY) throw usageError('inspect -: standard input is a terminal', 'pipe the file in: openssl s_client -showcerts ... | mailcert inspect -');
  if (fromStdin && (opts.storepassStdin === true || opts.passinStdin === true)) {
    throw usageError('inspect -: standard input carries the file, so it cannot carry a password too', 'give the password with --storepass-env VAR / --passin-env VAR or a --*-file FILE');
  }
  const name = fromStdin ? 'standard input' : path;
  const secrets = inspectSecrets(passwords, name);
  const inspecting = fromStdin ? inspectBytes(name, await io.readStdin({ limit: inputLimits.file, what: 'file' }), secrets) : inspectFile(path, secrets);
  const report = await inspecting.catch((e: unknown) => {
    throw inFlags(e);
  });
  await showInspect(io, opts, report);
}

/** The store password and the key's passphrase, asked for only as the content needs them. */
function inspectSecrets(passwords: PasswordResolver, name: string): InspectSecrets {
  const purpose = { purpose: `keystore ${name}` };
  return {
    storePassword: () => passwords.get('store', purpose),
    givenStorePassword: async () => (passwords.given('store') ? passwords.get('store', purpose) : undefined),
    givenPassin: async () => (passwords.given('passin') ? passwords.get('passin', { purpose: `key ${name}` }) : undefined),
  };
}

/** core/inspect's errors, in this command's flags. */
function inFlags(e: unknown): unknown {
  if (e instanceof WrongPassphrase) return reworded(e, e.message, 'check the passphrase given with --passin-env VAR or --passin-file FILE, or leave it out to inspect without decrypting');
  return e;
}
