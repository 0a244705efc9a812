import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatBytes as concat } from '../../../src/codec/bytes.js';
import { CodecError } from '../../../src/codec/errors.js';
import { TAG, children, readRoot, tlvBytes } from '../../../src/codec/asn1/tlv.js';
import { toDer } from '../../../src/codec/asn1/to-der.js';
import {
  encodeBitString as bitString,
  encodeExplicit as explicit,
  encodeInteger as integer,
  encodeOid,
  encodeSequence as sequence,
  encodeSet as set,
  encodeTlv,
  encodeUtcTime as utcTime,
  encodeUtf8String as utf8String,
} from '../../../src/codec/asn1/writer.js';
import { colonHex } from '../../../src/codec/fingerprint.js';
import { decodePem, encodePem } from '../../../src/codec/pem.js';
import { parseCertificate, type CertInfo } from '../../../src/codec/x509/certificate.js';
import { formatDn, parseName } from '../../../src/codec/x509/name.js';
import { verifySignedBy } from '../../../src/crypto/signatures.js';
import { fixturesDir, keytool, tempDir } from '../../helpers/tools.js';

const dir = join(fixturesDir, 'pem');

interface ExpectedCert {
  owner: string;
  issuer: string;
  serial: string;
  sigalg: string;
  keyAlgorithm: string;
  version: number;
  keytoolSha256: string;
  sha1: string;
  sha256: string;
  opensslSerial: string;
  notBefore: string;
  notAfter: string;
  subjectRfc2253: string;
  san: string;
  eku: string;
  keyUsage: string;
  basicConstraints: string;
  ski: string;
  aki: string;
}

interface Expected {
  certificates: Record<string, ExpectedCert>;
  csr: Record<string, { label: string; subject: string }>;
}

const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
const pemDer = (f: string): Uint8Array => {
  const b = decodePem(readFileSync(join(dir, f), 'utf8'))[0];
  assert.ok(b !== undefined, f);
  return b.der;
};
const cert = (f: string): CertInfo => parseCertificate(pemDer(f));

/** keytool's "Subject Public Key Algorithm" text, built from our summary. */
function keytoolKeyText(c: CertInfo): string {
  const k = c.publicKey;
  return `${k.bits ?? '?'}-bit ${k.algorithm === 'EC' ? `EC (${k.curve ?? '?'})` : k.algorithm} key`;
}

/** OpenSSL's "DNS:a, IP Address:1.2.3.4, email:b, URI:c" text as our SubjectAltName lists. */
function opensslSan(text: string): { dns: string[]; ip: string[]; email: string[]; uri: string[] } {
  const out = { dns: [] as string[], ip: [] as string[], email: [] as string[], uri: [] as string[] };
  for (const part of text === '' ? [] : text.split(', ')) {
    const colon = part.indexOf(':');
    const kind = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (kind === 'DNS') out.dns.push(value);
    else if (kind === 'email') out.email.push(value);
    else if (kind === 'URI') out.uri.push(value);
    else if (kind === 'IP Address') {
      // OpenSSL prints IPv6 uncompressed and uppercase; the URL parser gives RFC 5952 form.
      out.ip.push(value.includes(':') ? new URL(`http://[${value}]/`).hostname.slice(1, -1) : value);
    }
  }
  return out;
}

const OPENSSL_KU: Record<string, string> = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
};
const OPENSSL_EKU: Record<string, string> = {
  'TLS Web Server Authentication': 'serverAuth',
  'TLS Web Client Authentication': 'clientAuth',
};

