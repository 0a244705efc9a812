/** mailcert import: a CA's reply for the server key, a PEM key and certificate, or a trusted certificate, into a keystore (core/import.ts). */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { confirmer } from '../confirm.js';
import { sharedInFlags } from '../flag-errors.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { IssuerMissing, NoCertificateForKey, reworded, RootNotTrusted } from '../../core/errors.js';
import { importCertificates } from '../../core/import.js';
import { damagedPart } from '../../keystore/damaged.js';
import { readCertificates, readPrivateKey } from '../../keystore/inputs.js';
import { showImport } from '../../output/import.js';

export const command: CommandDef = {
  name: 'import',
  summary: "install a CA's reply for the server key, or add a trusted certificate",
  examples: [
    'mailcert import -k james.jks --file reply.pem              # CA reply: chain built and stored leaf -> root',
    'mailcert import -k client.ks --file server.pem --yes       # a Java client truststore',
    'mailcert import -k mail.p12 --key mail.key --file mail.crt # bring a PEM key and certificate in',
  ],
  options: [
    keystoreOption(),
    { flags: '--file <cert>', description: 'certificate(s): PEM bundle, DER or PKCS#7' },
    { flags: '--alias <name>', description: 'entry name' },
    { flags: '--key <file>', description: 'a PEM private key to import with --file' },
    { flags: '--trustcacerts', description: "also trust Node's bundled Mozilla root certificates when building the chain" },
    { flags: '-y, --yes', description: 'do not ask before trusting a certificate' },
    { flags: '--storetype <type>', description: 'type of a new keystore: jks or pkcs12' },
    ...keyAccessOptions('keystore'),
    ...passwordOptions('store', 'keystore password'),
    ...passwordOptions('key', 'key password'),
    ...passwordOptions('passin', 'password of an encrypted --key'),
  ],
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.ruleBroken, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const file = str(opts.file);
  if (path === undefined || file === undefined) throw usageError('import needs --keystore FILE and --file CERT', 'mailcert import -k james.jks --file reply.pem');
  const access = await keyAccess(opts);
  const passwords = new PasswordResolver(io, opts);
  const certs = readCertificates(file);
  const keyFile = str(opts.key);
  const key = keyFile === undefined ? undefined : (await readPrivateKey(keyFile, () => passwords.get('passin', { purpose: `key ${keyFile}` }))).pkcs8;
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
  });
  const result = await importing.catch((e: unknown) => {
    // --file and --key name themselves when damaged; a codec error left over is about the keystore's certificates.
    throw damagedPart(inFlags(e), path, 'a certificate in the keystore');
  });
  await showImport(io, opts, path, file, result);
}

/** core/import's errors, in this command's flags. */
function inFlags(e: unknown): unknown {
  if (e instanceof NoCertificateForKey) return reworded(e, `none of the ${e.count} certificate(s) in --file matches the key in --key`, 'give the certificate issued for this key');
  if (e instanceof IssuerMissing) return reworded(e, e.message, 'give the CA bundle with the intermediate(s) in --file, or first run mailcert import-chain --file ca-chain.pem');
  if (e instanceof RootNotTrusted) return reworded(e, e.message, 'trust the root first: mailcert import-chain --file root.pem');
  return sharedInFlags(e);
}
