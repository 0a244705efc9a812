// Name constraints (RFC 5280 4.2.1.10) on real chains made by openssl (fixtures/name-constraints,
// make.sh): for every case mailcert's verdict and `openssl verify -purpose sslserver`'s, each
// asserted here; then the comparisons one by one on hand-written names, and paths changed by
// small edits of those certificates (nested CAs, damaged extensions, the work bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainToUnicode } from 'node:url';
import { encodeSequence as sequence, encodeTlv } from '../../src/codec/asn1/writer.js';
import { encodeName, parseDnString } from '../../src/codec/x509/dn-string.js';
import { canonicalName } from '../../src/codec/x509/name-hash.js';
import { toUnicodeDomain } from '../../src/codec/punycode.js';
import type { CertInfo } from '../../src/codec/x509/certificate.js';
import { parseName } from '../../src/codec/x509/name.js';
import { NAME_CHECK_MAX, nameConstraintProblems } from '../../src/core/name-constraints.js';
import {
  cnHostName,
  dirNameMatches,
  dnsMatches,
  emailMatches,
  ipMatches,
  smtpUtf8Matches,
  uriHost,
  uriMatches,
  wildcardReaches,
} from '../../src/core/name-match.js';
import { assertOpensslNcVerdict, loadNcCert, ncExpected, type NcCase } from '../helpers/name-constraint-cases.js';

const expected = ncExpected;
const load = loadNcCert;

/**
 * What the caller passes as cnIsHostName: the leaf has no DNS subjectAltName. That is OpenSSL's
 * test (has_san_id(x, GEN_DNS) in check_name_constraints) and what clients do: an IP
 * subjectAltName does not stop Java or Node from matching a host name against the CN.
 */
function cnIsHostName(leaf: CertInfo): boolean {
  return (leaf.subjectAltName?.dns.length ?? 0) === 0;
}

function pathOf(c: NcCase): CertInfo[] {
  return [c.leaf, ...c.intermediates, c.root].map(load);
}

test('the fixtures cover each rule on both sides, and state every difference from openssl', () => {
  assert.ok(expected.cases.length >= 60, `${expected.cases.length} cases`);
  assert.ok(expected.cases.some((c) => c.mailcert === 'ok') && expected.cases.some((c) => c.mailcert === 'fail'));
  for (const c of expected.cases) {
    if (c.mailcert !== c.openssl) assert.match(c.note, /^deliberate difference: /, c.name);
    if (c.mailcert === 'fail') assert.ok(c.problem.length > 0, `${c.name} says what the problem must name`);
  }
});

for (const c of expected.cases) {
  test(`${c.name}: mailcert ${c.mailcert}, openssl ${c.openssl} (${c.note})`, (t) => {
    const path = pathOf(c);
    const leaf = path[0] as CertInfo;
    const problems = nameConstraintProblems(path, { cnIsHostName: cnIsHostName(leaf) });
    if (c.mailcert === 'ok') assert.deepEqual(problems, []);
    else {
      assert.ok(problems.length > 0, 'mailcert finds a problem');
      const all = problems.join('\n');
      for (const s of c.problem) assert.ok(all.includes(s), `a problem names ${JSON.stringify(s)}:\n${all}`);
    }
    assertOpensslNcVerdict(c);
    if (c.mailcert !== c.openssl) t.diagnostic(`deliberate difference: mailcert ${c.mailcert}, openssl ${c.openssl}`);
    if (problems.length > 0) t.diagnostic(problems.join('\n'));
  });
}

// ---------------------------------------------------------------------------------------------
// The comparisons, on hand-written names