test('every fixture certificate matches what keytool and openssl print', () => {
  for (const [file, e] of Object.entries(expected.certificates)) {
    const c = cert(file);
    assert.equal(c.subject.text, e.owner, `${file} Owner`);
    assert.equal(c.issuer.text, e.issuer, `${file} Issuer`);
    assert.equal(formatDn(c.subject.der), e.owner);
    assert.equal(c.serialHex, e.serial, `${file} serial`);
    assert.equal(Buffer.from(c.serial).toString('hex').toUpperCase().replace(/^(00)+(?=.)/, ''), e.opensslSerial);
    assert.equal(c.signatureAlgorithm.name, e.sigalg, `${file} signature algorithm`);
    assert.equal(keytoolKeyText(c), e.keyAlgorithm, `${file} key`);
    assert.equal(c.version, e.version);
    assert.equal(c.fingerprints.sha256, e.sha256);
    assert.equal(c.fingerprints.sha256, e.keytoolSha256);
    assert.equal(c.fingerprints.sha1, e.sha1);
    assert.equal(c.notBefore.toISOString(), e.notBefore, `${file} notBefore`);
    assert.equal(c.notAfter.toISOString(), e.notAfter, `${file} notAfter`);
    assert.deepEqual(c.der, pemDer(file));

    const san = c.subjectAltName;
    const want = opensslSan(e.san);
    assert.deepEqual(san === undefined ? undefined : { dns: san.dns, ip: san.ip, email: san.email, uri: san.uri }, e.san === '' ? undefined : want, `${file} SAN`);
    assert.deepEqual(c.extKeyUsage?.map((u) => u.name), e.eku === '' ? undefined : e.eku.split(', ').map((n) => OPENSSL_EKU[n]), `${file} EKU`);
    assert.deepEqual(c.keyUsage, e.keyUsage === '' ? undefined : e.keyUsage.split(', ').map((n) => OPENSSL_KU[n]), `${file} KU`);
    const bc = /^CA:(TRUE|FALSE)(?:, pathlen:(\d+))?$/.exec(e.basicConstraints);
    assert.deepEqual(
      c.basicConstraints,
      bc === null ? undefined : bc[2] === undefined ? { ca: bc[1] === 'TRUE' } : { ca: true, pathLen: Number(bc[2]) },
      `${file} basicConstraints`,
    );
    assert.equal(c.subjectKeyIdentifier === undefined ? '' : colonHex(c.subjectKeyIdentifier), e.ski, `${file} SKI`);
    assert.equal(c.authorityKeyIdentifier === undefined ? '' : colonHex(c.authorityKeyIdentifier), e.aki, `${file} AKI`);
  }
});

test('extensions are kept by OID with their critical flag and raw value', () => {
  const leaf = cert('leaf-ec.pem');
  const ku = leaf.extensions.get('2.5.29.15');
  assert.equal(ku?.critical, true);
  assert.equal(ku?.value[0], TAG.BIT_STRING);
  assert.equal(leaf.extensions.get('2.5.29.17')?.critical, false);
  assert.deepEqual(leaf.extKeyUsage, [
    { oid: '1.3.6.1.5.5.7.3.1', name: 'serverAuth' },
    { oid: '1.3.6.1.5.5.7.3.2', name: 'clientAuth' },
  ]);
  assert.equal(cert('odd-names.pem').extensions.size, 0);
});

