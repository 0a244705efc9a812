/** mailcert import: options -> certificates (+ key) -> core import -> summary or JSON. */
import type { Io } from '../../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { confirmer } from '../confirm.js';
import { keyAccess } from '../key-access.js';
import { importCertificates } from '../../core/import.js';
import { readCertificates, readPrivateKey } from '../../keystore/inputs.js';
import { damagedPart } from '../../keystore/damaged.js';
import { usageError } from '../../errors.js';
import { shown } from '../../display.js';
import { painter } from '../../output/style.js';
import { renderCertLines } from '../../output/summary.js';

export async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const file = str(opts.file);
  if (path === undefined || file === undefined) throw usageError('import needs --keystore FILE and --file CERT', 'mailcert import -k james.jks --file reply.pem');
  const access = await keyAccess(opts);
  const passwords = new PasswordResolver(io, opts);
  const certs = readCertificates(file);
  const keyFile = str(opts.key);
  const key = keyFile === undefined ? undefined : (await readPrivateKey(keyFile, () => passwords.get('passin', { purpose: `key ${keyFile}` }))).pkcs8;
  // --file and --key name themselves when damaged; a codec error left over is about the keystore's certificates.
  const result = await importCertificates({
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
  }).catch((e: unknown) => {
    throw damagedPart(e, path, 'a certificate in the keystore');
  });
  if (opts.json) {
    io.out(JSON.stringify({ keystore: path, ...result }, null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  // The file names and the alias come from the command line or the keystore: escaped for the terminal.
  const [at, from, alias] = [shown(path), shown(file), shown(result.alias)];
  const lines: string[] = [];
  switch (result.action) {
    case 'reply':
    case 'key':
      lines.push(
        paint.bold(
          result.action === 'reply'
            ? `Certificate reply was installed in ${at}: key entry "${alias}", chain of ${result.chain.length}`
            : `${result.createdKeystore ? 'Created' : 'Updated'} ${result.type} keystore ${at}: key entry "${alias}", chain of ${result.chain.length}`,
        ),
      );
      result.chain.forEach((c, i) => lines.push(`[${i + 1}]`, ...renderCertLines(c, [], paint)));
      if (!result.complete) lines.push(paint.yellow('note: the chain does not end at a root certificate (servers need not send the root; clients must trust it)'));
      break;
    case 'trusted':
      lines.push(paint.bold(`Certificate was added to ${at} as trusted entry "${alias}"`), ...renderCertLines(result.cert, [], paint));
      if (result.ignored > 0) lines.push(paint.yellow(`note: ${result.ignored} more certificate(s) in ${from} were not imported (CA certificates go in with mailcert import-chain)`));
      break;
    case 'unchanged':
      lines.push(`The certificate is already in ${at} as trusted entry "${alias}"; nothing changed`);
      break;
  }
  io.out(lines.join('\n') + '\n');
}
