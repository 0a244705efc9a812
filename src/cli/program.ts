/**
 * The command tree: every subcommand's options and examples-first help. Registration is cheap;
 * each action loads its own module (src/cli/commands/<sub>.ts) only when that command runs, so
 * `mailcert --version` and `mailcert hash` never pay for pkijs or the prompt library.
 */
import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import type { GlobalOptions, Io } from '../io.js';
import { addPasswordOptions } from './passwords.js';
import { examples, exitCodesHelp, passwordHelp } from './help.js';
import { shown } from '../display.js';

/** A command's run(): resolves to its exit code when that is not 0 (verify's 1), else nothing. */
type Action = (io: Io, opts: Record<string, unknown> & GlobalOptions, args: string[]) => Promise<number | void>;
type Loader = () => Promise<{ run: Action }>;

/** Set by the bundler (scripts/build.mjs); the unbundled build reads package.json. */
declare const __MAILCERT_VERSION__: string | undefined;

function version(): string {
  if (typeof __MAILCERT_VERSION__ === 'string') return __MAILCERT_VERSION__;
  const require = createRequire(import.meta.url);
  return (require('../../../package.json') as { version: string }).version;
}

/**
 * The subcommand argv names, when it names one: global options are all flags, so it is the first
 * argument that does not start with "-". Top-level help, unknown names and `completion` (which
 * describes the whole tree) get every command.
 */
function requestedCommand(argv: readonly string[], names: readonly string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && first !== 'completion' && names.includes(first) ? first : undefined;
}

