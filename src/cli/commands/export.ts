/** mailcert export: a keystore into another keystore type, or a key entry into a PEM key and chain (core/export.ts). */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { mayOverwrite } from '../confirm.js';
import { sharedInFlags } from '../flag-errors.js';
import { passwordHelp } from '../help.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import { selectKeyEntry } from '../select.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import type { StoredKeyEntry, StoredTrustedEntry } from '../../codec/model.js';
import { NoCertificate, NoPrivateKey, reworded, TooManyServerKeys } from '../../core/errors.js';
import { checkNewFile, checkPemOutputs, convertKeystore, exportPem, type PemKeyFormat } from '../../core/export.js';
import { readKeystoreFile, typeForNewStore, type Keystore } from '../../keystore/keystore.js';
import { showConverted, showPem } from '../../output/export.js';

export const command: CommandDef = {
  name: 'export',
  summary: 'convert a keystore (JKS <-> PKCS#12), or write a key entry as a PEM key and chain',
  examples: [
    'mailcert export -k james.jks --out james.p12                        # every entry; same password',
    'mailcert export -k mail.p12 --out mail.jks --passout-env NEW_PASS',
    'mailcert export -k james.jks --key-out /etc/dovecot/private/mail.key --cert-out /etc/dovecot/mail.crt',
    '# --out keeps the store password (keys too) unless --passout-* gives a new one.',
    '# The way back, a PEM key and chain into a keystore:',
    'mailcert import -k james.jks --key mail.key --file mail.crt',
  ],
  options: [
    keystoreOption('the keystore to read (JKS, JCEKS or PKCS#12; the type is read from the content)'),
    { flags: '--out <file>', description: 'write a new keystore with every entry (or only --alias) here' },
    { flags: '--storetype <type>', description: 'type of --out (default from the extension: .jks/.keystore/.ks, .p12/.pfx)', choices: ['jks', 'pkcs12'] },
    { flags: '--key-out <file>', description: "write the key entry's private key here (PEM, mode 0600)" },
    { flags: '--cert-out <file>', description: "write the entry's certificate chain here (PEM, leaf first)" },
    { flags: '--format <format>', description: 'encoding of --key-out', choices: ['pkcs8', 'pkcs1', 'sec1'], default: 'pkcs8' },
    { flags: '--alias <name>', description: 'only this entry (for --key-out: default the one key entry)' },
    ...keyAccessOptions('key file or keystore'),
    ...passwordOptions('store', 'keystore password'),
    ...passwordOptions('key', 'key password (default: the store password)'),
    ...passwordOptions('passout', 'new password (for --out, or to encrypt --key-out)'),
  ],
  moreHelp: passwordHelp,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.ruleBroken, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const out = str(opts.out);
  const keyOut = str(opts.keyOut);
  const certOut = str(opts.certOut);
  const alias = str(opts.alias);
  const format = (str(opts.format) ?? 'pkcs8') as PemKeyFormat;
  const force = await mayOverwrite(io, opts, [out, keyOut, certOut]);
  if (path === undefined) throw usageError('export needs --keystore FILE', 'mailcert export -k james.jks --out james.p12');
  if ((out === undefined) === (keyOut === undefined && certOut === undefined)) {
    throw usageError('give --out FILE (another keystore) or --key-out FILE / --cert-out FILE (PEM), not both', 'mailcert export -k james.jks --key-out mail.key --cert-out mail.crt');
  }
  // Every usage and "exists" error before the first password is asked.
  const outType = out === undefined ? undefined : typeForNewStore(out, str(opts.storetype));
  if (out === '-') throw usageError('a keystore cannot be written to standard output', 'give --out a file name (.jks or .p12)');
  if (out !== undefined) checkNewFile(out, force, 'keystore');
  else checkPemOutputs({ keyOut, certOut, format: 'pkcs8', force });
  const access = await keyAccess(opts);

  const passwords = new PasswordResolver(io, opts);
  if (keyOut !== undefined && format !== 'pkcs8' && passwords.given('passout')) {
    throw usageError(`--passout encrypts the key as PKCS#8; --format ${format} keys are written unencrypted`, 'leave out --format, or leave out --passout-*');
  }
  const store = await readKeystoreFile(path, () => passwords.get('store', { purpose: `keystore ${path}` }));
  const source = { path, store };
  if (out !== undefined && outType !== undefined) {
    const converting = convertKeystore({
      source,
      out,
      outType,
      alias,
      force,
      access,
      keyPassword: (a) => passwords.key({ purpose: `key entry ${a} in ${path}` }),
      storePassword: () => passwords.get('store', { purpose: `keystore ${path}` }),
      // The destination reuses the store password unless --passout-* names a new one.
      outPassword: () => (passwords.given('passout') ? passwords.get('passout', { purpose: `new keystore ${out}`, confirm: true }) : passwords.get('store', { purpose: `keystore ${path}` })),
    });
    showConverted(io, opts, await converting.catch((e: unknown) => {
      throw inFlags(e);
    }));
    return;
  }
  const entry = pickEntry(path, store, alias, keyOut === undefined);
  const exporting = exportPem({
    source,
    entry,
    keyOut,
    certOut,
    format,
    force,
    access,
    keyPassword: () => passwords.key({ purpose: `key entry ${entry.alias} in ${path}` }),
    passout: async () => (passwords.given('passout') ? passwords.get('passout', { purpose: `key file ${keyOut ?? ''}`, confirm: true }) : undefined),
    toStdout: (data) => io.out(data),
  });
  showPem(io, opts, await exporting.catch((e: unknown) => {
    throw inFlags(e);
  }));
}

/** The key entry (--alias or the only one); with --cert-out alone, --alias may name a trusted certificate. */
function pickEntry(path: string, store: Keystore, alias: string | undefined, certOnly: boolean): StoredKeyEntry | StoredTrustedEntry {
  if (certOnly && alias !== undefined) {
    const trusted = store.entries.find((e): e is StoredTrustedEntry => e.kind === 'trusted' && e.alias.toLowerCase() === alias.toLowerCase());
    if (trusted !== undefined) return trusted;
  }
  return selectKeyEntry(path, store, alias);
}

/** core/export's errors, in this command's flags. */
function inFlags(e: unknown): unknown {
  if (e instanceof TooManyServerKeys) {
    return reworded(e, e.message, `export one server key per keystore: add --alias NAME (one of ${e.aliases.map((a) => `"${a}"`).join(', ')}), or use --key-out/--cert-out`);
  }
  if (e instanceof NoPrivateKey) return reworded(e, e.message, 'export it with --cert-out alone');
  if (e instanceof NoCertificate) return reworded(e, e.message, 'install the certificate first (mailcert import), or leave out --cert-out');
  return sharedInFlags(e);
}
