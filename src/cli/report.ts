/**
 * Turns any thrown value into the one-line message, optional hint and exit code users see.
 * Known errors (MailcertError, CodecError) keep their words; anything else is a bug in mailcert,
 * reported as such with exit code 3 and no stack trace unless MAILCERT_DEBUG=1.
 *
 * A message is mailcert's sentence with outside text inside (a file name, an alias, a certificate
 * name, a server's reply line), so the text for the terminal is escaped here with shown(); the
 * JSON document keeps the exact words. mailcert's own sentences hold no control characters, so
 * escaping the whole message changes only what came from outside.
 */
import { CodecError } from '../codec/errors.js';
import { shown } from '../display.js';
import { ExitCode, MailcertError, type ExitCodeValue } from '../errors.js';

export interface ErrorReport {
  text: string;
  json: { error: { message: string; hint?: string; exitCode: number } };
  exitCode: ExitCodeValue;
}

export function describeError(error: unknown, debug: boolean): ErrorReport {
  let message: string;
  let hint: string | undefined;
  let exitCode: ExitCodeValue;
  // The prompt library's class is recognised by name: importing it would load the prompts on every error.
  if (error instanceof Error && error.name === 'ExitPromptError') {
    // Ctrl-C at a prompt: nothing was written (prompts come before any write).
    message = 'cancelled';
    exitCode = ExitCode.cancelled;
  } else if (error instanceof MailcertError) {
    ({ message, hint } = error);
    exitCode = error.exitCode;
  } else if (error instanceof CodecError) {
    message = error.message;
    exitCode = ExitCode.badInput;
  } else {
    message = `internal error: ${error instanceof Error ? error.message : String(error)}`;
    hint = 'this is a bug in mailcert; run again with MAILCERT_DEBUG=1 and report the output';
    exitCode = ExitCode.badInput;
  }
  let text = `mailcert: ${shown(message)}\n`;
  if (hint) text += `  hint: ${shown(hint)}\n`;
  // The stack starts with the message: escaped line by line, its own line breaks kept.
  if (debug && error instanceof Error && error.stack) text += `${error.stack.split('\n').map(shown).join('\n')}\n`;
  const json = { error: hint ? { message, hint, exitCode } : { message, exitCode } };
  return { text, json, exitCode };
}
