/**
 * IP address text (RFC 4291 section 2.2 for IPv6, dotted quads for IPv4) to the octets of an
 * iPAddress name (RFC 5280 section 4.2.1.6), and back (RFC 5952). Our own parser rather than
 * node:net's isIP, which loads Node's socket modules into every run that checks a host name.
 */

const V4_PART = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const V6_GROUP = /^[0-9a-f]{1,4}$/i;

function parseV4(text: string): number[] | undefined {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => V4_PART.test(p)) ? parts.map(Number) : undefined;
}

function parseV6(text: string): Uint8Array | undefined {
  let body = text;
  let v4: number[] | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 address fills the last two groups (::ffff:192.0.2.1).
    v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = split(halves[0] ?? '');
  const tail = halves.length === 2 ? split(halves[1] ?? '') : undefined;
  if (![...head, ...(tail ?? [])].every((g) => V6_GROUP.test(g))) return undefined;
  let groups: string[];
  if (tail === undefined) {
    if (head.length !== 8) return undefined;
    groups = head;
  } else {
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return undefined;
    groups = [...head, ...Array<string>(zeros).fill('0'), ...tail];
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  if (v4 !== undefined) out.set(v4, 12);
  return out;
}

/** The 4 or 16 octets of an IPv4 or IPv6 address, or undefined when text is not one. */
export function parseIp(text: string): Uint8Array | undefined {
  if (!text.includes(':')) {
    const v4 = parseV4(text);
    return v4 === undefined ? undefined : Uint8Array.from(v4);
  }
  return parseV6(text);
}

export function isIpAddress(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** RFC 5952 section 4: lowercase, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestLen < 2) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLen).join(':')}`;
}
