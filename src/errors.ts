/**
 * Errors are values with a message, a hint and an exit code (CLI.md "Output and exit codes");
 * only the CLI entry prints them.
 */
export const ExitCode = {
  ok: 0,
  verifyFailed: 1,
  usage: 2,
  badInput: 3,
  ruleBroken: 4,
  network: 5,
  /** Ctrl-C at a prompt: 128 + SIGINT, as shells report it. */
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class MailcertError extends Error {
  override readonly name = 'MailcertError';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** What the user can do about it, one line. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const usageError = (message: string, hint?: string): MailcertError =>
  new MailcertError(message, ExitCode.usage, hint);
export const inputError = (message: string, hint?: string, cause?: unknown): MailcertError =>
  new MailcertError(message, ExitCode.badInput, hint, { cause });
