/**
 * The `dane` check of `verify --connect --tlsa`: the chain a server presented against TLSA records
 * the user gives (no DNS lookup: the records are what the admin published or is about to), with
 * the semantics of RFC 7671 (DANE operations) and RFC 7672 (SMTP):
 *
 * - DANE-EE(3): the server's certificate or key matches. The record alone authenticates the
 *   server: its names, issuer and validity dates are not checked (RFC 7671 §5.1, RFC 7672
 *   §3.1.1), so those checks cannot fail the verdict; they stay in the report, marked as not
 *   applied, with what they found.
 * - DANE-TA(2): a certificate of the chain sent (or the one a `2 0 0` record holds) matches and is
 *   the trust anchor: the chain is checked up to it, names and dates included (RFC 7671 §5.2,
 *   RFC 7672 §3.1.2), in place of the PKIX trust check.
 * - PKIX-TA(0) / PKIX-EE(1): as RFC 6698 §2.1.1, a match on top of the usual PKIX validation.
 *   SMTP DANE treats them as unusable (RFC 7672 §3.1.3): on an SMTP port a match by them alone warns.
 */
import type { CertInfo } from '../codec/x509/certificate.js';
import { parseCertificate } from '../codec/x509/certificate.js';
import { sameBytes } from '../codec/bytes.js';
import { issuedBy } from './chain.js';
import { formatTlsa, isKnownRecord, shortTlsa, tlsaData, USAGE_NAMES, type TlsaRecord } from './tlsa.js';
import type { Check } from './verify.js';

export interface DaneInput {
  records: readonly TlsaRecord[];
  /** The chain as the server sent it, leaf first. */
  chain: readonly CertInfo[];
  /** The chain's checks against the user's trust anchors (core/verify checkChain). */
  pkix: readonly Check[];
  /** The user's trust anchors: a PKIX-TA(0) record may match the one a sent certificate chains to. */
  anchors: readonly CertInfo[];
  /** The port speaks SMTP, where RFC 7672 applies. */
  smtp: boolean;
  /** The chain's checks with other trust anchors (DANE-TA): checkChain with everything else the same. */
  rechain(anchors: CertInfo[], source: string): Check[];
}

export interface DaneResult {
  /** The chain's checks as DANE has them: the PKIX ones, relaxed under DANE-EE, re-anchored under DANE-TA. */
  checks: Check[];
  dane: Check;
}

/** Checks a DANE-EE match makes moot (RFC 7671 §5.1): all of the chain's but the key's strength. */
const KEPT_UNDER_DANE_EE = new Set(['key strength']);

const matches = (r: TlsaRecord, c: { der?: Uint8Array; spki: Uint8Array }): boolean => sameBytes(tlsaData(c, r.selector, r.matching), r.data);

interface TaMatch {
  record: TlsaRecord;
  anchor: CertInfo;
  /** Where the anchor came from, for the detail. */
  where: string;
}

/** The certificates a usage 2 or 0 record matches: sent CAs, a `2 0 0` record's own certificate, or (usage 0) an anchor the chain reaches. */
function taMatches(r: TlsaRecord, input: DaneInput): TaMatch[] {
  const found: TaMatch[] = [];
  input.chain.forEach((c, i) => {
    if (i > 0 && matches(r, c)) found.push({ record: r, anchor: c, where: `certificate ${i + 1} the server sent, "${c.subject.text}"` });
  });
  if (found.length === 0 && r.usage === 2 && r.selector === 0 && r.matching === 0) {
    // RFC 7671 §5.2.2: a full certificate in the record need not be sent by the server.
    try {
      const own = parseCertificate(r.data);
      found.push({ record: r, anchor: own, where: `the certificate the record holds, "${own.subject.text}"` });
    } catch {
      // Not a certificate: the record matches nothing.
    }
  }
  if (found.length === 0 && r.usage === 0) {
    for (const a of input.anchors) {
      if (matches(r, a) && input.chain.some((c) => issuedBy(c, a))) found.push({ record: r, anchor: a, where: `the trust anchor "${a.subject.text}"` });
    }
  }
  return found;
}

