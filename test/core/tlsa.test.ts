// TLSA records read the ways admins have them (RFC 6698 presentation form, zone files, dig +short,
// RFC 7218 mnemonics, the RFC 3597 generic form) and every malformed one refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeParameters, formatTlsa, isKnownRecord, parseTlsaRecord, parseTlsaText, TlsaSyntaxError, tlsaOwner } from '../../src/core/tlsa.js';

const H32 = 'a1'.repeat(32);
const H64 = 'b2'.repeat(64);
const rdata = (text: string): string => formatTlsa(parseTlsaRecord(text));

test('one record: the presentation form, a zone-file line, mnemonics, the generic form', () => {
  assert.equal(rdata(`3 1 1 ${H32}`), `3 1 1 ${H32}`);
  assert.equal(rdata(`3 1 1 ${H32.toUpperCase().slice(0, 20)} ${H32.toUpperCase().slice(20)}`), `3 1 1 ${H32}`);
  assert.equal(rdata(`_25._tcp.mail.example.com. 3600 IN TLSA 2 0 2 ${H64}`), `2 0 2 ${H64}`);
  assert.equal(rdata(`DANE-EE SPKI SHA2-256 ${H32}`), `3 1 1 ${H32}`);
  assert.equal(rdata(`dane-ta cert full 3082`), '2 0 0 3082');
  assert.equal(rdata(`_25._tcp.mx TYPE52 \\# 35 030101${H32}`), `3 1 1 ${H32}`);
  assert.equal(rdata(`( 3 1 1 ${H32} )`), `3 1 1 ${H32}`);
});

test('malformed records are TlsaSyntaxErrors that say what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['3 1 1', /no certificate association data/],
    [`3 1 1 ${H32}0`, /not hex \(an even number of digits/],
    ['3 1 1 zz', /not hex/],
    [`3 1 1 ${H32.slice(2)}`, /SHA2-256 record holds 32 bytes \(64 hex digits\), this one 31/],
    [`3 1 2 ${H32}`, /SHA2-512 record holds 64 bytes/],
    [`3 1 x ${H32}`, /"x" is not a matching type/],
    [`256 1 1 ${H32}`, /"256" is not a certificate usage/],
    [`TYPE52 \\# 36 030101${H32}`, /says 36 bytes and has 35/],
    ['', /not a certificate usage|no certificate usage/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseTlsaRecord(text), (e: unknown) => e instanceof TlsaSyntaxError && message.test(e.message), text);
  }
});

test('unknown parameters parse but are unusable (RFC 7671 §4); the names say so', () => {
  const r = parseTlsaRecord('4 1 0 abcd');
  assert.equal(isKnownRecord(r), false);
  assert.equal(describeParameters(r), 'unknown(4) SPKI(1) Full(0)');
  assert.equal(describeParameters(parseTlsaRecord(`3 1 1 ${H32}`)), 'DANE-EE(3) SPKI(1) SHA2-256(1)');
});

test('a zone file or dig output: other records, comments, $ lines, a CNAME line and parentheses are handled; a bad line is named', () => {
  const text = [
    '$ORIGIN example.com.',
    '$TTL 3600',
    'mail IN A 192.0.2.1',
    'mail IN AAAA 2001:db8::1',
    '; DANE for the MX',
    `_25._tcp.mail IN TLSA ( 3 1 1 ${H32.slice(0, 30)}`,
    `    ${H32.slice(30)} ) ; the current key`,
    `_25._tcp.mail IN RRSIG TLSA 13 5 3600 20270101000000 20260101000000 12345 example.com. AAAA`,
    '_25._tcp.mx.example.net.',
    `2 1 1 ${H32.slice(0, 56).toUpperCase()} ${H32.slice(56).toUpperCase()}`,
    '',
  ].join('\n');
  const parsed = parseTlsaText(text);
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(parsed.records.map((r) => formatTlsa(r)), [`3 1 1 ${H32}`, `2 1 1 ${H32}`]);
  const bad = parseTlsaText(`3 1 1 ${H32}\nhello world\n3 1 1 zz\n(3 1 1`);
  assert.deepEqual(bad.errors.map((e) => e.line), [2, 3, 4]);
  assert.match(bad.errors[2]?.message ?? '', /parenthesis is never closed/);
});

test('owner names: _PORT._tcp.HOST., lowercased, one trailing dot', () => {
  assert.equal(tlsaOwner('Mail.Example.COM', 25), '_25._tcp.mail.example.com.');
  assert.equal(tlsaOwner('mail.example.com.', 465), '_465._tcp.mail.example.com.');
  assert.equal(formatTlsa(parseTlsaRecord(`3 1 1 ${H32}`), '_25._tcp.mail.example.com.'), `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${H32}`);
});
