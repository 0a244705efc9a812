/**
 * The comparisons of one name with one name-constraint base (RFC 5280 4.2.1.10), each as OpenSSL
 * 3.0 makes it in crypto/x509/v3_ncons.c (nc_dns, nc_email, nc_email_eai, nc_uri, nc_ip, nc_dn,
 * cn2dnsid), plus the wildcard reach that nc_dns lacks. core/name-constraints.ts decides which
 * names meet which constraints.
 */
import { isIpAddress } from '../codec/ip.js';
import { toUnicodeDomain } from '../codec/punycode.js';

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/**
 * Whether s[at, at + t.length) is t, ASCII letters compared without case, other characters as
 * they are: OpenSSL's ia5ncasecmp (no locale, no Latin-1 folding). No copies: a path may take a
 * million comparisons.
 */
function ciRegion(s: string, at: number, t: string): boolean {
  if (at < 0 || at + t.length > s.length) return false;
  for (let i = 0; i < t.length; i++) {
    const a = s.charCodeAt(at + i);
    const b = t.charCodeAt(i);
    if (a !== b && lower(a) !== lower(b)) return false;
  }
  return true;
}

function ciEqual(a: string, b: string): boolean {
  return a.length === b.length && ciRegion(a, 0, b);
}

function ciEndsWith(s: string, suffix: string): boolean {
  return ciRegion(s, s.length - suffix.length, suffix);
}

/**
 * dNSName (nc_dns): an empty base matches every name; ".good.com" matches names ending in it;
 * "good.com" matches itself and every name ending in ".good.com".
 */
export function dnsMatches(name: string, base: string): boolean {
  if (base === '') return true;
  if (name.length < base.length) return false;
  if (name.length > base.length && !base.startsWith('.') && name.charAt(name.length - base.length - 1) !== '.') return false;
  return ciEndsWith(name, base);
}

/**
 * Whether a wildcard name ("*.good.com", "mx*.good.com": one '*' in the leftmost label, as
 * X509_check_host and the JDK's HostnameChecker match them) stands for a host inside the subtree
 * of `base`. Only "base is one label more than the wildcard's suffix" needs this: every other
 * overlap is already a plain suffix match.
 */
export function wildcardReaches(name: string, base: string): boolean {
  if (base.startsWith('.')) return false;
  const dot = name.indexOf('.');
  const label = dot > 0 ? name.slice(0, dot) : '';
  const star = label.indexOf('*');
  if (star < 0 || label.lastIndexOf('*') !== star) return false;
  const rest = name.slice(dot);
  if (base.length <= rest.length || !ciEndsWith(base, rest)) return false;
  const host = base.slice(0, base.length - rest.length);
  const head = label.slice(0, star);
  const tail = label.slice(star + 1);
  return !host.includes('.') && host.length >= head.length + tail.length && ciRegion(host, 0, head) && ciEndsWith(host, tail);
}

/**
 * rfc822Name (nc_email): "alice@good.com" is that mailbox (local part case-sensitive),
 * "good.com" or "@good.com" any mailbox on that host, ".good.com" any mailbox on a host below it.
 * `name` holds an '@' (namesOf checks it).
 */
export function emailMatches(name: string, base: string): boolean {
  const at = name.lastIndexOf('@');
  const baseAt = base.lastIndexOf('@');
  if (baseAt < 0 && base.startsWith('.')) return name.length > base.length && ciEndsWith(name, base);
  let host = base;
  if (baseAt >= 0) {
    if (baseAt > 0 && base.slice(0, baseAt) !== name.slice(0, at)) return false;
    host = base.slice(baseAt + 1);
  }
  return ciEqual(name.slice(at + 1), host);
}

/**
 * An SmtpUTF8Mailbox (RFC 8398) against an rfc822Name constraint: the constraint's A-labels become
 * U-labels first (section 6), then the forms of emailMatches apply. Throws CodecError when the
 * constraint holds an A-label that is not valid Punycode.
 */
