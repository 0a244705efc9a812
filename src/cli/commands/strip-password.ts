/** mailcert strip-password: a private key (a key file or a keystore's key entry) written without its passphrase. */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { mayOverwrite } from '../confirm.js';
import { sharedInFlags } from '../flag-errors.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import { selectKeyEntry } from '../select.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { checkOutputs, writeStripped, type KeyFormat, type KeyToStrip, type StripOutput, type StripResult } from '../../core/strip-password.js';
import { readPrivateKey } from '../../keystore/inputs.js';
import { readKeystoreFile, recoverKey } from '../../keystore/keystore.js';
import { showStripped } from '../../output/strip-password.js';

export const command: CommandDef = {
  name: 'strip-password',
  summary: 'write a private key without a passphrase (hMailServer, Dovecot, Exim)',
  examples: [
    'mailcert strip-password --in mail.key --out mail-nopass.key --passin-env KEY_PASS',
    'mailcert strip-password -k james.jks --out mail.key --format pkcs1',
    'mailcert strip-password --in mail.key --out /etc/exim4/exim.key --key-group Debian-exim --key-mode 0640',
  ],
  options: [
    { flags: '--in <file>', description: 'an encrypted private key (PKCS#8, traditional PEM or DER)' },
    { flags: '--out <file>', description: 'where to write the unencrypted key (mode 0600)' },
    { flags: '--alias <name>', description: 'the key entry (default: the one key entry)' },
    { flags: '--format <format>', description: 'output encoding', choices: ['pkcs8', 'pkcs1', 'sec1', 'der'], default: 'pkcs8' },
    { flags: '--cert-out <file>', description: "also write the entry's certificate chain (PEM, leaf first)" },
    keystoreOption(),
    ...keyAccessOptions('key file'),
    ...passwordOptions('passin', 'passphrase of the --in key'),
    ...passwordOptions('store', 'keystore password'),
    ...passwordOptions('key', 'key password (default: the store password)'),
  ],
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const input = str(opts.in);
  const keystore = str(opts.keystore);
  const keyOut = str(opts.out);
  if ((input === undefined) === (keystore === undefined)) throw usageError('give --in KEY or --keystore FILE (one of them)');
  if (keyOut === undefined) throw usageError('strip-password needs --out FILE', 'mailcert strip-password --in mail.key --out mail-nopass.key');
  const certOut = str(opts.certOut);
  const out: StripOutput = { keyOut, certOut, format: (str(opts.format) ?? 'pkcs8') as KeyFormat, force: await mayOverwrite(io, opts, [keyOut, certOut]), access: await keyAccess(opts) };
  checkOutputs(out);
  const passwords = new PasswordResolver(io, opts);
  if (input !== undefined && certOut !== undefined) throw usageError('--cert-out needs --keystore (a key file holds no certificate)');
  const key = input !== undefined ? await fromKeyFile(input, passwords) : await fromKeystore(keystore as string, str(opts.alias), passwords);
  let result: StripResult;
  try {
    result = writeStripped(out, key, (data) => io.out(data));
  } catch (e) {
    throw sharedInFlags(e);
  }
  showStripped(io, opts, result);
}

async function fromKeyFile(file: string, passwords: PasswordResolver): Promise<KeyToStrip> {
  const key = await readPrivateKey(file, () => passwords.get('passin', { purpose: `key ${file}` }));
  return { pkcs8: key.pkcs8, chain: [], from: `${file} (${key.form})`, file, wasEncrypted: key.encrypted };
}

async function fromKeystore(path: string, alias: string | undefined, passwords: PasswordResolver): Promise<KeyToStrip> {
  const store = await readKeystoreFile(path, () => passwords.get('store', { purpose: `keystore ${path}` }));
  const entry = selectKeyEntry(path, store, alias);
  const pkcs8 = await recoverKey(path, store.type, entry, () => passwords.key({ purpose: `key entry ${entry.alias}` }));
  return { pkcs8, chain: entry.chain, from: `${store.type} keystore ${path}, entry "${entry.alias}"`, wasEncrypted: true };
}
