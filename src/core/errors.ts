/**
 * Errors of core that a command may word in its own flags. Core knows nothing of the command line:
 * these messages and hints speak of keystores, keys and folders, and carry what a command needs to
 * say the same in its flags (the alias, the format). They are MailcertErrors, so any caller that
 * does not reword them still shows a clear line with the right exit code.
 */
import { ExitCode, MailcertError, type ExitCodeValue } from '../errors.js';
import { entryKindText } from '../keystore/read-notes.js';

/** The same error with other words, for the command layer (the exit code stays). */
export function reworded(e: MailcertError, message: string, hint?: string): MailcertError {
  return new MailcertError(message, e.exitCode, hint, { cause: e });
}

/**
 * An alias the keystore already holds. `replaceStore`: the way out is a new keystore, or replacing
 * the whole keystore (a second server key); otherwise another alias.
 */
export class AliasTaken extends MailcertError {
  constructor(
    message: string,
    exitCode: ExitCodeValue,
    readonly alias: string,
    readonly replaceStore = false,
  ) {
    super(message, exitCode, replaceStore ? 'a keystore holds one server key: use a new keystore file, or replace the whole keystore' : 'choose another alias');
  }
}

/** A private key none of the given certificates belongs to. */
export class NoCertificateForKey extends MailcertError {
  constructor(readonly count: number) {
    super(`none of the ${count} certificate(s) given matches the private key`, ExitCode.badInput, 'give the certificate issued for this key');
  }
}

/** A CA reply whose chain cannot be completed: the issuer of one of its certificates is nowhere. */
export class IssuerMissing extends MailcertError {
  constructor(path: string, readonly issuer: string) {
    super(
      `${path}: refused: cannot build the chain from the reply: no certificate for the issuer "${issuer}"`,
      ExitCode.badInput,
      'give the CA bundle with the intermediate(s) too, or import them first with mailcert import-chain',
    );
  }
}

/** A CA reply not installed: its root is not trusted by the keystore, and the user said no. */
export class RootNotTrusted extends MailcertError {
  constructor(path: string) {
    super(`${path}: the reply was not installed`, ExitCode.usage, 'trust the root first: add it with mailcert import-chain');
  }
}

/** A key written in an encoding made for another key type: PKCS#1 holds RSA keys, SEC 1 EC keys. */
export class KeyFormatMismatch extends MailcertError {
  constructor(
    readonly format: 'pkcs1' | 'sec1',
    /** "RSA", "EC", "ED25519"... */
    readonly keyType: string,
  ) {
    const [name, fits] = format === 'pkcs1' ? ['PKCS#1', 'RSA'] : ['SEC 1', 'EC'];
    super(`${name} holds ${fits} keys; this is an ${keyType} key`, ExitCode.usage, 'write it as PKCS#8');
  }
}

/** Entries to put into one keystore that would hold more than one server certificate. */
export class TooManyServerKeys extends MailcertError {
  constructor(
    message: string,
    /** The entries in the way. */
    readonly aliases: readonly string[],
  ) {
    super(message, ExitCode.ruleBroken, `one server key per keystore: take one of ${aliases.map((a) => `"${a}"`).join(', ')}, or the key entry as PEM files`);
  }
}

/** A private key asked of a trusted-certificate or secret-key entry, which holds none. */
export class NoPrivateKey extends MailcertError {
  constructor(
    path: string,
    readonly alias: string,
    kind: 'trusted' | 'secret' = 'trusted',
  ) {
    super(`${path}: entry "${alias}" is ${entryKindText(kind)} and holds no private key`, ExitCode.usage, 'export its certificate alone');
  }
}

/** A certificate chain asked of a key entry that holds no certificate. */
export class NoCertificate extends MailcertError {
  constructor(path: string, readonly alias: string) {
    super(`${path}: key entry "${alias}" holds no certificate`, ExitCode.badInput, 'install the certificate first (mailcert import), or export the key alone');
  }
}

/** The passphrase given for an encrypted key does not open it. */
export class WrongPassphrase extends MailcertError {
  constructor(path: string) {
    super(`${path}: the passphrase for this key is incorrect`, ExitCode.badInput, 'check the passphrase, or leave it out to see the key without decrypting it');
  }
}

/** A folder where symbolic links cannot be made (Windows without the privilege, FAT, some shares). */
export class NoSymlinks extends MailcertError {
  constructor(path: string, code: string) {
    super(`${path}: cannot create a symbolic link here (${code})`, ExitCode.badInput, 'write copies instead (what hMailServer on Windows needs)');
  }
}

/** A folder to rehash that this user cannot write to. */
export class FolderNotWritable extends MailcertError {
  constructor(dir: string) {
    super(`${dir}: cannot write to the folder`, ExitCode.badInput, 'run as a user who may write there, or only work out the plan');
  }
}

