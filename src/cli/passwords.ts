/**
 * One resolver for every password source (CLI.md "Passwords"): --<kind>pass VALUE (warns: argv is
 * visible to other users), --<kind>pass-env VAR, --<kind>pass-file FILE, --<kind>pass-stdin, the
 * MAILCERT_<KIND>PASS environment variable (MAILCERT_NEW_STOREPASS for --new-storepass); else a masked prompt when stdin is a TTY (twice for a
 * new password); else an immediate usage error naming these options. Never blocks on a closed or
 * piped stdin and never prints a password.
 */
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OptionDef } from './command.js';
import { MailcertError, ExitCode, usageError } from '../errors.js';
import { firstLine, inputLimits, readBounded } from '../keystore/limits.js';
import { fsPath } from '../keystore/paths.js';
import type { Io } from '../io.js';
import { shown } from '../display.js';

/** newstore and newkey are the passwords `passwd` sets (keytool -storepasswd -new, -keypasswd -new). */
export type PasswordKind = 'store' | 'key' | 'passin' | 'passout' | 'newstore' | 'newkey';

/** The option stem of each kind: --storepass, --keypass, --passin, --passout, --new-storepass, --new-keypass. */
const stem: Record<PasswordKind, string> = { store: 'storepass', key: 'keypass', passin: 'passin', passout: 'passout', newstore: 'new-storepass', newkey: 'new-keypass' };
const envName: Record<PasswordKind, string> = {
  store: 'MAILCERT_STOREPASS',
  key: 'MAILCERT_KEYPASS',
  passin: 'MAILCERT_PASSIN',
  passout: 'MAILCERT_PASSOUT',
  newstore: 'MAILCERT_NEW_STOREPASS',
  newkey: 'MAILCERT_NEW_KEYPASS',
};
/** What each kind is called in messages and prompts. */
const label: Record<PasswordKind, string> = {
  store: 'store password',
  key: 'key password',
  passin: 'passin password',
  passout: 'passout password',
  newstore: 'new store password',
  newkey: 'new key password',
};
const camel = (s: string): string => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The four options of one password kind, as a command declares them. */
export function passwordOptions(kind: PasswordKind, what: string): OptionDef[] {
  const s = stem[kind];
  return [
    { flags: `--${s} <value>`, description: `${what} (visible to other users in the process list: prefer the forms below)` },
    { flags: `--${s}-env <var>`, description: `read the ${what} from environment variable VAR` },
    { flags: `--${s}-file <file>`, description: `read the ${what} from the first line of FILE` },
    { flags: `--${s}-stdin`, description: `read the ${what} from the first line of standard input` },
  ];
}

export interface AskOptions {
  /** What the password is for, shown in prompts and errors: "keystore mail.jks". */
  purpose: string;
  /** A new password: prompt twice and compare. */
  confirm?: boolean;
}

type Opts = Record<string, unknown>;

export class PasswordResolver {
  private readonly cache = new Map<PasswordKind, string>();
  private stdinUsed = false;

  constructor(
    private readonly io: Io,
    private readonly opts: Opts,
  ) {
    const stdinKinds = (Object.keys(stem) as PasswordKind[]).filter((k) => opts[camel(`${stem[k]}-stdin`)] === true);
    if (stdinKinds.length > 1) {
      throw usageError(
        `only one password can come from standard input (${stdinKinds.map((k) => `--${stem[k]}-stdin`).join(', ')} given)`,
        'put the others in environment variables (--keypass-env VAR) or files (--keypass-file FILE)',
      );
    }
  }

  /** Whether the user gave this kind of password in any form (the prompt does not count). */
  given(kind: PasswordKind): boolean {
    const s = stem[kind];
    return (
      this.opts[camel(s)] !== undefined ||
      this.opts[camel(`${s}-env`)] !== undefined ||
      this.opts[camel(`${s}-file`)] !== undefined ||
      this.opts[camel(`${s}-stdin`)] === true ||
      this.io.env[envName[kind]] !== undefined
    );
  }

