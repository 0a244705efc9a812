/**
 * mailcert tlsa: options -> the current source (a certificate, a key, a keystore entry or a live
 * server) and the --next one -> TLSA records (core/tlsa-records.ts) -> zone-file lines or JSON.
 */
import { keystoreOption, type CommandDef } from '../command.js';
import type { Io } from '../../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver, passwordOptions } from '../passwords.js';
import { selectKeyEntry } from '../select.js';
import { materialFromCertificates, materialFromServer, makeRecords, readTlsaFile, type TlsaMaterial, type TlsaParams } from '../../core/tlsa-records.js';
import { BadServerAddress, reworded, TlsaNeedsCertificate, TlsaNeedsIssuer } from '../../core/errors.js';
import { tlsaOwner } from '../../core/tlsa.js';
import { parseTarget } from '../../core/verify-live.js';
import type { StartTlsProtocol } from '../../net/connect.js';
import { ExitCode, usageError } from '../../errors.js';
import { readInput } from '../../keystore/files.js';
import { keystoreType, readKeystoreFile } from '../../keystore/keystore.js';
import { renderTlsa, renderTlsaNotes } from '../../output/tlsa.js';

const PROTOCOLS = ['smtp', 'imap', 'pop3', 'lmtp', 'sieve', 'none'];

export const command: CommandDef = {
  name: 'tlsa',
  summary: 'print DANE TLSA records (RFC 6698) for a certificate, key, keystore entry or live server',
  examples: [
    'mailcert tlsa --cert mail.crt                                    # 3 1 1 <hex>: the record data',
    'mailcert tlsa --cert mail.crt --name mail.example.com --port 25  # _25._tcp.mail.example.com. IN TLSA 3 1 1 <hex>',
    'mailcert tlsa --cert chain.pem --usage 2                         # 2 1 1: the issuing CA',
    'mailcert tlsa -k james.jks --next staged.jks --name mail.example.com   # rollover: current and next key',
    'mailcert tlsa --connect mail.example.com:25 --json',
    '# Publish the records of --next before the swap; remove the old one after it (RFC 7671 §8.1).',
  ],
  options: [
    { flags: '--cert <file>', description: 'the server certificate (PEM or DER; a chain file for --usage 2)' },
    { flags: '--key <file>', description: 'a private key (selector 1 only)' },
    keystoreOption(),
    { flags: '--alias <name>', description: 'the key entry of --keystore (default: the one key entry)' },
    { flags: '--connect <host:port>', description: 'what a live server presents' },
    { flags: '--starttls <protocol>', description: 'with --connect: STARTTLS protocol (default: from the port)', choices: PROTOCOLS },
    { flags: '--servername <name>', description: 'with --connect: the TLS SNI name' },
    { flags: '--timeout <seconds>', description: 'with --connect: timeout of each network step', default: '10' },
    { flags: '--usage <n>', description: 'certificate usage: 3 the server key (DANE-EE), 2 its issuing CA (DANE-TA); 1, 0 the PKIX ones', choices: ['3', '2', '1', '0'], default: '3' },
    { flags: '--selector <n>', description: 'selector: 1 the public key (SPKI), 0 the whole certificate', choices: ['1', '0'], default: '1' },
    { flags: '--matching <n>', description: 'matching type: 1 SHA-256, 2 SHA-512, 0 the data itself', choices: ['1', '2', '0'], default: '1' },
    { flags: '--name <host>', description: 'print zone-file lines for this host name: _PORT._tcp.HOST. IN TLSA ...' },
    { flags: '--port <n>', description: 'with --name: the port (default 25)' },
    { flags: '--next <source>', description: 'also the records of the next key: a staged keystore, key or certificate file' },
    ...passwordOptions('store', 'keystore password (--keystore, or a keystore as --next)'),
    ...passwordOptions('passin', 'passphrase of an encrypted --key'),
  ],
  exitCodes: [ExitCode.ok, ExitCode.usage, ExitCode.badInput, ExitCode.network, ExitCode.cancelled],
  run: (io, opts) =>
    tlsa(io, opts).catch((e: unknown) => {
      throw inFlags(e);
    }),
};

