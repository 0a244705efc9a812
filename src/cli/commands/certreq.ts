/** mailcert certreq: options -> key (keystore entry or PEM file) -> core certreq -> PEM. */
import type { Io } from '../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { mayOverwrite } from '../confirm.js';
import { selectKeyEntry } from '../select.js';
import { makeCertreq } from '../../core/certreq.js';
import { parseSanList, type AltNames } from '../../codec/x509/build.js';
import { CodecError } from '../../codec/errors.js';
import { encodePem } from '../../codec/pem.js';
import { formatDn } from '../../codec/x509/name.js';
import { shown } from '../../display.js';
import { usageError } from '../../errors.js';
import { readKeystoreFile, recoverKey } from '../../keystore/keystore.js';
import { readPrivateKey } from '../../keystore/inputs.js';
import { damagedPart } from '../../keystore/damaged.js';
import { writeFileAtomic } from '../../keystore/files.js';

export async function run(io: Io, opts: Opts): Promise<void> {
  const keystore = str(opts.keystore);
  const keyFile = str(opts.key);
  if ((keystore === undefined) === (keyFile === undefined)) throw usageError('give --keystore FILE or --key FILE (one of them)');
  let san: AltNames | undefined;
  try {
    san = str(opts.san) === undefined ? undefined : parseSanList(str(opts.san) ?? '');
  } catch (e) {
    if (e instanceof CodecError) throw usageError(`--san: ${e.message.replace(/^subjectAltName: /, '')}`);
    throw e;
  }
  const override = { cn: str(opts.cn), dname: str(opts.dname), san };
  const passwords = new PasswordResolver(io, opts);
  let pkcs8: Uint8Array;
  let leaf: Uint8Array | undefined;
  if (keystore !== undefined) {
    const store = await readKeystoreFile(keystore, () => passwords.get('store', { purpose: `keystore ${keystore}` }));
    const entry = selectKeyEntry(keystore, store, str(opts.alias));
    pkcs8 = await recoverKey(keystore, store.type, entry, () => passwords.key({ purpose: `key entry ${entry.alias}` }));
    leaf = entry.chain[0];
  } else {
    if (override.cn === undefined && override.dname === undefined) throw usageError('with --key, give the subject: --cn mail.example.com (or --dname "CN=...")');
    pkcs8 = (await readPrivateKey(keyFile as string, () => passwords.get('passin', { purpose: `key ${keyFile as string}` }))).pkcs8;
  }
  let req: ReturnType<typeof makeCertreq>;
  try {
    req = makeCertreq({ pkcs8, leaf, override });
  } catch (e) {
    // Without --cn/--dname the subject comes from the entry's certificate, the one input not parsed before.
    const fromEntry = keystore !== undefined && override.cn === undefined && override.dname === undefined;
    throw fromEntry ? damagedPart(e, keystore, 'the certificate of the key entry') : e;
  }
  const pem = encodePem('CERTIFICATE REQUEST', req.der);
  const out = str(opts.out);
  const replace = await mayOverwrite(io, opts, [out]);
  if (opts.json) {
    if (out !== undefined) writeFileAtomic(out, new TextEncoder().encode(pem), { overwrite: replace, what: 'request' });
    io.out(JSON.stringify({ subject: formatDn(req.subject), subjectAltNames: req.altNames, file: out ?? null, pem }, null, 2) + '\n');
    return;
  }
  if (out === undefined || out === '-') {
    io.out(pem);
    return;
  }
  writeFileAtomic(out, new TextEncoder().encode(pem), { overwrite: replace, what: 'request' });
  if (!opts.quiet) io.err(`Wrote certificate request ${shown(out)}\n  subject   ${shown(formatDn(req.subject))}\n  names     ${shown(req.altNames.join(', '))}\n`);
}
