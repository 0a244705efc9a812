// Private keys OpenSSL cannot read (their DER well-formed enough for mailcert's codecs, not for
// OpenSSL's key decoders): bad input naming the file, exit 3, for every command that reads a key;
// never "internal error".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeOctetString as derOctetString } from '../../src/codec/asn1/writer.js';
import { decodePkcs12, encodePkcs12 } from '../../src/crypto/pkcs12.js';
import { encodePem } from '../../src/codec/pem.js';
import { fixturesDir, mailcert, tempDir } from '../helpers/tools.js';

const dir = tempDir();

/** A PrivateKeyInfo { 0, rsaEncryption, OCTET STRING { inner } }: with SEQUENCE { INTEGER 0 } inside, no RSA key. */
const rsaPkcs8 = (inner: Uint8Array): Uint8Array => {
  const alg = Buffer.from('300d06092a864886f70d0101010500', 'hex');
  const body = Buffer.concat([Buffer.from('020100', 'hex'), alg, derOctetString(inner)]);
  return Uint8Array.from(Buffer.concat([Buffer.from([0x30, body.length]), body]));
};

function refused(args: string[], file: string, env: Record<string, string> = {}): string {
  const r = mailcert(args, { env });
  const what = `${args.join(' ')}: exit ${String(r.status)}\n${r.stderr}`;
  assert.equal(r.status, 3, what);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, what);
  const [first = '', ...rest] = r.stderr.split('\n').filter((l) => l !== '');
  assert.ok(rest.length <= 1 && first.startsWith(`mailcert: ${file}: `), what);
  return first;
}

test('a PKCS#8 or traditional key OpenSSL cannot read: exit 3 naming the file, from inspect, strip-password and certreq', () => {
  const pkcs8Der = join(dir, 'hollow.der');
  writeFileSync(pkcs8Der, rsaPkcs8(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)));
  const pkcs8Pem = join(dir, 'hollow.pem');
  writeFileSync(pkcs8Pem, encodePem('PRIVATE KEY', rsaPkcs8(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))));
  const ecPem = join(dir, 'hollow-ec.pem');
  writeFileSync(ecPem, encodePem('EC PRIVATE KEY', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)));
  // A DER key is tried as PKCS#8, PKCS#1 and SEC 1 in turn; refused by all, it is none of them.
  const unreadable = /OpenSSL cannot read the private key|not a PKCS#8, PKCS#1 or SEC 1 key/;
  for (const file of [pkcs8Der, pkcs8Pem, ecPem]) {
    assert.match(refused(['inspect', file], file), /OpenSSL cannot read the private key/);
    assert.match(refused(['strip-password', '--in', file, '--out', join(dir, 'out.key')], file), unreadable);
    assert.match(refused(['certreq', '--key', file, '--cn', 'mail.example.com'], file), unreadable);
  }
});

test('a PKCS#12 key entry holding a key OpenSSL cannot read: exit 3 naming the store and the entry', () => {
  const jdk = decodePkcs12(new Uint8Array(readFileSync(join(fixturesDir, 'pkcs12', 'jdk.p12'))), 'changeit1');
  const entries = jdk.entries.map((e) => (e.kind === 'key' ? { kind: 'key' as const, alias: e.alias, created: e.created, chain: e.chain, privateKey: rsaPkcs8(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)) } : e));
  const file = join(dir, 'hollow.p12');
  writeFileSync(file, encodePkcs12(entries, 'hollow-pass', { iterations: 1 }));
  const env = { MAILCERT_STOREPASS: 'hollow-pass' };
  assert.equal(mailcert(['list', '-k', file], { env }).status, 0);
  const line = refused(['strip-password', '-k', file, '--out', join(dir, 'p12.key')], file, env);
  assert.match(line, /key entry "server" holds a private key OpenSSL cannot read/);
});
