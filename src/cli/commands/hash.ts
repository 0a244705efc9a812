/**
 * mailcert hash: OpenSSL subject hashes of certificate and CRL files (core/hash.ts), or the
 * `<hash>.N` names of a CA folder (core/rehash.ts); output/hash.ts prints them. A CRL hashes its
 * issuer, as `openssl crl -hash` does. FILE `-` reads standard input.
 *
 * Start-up time matters here (bench/hash.ts): this file imports only core/hash (der, pem,
 * name-hash) up front, and core/rehash is loaded for --rehash alone.
 */
import type { CommandDef, RunContext } from '../command.js';
import type { Opts } from '../options.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { FolderNotWritable, NoSymlinks, reworded } from '../../core/errors.js';
import { hashFiles } from '../../core/hash.js';
import type { RehashResult } from '../../core/rehash.js';
import { inputLimits } from '../../keystore/limits.js';
import { readInput } from '../../keystore/read.js';
import { showHashes, showRehash } from '../../output/hash.js';

export const command: CommandDef = {
  name: 'hash',
  summary: 'OpenSSL subject hash of certificates; <hash>.N links for a CA folder',
  examples: ['mailcert hash ca.pem', 'mailcert hash --old *.pem', 'mailcert hash --rehash /etc/ssl/mail-ca --copy   # copies, for Windows / hMailServer'],
  arguments: [{ name: '[files...]', description: 'certificates or CRLs (PEM or DER)' }],
  options: [
    { flags: '--old', description: 'also the pre-1.0 MD5 hash (openssl -subject_hash_old)' },
    { flags: '--issuer', description: 'the issuer hash instead of the subject hash' },
    { flags: '--rehash <dir>', description: 'make <hash>.N links in DIR, as openssl rehash does' },
    { flags: '--copy', description: 'with --rehash: copies instead of symbolic links' },
    { flags: '--dry-run', description: 'with --rehash: show what would be done' },
  ],
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput],
  run,
};

async function run(io: Io, opts: Opts, { args: files }: RunContext): Promise<void> {
  const dir = opts.rehash;
  if (typeof dir === 'string') {
    if (files.length > 0) throw usageError('give either certificate files or --rehash DIR, not both', 'mailcert hash --rehash /etc/ssl/mail-ca');
    if (opts.issuer === true) throw usageError('--issuer does not go with --rehash', 'a CRL is always named by its issuer hash, a certificate by its subject hash');
    const { rehash } = await import('../../core/rehash.js');
    let result: RehashResult;
    try {
      result = rehash(dir, { old: opts.old === true, copy: opts.copy === true, dryRun: opts.dryRun === true });
    } catch (e) {
      throw inFlags(e);
    }
    showRehash(io, opts, result);
    return;
  }
  if (opts.copy === true || opts.dryRun === true) throw usageError('--copy and --dry-run go with --rehash DIR', 'mailcert hash --rehash DIR --copy --dry-run');
  if (files.length === 0) throw usageError('hash needs certificate files or --rehash DIR', 'mailcert hash ca.pem   or   mailcert hash --rehash /etc/ssl/mail-ca');
  const stdin = files.includes('-') ? await io.readStdin({ limit: inputLimits.file, what: 'file' }) : undefined;
  const read = (file: string): Uint8Array => (file === '-' && stdin !== undefined ? stdin : readInput(file, 'file'));
  showHashes(io, opts, hashFiles(files, read, { issuer: opts.issuer === true, old: opts.old === true }));
}

/** core/rehash's errors, with the flag that is the way out. */
function inFlags(e: unknown): unknown {
  if (e instanceof NoSymlinks) return reworded(e, e.message, 'use --copy to write copies instead (what hMailServer on Windows needs)');
  if (e instanceof FolderNotWritable) return reworded(e, e.message, 'run as a user who may write there, or use --dry-run to see the plan');
  return e;
}
