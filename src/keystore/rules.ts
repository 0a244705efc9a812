/**
 * The one rule mailcert enforces (CLI.md "The rule"): a keystore holds at most one server
 * certificate: at most one private-key entry, and no trusted end-entity certificate beside it.
 * CA certificates (basicConstraints CA:TRUE) may be trusted entries. A store without a key entry
 * is a truststore and may hold trusted server certificates (a Java mail client's <host>.ks).
 *
 * Decoders read whatever a file holds (a JKS with two keys is still listed); this is the one place
 * that refuses to write such a store. James and Hedwig require it: "The keystore must have only
 * one certificate" (apache/james-project docs, configure/ssl.adoc).
 */
import { X509Certificate } from 'node:crypto';
import type { StoredEntry } from '../codec/model.js';
import { ExitCode, MailcertError } from '../errors.js';

export interface RuleViolation {
  /** Two or more key entries, or a trusted server certificate beside the key entry. */
  kind: 'keys' | 'server-beside-key';
  message: string;
  hint: string;
  /** The entries in the way. */
  aliases: string[];
}

export function isCaCertificate(der: Uint8Array): boolean {
  try {
    return new X509Certificate(der).ca;
  } catch {
    return false;
  }
}

export function findRuleViolation(entries: readonly StoredEntry[]): RuleViolation | undefined {
  const keys = entries.filter((e) => e.kind === 'key');
  if (keys.length > 1) {
    const names = keys.map((k) => `"${k.alias}"`).join(', ');
    return {
      kind: 'keys',
      message: `the keystore would hold ${keys.length} server keys (${names}); a keystore holds at most one server certificate`,
      hint: 'keep one server key per keystore: write the other to its own keystore, or remove the old entry first',
      aliases: keys.map((k) => k.alias),
    };
  }
  const key = keys[0];
  if (key === undefined) return undefined;
  const servers = entries.filter((e) => e.kind === 'trusted' && !isCaCertificate(e.cert));
  if (servers.length > 0) {
    const names = servers.map((s) => `"${s.alias}"`).join(', ');
    return {
      kind: 'server-beside-key',
      message: `trusted entry ${names} is a server certificate (not a CA) beside the key entry "${key.alias}"; a keystore holds at most one server certificate`,
      hint: "put other servers' certificates in a truststore of their own (a keystore without a key entry)",
      aliases: servers.map((s) => s.alias),
    };
  }
  return undefined;
}

/** How many server certificates entries hold: the key entries, and beside a key the trusted ones that are not CAs. */
function serverCertificates(entries: readonly StoredEntry[]): number {
  const keys = entries.filter((e) => e.kind === 'key').length;
  return keys === 0 ? 0 : keys + entries.filter((e) => e.kind === 'trusted' && !isCaCertificate(e.cert)).length;
}

/** The exit-4 refusal of a write that would break the rule. */
export class RuleRefusal extends MailcertError {
  constructor(
    readonly path: string,
    readonly violation: RuleViolation,
  ) {
    super(`${path}: refused: ${violation.message}`, ExitCode.ruleBroken, violation.hint);
  }
}

/**
 * Throws the exit-4 refusal when entries break the rule; called before every keystore write.
 * `asRead`, the entries the keystore held when it was read, is given by the commands that keep a
 * keystore (delete, rename, passwd): a keystore another tool filled with two server keys may then
 * be written as long as it holds no more server certificates than before, so it can be renamed,
 * given a new password, and emptied of what breaks the rule one entry at a time.
 */
export function enforceRule(path: string, entries: readonly StoredEntry[], asRead?: readonly StoredEntry[]): void {
  const v = findRuleViolation(entries);
  if (v && !(asRead !== undefined && serverCertificates(entries) <= serverCertificates(asRead))) throw new RuleRefusal(path, v);
}
