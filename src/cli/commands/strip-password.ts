/** mailcert strip-password: options -> key (file or keystore entry) -> unencrypted key file. */
import type { Io } from '../../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { mayOverwrite } from '../confirm.js';
import { keyAccess, modeText } from '../key-access.js';
import { selectKeyEntry } from '../select.js';
import { checkOutputs, writeStripped, type KeyFormat } from '../../core/strip-password.js';
import { readPrivateKey } from '../../keystore/inputs.js';
import { readKeystoreFile, recoverKey } from '../../keystore/keystore.js';
import { usageError } from '../../errors.js';
import { shown } from '../../display.js';

export async function run(io: Io, opts: Opts): Promise<void> {
  const input = str(opts.in);
  const keystore = str(opts.keystore);
  const keyOut = str(opts.out);
  if ((input === undefined) === (keystore === undefined)) throw usageError('give --in KEY or --keystore FILE (one of them)');
  if (keyOut === undefined) throw usageError('strip-password needs --out FILE', 'mailcert strip-password --in mail.key --out mail-nopass.key');
  const certOut = str(opts.certOut);
  const out = { keyOut, certOut, format: (str(opts.format) ?? 'pkcs8') as KeyFormat, force: await mayOverwrite(io, opts, [keyOut, certOut]), access: await keyAccess(opts) };
  checkOutputs(out);
  const passwords = new PasswordResolver(io, opts);
  let pkcs8: Uint8Array;
  let chain: Uint8Array[] = [];
  let from: string;
  let wasEncrypted = true;
  if (input !== undefined) {
    if (out.certOut !== undefined) throw usageError('--cert-out needs --keystore (a key file holds no certificate)');
    const key = await readPrivateKey(input, () => passwords.get('passin', { purpose: `key ${input}` }));
    pkcs8 = key.pkcs8;
    wasEncrypted = key.encrypted;
    from = `${input} (${key.form})`;
  } else {
    const path = keystore as string;
    const store = await readKeystoreFile(path, () => passwords.get('store', { purpose: `keystore ${path}` }));
    const entry = selectKeyEntry(path, store, str(opts.alias));
    pkcs8 = await recoverKey(path, store.type, entry, () => passwords.key({ purpose: `key entry ${entry.alias}` }));
    chain = entry.chain;
    from = `${store.type} keystore ${path}, entry "${entry.alias}"`;
  }
  const mode = writeStripped(out, pkcs8, chain, (data) => io.out(data));
  const result = { from, keyFile: keyOut, format: out.format, wasEncrypted, certFile: out.certOut ?? null, chainLength: chain.length };
  if (opts.json) {
    io.out(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const note = wasEncrypted ? '' : `note: ${shown(input ?? '')} was not encrypted; it was written in the requested form\n`;
  io.err(
    `${note}Wrote unencrypted private key ${shown(keyOut)} (${out.format}, ${modeText(mode)}) from ${shown(from)}\n` +
      (out.certOut ? `Wrote certificate chain ${shown(out.certOut)} (${chain.length} certificate${chain.length === 1 ? '' : 's'}, leaf first)\n` : ''),
  );
}
