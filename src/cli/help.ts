/** Shared pieces of help text: examples first (mkcert, step), exit codes last. */
import { ExitCode, type ExitCodeValue } from '../errors.js';

/** Each exit code's line (README "Exit codes", CLI.md). */
const EXIT_CODES: ReadonlyMap<ExitCodeValue, string> = new Map([
  [ExitCode.ok, 'success'],
  [ExitCode.verifyFailed, 'verify found a problem'],
  [ExitCode.usage, 'usage error (bad option, missing password with no terminal, output exists without --force)'],
  [ExitCode.badInput, 'bad or unreadable input (format, password, integrity, size), or a file that cannot be written safely'],
  [ExitCode.ruleBroken, 'the keystore rule would be broken (at most one server certificate per keystore)'],
  [ExitCode.network, 'network or TLS connection failure'],
  [ExitCode.cancelled, 'cancelled at a prompt (Ctrl-C)'],
]);

/** The "Exit codes:" section: the codes a command can end with (every code for the program itself). */
export function exitCodesHelp(codes: readonly ExitCodeValue[] = [...EXIT_CODES.keys()]): string {
  return `\nExit codes:\n${codes.map((c) => `  ${c}  ${EXIT_CODES.get(c) ?? ''}\n`).join('')}`;
}

export function examples(lines: readonly string[]): string {
  return `Examples:\n${lines.map((l) => (l.startsWith('#') ? `  ${l}` : `  $ ${l}`)).join('\n')}\n`;
}

export const passwordHelp = `
Passwords: --storepass-env VAR, --storepass-file FILE, --storepass-stdin or MAILCERT_STOREPASS
(likewise --keypass-*, MAILCERT_KEYPASS); asked for on a terminal, never read from a closed stdin.
`;
