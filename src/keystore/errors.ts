/**
 * Errors of the keystore layer that a command words in its own flags (cli/flag-errors.ts): they
 * speak of keystores, keys and passwords, never of options, and carry what a command needs to
 * say the same with its flags. Each is a MailcertError with the exit code of CLI.md, so a caller
 * that does not reword it still shows a clear line. The errors of writing files (an output that
 * exists, a group not permitted) are files.ts's own: `hash --rehash` writes files and reads no
 * keystore, and its bundle file stays without these.
 */
import { CodecError } from '../codec/errors.js';
import { shown } from '../display.js';
import { ExitCode, MailcertError, type ExitCodeValue } from '../errors.js';

/** A keystore type asked for that mailcert does not write. */
export class StoreTypeUnknown extends MailcertError {
  constructor(readonly given: string) {
    super(`keystore type "${given}": mailcert writes jks or pkcs12 keystores`, ExitCode.usage);
  }
}

/** A new keystore whose name tells no type (.jks, .p12...) and no type given. */
export class StoreTypeFromName extends MailcertError {
  constructor(readonly path: string) {
    super(`${path}: cannot tell the keystore type from the name`, ExitCode.usage, 'give the type, jks or pkcs12, or name it .jks or .p12');
  }
}

/** A file read as a keystore that is none (PEM, DER, anything else). */
export class NotAKeystore extends MailcertError {
  constructor(readonly path: string) {
    super(`${path}: not a keystore (JKS, JCEKS or PKCS#12)`, ExitCode.badInput, 'check the file; PEM and DER files are certificate and key files, not keystores');
  }
}

/**
 * A BouncyCastle keystore (BKS, UBER, BCFKS; codec/bouncycastle.ts), which mailcert does not read:
 * named, with the keytool command that converts it (BouncyCastle's provider jar, bcprov.jar, is
 * Debian's libbcprov-java).
 */
export class ForeignKeystore extends MailcertError {
  constructor(
    readonly path: string,
    /** "BouncyCastle BKS keystore (version 2)". */
    readonly format: string,
    readonly storetype: string,
  ) {
    super(
      `${shown(path)}: a ${format}, which mailcert does not read`,
      ExitCode.badInput,
      `convert it to PKCS#12 with keytool and BouncyCastle's provider: keytool -importkeystore -srckeystore ${shellWord(shown(path))} -srcstoretype ${storetype} ` +
        '-providerpath bcprov.jar -providerclass org.bouncycastle.jce.provider.BouncyCastleProvider -destkeystore out.p12 -deststoretype PKCS12',
    );
  }
}

/** A file name as one shell word, quoted when it needs to be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A PKCS#12 keystore that needs its password, and none was given. */
export class StorePasswordNeeded extends MailcertError {
  constructor(readonly path: string) {
    super(`${path}: this PKCS#12 keystore needs its password`, ExitCode.usage, 'give the keystore password');
  }
}

/** A keystore's integrity check failed: a wrong store password, or a changed or damaged file. */
export class StoreIntegrityFailed extends MailcertError {
  constructor(
    readonly path: string,
    message: string,
    cause: unknown,
  ) {
    super(message, ExitCode.badInput, 'check the store password; if it is right, the file is damaged: restore it from a backup', { cause });
  }
}

/**
 * A key entry whose key the key password given does not open. `ownPassword`: the password tried is
 * the one the file's integrity check passed with, so the key has a password of its own.
 */
export class KeyPasswordWrong extends MailcertError {
  constructor(
    readonly path: string,
    message: string,
    readonly ownPassword = false,
  ) {
    super(message, ExitCode.badInput, ownPassword ? 'give the key password it was encrypted with' : 'give the key password (it defaults to the store password)');
  }
}

/** An encrypted key file whose passphrase given does not open it. */
export class PassphraseWrong extends MailcertError {
  constructor(readonly path: string) {
    super(`${path}: the passphrase for this key is incorrect`, ExitCode.badInput, 'check the passphrase');
  }
}

/** A keystore holding parts a rewrite could not keep (a CRL bag, a bag type mailcert does not know): changing it is refused. */
export class UnkeptParts extends MailcertError {
  constructor(
    readonly path: string,
    readonly parts: readonly string[],
  ) {
    super(
      `${shown(path)}: refused: the keystore holds ${parts.map(shown).join(', ')}, which mailcert cannot keep, and writing it would lose ${parts.length === 1 ? 'it' : 'them'}`,
      ExitCode.badInput,
      'change it with the tool that made it, or export its entries to a new keystore (mailcert export) and use that',
    );
  }
}

/** A keystore of a type mailcert reads but does not write (JCEKS). */
export class StoreTypeNotWritable extends MailcertError {
  constructor(readonly type: string) {
    super(`mailcert does not write ${type} keystores`, ExitCode.usage, 'write JKS or PKCS#12');
  }
}

/** A new PKCS#12 keystore whose password Java 17 cannot use (keystore-formats.md 3.3). */
export class NonAsciiPkcs12Password extends MailcertError {
  constructor(readonly path: string) {
    super(`${path}: refused: Java 17 cannot open a PKCS#12 keystore whose password is not plain ASCII`, ExitCode.usage, 'choose an ASCII password, or a JKS keystore, which takes any password');
  }
}

/**
 * Where an alias came from: given by the user (usage, exit 2), made from the certificate's CN
 * (usage too), or read from a file (bad input, exit 3).
 */
export type AliasSource = 'given' | 'cn' | { file: string };

/** An alias longer than a JKS keystore holds. */
export class AliasTooLong extends MailcertError {
  constructor(
    readonly from: AliasSource,
    /** "70000 bytes in modified UTF-8, and a JKS alias holds at most 65535". */
    readonly size: string,
    message: string,
    exitCode: ExitCodeValue,
    hint: string,
  ) {
    super(message, exitCode, hint);
  }
}

/** A codec's error about bytes becomes a user's error about a file: what, which file, what to do. */
export function codecToUser(e: unknown, path: string, type: string): unknown {
  if (!(e instanceof CodecError)) return e;
  // The file name and what the codec quotes from the file (aliases, labels) are escaped for the terminal.
  const file = shown(path);
  const what = shown(stripFormat(e));
  switch (e.kind) {
    case 'integrity':
      return new StoreIntegrityFailed(path, `${file}: the ${type} keystore password is incorrect, or the file was changed or damaged (integrity check failed)`, e);
    case 'password':
      return new MailcertError(`${file}: ${what}: wrong password`, ExitCode.badInput, 'check the password given', { cause: e });
    case 'unsupported':
      return new MailcertError(`${file}: ${what}`, ExitCode.badInput, undefined, { cause: e });
    case 'limit':
      return new MailcertError(`${file}: refused: ${what}`, ExitCode.badInput, 'a keystore made by keytool or openssl never asks for this much; do not trust this file', { cause: e });
    case 'format':
      return new MailcertError(`${file}: damaged or not a ${e.format} file: ${what}`, ExitCode.badInput, 'check that the file is complete (a truncated copy or a text-mode transfer damages keystores)', { cause: e });
  }
}

function stripFormat(e: CodecError): string {
  const prefix = `${e.format}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}
