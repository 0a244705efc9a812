/**
 * mailcert genkey: a private key and a self-signed certificate (core/genkey.ts), into a keystore
 * or a PEM key and certificate file; on a terminal without --cn or --dname, the subject is asked
 * for as keytool -genkeypair asks for it.
 */
import type { CommandDef } from '../command.js';
import { keyAccessOptions, keystoreOption } from '../command.js';
import { mayOverwrite } from '../confirm.js';
import { sharedInFlags } from '../flag-errors.js';
import { passwordHelp } from '../help.js';
import { keyAccess } from '../key-access.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import { sanOption, subjectInFlags, subjectOptions } from '../subject.js';
import type { Io } from '../../io.js';
import { ExitCode, usageError } from '../../errors.js';
import { DEFAULT_DAYS, genkey, resolveSubject, type GenkeyInput, type ResolvedSubject, type SubjectRequest } from '../../core/genkey.js';
import { isSignatureAlgorithmName, signatureAlgorithms, type KeySpec, type SignatureAlgorithmName } from '../../crypto/keys.js';
import { showGenkey } from '../../output/genkey.js';
import { withSpinner } from '../../output/spinner.js';

export const command: CommandDef = {
  name: 'genkey',
  summary: 'make a private key and a self-signed certificate, into a keystore or a PEM pair',
  examples: [
    'mailcert genkey --cn mail.example.com',
    'mailcert genkey --cn mail.example.com --san DNS:imap.example.com,IP:192.0.2.10 --key-out mail.key --cert-out mail.crt',
    'mailcert genkey --cn mail.example.com --keystore james.jks --alias james --storepass-env JAMES_PASS',
    'mailcert genkey --dname "CN=mail.example.com, O=Example, C=DE" --key-type ec --keystore mail.p12',
    'mailcert genkey --cn mail.example.com --key-out /etc/exim4/exim.key --cert-out /etc/exim4/exim.crt --key-group Debian-exim --key-mode 0640',
  ],
  options: [
    { flags: '--cn <name>', description: "the server's DNS name (subject CN, and always a DNS subjectAltName)" },
    { flags: '--dname <dn>', description: 'the full subject, keytool syntax: "CN=..,OU=..,O=..,L=..,ST=..,C=.."' },
    { flags: '--san <list>', description: 'more subjectAltNames: DNS:name,IP:address,...' },
    { flags: '--key-type <type>', description: 'key type', choices: ['rsa', 'ec'], default: 'rsa' },
    { flags: '--key-size <bits>', description: 'RSA key size: 2048, 3072 or 4096', default: '2048' },
    { flags: '--curve <name>', description: 'EC curve: P-256 or P-384', default: 'P-256' },
    { flags: '--days <n>', description: 'validity in days', default: String(DEFAULT_DAYS) },
    { flags: '--sig-alg <name>', description: 'signature algorithm (default SHA256withRSA or SHA256withECDSA)' },
    { flags: '--alias <name>', description: 'entry name in the keystore (default: the first label of the CN)' },
    { flags: '--storetype <type>', description: 'type of a new keystore: jks or pkcs12 (default from the extension)' },
    { flags: '--key-out <file>', description: 'write the private key here (unencrypted PKCS#8 PEM, mode 0600)' },
    { flags: '--cert-out <file>', description: 'write the certificate here (PEM)' },
    keystoreOption('create this keystore (or add the key entry to it)'),
    ...keyAccessOptions('key file or keystore'),
    ...passwordOptions('store', 'keystore password'),
    ...passwordOptions('key', 'key password (default: the store password)'),
  ],
  moreHelp: passwordHelp,
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.ruleBroken, ExitCode.cancelled],
  run,
};

async function run(io: Io, opts: Opts): Promise<void> {
  const san = sanOption(str(opts.san), 'write it as DNS:imap.example.com,IP:192.0.2.10');
  let cn = str(opts.cn);
  let dname = str(opts.dname);
  if (cn === undefined && dname === undefined && io.stdinIsTTY && !opts.json) ({ cn, dname } = await askSubject(io));
  const subject = resolved(subjectOptions(cn, dname, san));
  const key = keySpec(str(opts.keyType) ?? 'rsa', str(opts.keySize), str(opts.curve));
  const days = parseDays(str(opts.days));
  const sigAlg = signatureAlgorithm(str(opts.sigAlg), key);
  const keystore = str(opts.keystore);
  const keyOut = str(opts.keyOut);
  const certOut = str(opts.certOut);
  const passwords = new PasswordResolver(io, opts);
  const access = await keyAccess(opts);
  let target: GenkeyInput['target'];
  if (keystore !== undefined) {
    if (keyOut !== undefined || certOut !== undefined) throw usageError('give either --keystore or --key-out/--cert-out, not both');
    target = {
      keystore: {
        path: keystore,
        storetype: str(opts.storetype),
        alias: str(opts.alias),
        force: opts.force === true,
        access,
        storePassword: (isNew) => passwords.get('store', { purpose: `keystore ${keystore}`, confirm: isNew }),
        keyPassword: async (alias, storepass) => (passwords.given('key') ? passwords.get('key', { purpose: `key entry ${alias}`, confirm: true }) : storepass),
      },
    };
  } else {
    if ((keyOut === undefined) !== (certOut === undefined)) throw usageError('give both --key-out and --cert-out (or neither, for NAME.key and NAME.crt)');
    const files = { keyFile: keyOut ?? `${subject.cn}.key`, certFile: certOut ?? `${subject.cn}.crt` };
    target = { files: { ...files, overwrite: await mayOverwrite(io, opts, [files.keyFile, files.certFile]), access } };
  }
  const what = key.type === 'rsa' ? `Generating an RSA-${key.bits} key` : `Generating an EC ${key.curve} key`;
  const generating: GenkeyInput['generating'] = (work) => withSpinner(io, opts, what, work);
  const result = await genkey({ subject, key, days, sigAlg, target, generating }).catch((e: unknown) => {
    throw sharedInFlags(e);
  });
  await showGenkey(io, opts, result);
}

