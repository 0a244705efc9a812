// The nameConstraints and subjectAltName readers (codec/x509/general-names.ts) on openssl-made
// certificates (fixtures/name-constraints), checked against what `openssl x509 -ext` prints, and on
// inline byte edits: every malformed or RFC-invalid constraint is a CodecError, never another error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSequence as sequence, encodeTlv } from '../../../src/codec/asn1/writer.js';
import { CodecError } from '../../../src/codec/errors.js';
import { parseIp } from '../../../src/codec/ip.js';
import { formatGeneralName, parseGeneralNames, parseNameConstraints, type GeneralName } from '../../../src/codec/x509/general-names.js';
import { decodePem } from '../../../src/codec/pem.js';
import { parseCertificate, type CertInfo } from '../../../src/codec/x509/certificate.js';
import { fixturesDir, runOk } from '../../helpers/tools.js';

const dir = join(fixturesDir, 'name-constraints');
const load = (file: string): CertInfo => {
  const block = decodePem(readFileSync(join(dir, file), 'utf8'))[0];
  assert.ok(block);
  return parseCertificate(block.der);
};
const extensionValue = (cert: CertInfo, oid: string): Uint8Array => {
  const ext = cert.extensions.get(oid);
  assert.ok(ext, `extension ${oid}`);
  return ext.value;
};
const ncOf = (file: string): Uint8Array => extensionValue(load(file), '2.5.29.30');
const sanOf = (file: string): Uint8Array => extensionValue(load(file), '2.5.29.17');
const shown = (names: readonly GeneralName[], asConstraint = false): string[] => names.map((n) => formatGeneralName(n, asConstraint));

/** One entry of `openssl x509 -ext nameConstraints` in the form formatGeneralName writes. */
function fromOpenssl(entry: string): string {
  const ip = /^IP:([^/]+)\/(.+)$/.exec(entry);
  if (ip) {
    const [addr, mask] = [parseIp(ip[1] ?? ''), parseIp(ip[2] ?? '')];
    assert.ok(addr && mask, entry);
    return formatGeneralName({ type: 'iPAddress', bytes: Uint8Array.from([...addr, ...mask]) }, true);
  }
  if (entry.startsWith('DirName:')) return `dirName:"${entry.slice(8).split(', ').reverse().join(', ').replaceAll(' = ', '=')}"`;
  if (entry.startsWith('othername:UPN:')) return `otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${entry.slice(14)}`;
  if (entry.startsWith('Registered ID:')) return `RID:${entry.slice(14)}`;
  return entry;
}

function opensslConstraints(file: string): { permitted: string[]; excluded: string[] } {
  const text = runOk('openssl', ['x509', '-in', join(dir, file), '-noout', '-ext', 'nameConstraints']).stdout;
  const out = { permitted: [] as string[], excluded: [] as string[] };
  let list: string[] | undefined;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === 'Permitted:') list = out.permitted;
    else if (line === 'Excluded:') list = out.excluded;
    else if (line !== '' && list !== undefined) list.push(fromOpenssl(line));
  }
  return out;
}

test('the constraints of every fixture CA read as openssl prints them', () => {
  const cas = ['ca-dns.pem', 'ca-email.pem', 'ca-ip.pem', 'ca-ip4.pem', 'ca-dir.pem', 'ca-outer.pem', 'ca-wide.pem', 'ca-narrow.pem', 'ca-roll.pem', 'root-nc.pem', 'ca-upn.pem', 'ca-rid.pem', 'ca-uri.pem'];
  for (const file of cas) {
    const nc = parseNameConstraints(ncOf(file));
    assert.deepEqual({ permitted: shown(nc.permitted, true), excluded: shown(nc.excluded, true) }, opensslConstraints(file), file);
  }
  const ip = parseNameConstraints(ncOf('ca-ip.pem'));
  assert.deepEqual(shown(ip.permitted, true), ['IP:10.0.0.0/8', 'IP:2001:db8::/32']);
  assert.deepEqual(shown(parseNameConstraints(ncOf('ca-dir.pem')).excluded, true), ['dirName:"OU=Blocked, O=Good Corp, C=US"']);
});

