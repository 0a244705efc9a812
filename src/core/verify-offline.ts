/**
 * Offline targets of `mailcert verify`: a keystore (the rule, the key entry's key against its
 * certificate, whether the key opens with the store password as James and JSSE need, and the
 * chain checks) or a PEM certificate chain file with an optional key.
 */
import type { StoredKeyEntry } from '../codec/model.js';
import { parseCertificate, type CertInfo } from '../codec/x509/certificate.js';
import { CodecError } from '../codec/errors.js';
import { sameBytes } from '../codec/bytes.js';
import { privateKeyFromPkcs8, spkiOf } from '../crypto/keys.js';
import { MailcertError } from '../errors.js';
import { readCertificates, readPrivateKey } from '../keystore/inputs.js';
import { readKeystoreFile, recoverKey } from '../keystore/keystore.js';
import { findRuleViolation } from '../keystore/rules.js';
import { certSummary, type CertSummary } from './cert-summary.js';
import { checkChain, type ChainVerdict, type Check } from './verify.js';
import type { Anchors } from './anchors.js';
import type { ConnectionFailure, ServerFacts } from './verify-live.js';

export interface VerifyReport {
  target: string;
  ok: boolean;
  /** The moment the checks were made for (ISO 8601): now, or verify --at. */
  at: string;
  checks: Check[];
  /** The certification path the checks are about: leaf first, the trust anchor last when one was reached. */
  path?: CertSummary[];
  /** Live targets: what the server said and sent, or how the connection failed. */
  server?: ServerFacts | ConnectionFailure;
}

export interface CommonOptions {
  anchors: Anchors;
  host?: string;
  warnDays: number;
  strict: boolean;
  /** verify --at: every time-dependent check as of this moment; now when not given. */
  at?: Date;
  /** verify --allow-cn: a host name found only in the subject CN passes, with a note. */
  allowCn?: boolean;
}

/** A report from its checks; `chain` when a chain was checked (its path goes into the report). */
export function verdict(
  target: string,
  checks: Check[],
  opts: Pick<CommonOptions, 'strict' | 'at'>,
  extra: { path?: CertSummary[]; server?: ServerFacts | ConnectionFailure } = {},
): VerifyReport {
  const ok = checks.every((c) => c.status === 'ok' || (c.status === 'warn' && !opts.strict));
  const report: VerifyReport = { target, ok, at: (opts.at ?? new Date()).toISOString(), checks };
  if (extra.path !== undefined) report.path = extra.path;
  if (extra.server !== undefined) report.server = extra.server;
  return report;
}

/** The chain checks with the options every target shares. */
export function chainChecks(chain: CertInfo[], opts: CommonOptions, host: string | undefined): ChainVerdict {
  return checkChain({
    chain,
    anchors: opts.anchors.certs,
    anchorSource: opts.anchors.source,
    ...(host === undefined ? {} : { host }),
    warnDays: opts.warnDays,
    ...(opts.at === undefined ? {} : { at: opts.at }),
    allowCn: opts.allowCn === true,
  });
}

function keyMatch(leaf: CertInfo, pkcs8: Uint8Array): Check {
  const spki = spkiOf(privateKeyFromPkcs8(pkcs8));
  return sameBytes(spki, leaf.spki)
    ? { name: 'key matches certificate', status: 'ok', detail: `the private key belongs to "${leaf.subject.text}"` }
    : { name: 'key matches certificate', status: 'fail', detail: `the private key does not belong to "${leaf.subject.text}"` };
}

export async function verifyKeystore(
  path: string,
  alias: string | undefined,
  storePassword: () => Promise<string>,
  opts: CommonOptions,
): Promise<VerifyReport> {
  const storepass = await storePassword();
  const store = await readKeystoreFile(path, () => Promise.resolve(storepass));
  const checks: Check[] = [];
  const violation = findRuleViolation(store.entries);
  const keys = store.entries.filter((e): e is StoredKeyEntry => e.kind === 'key');
  const trusted = store.entries.filter((e) => e.kind === 'trusted').length;
  checks.push(
    violation
      ? { name: 'keystore rule', status: 'fail', detail: violation.message }
      : { name: 'keystore rule', status: 'ok', detail: keys.length ? `one key entry ("${keys[0]?.alias ?? ''}"), ${trusted} trusted CA certificate(s)` : `a truststore with ${trusted} certificate(s)` },
  );
  const entry = alias === undefined ? keys[0] : keys.find((k) => k.alias.toLowerCase() === alias.toLowerCase());
  if (!entry) {
    if (alias !== undefined) checks.push({ name: 'key entry', status: 'fail', detail: `no key entry "${alias}"` });
    return verdict(`${path}`, checks, opts);
  }
  const certs = entry.chain.map((d) => parseCertificate(d));
  const leaf = certs[0];
  if (!leaf) {
    checks.push({ name: 'certificate', status: 'fail', detail: `key entry "${entry.alias}" has no certificate` });
    return verdict(path, checks, opts);
  }
  try {
    const pkcs8 = await recoverKey(path, store.type, entry, () => Promise.resolve(storepass));
    checks.push({ name: 'key password', status: 'ok', detail: 'the key opens with the store password (as James and JSSE KeyManagerFactory need)' });
    checks.push(keyMatch(leaf, pkcs8));
  } catch (e) {
    if (!(e instanceof MailcertError || e instanceof CodecError)) throw e;
    checks.push({ name: 'key password', status: 'fail', detail: `the key of "${entry.alias}" does not open with the store password; James and most Java servers need key password = store password` });
  }
  const result = chainChecks(certs, opts, opts.host);
  checks.push(...result.checks);
  return verdict(`${path} entry "${entry.alias}"`, checks, opts, { path: result.path.map((c) => certSummary(c)) });
}

export async function verifyFiles(certPath: string, keyPath: string | undefined, passin: () => Promise<string>, opts: CommonOptions): Promise<VerifyReport> {
  const certs = readCertificates(certPath).map((d) => parseCertificate(d));
  const checks: Check[] = [];
  const leaf = certs[0] as CertInfo;
  if (keyPath !== undefined) checks.push(keyMatch(leaf, (await readPrivateKey(keyPath, passin)).pkcs8));
  const result = chainChecks(certs, opts, opts.host);
  checks.push(...result.checks);
  return verdict(certPath, checks, opts, { path: result.path.map((c) => certSummary(c)) });
}
