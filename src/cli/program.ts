/**
 * The command tree: each command's file (src/cli/commands/<name>.ts) declares its options, help
 * and exit codes, and runs it. A run loads and registers only the command it names (commander then
 * builds one command's options and help, not every command's; `mailcert --version` loads none): start-up
 * time is a goal. Top-level help, an unknown name and `completion` (which describes the whole
 * tree) load every command.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createRequire } from 'node:module';
import type { Io } from '../io.js';
import type { CommandDef, RunContext } from './command.js';
import { examples, exitCodesHelp } from './help.js';
import { shown } from '../display.js';

/** The commands, in the order `mailcert --help` lists them: each loads its file. */
const commands: readonly (readonly [string, () => Promise<{ command: CommandDef }>])[] = [
  ['genkey', () => import('./commands/genkey.js')],
  ['certreq', () => import('./commands/certreq.js')],
  ['import', () => import('./commands/import.js')],
  ['import-chain', () => import('./commands/import-chain.js')],
  ['delete', () => import('./commands/delete.js')],
  ['rename', () => import('./commands/rename.js')],
  ['passwd', () => import('./commands/passwd.js')],
  ['strip-password', () => import('./commands/strip-password.js')],
  ['hash', () => import('./commands/hash.js')],
  ['verify', () => import('./commands/verify.js')],
  ['tlsa', () => import('./commands/tlsa.js')],
  ['inspect', () => import('./commands/inspect.js')],
  ['export', () => import('./commands/export.js')],
  ['completion', () => import('./commands/completion.js')],
  ['list', () => import('./commands/list.js')],
];

/** Set by the bundler (scripts/build.mjs); the unbundled build reads package.json. */
declare const __MAILCERT_VERSION__: string | undefined;

function version(): string {
  if (typeof __MAILCERT_VERSION__ === 'string') return __MAILCERT_VERSION__;
  const require = createRequire(import.meta.url);
  return (require('../../../package.json') as { version: string }).version;
}

/**
 * The subcommand argv names, when it names one: global options are all flags, so it is the first
 * argument that does not start with "-". Top-level help, unknown names and `completion` get every
 * command.
 */
function requestedCommand(argv: readonly string[], names: readonly string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && first !== 'completion' && names.includes(first) ? first : undefined;
}

/** A command's declaration as commander's Command, its action calling the declaration's run(). */
function register(program: Command, def: CommandDef, io: Io, setExitCode: (code: number) => void): void {
  const cmd = program
    .command(def.name)
    .summary(def.summary)
    .description(def.summary)
    .addHelpText('before', examples(def.examples) + '\n');
  for (const a of def.arguments ?? []) {
    const arg = cmd.createArgument(a.name, a.description);
    if (a.choices !== undefined) arg.choices(a.choices);
    cmd.addArgument(arg);
  }
  for (const o of def.options) {
    const option = o.repeatable === true ? new RepeatableOption(o.flags, o.description, o.choices) : new Option(o.flags, o.description);
    if (o.choices !== undefined && o.repeatable !== true) option.choices(o.choices);
    if (o.default !== undefined) option.default(o.default);
    cmd.addOption(option);
  }
  cmd.addHelpText('after', (def.moreHelp ?? '') + exitCodesHelp(def.exitCodes));
  cmd.action(async function (this: Command, ...rest: unknown[]): Promise<void> {
    const ctx: RunContext = { args: positional(rest), program };
    let code: number | void;
    try {
      code = await def.run(io, this.optsWithGlobals(), ctx);
    } catch (e) {
      // What the layers below raise in their own words (an output that exists, a password, a
      // server's failure), in the flags every command shares; loaded only when a run fails.
      throw (await import('./flag-errors.js')).sharedInFlags(e);
    }
    if (typeof code === 'number') setExitCode(code);
  });
}

/**
 * An option given as often as the user likes, its value the list of all in the order given
 * (OptionDef.repeatable). `repeatable` tells completion (commands/completion.ts) to offer it again.
 */
export class RepeatableOption extends Option {
  readonly repeatable = true;

  constructor(flags: string, description: string, choices?: readonly string[]) {
    super(flags, description);
    // choices() sets a parser that keeps one value: the list's parser checks them itself.
    if (choices !== undefined) this.choices(choices);
    this.argParser((value: string, previous: string[] | undefined) => {
      if (this.argChoices !== undefined && !this.argChoices.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${this.argChoices.join(', ')}.`);
      return [...(previous ?? []), value];
    });
  }
}

/** commander passes the arguments, then the options and the command: a variadic argument comes as its list. */
function positional(rest: readonly unknown[]): string[] {
  return rest.find((a): a is string[] => Array.isArray(a)) ?? rest.filter((a): a is string => typeof a === 'string');
}

export async function buildProgram(io: Io, setExitCode: (code: number) => void = () => undefined, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('mailcert')
    .description('TLS keys, certificates and keystores for mail servers (JKS, PKCS#12, PEM)')
    .version(version(), '-V, --version')
    .option('--json', 'print one JSON document on stdout and nothing else')
    .option('-q, --quiet', 'print only errors')
    .option('--no-color', 'no colour (also NO_COLOR=1, TERM=dumb, or not a terminal)')
    .option('-f, --force', 'replace existing output files')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // commander's messages quote the arguments, which may be file names from a glob: escaped
      // whole, line breaks included, but for the one commander puts before "(Did you mean ...?)".
      outputError: (s, write) => write(`mailcert: ${shown(s.replace(/^error: /, '').replace(/\n$/, '')).replaceAll('\\x0a(Did you mean ', '\n(Did you mean ')}\n`),
    });
  program.addHelpText(
    'before',
    examples([
      'mailcert genkey --cn mail.example.com                 # mail.example.com.key + .crt',
      'mailcert genkey --cn mail.example.com -k james.jks     # a JKS keystore with one key entry',
      'mailcert certreq -k james.jks --out james.csr',
      'mailcert import -k james.jks --file ca-reply.pem',
      'mailcert list -k james.jks',
      'mailcert verify --connect mail.example.com:993',
    ]) + '\n',
  );
  program.addHelpText('after', exitCodesHelp());

  const names = commands.map(([name]) => name);
  const wanted = requestedCommand(argv, names);
  // `mailcert --version` alone needs no command at all.
  const versionOnly = wanted === undefined && argv.length > 2 && argv.slice(2).every((a) => a === '--version' || a === '-V');
  const used = versionOnly ? [] : commands.filter(([name]) => wanted === undefined || name === wanted);
  // Loaded together, registered in order (the order of the help).
  const loaded = await Promise.all(used.map(async ([, load]) => (await load()).command));
  for (const def of loaded) register(program, def, io, setExitCode);
  return program;
}
