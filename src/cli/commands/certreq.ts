/** mailcert certreq: a PKCS#10 request for a keystore's key entry or a PEM key (core/certreq.ts). */
import type { CommandDef } from '../command.js';
import { shown } from '../../display.js';
import { keystoreOption } from '../command.js';
import { mayOverwrite } from '../confirm.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import { selectKeyEntry } from '../select.js';
import { sanOption, subjectInFlags, subjectOptions } from '../subject.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { makeCertreq, writeCertreq, type Certreq } from '../../core/certreq.js';
import { damagedPart } from '../../keystore/damaged.js';
import { readPrivateKey } from '../../keystore/inputs.js';
import { readKeystoreFile, recoverKey } from '../../keystore/keystore.js';
import { showCertreq } from '../../output/certreq.js';

export const command: CommandDef = {
  name: 'certreq',
  summary: 'make a certificate signing request (PKCS#10) for a keystore entry or a PEM key',
  examples: ['mailcert certreq -k james.jks --out james.csr', 'mailcert certreq --key mail.key --cn mail.example.com --san DNS:smtp.example.com > mail.csr'],
  options: [
    keystoreOption(),
    { flags: '--alias <name>', description: 'the key entry (default: the one key entry)' },
    { flags: '--key <file>', description: 'a PEM or DER private key instead of a keystore' },
    { flags: '--cn <name>', description: 'subject CN (default: from the entry certificate)' },
    { flags: '--dname <dn>', description: 'full subject, keytool syntax' },
    { flags: '--san <list>', description: 'subjectAltNames to request: DNS:name,IP:address,...' },
    { flags: '--out <file>', description: 'write the request here (default: standard output)' },
    ...passwordOptions('store', 'keystore password'),
    ...passwordOptions('key', 'key password (default: the store password)'),
    ...passwordOptions('passin', 'password of an encrypted --key'),
  ],
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const keystore = str(opts.keystore);
  const keyFile = str(opts.key);
  if ((keystore === undefined) === (keyFile === undefined)) throw usageError('give --keystore FILE or --key FILE (one of them)');
  const san = sanOption(str(opts.san));
  const [cn, dname] = [str(opts.cn), str(opts.dname)];
  // Without --cn or --dname the subject and names are the entry certificate's.
  const subject = cn === undefined && dname === undefined ? undefined : subjectOptions(cn, dname, san);
  const passwords = new PasswordResolver(io, opts);
  let pkcs8: Uint8Array;
  let leaf: Uint8Array | undefined;
  let label = shown(keyFile ?? '');
  if (keystore !== undefined) {
    const store = await readKeystoreFile(keystore, () => passwords.get('store', { purpose: `keystore ${keystore}` }));
    const entry = selectKeyEntry(keystore, store, str(opts.alias));
    pkcs8 = await recoverKey(keystore, store.type, entry, () => passwords.key({ purpose: `key entry ${entry.alias}` }));
    leaf = entry.chain[0];
    label = `${shown(keystore)}: key entry "${shown(entry.alias)}"`;
  } else {
    if (subject === undefined) throw usageError('with --key, give the subject: --cn mail.example.com (or --dname "CN=...")');
    pkcs8 = (await readPrivateKey(keyFile as string, () => passwords.get('passin', { purpose: `key ${keyFile as string}` }))).pkcs8;
  }
  let req: Certreq;
  try {
    req = makeCertreq({ pkcs8, leaf, subject, san, label });
  } catch (e) {
    // Without --cn/--dname the subject comes from the entry's certificate, the one input not parsed before.
    throw subject === undefined && keystore !== undefined ? damagedPart(e, keystore, 'the certificate of the key entry') : subjectInFlags(e);
  }
  const out = str(opts.out);
  const replace = await mayOverwrite(io, opts, [out]);
  // With --json the document takes standard output, so the request goes to --out alone.
  const file = out !== undefined && (opts.json === true || out !== '-') ? out : undefined;
  if (file !== undefined) writeCertreq(file, req, replace);
  showCertreq(io, opts, req, file);
}
