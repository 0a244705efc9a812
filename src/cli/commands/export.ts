/** mailcert export: options -> source keystore -> core/export.ts (another keystore, or a PEM pair) -> summary or JSON. */
import type { Io } from '../../io.js';
import { mayOverwrite } from '../confirm.js';
import { keyAccess, modeText } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { selectKeyEntry } from '../select.js';
import { checkNewFile, checkPemOutputs, convertKeystore, exportPem, type PemKeyFormat } from '../../core/export.js';
import type { StoredKeyEntry, StoredTrustedEntry } from '../../codec/model.js';
import { readKeystoreFile, typeForNewStore, type Keystore } from '../../keystore/keystore.js';
import { usageError } from '../../errors.js';
import { shown } from '../../display.js';

export async function run(io: Io, opts: Opts): Promise<void> {
  const path = str(opts.keystore);
  const out = str(opts.out);
  const keyOut = str(opts.keyOut);
  const certOut = str(opts.certOut);
  const alias = str(opts.alias);
  const force = await mayOverwrite(io, opts, [str(opts.out), str(opts.keyOut), str(opts.certOut)]);
  if (path === undefined) throw usageError('export needs --keystore FILE', 'mailcert export -k james.jks --out james.p12');
  if ((out === undefined) === (keyOut === undefined && certOut === undefined)) {
    throw usageError('give --out FILE (another keystore) or --key-out FILE / --cert-out FILE (PEM), not both', 'mailcert export -k james.jks --key-out mail.key --cert-out mail.crt');
  }
  // Every usage and "exists" error before the first password is asked.
  const outType = out === undefined ? undefined : typeForNewStore(out, str(opts.storetype));
  if (out !== undefined) checkNewFile(out, force, 'keystore');
  else checkPemOutputs({ keyOut, certOut, format: 'pkcs8', force });
  const access = await keyAccess(opts);

  const passwords = new PasswordResolver(io, opts);
  const store = await readKeystoreFile(path, () => passwords.get('store', { purpose: `keystore ${path}` }));
  const source = { path, store };
  if (out !== undefined && outType !== undefined) {
    const result = await convertKeystore({
      source,
      out,
      outType,
      alias,
      force,
      access,
      keyPassword: (a) => passwords.key({ purpose: `key entry ${a} in ${path}` }),
      // The destination reuses the store password unless --passout-* names a new one.
      outPassword: () => (passwords.given('passout') ? passwords.get('passout', { purpose: `new keystore ${out}`, confirm: true }) : passwords.get('store', { purpose: `keystore ${path}` })),
    });
    if (opts.json) io.out(JSON.stringify(result, null, 2) + '\n');
    else if (!opts.quiet) {
      const listed = result.entries.map((e) => (e.kind === 'key' ? `key "${shown(e.alias)}" (chain of ${e.chainLength})` : `trusted "${shown(e.alias)}"`)).join(', ');
      io.err(`Wrote ${result.outType} keystore ${shown(out)} from ${result.fromType} ${shown(path)}: ${listed}\n`);
      if (result.skipped.length > 0) io.err(`note: secret-key entries not exported: ${shown(result.skipped.join(', '))}\n`);
    }
    return;
  }
  const entry = pickEntry(path, store, alias, keyOut === undefined);
  const result = await exportPem({
    source,
    entry,
    keyOut,
    certOut,
    format: (str(opts.format) ?? 'pkcs8') as PemKeyFormat,
    force,
    access,
    keyPassword: () => passwords.key({ purpose: `key entry ${entry.alias} in ${path}` }),
    passout: async () => (passwords.given('passout') ? passwords.get('passout', { purpose: `key file ${keyOut ?? ''}`, confirm: true }) : undefined),
    toStdout: (data) => io.out(data),
  });
  const { keyFileMode, ...json } = result;
  if (opts.json) io.out(JSON.stringify(json, null, 2) + '\n');
  else if (!opts.quiet) {
    const lines: string[] = [];
    if (result.keyFile !== null) lines.push(`Wrote private key ${shown(result.keyFile)} (${result.keyEncrypted ? 'encrypted PKCS#8' : result.keyFormat}, ${modeText(keyFileMode)}) from entry "${shown(result.alias)}" of ${shown(path)}`);
    if (result.certFile !== null) lines.push(`Wrote certificate chain ${shown(result.certFile)} (${result.chainLength} certificate${result.chainLength === 1 ? '' : 's'}, leaf first)`);
    io.err(lines.join('\n') + '\n');
  }
}

/** The key entry (--alias or the only one); with --cert-out alone, --alias may name a trusted certificate. */
function pickEntry(path: string, store: Keystore, alias: string | undefined, certOnly: boolean): StoredKeyEntry | StoredTrustedEntry {
  if (certOnly && alias !== undefined) {
    const trusted = store.entries.find((e): e is StoredTrustedEntry => e.kind === 'trusted' && e.alias.toLowerCase() === alias.toLowerCase());
    if (trusted !== undefined) return trusted;
  }
  return selectKeyEntry(path, store, alias);
}