export function checkDane(input: DaneInput): DaneResult {
  const usable = input.records.filter(isKnownRecord);
  const unusable = input.records.length - usable.length;
  const leaf = input.chain[0];
  const pkixTrusted = input.pkix.find((c) => c.name === 'trust')?.status === 'ok';
  const fail = (detail: string): DaneResult => ({ checks: [...input.pkix], dane: { name: 'dane', status: 'fail', detail } });
  if (leaf === undefined) return fail('the server sent no certificate');
  if (usable.length === 0) return fail(`none of the ${input.records.length} record(s) is usable: mailcert knows usages 0-3, selectors 0-1 and matching types 0-2 (RFC 6698 §2.1)`);

  const ee = usable.find((r) => r.usage === 3 && matches(r, leaf));
  if (ee !== undefined) {
    const checks = input.pkix.map((c): Check => (KEPT_UNDER_DANE_EE.has(c.name) || c.status === 'ok' ? c : { name: c.name, status: 'ok', detail: `not applied under DANE-EE (RFC 7672 §3.1.1); it found: ${c.detail}` }));
    return {
      checks,
      dane: {
        name: 'dane',
        status: 'ok',
        detail: `DANE-EE ${shortTlsa(ee)} matches the server's ${ee.selector === 1 ? 'key' : 'certificate'}: the record alone authenticates the server; its names, issuer and dates are not checked (RFC 7671 §5.1, RFC 7672 §3.1.1)`,
      },
    };
  }

  const taFound = usable.filter((r) => r.usage === 2).flatMap((r) => taMatches(r, input));
  for (const ta of taFound) {
    const checks = input.rechain([ta.anchor], `DANE-TA ${shortTlsa(ta.record)}`);
    if (checks.find((c) => c.name === 'trust')?.status === 'ok') {
      return {
        checks,
        dane: {
          name: 'dane',
          status: 'ok',
          detail: `DANE-TA ${shortTlsa(ta.record)} matches ${ta.where}: the trust anchor; the chain up to it, names and dates are checked (RFC 7671 §5.2, RFC 7672 §3.1.2)`,
        },
      };
    }
  }

  const pkixMatch = usable.find((r) => (r.usage === 1 && matches(r, leaf)) || (r.usage === 0 && taMatches(r, input).length > 0));
  if (pkixMatch !== undefined) {
    const what = `${USAGE_NAMES[pkixMatch.usage] ?? ''} ${shortTlsa(pkixMatch)}`;
    if (!pkixTrusted) return fail(`${what} matches, but PKIX usages also need the chain to validate to a trusted root, and it does not (RFC 6698 §2.1.1)`);
    if (input.smtp) {
      return {
        checks: [...input.pkix],
        dane: { name: 'dane', status: 'warn', detail: `${what} matches and the chain validates (RFC 6698), but SMTP DANE treats usages 0 and 1 as unusable (RFC 7672 §3.1.3): Postfix and Exim ignore this record; publish 3 1 1 or 2 1 1` },
      };
    }
    return { checks: [...input.pkix], dane: { name: 'dane', status: 'ok', detail: `${what} matches, and the chain validates to a trusted root (RFC 6698 §2.1.1)` } };
  }

  const parts = [`none of the ${usable.length} record(s) matches the chain the server sent`];
  const firstTa = taFound[0];
  if (firstTa !== undefined) parts.push(`DANE-TA ${shortTlsa(firstTa.record)} matches ${firstTa.where}, but the server's certificate does not chain to it`);
  parts.push(`the server's certificate is ${presented(leaf, usable)}`);
  const issuer = input.chain[1];
  if (issuer !== undefined && issuedBy(leaf, issuer)) parts.push(`its issuer "${issuer.subject.text}" is ${formatTlsa({ usage: 2, selector: 1, matching: 1, data: tlsaData(issuer, 1, 1) })}`);
  if (unusable > 0) parts.push(`${unusable} record(s) with unknown parameters were passed over`);
  return fail(parts.join('; '));
}

/** The leaf's record in the form the user's DANE-EE records use (3 1 1 when there is none). */
function presented(leaf: CertInfo, records: readonly TlsaRecord[]): string {
  const model = records.find((r) => r.usage === 3) ?? { selector: 1, matching: 1 };
  return formatTlsa({ usage: 3, selector: model.selector, matching: model.matching, data: tlsaData(leaf, model.selector, model.matching) });
}
