/**
 * Certificate policy processing of RFC 5280 6.1 with the inputs every mail client uses:
 * user-initial-policy-set = {anyPolicy}, and initial-explicit-policy, initial-policy-mapping-inhibit
 * and initial-any-policy-inhibit all false. With those inputs the outcome depends only on whether
 * the valid_policy_tree is empty, so the tree is kept as the set of policies its nodes at the
 * current depth expect from the next certificate (RFC 9618 replaces the tree by a graph for the
 * same reason: only the set at each depth matters). A path fails only where a CA demands an
 * explicit policy (policyConstraints requireExplicitPolicy) and the certificates below it carry none
 * that the path allows, or where a policy extension is itself invalid.
 *
 * OpenSSL checks policies only with -policy_check (X509_V_FLAG_POLICY_CHECK); the JDK's
 * PKIXCertPathValidator and Go 1.22+ always do, as mailcert does.
 */
import { OID } from '../codec/asn1/oid.js';
import type { CertInfo } from '../codec/x509/certificate.js';

const ANY_POLICY = OID.anyPolicy;

/** RFC 5280 6.1.4 (a): a mapping to or from anyPolicy is invalid. */
function mappingProblem(cert: CertInfo): string | undefined {
  const bad = cert.policyMappings?.find((m) => m.issuerDomain === ANY_POLICY || m.subjectDomain === ANY_POLICY);
  return bad === undefined ? undefined : `"${cert.subject.text}" maps a policy to or from anyPolicy (RFC 5280 6.1.4 (a))`;
}

/** RFC 5280 6.1.3 (d)-(e): the policies certificate i keeps of those its issuers allow. */
function nextPolicies(expected: ReadonlySet<string> | null, cert: CertInfo, anyAllowed: boolean): Set<string> | null {
  const policies = cert.certificatePolicies;
  if (expected === null || policies === undefined) return null;
  const next = new Set<string>();
  for (const p of policies) if (p !== ANY_POLICY && (expected.has(p) || expected.has(ANY_POLICY))) next.add(p);
  // (d)(2): anyPolicy in the certificate keeps every expected policy, while anyPolicy is not inhibited.
  if (anyAllowed && policies.includes(ANY_POLICY)) for (const e of expected) next.add(e);
  return next.size === 0 ? null : next;
}

/** RFC 5280 6.1.4 (b): policy mappings turn an issuer's policy into the subject's equivalents, or delete it when mapping is inhibited. */
function mapPolicies(expected: Set<string> | null, cert: CertInfo, mappingAllowed: boolean): Set<string> | null {
  const mappings = cert.policyMappings;
  if (expected === null || mappings === undefined) return expected;
  const byIssuer = new Map<string, string[]>();
  for (const m of mappings) byIssuer.set(m.issuerDomain, [...(byIssuer.get(m.issuerDomain) ?? []), m.subjectDomain]);
  // Every node whose valid policy is mapped changes (or goes, when mapping is inhibited) at once:
  // a chain of mappings (A to B, B to C) must not be applied one after the other.
  const next = new Set<string>();
  for (const e of expected) if (!byIssuer.has(e)) next.add(e);
  if (mappingAllowed) {
    for (const [issuerDomain, subjectDomains] of byIssuer) {
      if (expected.has(issuerDomain) || expected.has(ANY_POLICY)) for (const s of subjectDomains) next.add(s);
    }
  }
  return next.size === 0 ? null : next;
}

/**
 * Problems of the policy extensions along `path` (leaf first, the trust anchor last; the anchor is
 * the trust anchor information of RFC 5280 6.1.1 (d) and its own extensions are not processed).
 */
export function policyProblems(path: readonly CertInfo[]): string[] {
  const certs = path.slice(0, -1).reverse(); // certificate 1 (issued by the anchor) .. n (the leaf)
  const n = certs.length;
  let explicitPolicy = n + 1;
  let inhibitAnyPolicy = n + 1;
  let policyMapping = n + 1;
  let requiredBy: CertInfo | undefined;
  let expected: Set<string> | null = new Set([ANY_POLICY]);
  for (let i = 1; i <= n; i++) {
    const cert = certs[i - 1] as CertInfo;
    const last = i === n;
    expected = nextPolicies(expected, cert, inhibitAnyPolicy > 0 || (!last && cert.selfIssued));
    if (last) {
      // 6.1.5 (a)-(b): the leaf's own requireExplicitPolicy of 0 counts too.
      if (explicitPolicy > 0) explicitPolicy--;
      if (cert.policyConstraints?.requireExplicitPolicy === 0) {
        explicitPolicy = 0;
        requiredBy = cert;
      }
    }
    // 6.1.3 (f), 6.1.5 (g): once an explicit policy is required, the tree must not be empty.
    if (explicitPolicy === 0 && expected === null) {
      const who = requiredBy === undefined ? '' : ` required by "${requiredBy.subject.text}" (policyConstraints)`;
      return [`"${cert.subject.text}" has no certificate policy the path allows, and an explicit policy is${who} (RFC 5280 6.1.3 (f))`];
    }
    if (last) break;
    const invalid = mappingProblem(cert);
    if (invalid !== undefined) return [invalid];
    expected = mapPolicies(expected, cert, policyMapping > 0);
    // 6.1.4 (h)-(j): the counters fall with each certificate that is not self-issued, and a CA may lower them.
    if (!cert.selfIssued) {
      if (explicitPolicy > 0) explicitPolicy--;
      if (policyMapping > 0) policyMapping--;
      if (inhibitAnyPolicy > 0) inhibitAnyPolicy--;
    }
    const pc = cert.policyConstraints;
    if (pc?.requireExplicitPolicy !== undefined && pc.requireExplicitPolicy < explicitPolicy) {
      explicitPolicy = pc.requireExplicitPolicy;
      requiredBy = cert;
    }
    if (pc?.inhibitPolicyMapping !== undefined && pc.inhibitPolicyMapping < policyMapping) policyMapping = pc.inhibitPolicyMapping;
    if (cert.inhibitAnyPolicy !== undefined && cert.inhibitAnyPolicy < inhibitAnyPolicy) inhibitAnyPolicy = cert.inhibitAnyPolicy;
  }
  return [];
}
