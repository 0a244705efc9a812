/**
 * mailcert import: a CA's reply for the server key, a PEM key and certificate, or a trusted
 * certificate, into a keystore (core/import.ts); with --replace, a renewal: the new key and chain
 * (a PEM pair, or the key entry of a staged keystore, --from-keystore) take the place of the
 * server key entry (core/renew.ts).
 */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { confirmer } from '../confirm.js';
import { sharedInFlags } from '../flag-errors.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { IssuerMissing, KeyPasswordNeeded, NoCertificateForKey, NotInChain, reworded, RootNotTrusted, ServerKeyPresent, TooManyServerKeys } from '../../core/errors.js';
import { importCertificates } from '../../core/import.js';
import { damagedPart } from '../../keystore/damaged.js';
import { readCertificates, readPrivateKey } from '../../keystore/inputs.js';
import { readKeystoreFile, recoverKey } from '../../keystore/keystore.js';
import { selectKeyEntry } from '../select.js';
import { showImport } from '../../output/import.js';

export const command: CommandDef = {
  name: 'import',
  summary: "install a CA's reply, bring in or renew (--replace) the server key and chain, or add a trusted certificate",
  examples: [
    'mailcert import -k james.jks --file reply.pem              # CA reply: chain built and stored leaf -> root',
    'mailcert import -k client.ks --file server.pem --yes       # a Java client truststore',
    'mailcert import -k mail.p12 --key mail.key --file mail.crt # bring a PEM key and certificate in',
    '# Renewal: the new key and chain replace the server key entry; alias, type and passwords stay.',
    'mailcert import -k james.jks --key privkey.pem --file fullchain.pem --replace',
    'mailcert import -k james.jks --from-keystore next.jks --replace   # keytool -importkeystore -srckeystore next.jks',
  ],
  options: [
    keystoreOption(),
    { flags: '--file <cert>', description: 'certificate(s): PEM bundle, DER or PKCS#7' },
    { flags: '--alias <name>', description: 'entry name' },
    { flags: '--key <file>', description: 'a PEM private key to import with --file' },
    { flags: '--from-keystore <keystore>', description: 'take the key and chain from the key entry of this keystore (its password: --passin-*, default the store password)' },
    { flags: '--from-alias <name>', description: 'the key entry of --from-keystore (default: its one key entry)' },
    { flags: '--replace', description: 'renew: the new key and chain replace the server key entry, keeping its alias and passwords' },
    { flags: '--trustcacerts', description: "also trust Node's bundled Mozilla root certificates when building the chain" },
    { flags: '-y, --yes', description: 'do not ask before trusting a certificate' },
    { flags: '--storetype <type>', description: 'type of a new keystore: jks or pkcs12' },
    ...keyAccessOptions('keystore'),
    ...passwordOptions('store', 'keystore password'),
    ...passwordOptions('key', 'key password'),
    ...passwordOptions('passin', 'password of an encrypted --key, or of --from-keystore'),
  ],
  moreHelp: `
A renewal (--replace) keeps the entry's alias (unless --alias), the store type, the store password
and the key password: a key with a password of its own gets it again (given with --keypass-*, or
asked for). A key that does not match its certificate, or a --file with certificates of another
chain, is refused before anything is written.
`,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.ruleBroken, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const fromKeystore = str(opts.fromKeystore);
  const keyFile = str(opts.key);
  const given = str(opts.file);
  if (path === undefined || (given === undefined && fromKeystore === undefined)) {
    throw usageError('import needs --keystore FILE and --file CERT (or --from-keystore FILE)', 'mailcert import -k james.jks --file reply.pem');
  }
  if (fromKeystore !== undefined && (given !== undefined || keyFile !== undefined)) {
    throw usageError('--from-keystore brings its own key and chain: leave out --key and --file', 'mailcert import -k james.jks --from-keystore next.jks --replace');
  }
  const replace = opts.replace === true;
  if (replace && keyFile === undefined && fromKeystore === undefined) {
    throw usageError('--replace renews the server key: give the new key with --key KEY --file CHAIN, or --from-keystore FILE', 'mailcert import -k james.jks --key privkey.pem --file fullchain.pem --replace');
  }
  const access = await keyAccess(opts);
  const passwords = new PasswordResolver(io, opts);
  let file = given ?? '';
  let certs: Uint8Array[];
  let key: Uint8Array | undefined;
  if (fromKeystore !== undefined) {
    ({ key, certs } = await keyEntryOf(fromKeystore, str(opts.fromAlias), passwords, path));
    file = fromKeystore;
  } else {
    certs = readCertificates(file);
    key = keyFile === undefined ? undefined : (await readPrivateKey(keyFile, () => passwords.get('passin', { purpose: `key ${keyFile}` }))).pkcs8;
  }
  const importing = importCertificates({
    path,
    certs,
    key,
    alias: str(opts.alias),
    storetype: str(opts.storetype),
    trustcacerts: opts.trustcacerts === true,
    storePassword: (isNew) => passwords.get('store', { purpose: `keystore ${path}`, confirm: isNew }),
    keyPassword: async (alias, storepass) => (passwords.given('key') ? passwords.get('key', { purpose: `key entry ${alias}` }) : storepass),
    confirm: confirmer(io, opts),
    access,
    ...(replace
      ? {
          replace: {
            given: async () => (passwords.given('key') ? passwords.get('key', { purpose: `key entry in ${path}` }) : undefined),
            ask: (alias: string) => passwords.find('key', { purpose: `key entry ${alias} in ${path}` }),
          },
        }
      : {}),
  });
  const result = await importing.catch((e: unknown) => {
    // --file and --key name themselves when damaged; a codec error left over is about the keystore's certificates.
    throw damagedPart(inFlags(e), path, 'a certificate in the keystore');
  });
  await showImport(io, opts, path, file, result);
}

