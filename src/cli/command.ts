/**
 * What a command file declares, step-style: its name, summary, examples, arguments, options, the
 * exit codes it can end with, and run(). program.ts turns a declaration into commander's Command
 * and registers only the command being run. Declarations are plain data: a command file needs no
 * commander of its own, so the bundle holds one copy of it, in main.cjs.
 */
import type { Command } from 'commander';
import type { ExitCodeValue } from '../errors.js';
import type { Io } from '../io.js';
import type { Opts } from './options.js';

export interface OptionDef {
  /** commander's flags: "-k, --keystore <file>", "--old". The placeholder names what completes there (commands/completion.ts). */
  flags: string;
  description: string;
  /** The value when the option is not given, shown in the help. */
  default?: string;
  /** The only values accepted; anything else is a usage error (exit 2) naming them. */
  choices?: readonly string[];
  /**
   * May be given more than once (`--connect a:993 --connect b:993`): the value is the list of all,
   * in the order given; without it a later value replaces an earlier one (commander's default).
   */
  repeatable?: boolean;
}

export interface ArgumentDef {
  /** "<file>", "[files...]". */
  name: string;
  description: string;
  choices?: readonly string[];
}

export interface RunContext {
  /** The positional arguments (a variadic one as its list). */
  args: string[];
  /** The program as registered: every command when the command run is `completion`. */
  program: Command;
}

export interface CommandDef {
  name: string;
  /** One line, for `mailcert --help` and the top of `mailcert NAME --help`. */
  summary: string;
  /** Command lines (or "# comment" lines) shown first in the help. */
  examples: readonly string[];
  arguments?: readonly ArgumentDef[];
  options: readonly OptionDef[];
  /** Help after the options (how passwords are given). */
  moreHelp?: string;
  /** The exit codes this command can end with, listed last in its help. */
  exitCodes: readonly ExitCodeValue[];
  /** Resolves to the exit code when it is not 0, else nothing. */
  run(io: Io, opts: Opts, ctx: RunContext): Promise<number | void>;
}

export const keystoreOption = (what = 'the keystore (JKS, JCEKS or PKCS#12; the type is read from the content)'): OptionDef => ({
  flags: '-k, --keystore <file>',
  description: what,
});

/** On every command that writes a private key or a keystore (CLI.md "Keeping a keystore"). */
export const keyAccessOptions = (what: string): OptionDef[] => [
  { flags: '--key-mode <mode>', description: `permissions of the ${what} (octal; default 0600; nothing for other users)` },
  { flags: '--key-group <group>', description: `group of the ${what}, name or number (a server reading it as a non-root user)` },
];
