/** mailcert genkey: options -> subject, key spec, target -> core genkey -> summary or JSON. */
import type { Io } from '../io.js';
import { str, type Opts } from '../options.js';
import { PasswordResolver } from '../passwords.js';
import { keySpec, makeSelfSigned, parseDays, resolveSubject, genkeyIntoKeystore, type KeystoreResult } from '../../core/genkey.js';
import { parseSanList, type AltNames } from '../../codec/x509/build.js';
import { CodecError } from '../../codec/errors.js';
import { encodePem } from '../../codec/pem.js';
import { usageError } from '../../errors.js';
import { shown } from '../../display.js';
import { assertCanCreate, writeFilesAtomic } from '../../keystore/files.js';
import { certSummary } from '../../core/cert-summary.js';
import { renderCertLines } from '../../output/summary.js';
import { painter } from '../../output/style.js';
import { withSpinner } from '../../output/spinner.js';
import { mayOverwrite } from '../confirm.js';
import { keyAccess, modeText } from '../key-access.js';

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

export async function run(io: Io, opts: Opts): Promise<void> {
  let san: AltNames | undefined;
  try {
    san = str(opts.san) === undefined ? undefined : parseSanList(str(opts.san) ?? '');
  } catch (e) {
    if (e instanceof CodecError) throw usageError(`--san: ${e.message.replace(/^subjectAltName: /, '')}`, 'write it as DNS:imap.example.com,IP:192.0.2.10');
    throw e;
  }
  let cn = str(opts.cn);
  let dname = str(opts.dname);
  if (cn === undefined && dname === undefined && io.stdinIsTTY && !opts.json) ({ cn, dname } = await askSubject(io));
  const subject = resolveSubject({ cn, dname, san });
  const spec = keySpec(str(opts.keyType) ?? 'rsa', str(opts.keySize), str(opts.curve));
  const days = parseDays(str(opts.days));
  const what = spec.type === 'rsa' ? `Generating an RSA-${spec.bits} key` : `Generating an EC ${spec.curve} key`;
  const make = () => withSpinner(io, opts, what, makeSelfSigned({ subject, key: spec, days, sigAlg: str(opts.sigAlg) }));
  const force = opts.force === true;
  const keystore = str(opts.keystore);
  const keyOut = str(opts.keyOut);
  const certOut = str(opts.certOut);
  const passwords = new PasswordResolver(io, opts);
  const access = await keyAccess(opts);

  let ksResult: KeystoreResult | undefined;
  let cert: Uint8Array;
  let files: { key: string; cert: string } | undefined;
  let keyMode: number | undefined;
  if (keystore !== undefined) {
    if (keyOut !== undefined || certOut !== undefined) throw usageError('give either --keystore or --key-out/--cert-out, not both');
    let made: Uint8Array | undefined;
    ksResult = await genkeyIntoKeystore(
      {
        path: keystore,
        storetype: str(opts.storetype),
        alias: str(opts.alias),
        force,
        access,
        storePassword: (isNew) => passwords.get('store', { purpose: `keystore ${keystore}`, confirm: isNew }),
        keyPassword: async (alias, storepass) => {
          if (!passwords.given('key')) return storepass;
          return passwords.get('key', { purpose: `key entry ${alias}`, confirm: true });
        },
      },
      subject,
      async () => {
        const m = await make();
        made = m.cert;
        return m;
      },
    );
    if (made === undefined) throw new Error('genkey wrote a keystore without a certificate');
    cert = made;
  } else {
    if ((keyOut === undefined) !== (certOut === undefined)) throw usageError('give both --key-out and --cert-out (or neither, for NAME.key and NAME.crt)');
    files = { key: keyOut ?? `${subject.cn}.key`, cert: certOut ?? `${subject.cn}.crt` };
    const replace = await mayOverwrite(io, opts, [files.key, files.cert]);
    if (!replace) {
      assertCanCreate(files.key, 'private key');
      assertCanCreate(files.cert, 'certificate');
    }
    const made = await make();
    cert = made.cert;
    const [key] = writeFilesAtomic([
      { path: files.key, data: new TextEncoder().encode(encodePem('PRIVATE KEY', made.pkcs8)), opts: { overwrite: replace, secret: true, access, what: 'private key' } },
      { path: files.cert, data: new TextEncoder().encode(encodePem('CERTIFICATE', cert)), opts: { overwrite: replace, mode: 0o644, what: 'certificate' } },
    ]);
    keyMode = key?.mode;
  }

  const summary = certSummary(cert);
  const names = [...subject.altNames.dns.map((d) => `DNS:${d}`), ...subject.altNames.ip.map((i) => `IP:${i}`)];
  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          ...(ksResult ? { keystore: ksResult.path, type: ksResult.type, alias: ksResult.alias, createdKeystore: ksResult.created } : {}),
          ...(files ? { keyFile: files.key, certFile: files.cert } : {}),
          certificate: { ...summary, subjectAltNames: names },
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  if (opts.quiet) return;
  const paint = await painter(io, opts);
  const head = ksResult
    ? `${ksResult.created ? 'Created' : 'Updated'} ${ksResult.type} keystore ${shown(ksResult.path)} with key entry "${shown(ksResult.alias)}"`
    : `Wrote private key ${shown(files?.key ?? '')} (${modeText(keyMode)}) and certificate ${shown(files?.cert ?? '')}`;
  io.out([paint.bold(head), ...renderCertLines(summary, names, paint)].join('\n') + '\n');
}
