/**
 * What a live check says about the server beyond its certificates: how the connection went,
 * authentication offered before STARTTLS, the TLS versions it still accepts, the signature scheme
 * its key allows, and a root it sends for nothing. Plain functions from the network report
 * (net/connect.ts) to checks and notes; the certificate checks are core/verify's.
 */
import type { CertInfo } from '../codec/x509/certificate.js';
import type { ServerReport, VersionProbe } from '../net/connect.js';
import { isSelfSigned } from './chain.js';
import type { Check } from './verify.js';

const VERSION_NAMES: Readonly<Record<string, string>> = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };
export const versionName = (v: string): string => VERSION_NAMES[v] ?? v;

/** "TLSv1.3, TLS_AES_256_GCM_SHA384, X25519, STARTTLS (smtp)": the `connection` check's detail. */
export function connectionDetail(r: ServerReport): string {
  const how = r.mode === 'starttls' ? `STARTTLS (${r.application ?? r.protocol})` : `implicit TLS${r.application ? ` (${r.application})` : ''}`;
  const detected = r.protocolSource === 'detected' ? ', detected' : '';
  return [r.tlsVersion, r.cipher, r.keyExchange, `${how}${detected}`].filter((x) => x !== undefined).join(', ');
}

/** Settings that stop it, for the hint in the detail. */
const FIX: Readonly<Record<string, string>> = {
  smtp: 'Postfix: smtpd_tls_auth_only = yes; Exim: auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}',
  lmtp: 'Postfix: smtpd_tls_auth_only = yes',
  imap: 'Dovecot: disable_plaintext_auth = yes; 2.4: auth_allow_cleartext = no',
  pop3: 'Dovecot: disable_plaintext_auth = yes; 2.4: auth_allow_cleartext = no',
  sieve: 'Dovecot: disable_plaintext_auth = yes; 2.4: auth_allow_cleartext = no',
};

/**
 * Authentication offered before STARTTLS: a client that takes it sends its password where anyone
 * on the path reads it (RFC 3207 §6, RFC 2595 §3.2; testssl.sh and mail admins' checklists flag
 * it). A warning, not a failure: the server may also refuse it in plaintext when tried.
 */
export function plaintextAuthCheck(r: ServerReport): Check | undefined {
  if (r.mode !== 'starttls' || r.authBeforeTls === undefined) return undefined;
  if (r.authBeforeTls.length === 0) return { name: 'plaintext auth', status: 'ok', detail: 'no authentication offered before STARTTLS' };
  const fix = FIX[r.application ?? ''] ?? '';
  return {
    name: 'plaintext auth',
    status: 'warn',
    detail: `before STARTTLS the server offers ${r.authBeforeTls.join(', ')}: a client may send its password unencrypted${fix === '' ? '' : ` (${fix})`}`,
  };
}

/** --protocols: TLS 1.0 and 1.1 accepted warn (RFC 8996); neither 1.2 nor 1.3 fails (RFC 8996 §4, RFC 9325 §3.1.1). */
export function protocolsCheck(versions: readonly VersionProbe[]): Check {
  const accepted = versions.filter((v) => v.result === 'accepted').map((v) => versionName(v.version));
  const old = versions.filter((v) => v.result === 'accepted' && (v.version === 'TLSv1' || v.version === 'TLSv1.1')).map((v) => versionName(v.version));
  const untold = versions.filter((v) => v.result === 'unavailable' || v.result === 'failed').map((v) => `${versionName(v.version)} not probed: ${v.detail}`);
  const tail = untold.length === 0 ? '' : `; ${untold.join('; ')}`;
  const list = accepted.length === 0 ? 'no version' : accepted.join(', ');
  if (!versions.some((v) => v.result === 'accepted' && (v.version === 'TLSv1.2' || v.version === 'TLSv1.3'))) {
    return { name: 'protocols', status: 'fail', detail: `accepts ${list}: neither TLS 1.2 nor TLS 1.3${tail}` };
  }
  if (old.length > 0) return { name: 'protocols', status: 'warn', detail: `accepts ${list}: ${old.join(' and ')} ${old.length > 1 ? 'are' : 'is'} deprecated (RFC 8996)${tail}` };
  return { name: 'protocols', status: untold.length > 0 ? 'warn' : 'ok', detail: `accepts ${list}${tail}` };
}

/**
 * The signature scheme the server signed the handshake with, where its key and the version leave
 * one choice. Node exposes no SSL_get_peer_signature_type_nid, and getSharedSigalgs() is empty on
 * a client; but TLS 1.3 binds each ECDSA curve to one hash (RFC 8446 §4.2.3), and EdDSA has one
 * scheme each.
 */
export function signatureScheme(tlsVersion: string, leaf: CertInfo | undefined): { scheme: string | null; text: string } {
  const k = leaf?.publicKey;
  if (k === undefined) return { scheme: null, text: 'unknown' };
  if (k.algorithm === 'Ed25519' || k.algorithm === 'Ed448') return { scheme: k.algorithm.toLowerCase(), text: k.algorithm.toLowerCase() };
  if (tlsVersion === 'TLSv1.3') {
    const ecdsa: Readonly<Record<string, string>> = { secp256r1: 'ecdsa_secp256r1_sha256', secp384r1: 'ecdsa_secp384r1_sha384', secp521r1: 'ecdsa_secp521r1_sha512' };
    const scheme = k.algorithm === 'EC' ? ecdsa[k.curve ?? ''] : undefined;
    if (scheme !== undefined) return { scheme, text: scheme };
    if (k.algorithm === 'RSA') return { scheme: null, text: 'RSA-PSS (rsa_pss_rsae_*; Node does not tell the hash)' };
    if (k.algorithm === 'RSASSA-PSS') return { scheme: null, text: 'RSA-PSS (rsa_pss_pss_*; Node does not tell the hash)' };
  }
  if (k.algorithm === 'EC') return { scheme: null, text: 'ECDSA (Node does not tell the hash)' };
  if (k.algorithm === 'RSA') return { scheme: null, text: 'RSA (Node does not tell PKCS#1 v1.5 from PSS, nor the hash)' };
  return { scheme: null, text: 'not told by Node' };
}

/**
 * A self-signed CA among the certificates sent after the leaf: clients never use a root from the
 * server (they must already hold it), so it only costs bytes (RFC 8446 §4.4.2 lets the server
 * leave it out). A note, not a warning; the `chain` check says the rest (missing, misordered).
 */
export function sentRootNote(chain: readonly CertInfo[]): string | undefined {
  const i = chain.findIndex((c, n) => n > 0 && isSelfSigned(c));
  const root = chain[i];
  if (root === undefined) return undefined;
  return `the server sends the root "${root.subject.text}" (certificate ${i + 1}): clients use their own copy of a root, so it can be left out of the chain file`;
}
