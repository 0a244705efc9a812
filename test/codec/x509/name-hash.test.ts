// OpenSSL subject hashes (keystore-formats.md 5.1) against openssl itself: every system root
// certificate, the hand-made edge cases of fixtures/hash (expected.json, written by make.sh with
// openssl), and BER variants of a Name made here by small byte edits and hashed by openssl too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { CodecError } from '../../../src/codec/errors.js';
import { children, readRoot, tlvBytes } from '../../../src/codec/asn1/tlv.js';
import { encodeSequence as sequence, encodeTlv } from '../../../src/codec/asn1/writer.js';
import { crlIssuer } from '../../../src/codec/crl.js';
import { canonicalBytes, canonicalName, certificateNames, subjectHash, subjectHashOld } from '../../../src/codec/x509/name-hash.js';
import { decodePem } from '../../../src/codec/pem.js';
import { fixturesDir, tempDir } from '../../helpers/tools.js';
import { opensslNameHashes } from '../../helpers/openssl-hash.js';

const dir = tempDir('mailcert-name-hash-');
const hashDir = join(fixturesDir, 'hash');

interface Expected {
  certificates: { file: string; hash: string; oldHash: string; issuerHash: string; issuerOldHash: string }[];
  crls: { file: string; hash: string; oldHash: string }[];
  rejected: { file: string; openssl: string }[];
}
const expected = JSON.parse(readFileSync(join(hashDir, 'expected.json'), 'utf8')) as Expected;

function firstDer(path: string, label = 'CERTIFICATE'): Uint8Array {
  const block = decodePem(readFileSync(path, 'utf8')).find((b) => b.label === label);
  assert.ok(block, `${path} has a ${label} block`);
  return block.der;
}

function ours(der: Uint8Array): { hash: string; oldHash: string; issuerHash: string; issuerOldHash: string } {
  const { subject, issuer } = certificateNames(der);
  return { hash: subjectHash(subject), oldHash: subjectHashOld(subject), issuerHash: subjectHash(issuer), issuerOldHash: subjectHashOld(issuer) };
}

test("every root certificate of Node and of /etc/ssl/certs hashes as openssl x509 says", async (t) => {
  const files: string[] = rootCertificates.map((pem, i) => {
    const path = join(dir, `node-root-${String(i).padStart(3, '0')}.pem`);
    writeFileSync(path, pem);
    return path;
  });
  for (const name of readdirSync('/etc/ssl/certs').sort()) if (name.endsWith('.pem')) files.push(join('/etc/ssl/certs', name));
  const theirs = await opensslNameHashes(files);
  let matched = 0;
  for (const file of files) {
    const want = theirs.get(file);
    assert.ok(want, `openssl hashed ${file}`);
    assert.deepEqual(ours(firstDer(file)), want, file);
    matched++;
  }
  t.diagnostic(`${matched} system certificates: subject, old subject, issuer and old issuer hashes all equal openssl's`);
  assert.ok(matched > 100, `only ${matched} certificates found`);
});

test('the hand-made edge cases equal what openssl computed in fixtures/hash/make.sh', (t) => {
  assert.ok(expected.certificates.length >= 15);
  for (const c of expected.certificates) {
    const { file, ...want } = c;
    assert.deepEqual(ours(firstDer(join(hashDir, file))), want, file);
  }
  for (const c of expected.crls) {
    const issuer = crlIssuer(firstDer(join(hashDir, c.file), 'X509 CRL'));
    assert.deepEqual({ hash: subjectHash(issuer), oldHash: subjectHashOld(issuer) }, { hash: c.hash, oldHash: c.oldHash }, c.file);
  }
  t.diagnostic(`${expected.certificates.length} certificates and ${expected.crls.length} CRLs match`);
});

test('a Name openssl refuses to load is a CodecError, for both hashes', () => {
  assert.ok(expected.rejected.length >= 4);
  for (const r of expected.rejected) {
    const { subject } = certificateNames(firstDer(join(hashDir, r.file)));
    assert.throws(() => subjectHash(subject), CodecError, `${r.file} (openssl: ${r.openssl})`);
    assert.throws(() => subjectHashOld(subject), CodecError, r.file);
  }
});

// ---- BER in a Name, checked against openssl on certificates edited here ----------------------

/** A copy of a fixture certificate with another subject (the signature no longer matters: hashing does not check it). */
function withSubject(certDer: Uint8Array, subject: Uint8Array): Uint8Array {
  const cert = readRoot(certDer, 'test');
  const [tbs, alg, sig] = children(cert);
  assert.ok(tbs && alg && sig);
  const fields = children(tbs).map(tlvBytes);
  fields[5] = subject; // [0] version, serial, signature, issuer, validity, subject
  return sequence(sequence(...fields), tlvBytes(alg), tlvBytes(sig));
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const CN = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x03);
const nameWith = (value: Uint8Array): Uint8Array => sequence(encodeTlv(0x31, sequence(CN, value)));