test('dNSName: a leading dot means below, no dot means the host and below, case-blind for ASCII only', () => {
  const table: [string, string, boolean][] = [
    ['mail.good.com', '.good.com', true],
    ['a.b.good.com', '.good.com', true],
    ['good.com', '.good.com', false],
    ['good.com', 'good.com', true],
    ['mx.good.com', 'good.com', true],
    ['notgood.com', 'good.com', false],
    ['notgood.com', '.good.com', false],
    ['good.com.evil.net', 'good.com', false],
    ['MAIL.GOOD.COM', '.good.com', true],
    ['mail.good.com', '.GOOD.com', true],
    ['anything.at.all', '', true],
    ['com', 'good.com', false],
    ['x.gööd.com', '.GÖÖD.com', false],
    ['x.gööd.com', '.gööd.com', true],
  ];
  for (const [name, base, want] of table) assert.equal(dnsMatches(name, base), want, `${name} in ${base}`);
});

test('a wildcard name reaches an excluded host one label below its suffix', () => {
  assert.equal(wildcardReaches('*.good.com', 'bad.good.com'), true);
  assert.equal(wildcardReaches('mx*.good.com', 'mx1.good.com'), true);
  assert.equal(wildcardReaches('mx*.good.com', 'bad.good.com'), false);
  assert.equal(wildcardReaches('*1.good.com', 'mx1.good.com'), true);
  assert.equal(wildcardReaches('*.good.com', 'a.bad.good.com'), false, 'a wildcard covers one label only');
  assert.equal(wildcardReaches('*.good.com', '.bad.good.com'), false, 'names below bad.good.com are two labels deep');
  assert.equal(wildcardReaches('*.GOOD.com', 'Bad.good.COM'), true);
  assert.equal(wildcardReaches('mail.good.com', 'bad.good.com'), false, 'no wildcard');
  assert.equal(wildcardReaches('*.*.good.com', 'a.b.good.com'), false);
  assert.equal(wildcardReaches('a*b*.good.com', 'ab.good.com'), false, 'one * only');
});

test('rfc822Name: mailbox, host and domain forms (nc_email)', () => {
  const table: [string, string, boolean][] = [
    ['alice@mail.good.com', '.good.com', true],
    ['alice@good.com', '.good.com', false],
    ['alice@good.com', 'good.com', true],
    ['alice@GOOD.com', 'good.com', true],
    ['alice@mx.good.com', 'good.com', false],
    ['alice@good.com', '@good.com', true],
    ['alice@good.com', 'alice@good.com', true],
    ['Alice@good.com', 'alice@good.com', false],
    ['bob@good.com', 'alice@good.com', false],
    ['alice@GOOD.COM', 'alice@good.com', true],
    ['"a@b"@good.com', 'good.com', true],
    ['alice.good.com@evil.com', '.good.com', false],
  ];
  for (const [name, base, want] of table) assert.equal(emailMatches(name, base), want, `${name} in ${base}`);
});

test('SmtpUTF8Mailbox against rfc822Name: A-labels of the constraint become U-labels (RFC 8398 6)', () => {
  assert.equal(smtpUtf8Matches('alice@mail.bücher.example', '.xn--bcher-kva.example'), true);
  assert.equal(smtpUtf8Matches('alice@bücher.example', '.xn--bcher-kva.example'), false);
  assert.equal(smtpUtf8Matches('alice@bücher.example', 'xn--bcher-kva.example'), true);
  assert.equal(smtpUtf8Matches('alice@BÜCHER.example', 'xn--bcher-kva.example'), false, 'only ASCII folds');
  assert.equal(smtpUtf8Matches('álice@bücher.example', 'álice@xn--bcher-kva.example'), true);
  assert.equal(smtpUtf8Matches('bob@bücher.example', 'álice@xn--bcher-kva.example'), false);
  assert.equal(smtpUtf8Matches('bob@good.org', 'good.org'), true);
  assert.throws(() => smtpUtf8Matches('bob@x.example', 'xn--a-!!.example'), { name: 'CodecError' });
});

