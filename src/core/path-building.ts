/**
 * Building certification paths from a server's leaf to a trust anchor, as RFC 4158 describes and
 * the JDK's PKIX builder (SunCertPathBuilder) and Go's x509 Verify do: depth first, trying every
 * certificate that could issue the next link (ordered by RFC 4158 section 3's priorities), and
 * backtracking from dead ends: a cross-signed intermediate whose other root is not trusted, a
 * renewed CA under the same name, a CA whose constraints forbid the leaf beside one that allows it.
 * The first path that validates is the answer; when none does, the most promising failure is.
 *
 * The search is bounded for hostile input: OpenSSL's default depth (-verify_depth 100), a number
 * of signature checks and of candidate issuers per chain, and keys that cost too much to use
 * (path-keys.ts keyRefusal) are refused before any signature is checked with them.
 */
import type { CertInfo } from '../codec/x509/certificate.js';
import type { SignatureCheck } from '../crypto/signatures.js';
import { sameBytes } from '../codec/bytes.js';
import { keyIdsDiffer, knownSignatureCheck, signatureCheck } from './chain.js';
import { keyRefusal } from './path-keys.js';
import { failingChecks, type PathProblems } from './path-validation.js';

export interface BuildLimits {
  /** CA certificates between the leaf and the trust anchor (OpenSSL's -verify_depth, default 100). */
  maxIntermediates: number;
  /** Signature checks per chain (Go stops at 100). */
  maxSignatureChecks: number;
  /** Candidate issuers tried per chain. */
  maxCandidates: number;
}

export const DEFAULT_LIMITS: BuildLimits = { maxIntermediates: 100, maxSignatureChecks: 200, maxCandidates: 2000 };

/** How a path ended. */
export type PathEnd =
  | { kind: 'anchored'; anchor: CertInfo; problems: PathProblems }
  /** The top certificate is self-signed and not a trust anchor. */
  | { kind: 'untrusted-root' }
  /** No certificate, presented or trusted, has the top certificate's issuer as its subject. */
  | { kind: 'missing-issuer' }
  /** Certificates have the issuer's name, and none of their keys made the top's signature. */
  | { kind: 'bad-link'; failure: LinkFailure; candidates: number }
  /** Longer than maxIntermediates. */
  | { kind: 'too-long' };

export interface LinkFailure {
  issuer: CertInfo;
  kind: 'mismatch' | 'unusable';
  reason: string;
}

export interface BuiltPath {
  /** Leaf first; the trust anchor last when anchored. */
  certs: CertInfo[];
  end: PathEnd;
}

export interface BuildResult {
  /** The path that validated, or the most promising one that did not. */
  path: BuiltPath;
  valid: boolean;
  /** Set when the search hit a limit before it found a valid path. */
  stopped?: string;
}

/** Certificates by subject DER (as a latin1 string key), for finding a certificate's issuers. */
type NameIndex = Map<string, CertInfo[]>;

const nameKey = (der: Uint8Array): string => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');

function indexBySubject(certs: readonly CertInfo[]): NameIndex {
  const index: NameIndex = new Map();
  for (const c of certs) {
    const key = nameKey(c.subject.der);
    const list = index.get(key);
    if (list === undefined) index.set(key, [c]);
    else list.push(c);
  }
  return index;
}

/** The anchors' index, made once per set of anchors (a verify --connect run checks many chains against the same ones). */
const anchorIndexes = new WeakMap<readonly CertInfo[], NameIndex>();

function anchorIndex(anchors: readonly CertInfo[]): NameIndex {
  let index = anchorIndexes.get(anchors);
  if (index === undefined) anchorIndexes.set(anchors, (index = indexBySubject(anchors)));
  return index;
}

/** RFC 4158 3.5.12 / 3.5.15 and Go's ordering: key identifiers that match, then trust anchors, then certificates valid at the time. */
function rank(child: CertInfo, c: CertInfo, isAnchor: boolean, at: number): number {
  const keyIdMatch = child.authorityKeyIdentifier !== undefined && c.subjectKeyIdentifier !== undefined;
  const valid = c.notBefore.getTime() <= at && at <= c.notAfter.getTime();
  return (keyIdMatch ? 0 : 4) + (isAnchor ? 0 : 2) + (valid ? 0 : 1);
}

const ORDER: Readonly<Record<PathEnd['kind'], number>> = { anchored: 5, 'untrusted-root': 4, 'too-long': 3, 'bad-link': 2, 'missing-issuer': 1 };

/** Whether `a` is a more promising failure than `b`: a path reaching an anchor with the fewest failing checks, else the kind of end, then the longest. */
function morePromising(a: BuiltPath, b: BuiltPath): boolean {
  if (a.end.kind === 'anchored' && b.end.kind === 'anchored') return failingChecks(a.end.problems) < failingChecks(b.end.problems);
  if (a.end.kind !== b.end.kind) return ORDER[a.end.kind] > ORDER[b.end.kind];
  return a.certs.length > b.certs.length;
}

/**
 * Builds and validates paths from `chain[0]` (the leaf; the rest as presented, in any order) to one
 * of `anchors`. `validate` is RFC 5280 6.1 on a path that reached an anchor (leaf first, anchor last).
 */
