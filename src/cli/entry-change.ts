/**
 * What the commands that change one entry of an existing keystore share (delete, rename): the
 * keystore, the entry's alias, the access of the rewritten file and the store password.
 */
import { keyAccessOptions, keystoreOption, type OptionDef } from './command.js';
import { keyAccess } from './key-access.js';
import { str, type Opts } from './options.js';
import { PasswordResolver, passwordOptions } from './passwords.js';
import type { Io } from '../io.js';
import type { FileAccess } from '../keystore/files.js';

/** The options of an entry change, with the command's own (`more`) after --alias. */
export function entryChangeOptions(alias: string, ...more: OptionDef[]): OptionDef[] {
  return [
    keystoreOption('the keystore to change (JKS or PKCS#12; the type is read from the content and kept)'),
    { flags: '--alias <name>', description: `${alias} (case-insensitive, as Java compares aliases)` },
    ...more,
    ...keyAccessOptions('keystore'),
    ...passwordOptions('store', 'keystore password'),
  ];
}

export interface EntryChange {
  path: string;
  alias: string;
  access: FileAccess | undefined;
  storePassword: () => Promise<string>;
}

/** The keystore and alias given, or undefined when one is missing (the command says what it needs). */
export async function entryChange(io: Io, opts: Opts): Promise<EntryChange | undefined> {
  const path = str(opts.keystore);
  const alias = str(opts.alias);
  if (path === undefined || alias === undefined) return undefined;
  const passwords = new PasswordResolver(io, opts);
  return { path, alias, access: await keyAccess(opts), storePassword: () => passwords.get('store', { purpose: `keystore ${path}` }) };
}
