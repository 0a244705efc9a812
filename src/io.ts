/**
 * Everything a command may touch of the outside world, handed down from main.ts (the only file
 * that reads process.*), so commands and core code stay testable and free of globals.
 */
export interface Io {
  /** Data for stdout (JSON, PEM, hashes). */
  out(text: string | Uint8Array): void;
  /** Messages for people, on stderr. */
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /**
   * Reads stdin to its end, or its first line (for --storepass-stdin and `-` inputs), refusing
   * more than `limit` bytes with an exit-3 error (keystore/limits.ts).
   */
  readStdin(opts: StdinRead): Promise<Buffer>;
}

export interface StdinRead {
  limit: number;
  /** What is read, for the message: "password", "file". */
  what: string;
  /** Stop at the first line feed (the line is returned without it). */
  firstLine?: boolean;
}

/** Global options every command sees (commander optsWithGlobals). */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  force?: boolean;
}
