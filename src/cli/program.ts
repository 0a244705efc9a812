/**
 * The command tree: each command's file (src/cli/commands/<name>.ts) declares its options, help
 * and exit codes, and runs it. A run loads and registers only the command it names (commander then
 * builds one command's options and help, not every command's; `mailcert --version` loads none): start-up
 * time is a goal. Top-level help, an unknown name and `completion` (which describes the whole
 * tree) load every command.
 */
import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import type { GlobalOptions, Io } from '../io.js';
import type { CommandDef, RunContext } from './command.js';
import { addPasswordOptions } from './passwords.js';
import { examples, exitCodesHelp } from './help.js';
import { shown } from '../display.js';

/** A command's run(): resolves to its exit code when that is not 0 (verify's 1), else nothing. */
type Action = (io: Io, opts: Record<string, unknown> & GlobalOptions, args: string[]) => Promise<number | void>;
type Loader = () => Promise<{ run: Action }>;

/**
 * The commands, in the order `mailcert --help` lists them: each loads its file. verify declares
 * its options below, in buildProgram, until it has a declaration of its own.
 */
const commands: readonly (readonly [string, (() => Promise<{ command: CommandDef }>) | undefined])[] = [
  ['genkey', () => import('./commands/genkey.js')],
  ['certreq', () => import('./commands/certreq.js')],
  ['import', () => import('./commands/import.js')],
  ['import-chain', () => import('./commands/import-chain.js')],
  ['delete', () => import('./commands/delete.js')],
  ['rename', () => import('./commands/rename.js')],
  ['passwd', () => import('./commands/passwd.js')],
  ['strip-password', () => import('./commands/strip-password.js')],
  ['hash', () => import('./commands/hash.js')],
  ['verify', undefined],
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
    const option = new Option(o.flags, o.description);
    if (o.choices !== undefined) option.choices(o.choices);
    if (o.default !== undefined) option.default(o.default);
    cmd.addOption(option);
  }
  cmd.addHelpText('after', (def.moreHelp ?? '') + exitCodesHelp(def.exitCodes));
  cmd.action(async function (this: Command, ...rest: unknown[]): Promise<void> {
    const ctx: RunContext = { args: positional(rest), program };
    const code = await def.run(io, this.optsWithGlobals(), ctx);
    if (typeof code === 'number') setExitCode(code);
  });
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

  const action = (load: Loader) =>
    async function (this: Command, ...rest: unknown[]): Promise<void> {
      const mod = await load();
      const code = await mod.run(io, this.optsWithGlobals(), positional(rest));
      if (typeof code === 'number') setExitCode(code);
    };
  const sub = (name: string, summary: string, lines: readonly string[]): Command =>
    program
      .command(name)
      .summary(summary)
      .description(summary)
      .addHelpText('before', examples(lines) + '\n')
      .addHelpText('after', exitCodesHelp());
  const keystoreOpt = (cmd: Command, what = 'the keystore (JKS, JCEKS or PKCS#12; the type is read from the content)'): Command =>
    cmd.option('-k, --keystore <file>', what);

  // The commands that do not declare themselves yet.
  const registrars: [string, () => void][] = [
    [
      'verify',
      () => {
      const verify = sub('verify', 'check a keystore, PEM files or a live mail server (implicit TLS or STARTTLS)', [
        'mailcert verify -k james.jks --host mail.example.com',
        'mailcert verify --cert chain.pem --key mail.key --ca root.pem',
        'mailcert verify --connect mail.example.com:587',
        'mailcert verify --connect 127.0.0.1:993 --servername mail.example.com --save chain.pem',
        'mailcert verify --targets servers.txt --deadline 30   # cron: each server checked within 30 s, or exit 5',
        'mailcert verify --cert chain.pem --ca root.pem --at 2027-03-01      # as of a date: audits, old captures',
        'mailcert verify --cert old.pem --host mail.example.com --allow-cn   # a name only in the CN, knowingly',
        'mailcert verify --connect mail.example.com:25 --tlsa "$(mailcert tlsa --cert mail.crt)"   # DANE: the record must match',
        'mailcert verify --connect mail.example.com:10465 --protocols   # mode found out; TLS 1.0-1.3 tried',
      ]);
      keystoreOpt(verify)
        .option('--cert <file>', 'server certificate, optionally followed by its intermediates')
        .option('--key <file>', 'the private key of --cert')
        .option('--ca <source>', 'trust anchors: PEM file, <hash>.N folder or keystore (default: Node\'s roots, the system store, NODE_EXTRA_CA_CERTS)')
        .option('--host <name>', 'the DNS name or IP address clients connect to')
        .option('--connect <host:port>', 'check a live server (repeat for several, checked concurrently)', (v: string, prev: string[] = []) => [...prev, v])
        .option('--targets <file>', 'check the servers listed in FILE, one "HOST:PORT [protocol]" per line')
        .addOption(new Option('--starttls <protocol>', 'STARTTLS protocol (default: from the port)').choices(['smtp', 'imap', 'pop3', 'lmtp', 'sieve', 'none']))
        .option('--servername <name>', 'TLS SNI name and the name to check')
        .option('--save <file>', 'write the chain the server sent (PEM)')
        .option('--warn-days <n>', 'warn when a certificate expires within N days', '30')
        .option('--at <time>', 'make every time-dependent check as of TIME (ISO 8601 date or date-time; UTC unless it has an offset)')
        .option('--allow-cn', 'accept a host name found only in the subject CN (OpenSSL-based clients do; Go, NSS/Thunderbird and Apple do not)')
        .option('--timeout <seconds>', 'timeout of each network step', '10')
        .option('--deadline <seconds>', "bound on each server's whole check, every step included (exit 5 naming the step it was in)")
        .option('--protocols', 'also try TLS 1.0, 1.1, 1.2 and 1.3 one by one (1.0 and 1.1 warn: RFC 8996)')
        .option('--tlsa <record>', 'a TLSA record the chain must match, "3 1 1 HEX" (repeat for several; RFC 7671 DANE)', (v: string, prev: string[] = []) => [...prev, v])
        .option('--tlsa-file <file>', 'TLSA records from zone-file lines or `dig +short TLSA` output')
        .option('--strict', 'warnings fail too');
      addPasswordOptions(verify, 'store', 'keystore password');
      verify.action(action(() => import('./commands/verify.js')));
      },
    ],
  ];
  const names = commands.map(([name]) => name);
  const wanted = requestedCommand(argv, names);
  // `mailcert --version` alone needs no command at all.
  const versionOnly = wanted === undefined && argv.length > 2 && argv.slice(2).every((a) => a === '--version' || a === '-V');
  const used = versionOnly ? [] : commands.filter(([name]) => wanted === undefined || name === wanted);
  // Loaded together, registered in order (the order of the help).
  const loaded = await Promise.all(used.map(async ([name, load]) => [name, load === undefined ? undefined : (await load()).command] as const));
  for (const [name, def] of loaded) {
    if (def !== undefined) register(program, def, io, setExitCode);
    else registrars.find(([n]) => n === name)?.[1]();
  }
  return program;
}