test('RFC 4514 names equal openssl -nameopt RFC2253 for plain ASCII names', () => {
  for (const f of ['root-ca.pem', 'intermediate-ca.pem', 'leaf-ec.pem', 'leaf-rsa.pem', 'rsa-pss.pem', 'ed25519.pem']) {
    assert.equal(cert(f).subject.rfc4514, expected.certificates[f]?.subjectRfc2253, f);
  }
  // Escapes of RFC 4514 2.4, and #hex for types without a short name.
  assert.equal(
    cert('odd-utf8.pem').subject.rfc4514.split(',').slice(0, 2).join(','),
    'CN=trailing\\ ,CN=\\"already quoted\\"',
  );
  assert.match(cert('odd-names.pem').subject.rfc4514, /^2\.5\.4\.5=#13053132333435,UID=jdoe,/);
});

test('self-issued flag and the RDN structure of a multi-valued name', () => {
  assert.equal(cert('root-ca.pem').selfIssued, true);
  assert.equal(cert('intermediate-ca.pem').selfIssued, false);
  const rdns = cert('odd-names.pem').subject.rdns;
  const multi = rdns.find((r) => r.length === 2);
  assert.deepEqual(multi?.map((a) => [a.oid, a.value]), [
    ['2.5.4.11', 'Mail'],
    ['2.5.4.3', ' leading space'],
  ]);
  const tags = new Set(rdns.flat().map((a) => a.tag));
  for (const t of [TAG.T61_STRING, TAG.BMP_STRING, TAG.IA5_STRING, TAG.PRINTABLE_STRING]) assert.ok(tags.has(t), `tag ${t}`);
});

test('CSR subjects format as keytool -printcertreq prints them', () => {
  for (const [file, e] of Object.entries(expected.csr)) {
    const block = decodePem(readFileSync(join(dir, file), 'utf8'))[0];
    assert.equal(block?.label, e.label);
    // CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject, ... }, ... } (RFC 2986 4)
    const info = children(readRoot(block.der, 'PKCS#10'))[0]!;
    const subject = children(info)[1]!;
    assert.equal(formatDn(tlvBytes(subject)), e.subject, file);
  }
});

test('signatures verify along the chain and for PSS, Ed25519, SHA-1 and MD5', () => {
  const [leaf, inter, root] = ['leaf-ec.pem', 'intermediate-ca.pem', 'root-ca.pem'].map(cert) as [CertInfo, CertInfo, CertInfo];
  assert.equal(verifySignedBy(leaf, inter), true); // ECDSA P-384 / SHA-384
  assert.equal(verifySignedBy(cert('leaf-rsa.pem'), inter), true);
  assert.equal(verifySignedBy(inter, root), true); // RSA PKCS#1 v1.5
  assert.equal(verifySignedBy(root, root), true);
  for (const f of ['rsa-pss.pem', 'ed25519.pem', 'sha1-rsa.pem', 'md5-rsa.pem']) assert.equal(verifySignedBy(cert(f), cert(f)), true, f);

  assert.equal(verifySignedBy(leaf, root), false); // ECDSA signature, RSA key
  assert.equal(verifySignedBy(root, cert('sha1-rsa.pem')), false); // right type, wrong key
  const tampered = pemDer('intermediate-ca.pem').slice();
  const tbsSubjectAt = Buffer.from(tampered).indexOf(Buffer.from('Test Intermediate CA'));
  tampered[tbsSubjectAt] = 0x74; // 'T' -> 't'
  assert.equal(verifySignedBy(parseCertificate(tampered), root), false);
});

test('a certificate in BER with indefinite lengths parses, and toDer restores the signed DER', () => {
  const der = pemDer('leaf-ec.pem');
  const [tbs, alg, sig] = children(readRoot(der, 'X.509')) as [ReturnType<typeof readRoot>, ReturnType<typeof readRoot>, ReturnType<typeof readRoot>];
  const indefinite = (tag: number, ...parts: Uint8Array[]): Uint8Array => concat(Uint8Array.of(tag, 0x80), ...parts, Uint8Array.of(0, 0));
  const tbsBer = indefinite(0x30, ...children(tbs).map(tlvBytes));
  const ber = indefinite(0x30, tbsBer, tlvBytes(alg), tlvBytes(sig));
  const c = parseCertificate(ber);
  assert.equal(c.subject.text, expected.certificates['leaf-ec.pem']?.owner);
  assert.deepEqual(toDer(ber, 'X.509'), der);
  assert.equal(verifySignedBy(parseCertificate(toDer(ber, 'X.509')), cert('intermediate-ca.pem')), true);
});

function assertX509FormatError(fn: () => unknown): CodecError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof CodecError, `expected CodecError, got ${String(caught)}`);
  assert.equal(caught.kind, 'format');
  assert.equal(caught.format, 'X.509');
  return caught;
}

test('every truncation of a certificate is a format error, never a RangeError', () => {
  const der = pemDer('leaf-ec.pem');
  for (let n = 0; n < der.length; n++) assertX509FormatError(() => parseCertificate(der.subarray(0, n)));
});