test('Punycode decoding equals what node:url makes of the same A-labels', () => {
  // RFC 3492 7.1 samples (A), (B), (L), (R) and everyday labels.
  const labels = ['xn--bcher-kva', 'xn--egbpdaj6bu4bxfgehfvwxn', 'xn--ihqwcrb4cv8a8dqg056pqjye', 'xn--3b-ww4c5e180e575a65lsy2b', 'xn--mnchen-3ya', 'xn--fa-hia'];
  for (const label of labels) assert.equal(toUnicodeDomain(`${label}.example`), domainToUnicode(`${label}.example`), label);
  // Basic code points keep their case (RFC 3492 5; node:url lowercases as UTS 46 maps them).
  assert.equal(toUnicodeDomain('xn--3B-ww4c5e180e575a65lsy2b'), '3年B組金八先生');
  assert.equal(toUnicodeDomain('mail.XN--bcher-kva.example'), 'mail.bücher.example');
  for (const bad of ['xn--a-!', 'xn--99999999999', `xn--${'a'.repeat(600)}`]) assert.throws(() => toUnicodeDomain(bad), { name: 'CodecError' }, bad);
});

test('URI: only a host both RFC 3986 and OpenSSL 3.0 read the same way is compared', () => {
  assert.equal(uriHost('https://www.good.com/mail'), 'www.good.com');
  assert.equal(uriHost('ldap://ldap.good.com:389/o=Good'), 'ldap.good.com');
  assert.equal(uriHost('https://www.good.com'), 'www.good.com');
  assert.equal(uriHost('https://www.good.com?q=1'), undefined, 'OpenSSL 3.0 takes "www.good.com?q=1" as the host');
  assert.equal(uriHost('https://www.good.com/a:b'), undefined, 'OpenSSL 3.0 takes "www.good.com/a" as the host');
  assert.equal(uriHost('https://www.good.com:1@evil.com/'), undefined);
  assert.equal(uriHost('https://user@www.good.com/'), undefined);
  assert.equal(uriHost('https://[2001:db8::1]/'), undefined);
  assert.equal(uriHost('https://10.1.2.3/'), undefined, 'RFC 5280: a URI with an IP address host is rejected');
  assert.equal(uriHost('urn:example:good.com'), undefined);
  assert.equal(uriHost('mailto:alice@good.com'), undefined);
  assert.equal(uriMatches('www.good.com', '.good.com'), true);
  assert.equal(uriMatches('good.com', '.good.com'), false);
  assert.equal(uriMatches('WWW.good.com', 'www.good.com'), true);
  assert.equal(uriMatches('mx.www.good.com', 'www.good.com'), false, 'no dot: that host only (nc_uri)');
});

test('iPAddress: address and mask; IPv4 and IPv6 never meet', () => {
  const v4 = (s: string): number[] => s.split('.').map(Number);
  const net = (addr: string, mask: string): Uint8Array => Uint8Array.from([...v4(addr), ...v4(mask)]);
  assert.equal(ipMatches(Uint8Array.from(v4('10.1.2.3')), net('10.0.0.0', '255.0.0.0')), true);
  assert.equal(ipMatches(Uint8Array.from(v4('11.1.2.3')), net('10.0.0.0', '255.0.0.0')), false);
  assert.equal(ipMatches(Uint8Array.from(v4('10.1.2.3')), net('10.1.2.3', '255.255.255.255')), true);
  assert.equal(ipMatches(Uint8Array.from(v4('10.1.2.4')), net('10.1.2.3', '255.255.255.255')), false);
  assert.equal(ipMatches(Uint8Array.from(v4('192.0.2.1')), net('0.0.0.0', '0.0.0.0')), true);
  const v6 = Uint8Array.from(Buffer.from('20010db8000000000000000000000025', 'hex'));
  const v6net = Uint8Array.from(Buffer.from('20010db8000000000000000000000000ffffffff000000000000000000000000', 'hex'));
  assert.equal(ipMatches(v6, v6net), true);
  assert.equal(ipMatches(Uint8Array.from(Buffer.from('00000000000000000000ffff0a010203', 'hex')), net('10.0.0.0', '255.0.0.0')), false);
  assert.equal(ipMatches(Uint8Array.from(v4('10.1.2.3')), v6net), false);
  assert.equal(ipMatches(Uint8Array.from(v4('0.0.0.0')), Uint8Array.from(Buffer.from('00'.repeat(32), 'hex'))), false);
});

