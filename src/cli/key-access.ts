/**
 * --key-mode MODE and --key-group GROUP (CLI.md "Keeping a keystore"): who may read a private key
 * file or a keystore that mailcert writes. Servers that read their key as a user of their own need
 * it: Exim on Debian runs as Debian-exim, and Debian's ssl-cert group exists for keys that such
 * servers share (`--key-group ssl-cert --key-mode 0640`).
 */
import { usageError } from '../errors.js';
import type { FileAccess } from '../keystore/files.js';
import { str, type Opts } from './options.js';

/** The octal mode of --key-mode; never anything for "other", and no set-id or sticky bits. */
export function parseKeyMode(text: string): number {
  if (!/^0?[0-7]{3}$/.test(text)) throw usageError(`--key-mode ${text}: give an octal mode such as 0600 or 0640`);
  const mode = parseInt(text, 8);
  if ((mode & 0o007) !== 0) {
    throw usageError(`--key-mode ${text}: refused: it lets every user of the machine read or change the private key`, 'give the server access through its group instead: --key-group GROUP --key-mode 0640');
  }
  return mode;
}

/**
 * The group id of --key-group: a number as it is (as chgrp takes one), a name through the
 * system's group database (getent, so LDAP and sssd groups count), else /etc/group.
 */
export async function groupId(name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  let line: string | undefined;
  try {
    const { execFileSync } = await import('node:child_process');
    line = execFileSync('getent', ['group', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      // No getent (a minimal container): the local file.
      const { readFileSync } = await import('node:fs');
      try {
        line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[0] === name);
      } catch {
        line = undefined;
      }
    }
  }
  const gid = line?.split(':')[2];
  if (gid === undefined || !/^\d+$/.test(gid)) throw usageError(`--key-group ${name}: no such group`, 'give a group name from /etc/group (getent group NAME) or a group number');
  return Number(gid);
}

/** --key-mode / --key-group of a command, or undefined when neither was given. */
export async function keyAccess(opts: Opts): Promise<FileAccess | undefined> {
  const mode = str(opts.keyMode);
  const group = str(opts.keyGroup);
  if (mode === undefined && group === undefined) return undefined;
  const access: FileAccess = {};
  if (mode !== undefined) access.mode = parseKeyMode(mode);
  if (group !== undefined) access.gid = await groupId(group);
  return access;
}