  /** The password of this kind, or undefined when none was given and none can be asked for. */
  async find(kind: PasswordKind, ask: AskOptions): Promise<string | undefined> {
    const cached = this.cache.get(kind);
    if (cached !== undefined) return cached;
    let value = await this.fromSources(kind);
    if (value === undefined && this.io.stdinIsTTY && !this.stdinUsed) value = await this.prompt(kind, ask);
    if (value !== undefined) this.cache.set(kind, value);
    return value;
  }

  /** The password of this kind; fails at once with a hint when there is none and no TTY to ask on. */
  async get(kind: PasswordKind, ask: AskOptions): Promise<string> {
    const value = await this.find(kind, ask);
    if (value !== undefined) return value;
    const s = stem[kind];
    throw new MailcertError(
      `no ${label[kind]} given for ${ask.purpose}, and standard input is not a terminal to ask on`,
      ExitCode.usage,
      `pass --${s}-env VAR, --${s}-file FILE or --${s}-stdin, or set ${envName[kind]}`,
    );
  }

  /** The key password, which defaults to the store password (CLI.md). */
  async key(ask: AskOptions): Promise<string> {
    if (this.given('key')) return this.get('key', ask);
    return this.get('store', ask);
  }

  private async fromSources(kind: PasswordKind): Promise<string | undefined> {
    const s = stem[kind];
    const literal = this.opts[camel(s)];
    const envVar = this.opts[camel(`${s}-env`)];
    const file = this.opts[camel(`${s}-file`)];
    const stdin = this.opts[camel(`${s}-stdin`)] === true;
    const count = [literal, envVar, file].filter((v) => v !== undefined).length + (stdin ? 1 : 0);
    if (count > 1) throw usageError(`give the ${s} password one way only (--${s}, --${s}-env, --${s}-file or --${s}-stdin)`);
    if (typeof literal === 'string') {
      this.io.err(`mailcert: warning: --${s} on the command line is visible to other users; prefer --${s}-env or --${s}-file\n`);
      return literal;
    }
    if (typeof envVar === 'string') {
      const v = this.io.env[envVar];
      if (v === undefined) throw usageError(`--${s}-env ${envVar}: the environment variable ${envVar} is not set`);
      return v;
    }
    if (typeof file === 'string') return firstLine(readPasswordFile(resolve(this.io.cwd, file), `--${s}-file ${file}`));
    if (stdin) {
      if (this.io.stdinIsTTY) throw usageError(`--${s}-stdin: standard input is a terminal`, `pipe the password in, or leave out --${s}-stdin to be asked`);
      this.stdinUsed = true;
      // One line, bounded: `yes | mailcert ...` or a stray binary stream must not fill the memory.
      return firstLine(await this.io.readStdin({ limit: inputLimits.password, what: 'password', firstLine: true }));
    }
    return this.io.env[envName[kind]];
  }

  private async prompt(kind: PasswordKind, ask: AskOptions): Promise<string> {
    // Loaded only when a prompt is really shown: @inquirer/prompts costs start-up time.
    const { password } = await import('@inquirer/prompts');
    const what = kind === 'key' || kind === 'newkey' ? 'key password' : kind === 'store' || kind === 'newstore' ? 'keystore password' : 'password';
    for (;;) {
      const first = await password({ message: `Enter ${ask.confirm ? 'new ' : ''}${what} for ${shown(ask.purpose)}:`, mask: '*' });
      if (!ask.confirm) return first;
      const second = await password({ message: `Re-enter the new ${what}:`, mask: '*' });
      if (first === second) return first;
      this.io.err('The passwords do not match; try again.\n');
    }
  }
}

/** The first line of a password file (/dev/zero or a large file is read no further than the limit). */
function readPasswordFile(path: string, name: string): Buffer {
  let fd: number;
  try {
    fd = openSync(fsPath(path), 'r');
  } catch (e) {
    if (e instanceof MailcertError) throw e;
    throw usageError(`${name}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return readBounded(fd, name, 'password', inputLimits.password, true);
  } catch (e) {
    if (e instanceof MailcertError) throw e;
    throw usageError(`${name}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    closeSync(fd);
  }
}
