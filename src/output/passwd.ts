/**
 * What `mailcert passwd` prints: whether the store password changed and what each key entry's
 * password is now, or with --json on stdout {"keystore", "type", "storePasswordChanged",
 * "written", "keys": [{"alias", "before": "store"|"own", "after": "store"|"own", "changed"}], "notes"}
 * (notes about how the keystore was read, when any).
 * Aliases and file names are escaped with shown() in the text.
 */
import type { KeyOutcome, PasswdResult } from '../core/passwd.js';
import { shown } from '../display.js';
import type { GlobalOptions, Io } from '../io.js';
import { notesJson, showNotes } from './notes.js';
import { painter, type Paint } from './style.js';

export interface PasswdJson {
  keystore: string;
  type: string;
  storePasswordChanged: boolean;
  written: boolean;
  keys: KeyOutcome[];
  notes?: string[];
}

export function passwdJson(keystore: string, r: PasswdResult): PasswdJson {
  return { keystore, type: r.type, storePasswordChanged: r.storePasswordChanged, written: r.written, keys: r.keys.map((k) => ({ ...k })), ...notesJson(r.notes) };
}

function keyLine(k: KeyOutcome, storeChanged: boolean, paint: Paint): string {
  const name = `key entry "${shown(k.alias)}":`;
  if (k.after === 'own') return `${name} ${k.changed ? 'has a new password of its own' : 'keeps a password of its own'} (not the store password)`;
  if (!k.changed) return `${name} protected by the store password`;
  if (k.before === 'store' && storeChanged) return `${name} follows the store password (encrypted again under the new one)`;
  return `${name} ${paint.green('now protected by the store password')}`;
}

export async function showPasswd(io: Io, opts: GlobalOptions, keystore: string, r: PasswdResult): Promise<void> {
  if (opts.json) {
    io.out(JSON.stringify(passwdJson(keystore, r), null, 2) + '\n');
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  const head = !r.written
    ? `Nothing to change in ${shown(keystore)} (${r.type}); the file was left as it was`
    : r.storePasswordChanged
      ? `Changed the store password of ${shown(keystore)} (${r.type})`
      : `Changed key passwords in ${shown(keystore)} (${r.type})`;
  const lines = [paint.bold(head), ...r.keys.map((k) => `  ${keyLine(k, r.storePasswordChanged, paint)}`)];
  if (r.keys.some((k) => k.after === 'own')) {
    lines.push(paint.yellow('note: a key whose password is not the store password needs it given apart (Apache James and Hedwig use one password for both: mailcert passwd --keypass-to-storepass)'));
  }
  io.out(lines.join('\n') + '\n');
  showNotes(io, r.notes ?? []);
}