test('lying lengths report the offset of the element that lies', () => {
  const der = pemDer('root-ca.pem').slice();
  // Outer SEQUENCE 30 82 xx xx, then TBSCertificate 30 82 yy yy at byte 4: claim one byte more.
  assert.equal(der[4], 0x30);
  const tbsLen = (der[6]! << 8) | der[7]!;
  der[6] = (tbsLen + 1) >> 8;
  der[7] = (tbsLen + 1) & 0xff;
  const e = assertX509FormatError(() => parseCertificate(der));
  assert.ok(e.offset !== undefined && e.offset >= 4, e.message);
  // A single damaged byte anywhere: either still parses or is a CodecError; nothing else escapes.
  const good = pemDer('leaf-rsa.pem');
  for (let i = 0; i < good.length; i++) {
    for (const v of [0x00, 0x81, 0xff]) {
      const bad = good.slice();
      bad[i] = v;
      try {
        parseCertificate(bad);
      } catch (err) {
        assert.ok(err instanceof CodecError, `byte ${i} = ${v}: ${String(err)}`);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Names keytool formats in unusual ways, checked against keytool itself on certificates we build.

const ava = (oid: string, value: Uint8Array): Uint8Array => sequence(encodeOid(oid), value);
const str = (tag: number, s: string, enc: BufferEncoding = 'utf8'): Uint8Array => encodeTlv(tag, Buffer.from(s, enc));
const utf16be = (s: string): Uint8Array => {
  const le = Buffer.from(s, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
};
const utf32be = (s: string): Uint8Array => {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const out = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => out.writeUInt32BE(cp, i * 4));
  return out;
};

function selfSigned(name: Uint8Array, issuer = name): Uint8Array {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const alg = sequence(encodeOid('1.3.101.112'));
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(0x1234),
    alg,
    issuer,
    sequence(utcTime(new Date('2024-01-01T00:00:00Z')), utcTime(new Date('2034-01-01T00:00:00Z'))),
    name,
    new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
  );
  return sequence(tbs, alg, bitString(new Uint8Array(sign(null, tbs, privateKey))));
}

const CN = '2.5.4.3';
const names: Record<string, Uint8Array> = {
  stringTypes: sequence(
    set(ava('2.5.4.5', str(TAG.NUMERIC_STRING, '12345'))), // keytool: not a string type -> #hex
    set(ava('2.5.4.10', str(TAG.VISIBLE_STRING, 'Visible Org'))), // likewise
    set(ava('2.5.4.11', str(TAG.GENERAL_STRING, 'General'))),
    set(ava('2.5.4.7', encodeTlv(TAG.UNIVERSAL_STRING, utf32be('Zürich 😀')))),
    set(ava('2.5.4.8', str(TAG.T61_STRING, 'Île-de-France', 'latin1'))),
    set(ava(CN, encodeTlv(TAG.BMP_STRING, utf16be('日本 Ω')))),
    set(ava('1.2.3.4', utf8String('private oid'))),
    set(ava('2.5.4.65', integer(7))), // not a string at all
    set(ava('2.5.4.12', str(TAG.IA5_STRING, 'bad\xe9byte', 'latin1'))), // US-ASCII decoding of a high byte
  ),
  escapes: sequence(
    // Multi-valued RDN deliberately not in DER SET OF order: CN before C.
    set(ava(CN, utf8String('zeta')), ava('2.5.4.6', str(TAG.PRINTABLE_STRING, 'DE'))),
    set(ava(CN, utf8String('a  b'))),
    set(ava(CN, utf8String('back\\slash'))),
    set(ava(CN, utf8String('"already quoted"'))),
    set(ava(CN, utf8String('tab\there'))),
    set(ava(CN, utf8String(''))),
    set(ava(CN, utf8String('#lead'))),
    set(ava(CN, utf8String('a=b;c<d>e'))),
    set(ava(CN, utf8String('trail '))),
    set(ava('2.5.4.46', utf8String('dnq'))),
    set(ava('2.5.4.42', utf8String('Given'))),
    set(ava('1.3.6.1.4.1.42.2.11.2.1', utf8String('10.0.0.1'))),
  ),
  empty: sequence(),
};

test('odd names format exactly as keytool -printcert prints them', () => {
  const tmp = tempDir();
  for (const [label, name] of Object.entries(names)) {
    // The JDK refuses an empty issuer, so the empty subject gets one.
    const der = selfSigned(name, label === 'empty' ? sequence(set(ava(CN, utf8String('issuer')))) : name);
    const file = join(tmp, `${label}.pem`);
    writeFileSync(file, encodePem('CERTIFICATE', der));
    const r = keytool(['-J-Duser.language=en', '-printcert', '-file', file], {
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    });
    assert.equal(r.status, 0, `${label}: ${r.stderr}${r.stdout}`);
    const owner = /^Owner: (.*)$/m.exec(r.stdout)?.[1];
    assert.equal(parseCertificate(der).subject.text, owner, label);
    assert.equal(parseName(name).text, owner);
  }
});

test('malformed names are format errors', () => {
  assertX509FormatError(() => parseName(sequence(sequence(ava(CN, utf8String('x'))))));
  assertX509FormatError(() => parseName(sequence(set())));
  assertX509FormatError(() => parseName(sequence(set(sequence(encodeOid(CN))))));
  assertX509FormatError(() => parseName(Uint8Array.of(0x30, 0x05, 0x31, 0x03)));
});