export function buildProgram(io: Io, setExitCode: (code: number) => void = () => undefined, argv: readonly string[] = []): Command {
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
  program.addHelpText('after', exitCodesHelp);

  const action = (load: Loader) =>
    async function (this: Command, ...rest: unknown[]): Promise<void> {
      const args = rest.filter((a): a is string => typeof a === 'string');
      const variadic = rest.find((a): a is string[] => Array.isArray(a));
      const mod = await load();
      const code = await mod.run(io, this.optsWithGlobals(), variadic ?? args);
      if (typeof code === 'number') setExitCode(code);
    };

  const sub = (name: string, summary: string, lines: readonly string[]): Command =>
    program
      .command(name)
      .summary(summary)
      .description(summary)
      .addHelpText('before', examples(lines) + '\n')
      .addHelpText('after', exitCodesHelp);
  const keystoreOpt = (cmd: Command, what = 'the keystore (JKS, JCEKS or PKCS#12; the type is read from the content)'): Command =>
    cmd.option('-k, --keystore <file>', what);
  // On every command that writes a private key or a keystore (CLI.md "Keeping a keystore").
  const keyAccessOpts = (cmd: Command, what: string): Command =>
    cmd
      .option('--key-mode <mode>', `permissions of the ${what} (octal; default 0600; nothing for other users)`)
      .option('--key-group <group>', `group of the ${what}, name or number (a server reading it as a non-root user)`);

  // One registrar per command. Running a command registers only that one (commander then
  // builds one command's options and help, not eleven): start-up time is a goal.
  const registrars: [string, () => void][] = [
    [
      'genkey',
      () => {
      const genkey = sub('genkey', 'make a private key and a self-signed certificate, into a keystore or a PEM pair', [
        'mailcert genkey --cn mail.example.com',
        'mailcert genkey --cn mail.example.com --san DNS:imap.example.com,IP:192.0.2.10 --key-out mail.key --cert-out mail.crt',
        'mailcert genkey --cn mail.example.com --keystore james.jks --alias james --storepass-env JAMES_PASS',
        'mailcert genkey --dname "CN=mail.example.com, O=Example, C=DE" --key-type ec --keystore mail.p12',
        'mailcert genkey --cn mail.example.com --key-out /etc/exim4/exim.key --cert-out /etc/exim4/exim.crt --key-group Debian-exim --key-mode 0640',
      ]);
      genkey
        .option('--cn <name>', "the server's DNS name (subject CN, and always a DNS subjectAltName)")
        .option('--dname <dn>', 'the full subject, keytool syntax: "CN=..,OU=..,O=..,L=..,ST=..,C=.."')
        .option('--san <list>', 'more subjectAltNames: DNS:name,IP:address,...')
        .addOption(new Option('--key-type <type>', 'key type').choices(['rsa', 'ec']).default('rsa'))
        .option('--key-size <bits>', 'RSA key size: 2048, 3072 or 4096', '2048')
        .option('--curve <name>', 'EC curve: P-256 or P-384', 'P-256')
        .option('--days <n>', 'validity in days', '365')
        .option('--sig-alg <name>', 'signature algorithm (default SHA256withRSA or SHA256withECDSA)')
        .option('--alias <name>', 'entry name in the keystore (default: the first label of the CN)')
        .option('--storetype <type>', 'type of a new keystore: jks or pkcs12 (default from the extension)')
        .option('--key-out <file>', 'write the private key here (unencrypted PKCS#8 PEM, mode 0600)')
        .option('--cert-out <file>', 'write the certificate here (PEM)');
      keystoreOpt(genkey, 'create this keystore (or add the key entry to it)');
      keyAccessOpts(genkey, 'key file or keystore');
      addPasswordOptions(genkey, 'store', 'keystore password');
      addPasswordOptions(genkey, 'key', 'key password (default: the store password)');
      genkey.addHelpText('after', passwordHelp).action(action(() => import('./commands/genkey.js')));
      },
    ],
    [
      'certreq',
      () => {
      const certreq = sub('certreq', 'make a certificate signing request (PKCS#10) for a keystore entry or a PEM key', [
        'mailcert certreq -k james.jks --out james.csr',
        'mailcert certreq --key mail.key --cn mail.example.com --san DNS:smtp.example.com > mail.csr',
      ]);
      keystoreOpt(certreq)
        .option('--alias <name>', 'the key entry (default: the one key entry)')
        .option('--key <file>', 'a PEM or DER private key instead of a keystore')
        .option('--cn <name>', 'subject CN (default: from the entry certificate)')
        .option('--dname <dn>', 'full subject, keytool syntax')
        .option('--san <list>', 'subjectAltNames to request: DNS:name,IP:address,...')
        .option('--out <file>', 'write the request here (default: standard output)');
      addPasswordOptions(certreq, 'store', 'keystore password');
      addPasswordOptions(certreq, 'key', 'key password (default: the store password)');
      addPasswordOptions(certreq, 'passin', 'password of an encrypted --key');
      certreq.action(action(() => import('./commands/certreq.js')));
      },
    ],
    [
      'import',
      () => {
      const imp = sub('import', "install a CA's reply for the server key, or add a trusted certificate", [
        'mailcert import -k james.jks --file reply.pem              # CA reply: chain built and stored leaf -> root',
        'mailcert import -k client.ks --file server.pem --yes       # a Java client truststore',
        'mailcert import -k mail.p12 --key mail.key --file mail.crt # bring a PEM key and certificate in',
      ]);
      keystoreOpt(imp)
        .option('--file <cert>', 'certificate(s): PEM bundle, DER or PKCS#7')
        .option('--alias <name>', 'entry name')
        .option('--key <file>', 'a PEM private key to import with --file')
        .option('--trustcacerts', "also trust Node's bundled Mozilla root certificates when building the chain")
        .option('-y, --yes', 'do not ask before trusting a certificate')
        .option('--storetype <type>', 'type of a new keystore: jks or pkcs12');
      keyAccessOpts(imp, 'keystore');
      addPasswordOptions(imp, 'store', 'keystore password');
      addPasswordOptions(imp, 'key', 'key password');
      addPasswordOptions(imp, 'passin', 'password of an encrypted --key');
      imp.action(action(() => import('./commands/import.js')));
      },
    ],
    [
      'import-chain',
      () => {
      const chain = sub('import-chain', 'add root and intermediate CA certificates as trusted entries', [
        'mailcert import-chain -k james.jks --file root-and-intermediate.pem',
      ]);
      keystoreOpt(chain)
        .option('--file <certs>', 'CA certificate(s): PEM bundle, DER or PKCS#7')
        .option('--alias <name>', 'entry name (then -1, -2, ... for more)')
        .option('-y, --yes', 'do not ask before trusting')
        .option('--storetype <type>', 'type of a new keystore: jks or pkcs12');
      keyAccessOpts(chain, 'keystore');
      addPasswordOptions(chain, 'store', 'keystore password');
      chain.action(action(() => import('./commands/import-chain.js')));
      },
    ],
    [
      'strip-password',
      () => {
      const strip = sub('strip-password', 'write a private key without a passphrase (hMailServer, Dovecot, Exim)', [
        'mailcert strip-password --in mail.key --out mail-nopass.key --passin-env KEY_PASS',
        'mailcert strip-password -k james.jks --out mail.key --format pkcs1',
        'mailcert strip-password --in mail.key --out /etc/exim4/exim.key --key-group Debian-exim --key-mode 0640',
      ]);
      strip
        .option('--in <file>', 'an encrypted private key (PKCS#8, traditional PEM or DER)')
        .option('--out <file>', 'where to write the unencrypted key (mode 0600)')
        .option('--alias <name>', 'the key entry (default: the one key entry)')
        .addOption(new Option('--format <format>', 'output encoding').choices(['pkcs8', 'pkcs1', 'sec1', 'der']).default('pkcs8'))
        .option('--cert-out <file>', "also write the entry's certificate chain (PEM, leaf first)");
      keystoreOpt(strip);
      keyAccessOpts(strip, 'key file');
      addPasswordOptions(strip, 'passin', 'passphrase of the --in key');
      addPasswordOptions(strip, 'store', 'keystore password');
      addPasswordOptions(strip, 'key', 'key password (default: the store password)');
      strip.action(action(() => import('./commands/strip-password.js')));
      },
    ],
    [
      'hash',
      () => {
      const hash = sub('hash', 'OpenSSL subject hash of certificates; <hash>.N links for a CA folder', [
        'mailcert hash ca.pem',
        'mailcert hash --old *.pem',
        'mailcert hash --rehash /etc/ssl/mail-ca --copy   # copies, for Windows / hMailServer',
      ]);
      hash
        .argument('[files...]', 'certificates or CRLs (PEM or DER)')
        .option('--old', 'also the pre-1.0 MD5 hash (openssl -subject_hash_old)')
        .option('--issuer', 'the issuer hash instead of the subject hash')
        .option('--rehash <dir>', 'make <hash>.N links in DIR, as openssl rehash does')
        .option('--copy', 'with --rehash: copies instead of symbolic links')
        .option('--dry-run', 'with --rehash: show what would be done');
      hash.action(action(() => import('./commands/hash.js')));
      },
    ],
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
        .option('--strict', 'warnings fail too');
      addPasswordOptions(verify, 'store', 'keystore password');
      verify.action(action(() => import('./commands/verify.js')));
      },
    ],
    [
      'inspect',
      () => {
      const inspect = sub('inspect', 'show what a certificate, request, key, keystore, PKCS#7 or CRL file is and holds', [
        'mailcert inspect mail.crt                  # subject, names, validity, usage, fingerprints',
        'mailcert inspect mail.key                  # type and size; an encrypted key stays encrypted',
        'mailcert inspect james.jks                 # entries; without a password the integrity is not checked',
        'mailcert inspect mail.p12 --storepass-env P12_PASS --json',
        'openssl s_client -connect mail.example.com:993 -showcerts </dev/null | mailcert inspect -',
        '# A PKCS#12 file needs its password (unless it has none); a JKS password only adds the integrity check.',
        '# An encrypted key is described without its passphrase; with --passin-* also its size and fingerprint.',
      ]);
      inspect.argument('<file>', 'any certificate, request, key, CRL, PKCS#7 or keystore file (PEM or DER; the type is read from the content)');
      addPasswordOptions(inspect, 'store', 'keystore password');
      addPasswordOptions(inspect, 'passin', 'passphrase of an encrypted key (used only when given)');
      inspect.action(action(() => import('./commands/inspect.js')));
      },
    ],
    [
      'export',
      () => {
      const exp = sub('export', 'convert a keystore (JKS <-> PKCS#12), or write a key entry as a PEM key and chain', [
        'mailcert export -k james.jks --out james.p12                        # every entry; same password',
        'mailcert export -k mail.p12 --out mail.jks --passout-env NEW_PASS',
        'mailcert export -k james.jks --key-out /etc/dovecot/private/mail.key --cert-out /etc/dovecot/mail.crt',
        '# --out keeps the store password (keys too) unless --passout-* gives a new one.',
        '# The way back, a PEM key and chain into a keystore:',
        'mailcert import -k james.jks --key mail.key --file mail.crt',
      ]);
      keystoreOpt(exp, 'the keystore to read (JKS, JCEKS or PKCS#12; the type is read from the content)')
        .option('--out <file>', 'write a new keystore with every entry (or only --alias) here')
        .addOption(new Option('--storetype <type>', 'type of --out (default from the extension: .jks/.keystore/.ks, .p12/.pfx)').choices(['jks', 'pkcs12']))
        .option('--key-out <file>', "write the key entry's private key here (PEM, mode 0600)")
        .option('--cert-out <file>', "write the entry's certificate chain here (PEM, leaf first)")
        .addOption(new Option('--format <format>', 'encoding of --key-out').choices(['pkcs8', 'pkcs1', 'sec1']).default('pkcs8'))
        .option('--alias <name>', 'only this entry (for --key-out: default the one key entry)');
      keyAccessOpts(exp, 'key file or keystore');
      addPasswordOptions(exp, 'store', 'keystore password');
      addPasswordOptions(exp, 'key', 'key password (default: the store password)');
      addPasswordOptions(exp, 'passout', 'new password (for --out, or to encrypt --key-out)');
      exp.addHelpText('after', passwordHelp).action(action(() => import('./commands/export.js')));
      },
    ],
    [
      'completion',
      () => {
      const completion = sub('completion', 'print a shell completion script (bash, zsh or fish)', [
        'source <(mailcert completion bash)                    # this shell; add the line to ~/.bashrc to keep it',
        'source <(mailcert completion zsh)                     # in ~/.zshrc, after compinit',
        'mailcert completion fish > ~/.config/fish/completions/mailcert.fish',
      ]);
      completion.addArgument(completion.createArgument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']));
      completion.action(action(() => import('./commands/completion.js')));
      },
    ],
    [
      'list',
      () => {
      const list = sub('list', 'list the entries of a keystore (what keytool -list shows)', [
        'mailcert list -k james.jks',
        'mailcert list -k james.jks -v                 # every certificate of every chain',
        'mailcert list -k cacerts --storepass-env P --json',
      ]);
      keystoreOpt(list).option('-v, --verbose', 'show every certificate of each chain with its validity and fingerprints');
      addPasswordOptions(list, 'store', 'keystore password');
      list.addHelpText('after', passwordHelp).action(action(() => import('./commands/list.js')));
      },
    ],
  ];
  const wanted = requestedCommand(argv, registrars.map(([name]) => name));
  // `mailcert --version` alone needs no command at all.
  const versionOnly = wanted === undefined && argv.length > 2 && argv.slice(2).every((a) => a === '--version' || a === '-V');
  if (!versionOnly) for (const [name, register] of registrars) if (wanted === undefined || name === wanted) register();

  return program;
}