/** The subject as core makes it (the CN must be a host name), its error in these flags. */
function resolved(request: SubjectRequest): ResolvedSubject {
  try {
    return resolveSubject(request);
  } catch (e) {
    throw subjectInFlags(e);
  }
}

function keySpec(type: string, size: string | undefined, curve: string | undefined): KeySpec {
  if (type === 'ec') {
    const c = (curve ?? 'P-256').toUpperCase().replace(/^SECP256R1$|^PRIME256V1$/, 'P-256').replace(/^SECP384R1$/, 'P-384');
    if (c !== 'P-256' && c !== 'P-384') throw usageError(`--curve ${curve ?? ''}: use P-256 or P-384`);
    return { type: 'ec', curve: c };
  }
  if (type !== 'rsa') throw usageError(`--key-type ${type}: use rsa or ec`);
  const bits = Number(size ?? 2048);
  if (bits !== 2048 && bits !== 3072 && bits !== 4096) throw usageError(`--key-size ${size ?? ''}: use 2048, 3072 or 4096`);
  return { type: 'rsa', bits };
}

function parseDays(days: string | undefined): number {
  const n = Number(days ?? DEFAULT_DAYS);
  if (!Number.isInteger(n) || n < 1 || n > 36500) throw usageError(`--days ${days ?? ''}: give a whole number of days from 1 to 36500`);
  return n;
}

/** --sig-alg, in any case, and only one that fits the key type. */
function signatureAlgorithm(requested: string | undefined, key: KeySpec): SignatureAlgorithmName | undefined {
  if (requested === undefined) return undefined;
  const match = Object.keys(signatureAlgorithms).find((n) => n.toLowerCase() === requested.toLowerCase());
  if (match === undefined || !isSignatureAlgorithmName(match)) {
    throw usageError(`--sig-alg ${requested}: use one of ${Object.keys(signatureAlgorithms).join(', ')}`);
  }
  if (signatureAlgorithms[match].key !== key.type) throw usageError(`--sig-alg ${requested} does not fit a ${key.type.toUpperCase()} key`);
  return match;
}

/**
 * On a terminal, the DN fields keytool -genkeypair asks for, CN first (defaulting to this host's
 * name); blank answers leave a field out. Loaded only when asking: the prompt library is large.
 */
async function askSubject(io: Io): Promise<{ cn: string; dname: string }> {
  const { input } = await import('@inquirer/prompts');
  const fqdn = await hostFqdn();
  io.err('The certificate names the server; clients check the DNS name they connect to.\n');
  const cn = (await input({ message: 'DNS name of the mail server (CN):', default: fqdn, required: true })).trim();
  const fields: [string, string][] = [
    ['OU', 'Organizational unit (OU), blank to skip:'],
    ['O', 'Organization (O), blank to skip:'],
    ['L', 'City or locality (L), blank to skip:'],
    ['ST', 'State or province (ST), blank to skip:'],
    ['C', 'Two-letter country code (C), blank to skip:'],
  ];
  const parts = [`CN=${escapeDn(cn)}`];
  for (const [key, message] of fields) {
    const value = (await input({ message, validate: (v) => key !== 'C' || v.trim() === '' || /^[A-Za-z]{2}$/.test(v.trim()) || 'two letters, such as DE or US' })).trim();
    if (value !== '') parts.push(`${key}=${escapeDn(value)}`);
  }
  return { cn, dname: parts.join(', ') };
}

/**
 * This host's fully qualified name, as `hostname -f` finds it: the resolver's name for the host's
 * own address (/etc/hosts first), if it extends the host name; else the host name. Bounded, so a
 * resolver that does not answer never holds up the prompt.
 */
async function hostFqdn(): Promise<string> {
  const { hostname } = await import('node:os');
  const { lookup, lookupService } = await import('node:dns/promises');
  const short = hostname();
  if (short.includes('.')) return short;
  const find = async (): Promise<string> => {
    const { address } = await lookup(short);
    const { hostname: name } = await lookupService(address, 0);
    return name.startsWith(`${short}.`) ? name : short;
  };
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(short), 500).unref());
  return Promise.race([find().catch(() => short), timeout]);
}

/** RFC 4514 2.4 escaping for a value typed at a prompt. */
const escapeDn = (v: string): string => v.replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`);
