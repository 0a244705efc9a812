/**
 * mailcert completion bash|zsh|fish: the command tree as registered (program.ts registers every
 * command for this one) -> a plain description -> the script (core/completion.ts).
 */
import type { Argument, Command, Option } from 'commander';
import type { CommandDef, RunContext } from '../command.js';
import type { Opts } from '../options.js';
import type { Io } from '../../io.js';
import { completionScript, shells, type CommandSpec, type OptionSpec, type ProgramSpec, type Shell, type ValueKind } from '../../core/completion.js';
import { ExitCode, usageError } from '../../errors.js';

export const command: CommandDef = {
  name: 'completion',
  summary: 'print a shell completion script (bash, zsh or fish)',
  examples: [
    'source <(mailcert completion bash)                    # this shell; add the line to ~/.bashrc to keep it',
    'source <(mailcert completion zsh)                     # in ~/.zshrc, after compinit',
    'mailcert completion fish > ~/.config/fish/completions/mailcert.fish',
  ],
  arguments: [{ name: '<shell>', description: 'bash, zsh or fish', choices: shells }],
  options: [],
  exitCodes: [ExitCode.ok, ExitCode.usage],
  run,
};

function run(io: Io, _opts: Opts, { args, program }: RunContext): Promise<void> {
  const shell = args[0];
  if (!shells.includes(shell as Shell)) throw usageError(`completion: unknown shell "${shell ?? ''}"`, 'give bash, zsh or fish: source <(mailcert completion bash)');
  io.out(completionScript(shell as Shell, describeProgram(program)));
  return Promise.resolve();
}

/**
 * What a value placeholder completes to, from its name in the option's flags: "<file>" and the
 * other input names are paths, "<dir>" a folder, "<var>" (--storepass-env) an environment variable,
 * "<group>" (--key-group) a group of the system.
 */
function valueKind(placeholder: string, choices: readonly string[] | undefined): ValueKind {
  if (choices !== undefined && choices.length > 0) return { kind: 'choices', choices };
  const name = placeholder.replace(/\.\.\.$/, '');
  if (/^(file|files|cert|certs|source|keystore|path)$/.test(name)) return { kind: 'file' };
  if (name === 'dir') return { kind: 'dir' };
  if (name === 'var') return { kind: 'env' };
  if (name === 'group') return { kind: 'group' };
  return { kind: 'none' };
}

function describeOption(o: Option): OptionSpec | undefined {
  if (o.long === undefined || o.hidden) return undefined;
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
  const spec: OptionSpec = { long: o.long, description: o.description };
  if (o.short !== undefined) spec.short = o.short;
  if (placeholder !== undefined) spec.value = valueKind(placeholder, o.argChoices);
  // program.ts registers a repeatable option (OptionDef.repeatable) as an Option marked so.
  if ('repeatable' in o && o.repeatable === true) spec.repeatable = true;
  return spec;
}

function describeArgument(a: Argument): NonNullable<CommandSpec['args']> {
  return { name: a.name(), value: valueKind(a.name(), a.argChoices), variadic: a.variadic };
}

/** commander adds -h, --help to every command outside the options list; globals cover it everywhere. */
const HELP: OptionSpec = { long: '--help', short: '-h', description: 'display help for command' };

function describeCommand(cmd: Command): CommandSpec {
  const options = cmd.options.map(describeOption).filter((o): o is OptionSpec => o !== undefined);
  const first = cmd.registeredArguments[0];
  return { name: cmd.name(), summary: cmd.summary() || cmd.description(), options, ...(first ? { args: describeArgument(first) } : {}) };
}

export function describeProgram(program: Command): ProgramSpec {
  const globals = program.options.map(describeOption).filter((o): o is OptionSpec => o !== undefined);
  return {
    name: program.name(),
    globals: [...globals, HELP],
    commands: program.commands.map(describeCommand),
  };
}