/** A certificate's CN that is neither a host name nor an IP address (it is always a subjectAltName too). */
export class NotAHostName extends MailcertError {
  constructor(readonly cn: string) {
    super(`the CN "${cn}" is not a host name; the certificate names the server clients connect to`, ExitCode.usage, 'give the DNS name clients connect to, such as mail.example.com');
  }
}

/** An alias the keystore does not hold (keytool: "Alias <x> does not exist"). */
export class NoSuchEntry extends MailcertError {
  constructor(path: string, readonly alias: string, readonly aliases: readonly string[]) {
    super(`${path}: no entry "${alias}"`, ExitCode.usage, aliases.length === 0 ? 'the keystore is empty' : `the entries are: ${aliases.map((a) => `"${a}"`).join(', ')}`);
  }
}

/**
 * A second server key for a keystore that holds one: the rule refuses it (exit 4). The way out
 * is replacing the key entry, which is what a renewal does.
 */
export class ServerKeyPresent extends MailcertError {
  constructor(message: string, readonly alias: string) {
    super(message, ExitCode.ruleBroken, `to renew the server key "${alias}", replace it: the old key and chain give way to the new ones`);
  }
}

/** A key entry that the store password does not open, and no key password to open it with. */
export class KeyPasswordNeeded extends MailcertError {
  constructor(path: string, readonly alias: string, why: string) {
    super(`${path}: key entry "${alias}" has a password of its own (the store password does not open it), and ${why}`, ExitCode.usage, 'give the key password');
  }
}

/**
 * A key of a type mailcert cannot use for what was asked (an SM2 key, whose curve neither the JDK
 * nor mailcert signs with): the key type named, exit 3. Listing and copying the entry still work.
 */
export class UnsupportedKeyType extends MailcertError {
  constructor(
    label: string,
    /** "SM2 (curve 1.2.156.10197.1.301)". */
    readonly keyType: string,
    /** What was asked: "sign a request with". */
    what: string,
  ) {
    super(
      `${label} holds an ${keyType} key, which mailcert cannot ${what} (it signs with RSA and EC keys on the NIST and Brainpool curves)`,
      ExitCode.badInput,
      'make it with a tool that signs with this key type, such as openssl req -new -key KEY (OpenSSL 3 signs with SM2 keys)',
    );
  }
}

/** Certificates given with a key that are not in the chain of the key's certificate. */
export class NotInChain extends MailcertError {
  constructor(
    readonly leaf: string,
    /** Subjects of the certificates left out. */
    readonly strays: readonly string[],
  ) {
    super(
      `${strays.length === 1 ? `the certificate "${strays[0] ?? ''}" is` : `${strays.length} certificates (${strays.map((s) => `"${s}"`).join(', ')}) are`} not in the chain of the key's certificate "${leaf}"`,
      ExitCode.badInput,
      'give the certificate issued for this key and its own intermediates (fullchain.pem), nothing else',
    );
  }
}

/** Trust anchors that cannot be used: no such file or folder, no certificate in it, not certificates at all. */
export class AnchorsUnusable extends MailcertError {
  constructor(
    readonly source: string,
    /** What is wrong, without the source: "no such file or folder". */
    readonly problem: string,
  ) {
    super(`trust anchors ${source}: ${problem}`, ExitCode.badInput);
  }
}

/** A server address that is not HOST:PORT. */
export class BadServerAddress extends MailcertError {
  /** What to give instead. */
  static readonly expected = 'give HOST:PORT, e.g. mail.example.com:993 or [2001:db8::1]:25';

  constructor(readonly text: string) {
    super(`${text}: not a server address: ${BadServerAddress.expected}`, ExitCode.usage);
  }
}

/** A line of a file of servers to check that is not "HOST:PORT [protocol]". */
export class BadTargetLine extends MailcertError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    /** What is wrong with it: "give HOST:PORT, ...", "the protocol must be one of ...". */
    readonly problem: string,
  ) {
    super(`${file}: line ${line}: "${text}": ${problem}`, ExitCode.usage);
  }
}

/** A TLSA record of selector 0 (the whole certificate) asked of a key alone. */
export class TlsaNeedsCertificate extends MailcertError {
  constructor(readonly label: string) {
    super(`${label}: a key alone has no certificate for selector 0`, ExitCode.usage, 'use selector 1 (the public key), or give the certificate');
  }
}

/** A TLSA record of usage 2 or 0 (the issuing CA) asked of material without that CA: a key alone, or a chain without the issuer. */
export class TlsaNeedsIssuer extends MailcertError {
  constructor(
    readonly label: string,
    readonly usage: number,
    /** What the usage needs, after "certificate usage N": "is about the CA that issued ...". */
    readonly need: string,
    exitCode: ExitCodeValue,
    hint: string,
  ) {
    super(`${label}: certificate usage ${usage} ${need}`, exitCode, hint);
  }
}