test('subjectAltName: every form openssl wrote, the common ones as parseCertificate reads them', () => {
  assert.deepEqual(shown(parseGeneralNames(sanOf('upn-carried.pem'))), ['DNS:mail.good.com', 'otherName:1.3.6.1.4.1.311.20.2.3;UTF8:alice@good.com']);
  assert.deepEqual(shown(parseGeneralNames(sanOf('eai-dot.pem'))), ['otherName:1.3.6.1.5.5.7.8.9;UTF8:alice@mail.bücher.example']);
  assert.deepEqual(shown(parseGeneralNames(sanOf('rid-carried.pem'))), ['DNS:mail.good.com', 'RID:1.2.3.4']);
  assert.deepEqual(shown(parseGeneralNames(sanOf('dir-san-outside.pem'))), ['DNS:mail.good.com', 'dirName:"O=Evil Corp, C=US"']);
  assert.deepEqual(shown(parseGeneralNames(sanOf('uri-ok.pem'))), ['DNS:www.good.com', 'URI:https://www.good.com/mail']);
  assert.deepEqual(shown(parseGeneralNames(sanOf('ip4-mapped.pem'))), ['IP:::ffff:10.1.2.3'], 'RFC 5952 section 5');
  assert.deepEqual(shown(parseGeneralNames(sanOf('ip6-ok.pem'))), ['IP:2001:db8::25']);
  for (const file of ['ip4-ok.pem', 'ip6-ok.pem', 'ip4-mapped.pem', 'email-sub.pem', 'dns-two-sans.pem', 'uri-ok.pem']) {
    const cert = load(file);
    const names = parseGeneralNames(sanOf(file));
    const text = (type: GeneralName['type']): string[] => names.flatMap((n) => (n.type === type && 'text' in n ? [n.text] : []));
    const san = cert.subjectAltName;
    assert.ok(san, file);
    assert.deepEqual(text('dNSName'), san.dns, file);
    assert.deepEqual(text('rfc822Name'), san.email, file);
    assert.deepEqual(text('uniformResourceIdentifier'), san.uri, file);
    const octets = names.flatMap((n) => (n.type === 'iPAddress' ? [n.bytes] : []));
    assert.deepEqual(octets, san.ip.map((text) => parseIp(text)), file);
  }
});

test('every truncation and every byte damage of a real extension is a CodecError or a parse', () => {
  for (const [value, parse] of [
    [ncOf('ca-dir.pem'), parseNameConstraints],
    [ncOf('ca-upn.pem'), parseNameConstraints],
    [sanOf('upn-carried.pem'), parseGeneralNames],
    [sanOf('eai-dot.pem'), parseGeneralNames],
  ] as const) {
    for (let n = 0; n < value.length; n++) assert.throws(() => parse(value.subarray(0, n)), CodecError, `first ${n} bytes`);
    for (let i = 0; i < value.length; i++) {
      for (const b of [0x00, 0x80, 0xff]) {
        const damaged = value.slice();
        damaged[i] = b;
        try {
          parse(damaged);
        } catch (e) {
          assert.ok(e instanceof CodecError, `byte ${i} = ${b}: ${String(e)}`);
        }
      }
    }
  }
});

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const dns = (s: string): Uint8Array => encodeTlv(0x82, ascii(s));
const ip = (hex: string): Uint8Array => encodeTlv(0x87, Uint8Array.from(Buffer.from(hex, 'hex')));
const permitted = (...subtrees: Uint8Array[]): Uint8Array => sequence(encodeTlv(0xa0, ...subtrees));

