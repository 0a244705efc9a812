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
  /** Reads all of stdin (for --storepass-stdin and `-` inputs). */
  readStdin(): Promise<Buffer>;
}

/** Global options every command sees (commander optsWithGlobals). */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
  force?: boolean;
}
