/**
 * The errors of the layers below that several commands word in their flags. Core, keystore and
 * net speak of keystores, keys, files and servers (core/errors.ts, keystore/errors.ts,
 * net/errors.ts); here they get the options a user types: a taken alias (genkey, import,
 * import-chain), a key encoding that does not fit the key (strip-password, export), an output
 * that exists (--force, every command that writes), passwords (--storepass-*, --keypass-*,
 * --passin-*), keystore types (--storetype), and a server's failure (--starttls, --timeout,
 * --deadline: verify and tlsa). Errors of one command only are worded in that command's file;
 * main.ts words whatever a command let through here, so no refusal reaches a user in other words
 * than its command's.
 */
import { AliasTaken, KeyFormatMismatch, reworded } from '../core/errors.js';
import {
  AliasTooLong,
  KeyPasswordWrong,
  NonAsciiPkcs12Password,
  NotAKeystore,
  PassphraseWrong,
  StoreIntegrityFailed,
  StorePasswordNeeded,
  StoreTypeFromName,
  StoreTypeNotWritable,
  StoreTypeUnknown,
} from '../keystore/errors.js';
import { GroupNotPermitted, OutputExists } from '../keystore/files.js';
import { RuleRefusal } from '../keystore/rules.js';
import { HINTS, NetError, type NetErrorKind } from '../net/errors.js';

export function sharedInFlags(e: unknown): unknown {
  if (e instanceof AliasTaken) return reworded(e, e.message, e.replaceStore ? 'a keystore holds one server key: use a new keystore file, or --force to replace the whole keystore' : 'choose another --alias');
  if (e instanceof KeyFormatMismatch) {
    return e.format === 'pkcs1'
      ? reworded(e, `--format pkcs1 is for RSA keys; this is an ${e.keyType} key`, 'use --format sec1 for EC keys, or pkcs8')
      : reworded(e, `--format sec1 is for EC keys; this is an ${e.keyType} key`, 'use --format pkcs1 for RSA keys, or pkcs8');
  }
  if (e instanceof OutputExists) return reworded(e, e.message, 'pass --force to replace it, or choose another path');
  if (e instanceof StorePasswordNeeded) return reworded(e, e.message, 'pass --storepass-env VAR or --storepass-file FILE');
  if (e instanceof StoreIntegrityFailed) return reworded(e, e.message, 'check the store password (--storepass-env VAR, --storepass-file FILE); if it is right, the file is damaged: restore it from a backup');
  if (e instanceof KeyPasswordWrong) {
    return reworded(e, e.message, e.ownPassword ? 'give it with --keypass-env VAR or --keypass-file FILE' : 'pass the key password with --keypass-env VAR or --keypass-file FILE (it defaults to the store password)');
  }
  if (e instanceof PassphraseWrong) return reworded(e, e.message, 'check the passphrase given with --passin-env VAR or --passin-file FILE');
  if (e instanceof NotAKeystore) return reworded(e, e.message, 'check the file; PEM and DER files are read with --file, --cert or --key');
  if (e instanceof StoreTypeUnknown) return reworded(e, `--storetype ${e.given}: mailcert writes jks or pkcs12 keystores`);
  if (e instanceof StoreTypeFromName) return reworded(e, e.message, 'pass --storetype jks or --storetype pkcs12, or name it .jks or .p12');
  if (e instanceof StoreTypeNotWritable) return reworded(e, e.message, 'write JKS or PKCS#12 (--storetype jks|pkcs12)');
  if (e instanceof NonAsciiPkcs12Password) return reworded(e, e.message, 'choose an ASCII password, or a JKS keystore (--storetype jks), which takes any password');
  if (e instanceof AliasTooLong) {
    if (typeof e.from === 'string') return reworded(e, `${e.from === 'cn' ? '--cn' : '--alias'}: the alias is too long for a JKS keystore: ${e.size}`, e.hint);
    return reworded(e, e.message, 'write PKCS#12 instead (--storetype pkcs12, or an --out name ending in .p12)');
  }
  if (e instanceof GroupNotPermitted) return reworded(e, e.message, 'run mailcert as root, or leave out --key-group; nothing was written');
  if (e instanceof RuleRefusal && e.violation.kind === 'server-beside-key') return reworded(e, e.message, `${e.violation.hint}, e.g. mailcert import --keystore client.ks --file server.pem`);
  if (e instanceof NetError) return reworded(e, e.message, netHint(e));
  return e;
}

/** What to do about a server's failure, in the flags of the commands that connect (net's own words where they name none). */
const NET_HINTS: Partial<Record<NetErrorKind, string>> = {
  timeout: 'the server did not answer in time; if it expects TLS at once (implicit TLS, as on 465, 993, 995) use --starttls none, otherwise raise the timeout',
  deadline:
    'the whole check took longer than --deadline allows; raise it if the server is just slow, otherwise check the server or the network at the step named (--timeout bounds each step alone)',
  'tls-handshake': 'the TLS handshake failed; if the server talks plaintext first, pass --starttls smtp|imap|pop3|lmtp|sieve, otherwise check its TLS settings and log',
  'starttls-not-offered': 'the server (or a middlebox stripping it) does not offer STARTTLS; enable TLS on the server, or use its implicit-TLS port with --starttls none',
  'starttls-refused': `${HINTS['starttls-refused']}: --key-group GROUP --key-mode 0640`,
  preauth: 'the IMAP server pre-authenticated the session in plaintext, so STARTTLS is impossible; use the implicit-TLS port (993) with --starttls none',
  protocol: 'the server does not speak the protocol expected; check the port and --starttls',
};

/** A NetError's hint in flags; a hint other than its kind's usual one is the net layer's own, kept. */
export function netHint(e: NetError): string | undefined {
  return e.hint === HINTS[e.kind] ? (NET_HINTS[e.kind] ?? e.hint) : e.hint;
}