test('BER forms of a value (constructed strings, long lengths, indefinite lengths) hash as openssl hashes them', async () => {
  const base = firstDer(join(hashDir, 'spaces.pem'));
  const text = '  BER  Seg  MENTS ';
  const variants: Record<string, Uint8Array> = {
    primitive: nameWith(encodeTlv(0x0c, ascii(text))),
    constructedUtf8: nameWith(encodeTlv(0x2c, encodeTlv(0x0c, ascii('  BER  ')), encodeTlv(0x0c, ascii('Seg  MENTS ')))),
    constructedPrintable: nameWith(encodeTlv(0x33, encodeTlv(0x13, ascii('  BER  ')), encodeTlv(0x13, ascii('Seg  MENTS ')))),
    longFormLength: nameWith(Uint8Array.of(0x0c, 0x81, text.length, ...ascii(text))),
    indefiniteSet: Uint8Array.from([0x30, 0x80, 0x31, 0x80, ...sequence(CN, encodeTlv(0x0c, ascii(text))), 0, 0, 0, 0]),
  };
  const files: string[] = [];
  for (const [name, subject] of Object.entries(variants)) {
    const path = join(dir, `ber-${name}.der`);
    writeFileSync(path, withSubject(base, subject));
    files.push(path);
  }
  // openssl 3 reads DER with -in as well (it tries each decoder).
  const theirs = await opensslNameHashes(files, 1);
  for (const [i, name] of Object.keys(variants).entries()) {
    const file = files[i] as string;
    const subject = variants[name] as Uint8Array;
    const want = theirs.get(file);
    assert.ok(want, name);
    assert.equal(subjectHash(subject), want.hash, name);
    assert.equal(subjectHashOld(subject), want.oldHash, `${name}: the old hash is over the original BER bytes`);
  }
  // All the same value, so all the same new hash; the old hashes differ with the bytes.
  const hashes = new Set(Object.values(variants).map(subjectHash));
  assert.equal(hashes.size, 1);
});

// ---- The canonical form itself ---------------------------------------------------------------

test('canonical text: ASCII whitespace trimmed and collapsed, ASCII A-Z lowercased, everything else kept', () => {
  const canon = (s: string): string => new TextDecoder().decode(canonicalBytes(ascii(s)));
  assert.equal(canon('  Mail \t\n\v\f\r Server  '), 'mail server');
  assert.equal(canon('ÉCOLE Straße ＡＢＣ'), 'École straße ＡＢＣ');
  assert.equal(canon('A\u00a0B'), 'a\u00a0b', 'NO-BREAK SPACE is not ASCII whitespace');
  assert.equal(canon(' \t '), '');
  assert.equal(canon(''), '');
});

test('a multi-valued RDN is sorted again after canonicalization, and an empty Name canonicalizes to nothing', () => {
  const printable = (s: string): Uint8Array => encodeTlv(0x13, ascii(s));
  const utf8 = (s: string): Uint8Array => encodeTlv(0x0c, ascii(s));
  const OU = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x0b);
  // DER order puts the UTF8String (0x0c) first; canonically both are UTF8Strings and "a" < "b".
  const name = sequence(encodeTlv(0x31, sequence(OU, utf8('b')), sequence(OU, printable('A'))));
  const swapped = sequence(encodeTlv(0x31, sequence(OU, printable('A')), sequence(OU, utf8('b'))));
  assert.deepEqual(canonicalName(name), canonicalName(swapped));
  assert.equal(subjectHash(name), subjectHash(swapped));
  assert.notEqual(subjectHashOld(name), subjectHashOld(swapped), 'the old hash sees the original order');
  assert.equal(canonicalName(Uint8Array.of(0x30, 0x00)).length, 0);
  const empty = expected.certificates.find((c) => c.file === 'empty-subject.pem');
  assert.equal(subjectHash(Uint8Array.of(0x30, 0x00)), empty?.hash);
});

// ---- Damaged and foreign inputs: CodecError, never a RangeError ---------------------------------

test('damaged Names are CodecErrors naming what is wrong', () => {
  const good = nameWith(encodeTlv(0x0c, ascii('ok')));
  for (let cut = 1; cut < good.length; cut++) {
    assert.throws(() => subjectHash(good.subarray(0, cut)), CodecError, `cut at ${cut}`);
  }
  const cases: Record<string, Uint8Array> = {
    'BMPString of odd length': nameWith(Uint8Array.of(0x1e, 0x03, 0x00, 0x41, 0x00)),
    'UniversalString not a multiple of 4': nameWith(Uint8Array.of(0x1c, 0x02, 0x00, 0x41)),
    'context-tagged value': nameWith(Uint8Array.of(0x80, 0x01, 0x41)),
    'OCTET STRING value': nameWith(Uint8Array.of(0x04, 0x01, 0x41)),
    'AVA with three elements': sequence(encodeTlv(0x31, sequence(CN, encodeTlv(0x0c, ascii('a')), encodeTlv(0x0c, ascii('b'))))),
    'RDN that is a SEQUENCE': sequence(sequence(sequence(CN, encodeTlv(0x0c, ascii('a'))))),
    'OID with a leading 0x80': nameWith(encodeTlv(0x0c, ascii('a'))).map((b, i) => (i === 8 ? 0x80 : b)),
    'Name that is a SET': Uint8Array.of(0x31, 0x00),
  };
  for (const [what, bytes] of Object.entries(cases)) assert.throws(() => subjectHash(bytes), CodecError, what);
});

test('certificateNames and crlIssuer tell a certificate from a CRL and refuse other DER', () => {
  const cert = firstDer(join(hashDir, 'spaces.pem'));
  const crl = firstDer(join(hashDir, 'spaces.crl'), 'X509 CRL');
  assert.equal(subjectHash(crlIssuer(crl)), subjectHash(certificateNames(cert).subject));
  assert.throws(() => certificateNames(crl), CodecError);
  assert.throws(() => crlIssuer(cert), CodecError);
  assert.throws(() => certificateNames(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)), CodecError);
  assert.throws(() => certificateNames(cert.subarray(0, cert.length - 1)), CodecError);
  const names = certificateNames(cert);
  assert.equal(names.subject[0], 0x30, 'the Name TLV, header included');
});