export function smtpUtf8Matches(mailbox: string, base: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (base.startsWith('.')) {
    const suffix = `.${toUnicodeDomain(base.slice(1))}`;
    return mailbox.length > suffix.length && ciEndsWith(mailbox, suffix);
  }
  const baseAt = base.indexOf('@');
  if (baseAt > 0 && base.slice(0, baseAt) !== mailbox.slice(0, at)) return false;
  return ciEqual(mailbox.slice(at + 1), toUnicodeDomain(base.slice(baseAt + 1)));
}

/**
 * The host of a URI for constraint matching, or undefined when it has none that may be compared:
 * no "scheme://" authority, an IP address as host (RFC 5280 4.2.1.10: reject), or a host that
 * RFC 3986 and OpenSSL 3.0's nc_uri (the host runs to the first ':' after "//", else to the
 * first '/') read differently, such as "https://good.com:1@evil.com/".
 */
export function uriHost(uri: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  const authority = m?.[1];
  if (authority === undefined || authority.includes('@')) return undefined;
  const colon = authority.indexOf(':');
  const host = colon < 0 ? authority : authority.slice(0, colon);
  const rest = uri.slice(uri.indexOf('//') + 2);
  const end = rest.includes(':') ? rest.indexOf(':') : rest.indexOf('/');
  const theirs = end < 0 ? rest : rest.slice(0, end);
  if (host === '' || host !== theirs || host.startsWith('[') || isIpAddress(host)) return undefined;
  return host;
}

/** uniformResourceIdentifier (nc_uri): ".good.com" any host below it, "good.com" that host only. */
export function uriMatches(host: string, base: string): boolean {
  if (base.startsWith('.')) return host.length > base.length && ciEndsWith(host, base);
  return ciEqual(host, base);
}

/**
 * iPAddress (nc_ip): `base` is address then mask (8 or 32 octets). An IPv4 constraint never matches
 * an IPv6 name, not even an IPv4-mapped one, nor the reverse.
 */
export function ipMatches(address: Uint8Array, base: Uint8Array): boolean {
  if (address.length * 2 !== base.length) return false;
  for (let i = 0; i < address.length; i++) {
    const mask = base[address.length + i] as number;
    if (((address[i] as number) & mask) !== ((base[i] as number) & mask)) return false;
  }
  return true;
}

/**
 * directoryName (nc_dn): the constraint's RDNs are the first RDNs of the name. Both are given in
 * OpenSSL's canonical encoding (codec/x509/name-hash.ts canonicalName), so "O=GOOD  corp" is "O=Good Corp".
 */
export function dirNameMatches(nameCanon: Uint8Array, baseCanon: Uint8Array): boolean {
  return baseCanon.length <= nameCanon.length && Buffer.compare(baseCanon, nameCanon.subarray(0, baseCanon.length)) === 0;
}

/**
 * The host name a CN stands for, when it looks like one (cn2dnsid, v3_ncons.c): letters, digits,
 * '_', inner '-' and '.', at least two labels; trailing NULs are dropped. mailcert also takes one
 * '*' in the first label, since clients match wildcard CNs. `unreadable` for an inner NUL, which
 * OpenSSL fails with X509_V_ERR_UNSUPPORTED_NAME_SYNTAX.
 */
export function cnHostName(cn: string): { host?: string; unreadable?: string } {
  const v = cn.replace(/\0+$/, '');
  if (v.includes('\0')) return { unreadable: 'it holds a NUL character' };
  const firstDot = v.indexOf('.');
  const star = v.indexOf('*');
  if (star >= 0 && (v.indexOf('*', star + 1) >= 0 || (firstDot >= 0 && star > firstDot))) return {};
  let labels = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charAt(i);
    if (/[A-Za-z0-9_*]/.test(c)) continue;
    const inner = i > 0 && i < v.length - 1;
    if (inner && c === '-') continue;
    if (inner && c === '.' && v.charAt(i + 1) !== '.' && v.charAt(i - 1) !== '-' && v.charAt(i + 1) !== '-') {
      labels = true;
      continue;
    }
    return {};
  }
  return labels ? { host: v } : {};
}