/**
 * The key and chain of a staged keystore's key entry (keytool -importkeystore -srckeystore): its
 * password is --passin-*, else the store password of the keystore being updated (a staged copy
 * made with the same MAILCERT_STOREPASS), and opens its key too.
 */
async function keyEntryOf(from: string, alias: string | undefined, passwords: PasswordResolver, path: string): Promise<{ key: Uint8Array; certs: Uint8Array[] }> {
  const password = (): Promise<string> => (passwords.given('passin') ? passwords.get('passin', { purpose: `keystore ${from}` }) : passwords.get('store', { purpose: `keystore ${path}` }));
  const store = await readKeystoreFile(from, password);
  const entry = selectKeyEntry(from, store, alias);
  if (entry.chain.length === 0) throw usageError(`${from}: key entry "${entry.alias}" holds no certificate`, `install the CA's reply in it first: mailcert import -k ${from} --file reply.pem`);
  return { key: await recoverKey(from, store.type, entry, password), certs: entry.chain };
}

/** core/import's errors, in this command's flags. */
function inFlags(e: unknown): unknown {
  if (e instanceof ServerKeyPresent) return reworded(e, e.message, `to renew the server key "${e.alias}", add --replace: the new key and chain take its place, with its alias and passwords`);
  if (e instanceof KeyPasswordNeeded) return reworded(e, e.message, 'the renewed key keeps that password: give it with --keypass-env VAR or --keypass-file FILE');
  if (e instanceof NotInChain) return reworded(e, `--file: ${e.message}`, 'give the certificate issued for this key and its intermediates (fullchain.pem), nothing else');
  if (e instanceof TooManyServerKeys) return reworded(e, e.message, `a keystore holds one server key: delete the others first (mailcert delete --alias NAME, one of ${e.aliases.map((a) => `"${a}"`).join(', ')}), then renew`);
  if (e instanceof NoCertificateForKey) return reworded(e, `none of the ${e.count} certificate(s) in --file matches the key in --key`, 'give the certificate issued for this key');
  if (e instanceof IssuerMissing) return reworded(e, e.message, 'give the CA bundle with the intermediate(s) in --file, or first run mailcert import-chain --file ca-chain.pem');
  if (e instanceof RootNotTrusted) return reworded(e, e.message, 'trust the root first: mailcert import-chain --file root.pem');
  return sharedInFlags(e);
}
