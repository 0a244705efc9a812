/**
 * mailcert passwd: a keystore's store password and key passwords (keytool -storepasswd and
 * -keypasswd; core/passwd.ts). New passwords come from --new-storepass-* / --new-keypass-*, or a
 * prompt asked twice on a terminal; never required on the command line.
 */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { KeyPasswordNeeded, NoPrivateKey, reworded, TooManyServerKeys } from '../../core/errors.js';
import { changePasswords, type PasswdInput } from '../../core/passwd.js';
import { showPasswd } from '../../output/passwd.js';

export const command: CommandDef = {
  name: 'passwd',
  summary: "change a keystore's store password or a key entry's password (keytool -storepasswd, -keypasswd)",
  examples: [
    'mailcert passwd -k james.jks --new-storepass-env NEW_PASS      # keys under the old store password follow it',
    'mailcert passwd -k james.jks --keypass-to-storepass --keypass-env KEY_PASS   # Apache James: one password for both',
    'mailcert passwd -k james.jks --alias james --new-keypass-file key.pass       # one key entry (JKS or PKCS#12)',
    'mailcert passwd -k mail.p12                                   # on a terminal: asks the new password twice',
  ],
  options: [
    keystoreOption('the keystore to change (JKS or PKCS#12; the type is read from the content and kept)'),
    ...passwordOptions('newstore', 'new store password'),
    { flags: '--alias <name>', description: 'change the password of this key entry (its new one: --new-keypass-*)' },
    ...passwordOptions('newkey', 'new key password of --alias'),
    { flags: '--keypass-to-storepass', description: "give every key entry the store password (the new one, if it changes): what Apache James and Hedwig need" },
    ...keyAccessOptions('keystore'),
    ...passwordOptions('store', 'current keystore password'),
    ...passwordOptions('key', 'current key password (of a key the store password does not open)'),
  ],
  moreHelp: `
What changes: the store password when --new-storepass-* is given, or when nothing else is asked
(on a terminal the new one is asked for, twice); a key entry's password with --alias and
--new-keypass-*; every key's with --keypass-to-storepass. A key under the old store password follows
the new one (keytool leaves a JKS key behind, and James then cannot open it); a key with a password
of its own keeps it unless asked. A PKCS#12 key may have a password of its own too, as the JDK's
KeyStore API gives one (keytool refuses -keypasswd on PKCS#12; Java reads the key with the key
password). Nothing is written when nothing changes.

Passwords: current ones with --storepass-* / --keypass-* (MAILCERT_STOREPASS, MAILCERT_KEYPASS), new
ones with --new-storepass-* / --new-keypass-* (MAILCERT_NEW_STOREPASS, MAILCERT_NEW_KEYPASS); only
one of them from standard input.
`,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  if (path === undefined) throw usageError('passwd needs --keystore FILE', 'mailcert passwd -k james.jks --new-storepass-env NEW_PASS');
  const passwords = new PasswordResolver(io, opts);
  const alias = str(opts.alias);
  const toStore = opts.keypassToStorepass === true;
  const keyAsked = alias !== undefined || passwords.given('newkey');
  if (keyAsked && toStore) throw usageError('--keypass-to-storepass sets every key password: leave out --alias and --new-keypass-*, or it');
  const storeAsked = passwords.given('newstore') || (!keyAsked && !toStore);
  const access = await keyAccess(opts);
  const input: PasswdInput = {
    path,
    storePassword: () => passwords.get('store', { purpose: `keystore ${path}` }),
    keypassToStorepass: toStore,
    keyPassword: {
      given: async () => (passwords.given('key') ? passwords.get('key', { purpose: `key entry in ${path}` }) : undefined),
      ask: (a) => passwords.find('key', { purpose: `key entry ${a} in ${path}` }),
    },
    ...(access === undefined ? {} : { access }),
    ...(storeAsked ? { newStorePassword: () => passwords.get('newstore', { purpose: `keystore ${path}`, confirm: true }) } : {}),
    ...(keyAsked ? { newKeyPassword: { ...(alias === undefined ? {} : { alias }), password: () => passwords.get('newkey', { purpose: alias === undefined ? `the key entry in ${path}` : `key entry ${alias} in ${path}`, confirm: true }) } } : {}),
  };
  const result = await changePasswords(input).catch((e: unknown) => {
    throw inFlags(e);
  });
  await showPasswd(io, opts, path, result);
}

/** core/passwd's errors, in this command's flags. */
function inFlags(e: unknown): unknown {
  if (e instanceof KeyPasswordNeeded) return reworded(e, e.message, 'give its current password with --keypass-env VAR or --keypass-file FILE');
  if (e instanceof NoPrivateKey) return reworded(e, e.message, 'passwd changes the passwords of private-key entries: --alias names one');
  if (e instanceof TooManyServerKeys) return reworded(e, e.message, `name the key entry with --alias (one of ${e.aliases.map((a) => `"${a}"`).join(', ')})`);
  return e;
}