/** core's errors, in this command's flags. */
function inFlags(e: unknown): unknown {
  if (e instanceof BadServerAddress) return reworded(e, `--connect ${e.text}: ${BadServerAddress.expected}`);
  if (e instanceof TlsaNeedsCertificate) return reworded(e, e.message, 'use --selector 1 (the public key), or give the certificate');
  if (e instanceof TlsaNeedsIssuer) return reworded(e, `${e.label}: --usage ${e.usage} ${e.need}`, e.hint);
  return e;
}

async function tlsa(io: Io, opts: Opts): Promise<void> {
  const passwords = new PasswordResolver(io, opts);
  const sources = { cert: str(opts.cert), key: str(opts.key), keystore: str(opts.keystore), connect: str(opts.connect) };
  const given = Object.entries(sources).filter(([, v]) => v !== undefined);
  if (given.length !== 1) {
    throw usageError(
      given.length === 0 ? 'give what the records are for: --cert FILE, --key FILE, --keystore FILE or --connect HOST:PORT' : `give one source, not ${given.map(([k]) => `--${k}`).join(' and ')}`,
      'mailcert tlsa --cert mail.crt --name mail.example.com --port 25',
    );
  }
  const params: TlsaParams = { usage: Number(opts.usage ?? 3), selector: Number(opts.selector ?? 1), matching: Number(opts.matching ?? 1) };
  if (sources.key !== undefined && params.selector === 0) throw usageError('--key gives a public key only: selector 0 needs a certificate', 'use --selector 1 (the default), or give --cert');
  const name = str(opts.name);
  const portText = str(opts.port);
  if (portText !== undefined && name === undefined) throw usageError('--port goes with --name: the records are for _PORT._tcp.NAME', 'mailcert tlsa --cert mail.crt --name mail.example.com --port 25');
  const port = portText === undefined ? 25 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`--port ${portText ?? ''}: give a port number, e.g. 25`);
  if (name !== undefined && !/^[A-Za-z0-9*]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(name)) {
    throw usageError(`--name ${name}: give the server's DNS host name (ASCII, e.g. mail.example.com; an IDN in its xn-- form)`);
  }
  const storePassword = (path: string) => () => passwords.get('store', { purpose: `keystore ${path}` });
  const passin = (path: string) => () => passwords.get('passin', { purpose: `key ${path}` });

  let current: TlsaMaterial;
  if (sources.cert !== undefined) current = await readTlsaFile(sources.cert, passin(sources.cert));
  else if (sources.key !== undefined) current = await readTlsaFile(sources.key, passin(sources.key));
  else if (sources.keystore !== undefined) current = await keystoreMaterial(sources.keystore, str(opts.alias), storePassword(sources.keystore));
  else {
    const target = parseTarget(sources.connect ?? '', str(opts.starttls) as StartTlsProtocol | undefined);
    const timeout = Number(opts.timeout ?? 10);
    if (!Number.isFinite(timeout) || timeout <= 0) throw usageError(`--timeout ${String(opts.timeout)}: give seconds, e.g. 10`);
    const servername = str(opts.servername);
    current = await materialFromServer({ ...target, timeoutMs: timeout * 1000, ...(servername === undefined ? {} : { servername }) });
  }
  const nextPath = str(opts.next);
  const next = nextPath === undefined ? undefined : await fileOrKeystore(nextPath, storePassword(nextPath), passin(nextPath));
  const result = makeRecords(current, next, params, name === undefined ? undefined : tlsaOwner(name, port));
  if (opts.json) {
    io.out(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  io.out(renderTlsa(result, next !== undefined));
  if (!opts.quiet) io.err(renderTlsaNotes(result));
}

/** The key entry's chain (--alias, else the one key entry): a keystore is read for its certificates, its key is never opened. */
async function keystoreMaterial(path: string, alias: string | undefined, storePassword: () => Promise<string>): Promise<TlsaMaterial> {
  const store = await readKeystoreFile(path, storePassword);
  const entry = selectKeyEntry(path, store, alias);
  return materialFromCertificates(`${path} entry "${entry.alias}"`, entry.chain);
}

/** --next: a staged keystore (its key entry), or a certificate or key file. */
async function fileOrKeystore(path: string, storePassword: () => Promise<string>, passin: () => Promise<string>): Promise<TlsaMaterial> {
  if (keystoreType(readInput(path, 'file')) !== undefined) return keystoreMaterial(path, undefined, storePassword);
  return readTlsaFile(path, passin);
}
