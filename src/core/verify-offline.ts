/**
 * Offline targets of `mailcert verify`: a keystore (the rule, the key entry's key against its
 * certificate, whether the key opens with the store password as James and JSSE need, and the
 * chain checks) or a PEM certificate chain file with an optional key.
 */
import type { StoredKeyEntry } from '../codec/model.js';
import { parseCertificate, type CertInfo } from '../codec/x509/certificate.js';
import { CodecError } from '../codec/errors.js';
import { sameBytes } from '../codec/bytes.js';
import { MailcertError } from '../errors.js';
import { readParsedCertificates, readPrivateKey } from '../keystore/inputs.js';
import { certSummary } from './cert-summary.js';
import { chainChecks, verdict, type Check, type CommonOptions, type VerifyReport } from './verify.js';

// verify's command files and core/verify-live.ts take these from here; they live in verify.ts.
export { chainChecks, verdict, type CommonOptions, type VerifyReport };

/** The key's public half against the leaf's; the key code is loaded only when a key is given. */
async function keyMatch(leaf: CertInfo, pkcs8: Uint8Array): Promise<Check> {
  const { privateKeyFromPkcs8, spkiOf } = await import('../crypto/keys.js');
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
  // The keystore code is loaded only by verify -k: a check of PEM files never needs it.
  const { readKeystoreFile, recoverKey } = await import('../keystore/keystore.js');
  const { findRuleViolation } = await import('../keystore/rules.js');
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
    checks.push(await keyMatch(leaf, pkcs8));
  } catch (e) {
    if (!(e instanceof MailcertError || e instanceof CodecError)) throw e;
    checks.push({ name: 'key password', status: 'fail', detail: `the key of "${entry.alias}" does not open with the store password; James and most Java servers need key password = store password` });
  }
  const result = chainChecks(certs, opts, opts.host);
  checks.push(...result.checks);
  return verdict(`${path} entry "${entry.alias}"`, checks, opts, { path: result.path.map((c) => certSummary(c)) });
}

export async function verifyFiles(certPath: string, keyPath: string | undefined, passin: () => Promise<string>, opts: CommonOptions): Promise<VerifyReport> {
  const certs = readParsedCertificates(certPath);
  const checks: Check[] = [];
  const leaf = certs[0] as CertInfo;
  if (keyPath !== undefined) checks.push(await keyMatch(leaf, (await readPrivateKey(keyPath, passin)).pkcs8));
  const result = chainChecks(certs, opts, opts.host);
  checks.push(...result.checks);
  return verdict(certPath, checks, opts, { path: result.path.map((c) => certSummary(c)) });
}
