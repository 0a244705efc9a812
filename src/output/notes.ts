/**
 * The notes about how a keystore was read (keystore/read-notes.ts: aliases in the file twice,
 * certificates that are no entry, an old password encoding), as the commands that read and write
 * a keystore print them: one "note:" line each on stderr, escaped; --json puts them in "notes".
 */
import { shown } from '../display.js';
import type { Io } from '../io.js';

export function showNotes(io: Io, notes: readonly string[]): void {
  for (const n of notes) io.err(`note: ${shown(n)}\n`);
}

/** `{ notes }` for a JSON document, only when there are any. */
export function notesJson(notes: readonly string[] | undefined): { notes?: string[] } {
  return notes === undefined || notes.length === 0 ? {} : { notes: [...notes] };
}