test('constraints RFC 5280 forbids are refused, each with a reason', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty extension', sequence(), /neither permittedSubtrees nor excludedSubtrees/],
    ['empty subtrees', permitted(), /permittedSubtrees is empty/],
    ['excluded before permitted', sequence(encodeTlv(0xa1, sequence(dns('a'))), encodeTlv(0xa0, sequence(dns('b')))), /unexpected field with tag 0xa0/],
    ['permitted twice', sequence(encodeTlv(0xa0, sequence(dns('a'))), encodeTlv(0xa0, sequence(dns('b')))), /unexpected field/],
    ['an unknown field', sequence(encodeTlv(0xa2, sequence(dns('a')))), /unexpected field with tag 0xa2/],
    ['minimum 1', permitted(sequence(dns('.good.com'), Uint8Array.of(0x80, 0x01, 0x01))), /minimum other than 0/],
    ['a maximum', permitted(sequence(dns('.good.com'), Uint8Array.of(0x81, 0x01, 0x00))), /has a maximum/],
    ['an empty minimum', permitted(sequence(dns('.good.com'), Uint8Array.of(0x80, 0x00))), /minimum other than 0/],
    ['a subtree without a base', permitted(sequence()), /has no base/],
    ['a 4-octet IP constraint', permitted(sequence(ip('0a000000'))), /4 octets/],
    ['a 9-octet IP constraint', permitted(sequence(ip('0a000000ff00000000'))), /9 octets/],
    ['mask 255.0.255.0', permitted(sequence(ip('0a000000ff00ff00'))), /IP:10\.0\.0\.0\/255\.0\.255\.0 has a mask that is not a CIDR prefix/],
    ['mask 0.0.0.1', permitted(sequence(ip('0000000000000001'))), /not a CIDR prefix/],
    ['a GeneralName of tag [9]', permitted(sequence(encodeTlv(0x89, ascii('x')))), /unknown tag \[9\]/],
    ['a universal GeneralName', permitted(sequence(encodeTlv(0x16, ascii('x')))), /a GeneralName has the tag 0x16/],
    ['an otherName without its [0]', permitted(sequence(encodeTlv(0xa0, Uint8Array.of(0x06, 0x01, 0x2a), encodeTlv(0x0c, ascii('x'))))), /otherName is not/],
    ['a directoryName that is no Name', permitted(sequence(encodeTlv(0xa4, encodeTlv(0x0c, ascii('x'))))), /directoryName: expected tag 0x30/],
    ['a constructed registeredID', permitted(sequence(encodeTlv(0xa8, Uint8Array.of(0x06, 0x01, 0x2a)))), /registeredID must be primitive/],
    ['trailing bytes', Uint8Array.from([...permitted(sequence(dns('a'))), 0x00]), /unexpected bytes after the end/],
  ];
  for (const [what, value, message] of cases) {
    assert.throws(() => parseNameConstraints(value), (e: unknown) => e instanceof CodecError && message.test(e.message), what);
  }
});

test('what RFC 5280 allows is read: minimum 0, CIDR masks, any name form, BER strings', () => {
  const nc = parseNameConstraints(
    sequence(
      encodeTlv(0xa0, sequence(dns('.good.com'), Uint8Array.of(0x80, 0x01, 0x00)), sequence(ip('0000000000000000')), sequence(ip('0a010203ffffffff'))),
      encodeTlv(0xa1, sequence(ip(`20010db8${'0'.repeat(24)}${'f'.repeat(32)}`)), sequence(encodeTlv(0xa3, sequence())), sequence(encodeTlv(0xa5, sequence()))),
    ),
  );
  assert.deepEqual(shown(nc.permitted, true), ['DNS:.good.com', 'IP:0.0.0.0/0', 'IP:10.1.2.3/32']);
  assert.deepEqual(shown(nc.excluded, true), ['IP:2001:db8::/128', 'x400Address', 'ediPartyName']);
  // A dNSName as a BER constructed IA5String: [2] { IA5String "mail.", IA5String "good.com" }.
  const ber = encodeTlv(0xa2, encodeTlv(0x16, ascii('mail.')), encodeTlv(0x16, ascii('good.com')));
  assert.deepEqual(shown(parseGeneralNames(sequence(ber, dns('b.com')))), ['DNS:mail.good.com', 'DNS:b.com']);
  // IA5String bytes are kept one character per byte, whatever they are.
  assert.deepEqual(shown(parseGeneralNames(sequence(encodeTlv(0x82, Uint8Array.of(0x61, 0xe9, 0x00, 0x62))))), ['DNS:a\u00e9\u0000b']);
  assert.throws(() => parseGeneralNames(sequence()), /holds no names/);
});