test('directoryName: RDN prefixes of the canonical encoding', () => {
  const canon = (dn: string): Uint8Array => canonicalName(encodeName(parseDnString(dn)));
  const base = canon('O=Good Corp, C=US');
  assert.equal(dirNameMatches(canon('CN=mail, O=Good Corp, C=US'), base), true);
  assert.equal(dirNameMatches(canon('CN=mail, O=good  CORP, C=us'), base), true);
  assert.equal(dirNameMatches(canon('O=Good Corp, C=US'), base), true);
  assert.equal(dirNameMatches(canon('C=US'), base), false);
  assert.equal(dirNameMatches(canon('CN=mail, O=Good Corp Ltd, C=US'), base), false, 'a longer value is not a prefix RDN');
  assert.equal(dirNameMatches(canon('CN=mail, OU=IT+O=Good Corp, C=US'), base), false, 'a multi-valued RDN is another RDN');
  assert.equal(dirNameMatches(canon('CN=mail, C=US, O=Good Corp'), base), false);
  assert.equal(dirNameMatches(canon('CN=x'), new Uint8Array(0)), true, 'an empty Name covers every name');
});

test('a CN is a host name when it looks like one (cn2dnsid), wildcards included', () => {
  assert.deepEqual(cnHostName('mail.good.com'), { host: 'mail.good.com' });
  assert.deepEqual(cnHostName('mail_1.good-x.com'), { host: 'mail_1.good-x.com' });
  assert.deepEqual(cnHostName('*.good.com'), { host: '*.good.com' });
  assert.deepEqual(cnHostName('mx*.good.com'), { host: 'mx*.good.com' });
  assert.deepEqual(cnHostName('mail.good.com\0\0'), { host: 'mail.good.com' });
  assert.deepEqual(cnHostName('mail\0.good.com'), { unreadable: 'it holds a NUL character' });
  for (const notHost of ['localhost', 'Mail Server', '-a.com', 'a-.com', 'a..com', '.a.com', 'a.com.', 'a.*.com', '**.a.com', 'bücher.example', '']) {
    assert.deepEqual(cnHostName(notHost), {}, notHost);
  }
});

// ---------------------------------------------------------------------------------------------
// Paths changed by small edits

const OID_NC = '2.5.29.30';
const OID_SAN = '2.5.29.17';
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const dns = (s: string): Uint8Array => encodeTlv(0x82, ascii(s));
const subtree = (base: Uint8Array): Uint8Array => sequence(base);
/** NameConstraints with the given permitted and excluded bases (DER GeneralNames). */
function nc(permitted: Uint8Array[], excluded: Uint8Array[] = []): Uint8Array {
  return sequence(
    ...(permitted.length > 0 ? [encodeTlv(0xa0, ...permitted.map(subtree))] : []),
    ...(excluded.length > 0 ? [encodeTlv(0xa1, ...excluded.map(subtree))] : []),
  );
}

function withExtension(cert: CertInfo, oid: string, value: Uint8Array | undefined): CertInfo {
  const extensions = new Map(cert.extensions);
  if (value === undefined) extensions.delete(oid);
  else extensions.set(oid, { oid, critical: true, value });
  return { ...cert, extensions };
}

const root = load('root.pem');
const caOuter = load('ca-outer.pem');
const leaf = load('nest-wide-ok.pem');

