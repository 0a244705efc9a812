/** Shared pieces of help text: examples first (mkcert, step), exit codes last. */
export const exitCodesHelp = `
Exit codes:
  0  success
  1  verify found a problem
  2  usage error (bad option, missing password with no terminal, output exists without --force)
  3  bad or unreadable input (format, password, integrity, size), or a file that cannot be written safely
  4  the keystore rule would be broken (at most one server certificate per keystore)
  5  network or TLS connection failure
  130  cancelled at a prompt (Ctrl-C)
`;

export function examples(lines: readonly string[]): string {
  return `Examples:\n${lines.map((l) => (l.startsWith('#') ? `  ${l}` : `  $ ${l}`)).join('\n')}\n`;
}

export const passwordHelp = `
Passwords: --storepass-env VAR, --storepass-file FILE, --storepass-stdin or MAILCERT_STOREPASS
(likewise --keypass-*, MAILCERT_KEYPASS); asked for on a terminal, never read from a closed stdin.
`;
