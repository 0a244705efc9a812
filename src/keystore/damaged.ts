/**
 * A codec's error about one part of a file (a certificate in a bundle, a keystore entry's
 * certificate) becomes a user's error naming the file and the part:
 * `james.jks: the certificate of entry "root" is damaged (X.509: malformed time (at byte 65))`;
 * any other codec error is named with the file alone.
 * Its own file, with no codec behind it, so `list` can use it without loading any parser.
 */
import { CodecError } from '../codec/errors.js';
import { inputError } from '../errors.js';

/** The user's error for `e` (anything but a CodecError is returned as it is). */
export function damagedPart(e: unknown, path: string, part: string): unknown {
  if (!(e instanceof CodecError)) return e;
  if (e.kind !== 'format') return inputError(`${path}: ${e.message}`, undefined, e);
  return inputError(`${path}: ${part} is damaged (${e.message})`, 'check that the file is complete and was copied unchanged (a truncated copy or a text-mode transfer damages it)', e);
}