test('nested CAs: a name must be inside every CA\'s permitted subtrees, and outside all excluded ones', () => {
  const upper = withExtension(caOuter, OID_NC, nc([dns('.a.com'), dns('.b.com')], [dns('x.b.com')]));
  const lower = withExtension(load('ca-wide.pem'), OID_NC, nc([dns('.b.com'), dns('.c.com')], [dns('y.b.com')]));
  const check = (name: string): string[] => nameConstraintProblems([withExtension(leaf, OID_SAN, sequence(dns(name))), lower, upper, root], { cnIsHostName: false });
  assert.deepEqual(check('mail.b.com'), []);
  assert.match(check('mail.a.com').join('\n'), /^"CN=Wide Sub CA" permits only DNS:\.b\.com, DNS:\.c\.com; "CN=leaf" has DNS:mail\.a\.com$/);
  assert.match(check('mail.c.com').join('\n'), /^"CN=Outer CA" permits only DNS:\.a\.com, DNS:\.b\.com; "CN=leaf" has DNS:mail\.c\.com$/);
  assert.match(check('x.b.com').join('\n'), /^"CN=Outer CA" excludes DNS:x\.b\.com; "CN=leaf" has DNS:x\.b\.com$/);
  assert.match(check('y.b.com').join('\n'), /^"CN=Wide Sub CA" excludes DNS:y\.b\.com/);
  assert.equal(check('mail.d.com').length, 2, 'outside both: each CA is named');
});

test('the CN is checked only when the caller says it is the host name', () => {
  const ca = load('ca-dns.pem');
  const cnOnly = load('cn-ip-san.pem');
  assert.deepEqual(nameConstraintProblems([cnOnly, ca, root], { cnIsHostName: false }), []);
  assert.equal(nameConstraintProblems([cnOnly, ca, root], { cnIsHostName: true }).length, 1);
  // The CN of an intermediate is never a host name.
  const interCn = withExtension(load('ca-wide.pem'), OID_NC, undefined);
  assert.deepEqual(nameConstraintProblems([leaf, { ...interCn, subject: parseName(encodeName(parseDnString('CN=evil.bad.com'))) }, caOuter, root], { cnIsHostName: true }), []);
});

test('a path without name constraints is not looked at', () => {
  const broken = withExtension(leaf, OID_SAN, Uint8Array.of(0x30, 0x05, 0x82));
  assert.deepEqual(nameConstraintProblems([broken, withExtension(caOuter, OID_NC, undefined), root], { cnIsHostName: true }), []);
  assert.deepEqual(nameConstraintProblems([root], { cnIsHostName: true }), []);
  assert.deepEqual(nameConstraintProblems([], { cnIsHostName: true }), []);
});

test('damaged extensions are problems that name the certificate, never exceptions', () => {
  const dnsCa = load('ca-dns.pem');
  const ncValue = dnsCa.extensions.get(OID_NC)?.value;
  assert.ok(ncValue);
  const edits: [string, Uint8Array][] = [
    ['truncated', ncValue.subarray(0, ncValue.length - 3)],
    ['a lying length', Uint8Array.from([ncValue[0] as number, 0x7f, ...ncValue.subarray(2)])],
    ['trailing bytes', Uint8Array.from([...ncValue, 0])],
    ['empty', Uint8Array.of(0x30, 0x00)],
    ['an empty permittedSubtrees', Uint8Array.of(0x30, 0x02, 0xa0, 0x00)],
    ['a maximum', sequence(encodeTlv(0xa0, sequence(dns('.good.com'), Uint8Array.of(0x81, 0x01, 0x05))))],
    ['a base of an unknown tag', nc([encodeTlv(0x89, ascii('x'))])],
    ['an IPv6 mask that is not a prefix', nc([encodeTlv(0x87, Uint8Array.from(Buffer.from(`${'20010db8'.padEnd(32, '0')}${'ffff00ff'.padEnd(32, '0')}`, 'hex')))])],
  ];
  for (const [what, value] of edits) {
    const problems = nameConstraintProblems([load('dns-sub.pem'), withExtension(dnsCa, OID_NC, value), root], { cnIsHostName: false });
    assert.equal(problems.length, 1, what);
    assert.match(problems[0] ?? '', /^"CN=DNS CA" has name constraints that cannot be read, so nothing below it can be trusted: nameConstraints: /, what);
  }
  const badSan = withExtension(load('dns-sub.pem'), OID_SAN, Uint8Array.of(0x30, 0x04, 0x82, 0x05, 0x61, 0x62));
  assert.deepEqual(nameConstraintProblems([badSan, dnsCa, root], { cnIsHostName: false }), [
    '"CN=mail.good.com" has a subjectAltName that cannot be read: subjectAltName: length 5 of element with tag 0x82 exceeds the 2 bytes available (at byte 2)',
  ]);
});