export function buildPath(
  chain: readonly CertInfo[],
  anchors: readonly CertInfo[],
  validate: (path: readonly CertInfo[]) => PathProblems,
  at: Date,
  limits: BuildLimits = DEFAULT_LIMITS,
): BuildResult {
  const leaf = chain[0];
  if (leaf === undefined) throw new Error('buildPath needs a leaf');
  const trusted = anchorIndex(anchors);
  const presented = indexBySubject(chain.slice(1));
  const time = at.getTime();
  let signatures = 0;
  let candidatesTried = 0;
  let stopped: string | undefined;
  let best: BuiltPath | undefined;
  const consider = (p: BuiltPath): void => {
    if (best === undefined || morePromising(p, best)) best = p;
  };

  /** A trust anchor that is `c`: the same certificate, or the same subject and key (RFC 5280 6.1.1 (d): an anchor is a name and a key). */
  const anchorFor = (c: CertInfo): CertInfo | undefined =>
    (trusted.get(nameKey(c.subject.der)) ?? []).find((a) => sameBytes(a.der, c.der)) ?? (trusted.get(nameKey(c.subject.der)) ?? []).find((a) => sameBytes(a.spki, c.spki));

  /** A signature check, counted against the bound unless it was made before. */
  const checked = (child: CertInfo, parent: CertInfo): SignatureCheck | undefined => {
    const known = knownSignatureCheck(child, parent);
    if (known !== undefined) return known;
    if (signatures >= limits.maxSignatureChecks) {
      stopped = `stopped after ${signatures} signature checks (the most verify makes for one chain)`;
      return undefined;
    }
    signatures++;
    return signatureCheck(child, parent);
  };

  /** The certificates that could have issued `cur`, best first; those whose key identifier disagrees are only counted. */
  const issuersOf = (cur: CertInfo, path: readonly CertInfo[]): { candidates: CertInfo[]; otherKeys: CertInfo[] } => {
    const key = nameKey(cur.issuer.der);
    let named = [...(trusted.get(key) ?? []).map((c) => ({ c, anchor: true })), ...(presented.get(key) ?? []).map((c) => ({ c, anchor: false }))];
    if (named.length === 0) {
      // The same name in another encoding (PrintableString against UTF8String): compare the printed form.
      const text = cur.issuer.text;
      named = [...anchors.filter((c) => c.subject.text === text).map((c) => ({ c, anchor: true })), ...chain.slice(1).filter((c) => c.subject.text === text).map((c) => ({ c, anchor: false }))];
    }
    // Never the same certificate twice, nor the same name and key twice (a cross-signed pair would loop).
    const fresh = named.filter(({ c }) => !path.some((p) => sameBytes(p.der, c.der) || (sameBytes(p.subject.der, c.subject.der) && sameBytes(p.spki, c.spki))));
    const otherKeys = fresh.filter(({ c }) => keyIdsDiffer(cur, c)).map(({ c }) => c);
    const candidates = fresh
      .filter(({ c }) => !keyIdsDiffer(cur, c))
      .map((x, i) => ({ ...x, order: rank(cur, x.c, x.anchor, time) * 100_000 + i }))
      .sort((a, b) => a.order - b.order)
      .map(({ c }) => c);
    return { candidates, otherKeys };
  };

  const search = (path: CertInfo[]): BuiltPath | undefined => {
    const cur = path[path.length - 1] as CertInfo;
    const anchor = anchorFor(cur);
    if (anchor !== undefined) {
      const certs = [...path.slice(0, -1), anchor];
      const problems = validate(certs);
      const built: BuiltPath = { certs, end: { kind: 'anchored', anchor, problems } };
      if (failingChecks(problems) === 0) return built;
      consider(built);
      return undefined;
    }
    if (path.length - 1 > limits.maxIntermediates) {
      consider({ certs: [...path], end: { kind: 'too-long' } });
      return undefined;
    }
    // A self-issued certificate may be a root; a key verify refuses to use cannot make it one.
    if (cur.selfIssued && keyRefusal(cur.publicKey) === undefined) {
      const own = checked(cur, cur);
      if (own === undefined) return undefined;
      if (own.ok) {
        consider({ certs: [...path], end: { kind: 'untrusted-root' } });
        return undefined;
      }
    }
    const { candidates, otherKeys } = issuersOf(cur, path);
    const failures: LinkFailure[] = otherKeys.map((issuer) => ({ issuer, kind: 'mismatch', reason: `the key of "${issuer.subject.text}" is not the one that signed "${cur.subject.text}" (their key identifiers differ)` }));
    let linked = false;
    /** The end of this path when no candidate linked: a missing issuer, or the most telling link failure. */
    const deadEnd = (): undefined => {
      const failure = failures.find((f) => f.kind === 'mismatch' && !otherKeys.includes(f.issuer)) ?? failures[0];
      if (!linked) consider({ certs: [...path], end: failure === undefined ? { kind: 'missing-issuer' } : { kind: 'bad-link', failure, candidates: failures.length } });
      return undefined;
    };
    for (const c of candidates) {
      if (++candidatesTried > limits.maxCandidates) {
        stopped = `stopped after trying ${limits.maxCandidates} candidate issuers`;
        return deadEnd();
      }
      const refusal = keyRefusal(c.publicKey);
      if (refusal !== undefined) {
        failures.push({ issuer: c, kind: 'unusable', reason: `the key of "${c.subject.text}" is refused: ${refusal}` });
        continue;
      }
      const sig = checked(cur, c);
      if (sig === undefined) return deadEnd();
      if (!sig.ok) {
        failures.push({ issuer: c, kind: sig.kind, reason: sig.reason });
        continue;
      }
      linked = true;
      path.push(c);
      const found = search(path);
      path.pop();
      if (found !== undefined || stopped !== undefined) return found;
    }
    return deadEnd();
  };

  const found = search([leaf]);
  if (found !== undefined) return { path: found, valid: true };
  const path = best ?? { certs: [leaf], end: { kind: 'missing-issuer' } };
  return stopped === undefined ? { path, valid: false } : { path, valid: false, stopped };
}
