/**
 * Core's errors that several commands word in their flags (core/errors.ts): a taken alias
 * (genkey, import, import-chain) and a key encoding that does not fit the key (strip-password,
 * export). Errors of one command only are worded in that command's file.
 */
import { AliasTaken, KeyFormatMismatch, reworded } from '../core/errors.js';

export function sharedInFlags(e: unknown): unknown {
  if (e instanceof AliasTaken) return reworded(e, e.message, e.replaceStore ? 'a keystore holds one server key: use a new keystore file, or --force to replace the whole keystore' : 'choose another --alias');
  if (e instanceof KeyFormatMismatch) {
    return e.format === 'pkcs1'
      ? reworded(e, `--format pkcs1 is for RSA keys; this is an ${e.keyType} key`, 'use --format sec1 for EC keys, or pkcs8')
      : reworded(e, `--format sec1 is for EC keys; this is an ${e.keyType} key`, 'use --format pkcs1 for RSA keys, or pkcs8');
  }
  return e;
}