test('name forms that cannot be compared fail only against constraints of their own form', () => {
  const ca = load('ca-email.pem');
  const noAt = withExtension(load('email-sub.pem'), OID_SAN, sequence(encodeTlv(0x81, ascii('postmaster'))));
  assert.deepEqual(nameConstraintProblems([noAt, ca, root], { cnIsHostName: false }), [
    '"CN=Email CA" constrains email names; "CN=Email Leaf" has email:postmaster, which cannot be checked: it is not a mailbox (no @)',
  ]);
  assert.deepEqual(nameConstraintProblems([noAt, load('ca-dns.pem'), root], { cnIsHostName: false }), []);
  const oddIp = withExtension(load('ip4-ok.pem'), OID_SAN, sequence(encodeTlv(0x87, Uint8Array.of(10, 1, 2))));
  assert.match(nameConstraintProblems([oddIp, load('ca-ip.pem'), root], { cnIsHostName: false }).join(), /has IP:#0a0102, which cannot be checked: it has 3 octets, not 4 or 16$/);
  const x400 = withExtension(leaf, OID_SAN, sequence(dns('mail.good.com'), encodeTlv(0xa3, sequence())));
  const x400Ca = withExtension(caOuter, OID_NC, nc([dns('.good.com'), encodeTlv(0xa3, sequence())]));
  assert.deepEqual(nameConstraintProblems([x400, x400Ca, root], { cnIsHostName: false }), [
    '"CN=Outer CA" constrains x400Address names, which mailcert cannot check; "CN=leaf" has x400Address',
  ]);
});

test('a subject emailAddress that is not an IA5String fails under any name constraints (as OpenSSL)', () => {
  const utf8Email = encodeTlv(0x30, encodeTlv(0x31, sequence(encodeTlv(0x06, Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01])), encodeTlv(0x0c, ascii('a@good.com')))));
  const odd = { ...leaf, subject: parseName(utf8Email) };
  assert.deepEqual(nameConstraintProblems([odd, caOuter, root], { cnIsHostName: false }), [
    '"EMAILADDRESS=a@good.com" has an emailAddress in its subject that is not an IA5String (RFC 5280 4.1.2.6), so the name constraints of "CN=Outer CA" cannot be checked against it',
  ]);
});

test(`at most ${NAME_CHECK_MAX} comparisons for a path: past that it fails before comparing`, () => {
  // Two CAs of 512 constraints each. Below them a sub-CA (1 name, its subject, checked against the
  // upper CA) and a leaf of 1 subject + n DNS names checked against both: (1 + n) x 1024 + 512.
  const bases = [dns('.good.com'), ...Array.from({ length: 511 }, (_, i) => dns(`x${i}.invalid`))];
  const upper = withExtension(caOuter, OID_NC, nc(bases.slice(0, 1), bases.slice(1)));
  const lower = withExtension(load('ca-wide.pem'), OID_NC, nc(bases.slice(0, 1), bases.slice(1)));
  const leafWith = (n: number): CertInfo => withExtension(leaf, OID_SAN, sequence(...Array.from({ length: n }, (_, i) => dns(`h${i}.good.com`))));
  assert.ok(1023 * 1024 + 512 <= NAME_CHECK_MAX);
  assert.deepEqual(nameConstraintProblems([leafWith(1022), lower, upper, root], { cnIsHostName: false }), []);
  assert.deepEqual(nameConstraintProblems([leafWith(1023), lower, upper, root], { cnIsHostName: false }), [
    `checking the name constraints of this chain takes ${1024 * 1024 + 512} comparisons, more than the ${NAME_CHECK_MAX} mailcert allows (as OpenSSL limits them)`,
  ]);
});
