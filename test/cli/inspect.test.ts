// `mailcert inspect` on what admins have lying around: openssl- and keytool-made certificates,
// bundles, requests, keys (plain and encrypted, never decrypted unless asked), CRLs, PKCS#7 and
// keystores; each judged against what openssl or keytool say about the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, keytool, mailcert, openssl, runOk, tempDir } from '../helpers/tools.js';
import { parseKeytoolList } from '../helpers/keytool-list.js';

const dir = tempDir();
const p = (n: string): string => join(dir, n);
const pem = (n: string): string => join(fixturesDir, 'pem', n);

interface CertJson {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  publicKey: string;
  signatureAlgorithm: string;
  subjectAltNames: string[];
  keyUsage: string[] | null;
  extendedKeyUsage: string[] | null;
  basicConstraints: { ca: boolean; pathLen: number | null } | null;
  selfSigned: boolean;
  sha256: string;
  sha1: string;
  publicKeySha256: string;
}
interface KeyJson {
  form: string;
  encrypted: boolean;
  encryption: string | null;
  algorithm: string | null;
  publicKey: string | null;
  publicKeySha256: string | null;
}
interface InspectJson {
  file: string;
  format: string;
  certificates?: CertJson[];
  request?: { subject: string; publicKey: string; signatureValid: boolean; subjectAltNames: string[]; extensions: { oid: string; name: string | null; critical: boolean }[]; publicKeySha256: string };
  key?: KeyJson;
  crl?: { issuer: string; thisUpdate: string; nextUpdate: string | null; revoked: number; crlNumber: string | null };
  keystore?: { type: string; integrityChecked: boolean; entries: { alias: string; kind: string; chain: { sha256: string }[] }[] };
  notes?: string[];
}

function inspect(file: string, extra: string[] = [], env: Record<string, string> = {}): InspectJson {
  const r = mailcert(['inspect', file, '--json', ...extra], { env });
  assert.equal(r.status, 0, `inspect ${file}: ${r.stderr}`);
  assert.equal(r.stderr, '');
  return JSON.parse(r.stdout) as InspectJson;
}

/** The members present besides file and format: only what the file holds. */
const members = (j: InspectJson): string[] => Object.keys(j).filter((k) => k !== 'file' && k !== 'format').sort();

/** SHA-256 of a DER SubjectPublicKeyInfo as openssl computes it, in the colon form inspect prints. */
function opensslSpkiSha256(args: string[]): string {
  const der = runOk('openssl', [...args, '-outform', 'DER']).stdoutBytes;
  const hex = runOk('openssl', ['dgst', '-sha256', '-r'], { input: der }).stdout.split(' ')[0] ?? '';
  return hex.toUpperCase().match(/../g)?.join(':') ?? '';
}

// A self-signed server certificate and its key, used by several tests below.
runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('mail.key'), '-out', p('mail.crt'), '-days', '90', '-subj', '/C=DE/O=Example/CN=mail.example.com',
  '-addext', 'subjectAltName=DNS:mail.example.com,DNS:imap.example.com,IP:192.0.2.10', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
  '-addext', 'extendedKeyUsage=serverAuth,clientAuth', '-addext', 'basicConstraints=critical,CA:FALSE']);

test('a certificate: every field agrees with openssl x509', () => {
  const j = inspect(p('mail.crt'));
  assert.equal(j.format, 'PEM');
  assert.deepEqual(members(j), ['certificates']);
  const c = j.certificates![0]!;
  assert.equal(c.subject, 'CN=mail.example.com, O=Example, C=DE');
  assert.equal(c.issuer, c.subject);
  assert.deepEqual(c.subjectAltNames, ['DNS:mail.example.com', 'DNS:imap.example.com', 'IP:192.0.2.10']);
  assert.deepEqual(c.keyUsage, ['digitalSignature', 'keyEncipherment']);
  assert.deepEqual(c.extendedKeyUsage, ['serverAuth', 'clientAuth']);
  assert.deepEqual(c.basicConstraints, { ca: false, pathLen: null });
  assert.equal(c.selfSigned, true);
  assert.equal(c.publicKey, 'RSA 2048');
  assert.equal(c.signatureAlgorithm, 'SHA256withRSA');
  assert.ok(c.daysLeft === 89 || c.daysLeft === 90, String(c.daysLeft));
  const x = (flag: string): string => runOk('openssl', ['x509', '-in', p('mail.crt'), '-noout', ...(flag.startsWith('-sha') ? ['-fingerprint'] : []), flag]).stdout.trim();
  assert.equal(c.serial, x('-serial').replace(/^serial=/, '').replace(/^0+/, '').toLowerCase());
  assert.equal(c.sha256, x('-sha256').replace(/^.*=/, ''));
  assert.equal(c.sha1, x('-sha1').replace(/^.*=/, ''));
  assert.equal(Date.parse(c.notAfter), Date.parse(x('-enddate').replace(/^notAfter=/, '')));
  assert.equal(c.publicKeySha256, opensslSpkiSha256(['pkey', '-in', p('mail.key'), '-pubout']));

  const human = mailcert(['inspect', p('mail.crt')]);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /^ {2}names {9}DNS:mail\.example\.com, DNS:imap\.example\.com, IP:192\.0\.2\.10$/m);
  assert.match(human.stdout, /^ {2}valid {9}\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(\d+ days left\)$/m);
  assert.match(human.stdout, /^Certificate \(self-signed\)$/m);
});

test('a chain bundle, DER, PKCS#7 (PEM and DER) and a TRUSTED CERTIFICATE', () => {
  const expected = JSON.parse(readFileSync(join(fixturesDir, 'pem', 'expected.json'), 'utf8')) as { chain: string[]; certificates: Record<string, { sha256: string; owner: string }> };
  const chainSha = expected.chain.map((f) => expected.certificates[f]!.sha256);
  for (const [file, format] of [['chain.pem', 'PEM'], ['chain.p7b', 'PEM'], ['chain-p7b.der', 'PKCS7']] as const) {
    const j = inspect(pem(file));
    assert.equal(j.format, format, file);
    assert.deepEqual(j.certificates!.map((c) => c.sha256), chainSha, file);
    assert.deepEqual(j.certificates!.map((c) => c.selfSigned), [false, false, true], file);
    assert.deepEqual(j.certificates![1]!.basicConstraints, { ca: true, pathLen: 0 }, file);
  }
  const der = inspect(pem('leaf-rsa.der'));
  assert.equal(der.format, 'DER');
  assert.equal(der.certificates!.length, 1);
  assert.equal(der.certificates![0]!.sha256, expected.certificates['leaf-rsa.pem']!.sha256);
  const trusted = inspect(pem('root-trusted.pem'));
  assert.equal(trusted.certificates!.length, 1);
  assert.match(trusted.notes![0]!, /OpenSSL trust settings/);
});

test('certificate requests: both PEM labels and DER; subject, SANs and the self-signature', () => {
  runOk('openssl', ['req', '-new', '-key', p('mail.key'), '-out', p('mail.csr'), '-subj', '/CN=mail.example.com', '-addext', 'subjectAltName=DNS:mail.example.com,IP:2001:db8::25']);
  const j = inspect(p('mail.csr'));
  assert.deepEqual(members(j), ['request']);
  assert.equal(j.request!.subject, 'CN=mail.example.com');
  assert.deepEqual(j.request!.subjectAltNames, ['DNS:mail.example.com', 'IP:2001:db8::25']);
  assert.equal(j.request!.signatureValid, true);
  assert.equal(j.request!.publicKey, 'RSA 2048');
  assert.equal(j.request!.publicKeySha256, opensslSpkiSha256(['pkey', '-in', p('mail.key'), '-pubout']));
  // The label older tools (Netscape, IIS) write.
  writeFileSync(p('new.csr'), readFileSync(p('mail.csr'), 'utf8').replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST'));
  assert.equal(inspect(p('new.csr')).request!.subject, 'CN=mail.example.com');
  // keytool's request (DER fixture from openssl too), and a signature byte flipped.
  assert.equal(inspect(pem('keytool.csr')).request!.signatureValid, true);
  const derCsr = readFileSync(pem('openssl-csr.der'));
  assert.equal(inspect(pem('openssl-csr.der')).request!.signatureValid, true);
  const bad = Buffer.from(derCsr);
  bad[bad.length - 5] = (bad[bad.length - 5] ?? 0) ^ 0x01;
  writeFileSync(p('bad.csr.der'), bad);
  assert.equal(inspect(p('bad.csr.der')).request!.signatureValid, false);
  // openssl 3.0 reports the failure but exits 0.
  const o = openssl(['req', '-in', p('bad.csr.der'), '-inform', 'DER', '-verify', '-noout']);
  assert.match(o.stdout + o.stderr, /verify failure/);
  const human = mailcert(['inspect', p('bad.csr.der')]);
  assert.match(human.stdout, /does NOT verify/);
});

test('private keys: form, type and size, encryption; encrypted keys are not decrypted unless a passphrase is given', () => {
  const plain = inspect(pem('rsa-plain.pem'));
  assert.deepEqual(plain.key, {
    form: 'PKCS#1 (RSA PRIVATE KEY)', encrypted: false, encryption: null, algorithm: 'RSA', publicKey: 'RSA 2048',
    publicKeySha256: opensslSpkiSha256(['pkey', '-in', pem('rsa-plain.pem'), '-pubout']),
  });
  assert.equal(inspect(pem('pkcs8.der')).key!.form, 'PKCS#8 (DER)');
  // Encrypted traditional key: the cipher from DEK-Info, the type from the label, no size.
  const enc = inspect(pem('rsa-aes256.pem'));
  assert.deepEqual(enc.key, { form: 'encrypted PKCS#1 (RSA PRIVATE KEY)', encrypted: true, encryption: 'AES-256-CBC', algorithm: 'RSA', publicKey: null, publicKeySha256: null });
  const ec = inspect(pem('ec-aes128.pem'));
  assert.equal(ec.key!.encryption, 'AES-128-CBC');
  assert.equal(ec.key!.algorithm, 'EC');
  // Encrypted PKCS#8: the PBES2 parameters, as openssl asn1parse shows them.
  runOk('openssl', ['pkcs8', '-topk8', '-in', p('mail.key'), '-out', p('mail-enc.key'), '-passout', 'pass:secret-1', '-v2', 'aes-256-cbc', '-iter', '4096']);
  const p8 = inspect(p('mail-enc.key'));
  assert.equal(p8.key!.form, 'encrypted PKCS#8');
  assert.equal(p8.key!.encryption, 'PBES2 hmacWithSHA256 aes-256-cbc, 4096 iterations');
  assert.equal(p8.key!.algorithm, null);
  // No TTY and no passphrase: no prompt, no failure. With one: the type and the key's fingerprint.
  const given = inspect(p('mail-enc.key'), ['--passin-env', 'KP'], { KP: 'secret-1' });
  assert.equal(given.key!.publicKey, 'RSA 2048');
  assert.equal(given.key!.publicKeySha256, opensslSpkiSha256(['pkey', '-in', p('mail.key'), '-pubout']));
  const traditional = inspect(pem('ec-aes256.pem'), ['--passin-env', 'KP'], { KP: 'pem-pass-123' });
  assert.equal(traditional.key!.publicKey, 'EC secp384r1');
  assert.equal(traditional.key!.publicKeySha256, opensslSpkiSha256(['pkey', '-in', pem('ec-aes256.pub.pem'), '-pubin']));
  const wrong = mailcert(['inspect', p('mail-enc.key'), '--passin-env', 'KP'], { env: { KP: 'nope' } });
  assert.equal(wrong.status, 3);
  assert.match(wrong.stderr, /mail-enc\.key: the passphrase for this key is incorrect/);
  // Never key material in any output.
  for (const file of [pem('rsa-plain.pem'), p('mail.key')]) {
    const out = mailcert(['inspect', file]).stdout + mailcert(['inspect', file, '--json']).stdout;
    const body = readFileSync(file, 'utf8').split('\n').filter((l) => /^[A-Za-z0-9+/]{40,}/.test(l));
    assert.ok(body.length > 0);
    for (const line of body) assert.ok(!out.includes(line.slice(0, 24)), `${file}: key text in the output`);
  }
});

test('a key followed by its chain (a Postfix chain file): both, and the key matches certificate [1]', () => {
  writeFileSync(p('postfix.pem'), readFileSync(p('mail.key'), 'utf8') + readFileSync(p('mail.crt'), 'utf8'));
  const j = inspect(p('postfix.pem'));
  assert.deepEqual(members(j), ['certificates', 'key']);
  assert.equal(j.key!.publicKeySha256, j.certificates![0]!.publicKeySha256);
  const human = mailcert(['inspect', p('postfix.pem')]);
  assert.match(human.stdout, /postfix\.pem: PEM, 1 certificate, private key$/m);
  assert.match(human.stdout, /^ {2}matches {7}the certificate$/m);
});

test('a CRL, PEM and DER: issuer, updates, revoked entries and number, as openssl crl says', () => {
  const j = inspect(pem('crl.pem'));
  assert.deepEqual(members(j), ['crl']);
  const text = runOk('openssl', ['crl', '-in', pem('crl.pem'), '-noout', '-text']).stdout;
  assert.equal(Date.parse(j.crl!.thisUpdate), Date.parse(/Last Update: (.*)/.exec(text)![1]!));
  assert.equal(Date.parse(j.crl!.nextUpdate!), Date.parse(/Next Update: (.*)/.exec(text)![1]!));
  assert.equal(j.crl!.revoked, (text.match(/Serial Number:/g) ?? []).length);
  assert.equal(j.crl!.crlNumber, /CRL Number: *\n? *(\d+)/.exec(text)![1]);
  assert.equal(j.crl!.issuer, 'CN=Test Root CA, OU=Fixtures, O=Example, C=US');
  assert.deepEqual(inspect(pem('crl.der')).crl, j.crl);
});

test('a CRL with revoked certificates made by openssl ca', () => {
  const ca = p('ca');
  runOk('mkdir', ['-p', ca]);
  writeFileSync(join(ca, 'index.txt'), '');
  writeFileSync(join(ca, 'crlnumber'), '1000\n');
  writeFileSync(join(ca, 'ca.cnf'), `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca}/index.txt\ncrlnumber = ${ca}/crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\n`);
  runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(ca, 'ca.key'), '-out', join(ca, 'ca.pem'), '-days', '30', '-subj', '/CN=Revoking CA']);
  for (const n of ['a', 'b']) {
    runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(ca, `${n}.key`), '-out', join(ca, `${n}.pem`), '-days', '30', '-subj', `/CN=${n}.example.com`, '-CA', join(ca, 'ca.pem'), '-CAkey', join(ca, 'ca.key')]);
    runOk('openssl', ['ca', '-config', join(ca, 'ca.cnf'), '-cert', join(ca, 'ca.pem'), '-keyfile', join(ca, 'ca.key'), '-revoke', join(ca, `${n}.pem`)]);
  }
  runOk('openssl', ['ca', '-config', join(ca, 'ca.cnf'), '-cert', join(ca, 'ca.pem'), '-keyfile', join(ca, 'ca.key'), '-gencrl', '-out', join(ca, 'crl.pem')]);
  const j = inspect(join(ca, 'crl.pem'));
  assert.equal(j.crl!.revoked, 2);
  assert.equal(j.crl!.crlNumber, String(0x1000));
  assert.equal(j.crl!.issuer, 'CN=Revoking CA');
});

test('keystores: JKS without a password (integrity not checked, said so), with one, and PKCS#12', () => {
  const store = p('server.jks');
  runOk('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', store, '-storepass', 'store-pass-1', '-keypass', 'key-pass-22', '-alias', 'mail', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mail.example.com']);
  const listed = parseKeytoolList(keytool(['-list', '-v', '-keystore', store, '-storepass', 'store-pass-1']).stdout);
  const nopass = inspect(store);
  assert.equal(nopass.format, 'JKS');
  assert.deepEqual(members(nopass), ['keystore']);
  assert.equal(nopass.keystore!.integrityChecked, false);
  assert.deepEqual(nopass.keystore!.entries.map((e) => [e.alias, e.kind, e.chain[0]?.sha256]), listed.entries.map((e) => [e.alias, e.kind, e.chain[0]?.sha256]));
  const human = mailcert(['inspect', store]);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /integrity of this keystore was not verified/);
  assert.equal(inspect(store, [], { MAILCERT_STOREPASS: 'store-pass-1' }).keystore!.integrityChecked, true);
  const wrong = mailcert(['inspect', store], { env: { MAILCERT_STOREPASS: 'wrong' } });
  assert.equal(wrong.status, 3);
  assert.match(wrong.stderr, /password is incorrect/);

  const p12 = join(fixturesDir, 'pem', 'keytool.p12');
  const refused = mailcert(['inspect', p12]);
  assert.equal(refused.status, 2, 'a PKCS#12 with a password needs it; no terminal: exit 2 at once');
  assert.match(refused.stderr, /--storepass-env/);
  const j = inspect(p12, ['--storepass-env', 'SP'], { SP: 'changeit' });
  assert.equal(j.format, 'PKCS12');
  assert.equal(j.keystore!.integrityChecked, true);
  assert.equal(j.keystore!.entries[0]!.alias, 'mail');
  // A password-less PKCS#12 opens without one.
  assert.equal(inspect(join(fixturesDir, 'pkcs12', 'nopass-ossl.p12')).format, 'PKCS12');
});

test('- reads standard input: openssl s_client output (text around the blocks), DER; never beside a --*-stdin password', () => {
  const text = `CONNECTED(00000003)\n---\nCertificate chain\n 0 s:CN = mail.example.com\n${readFileSync(pem('chain.pem'), 'utf8')}---\nServer certificate\n`;
  const r = mailcert(['inspect', '-', '--json'], { input: text });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as InspectJson;
  assert.equal(j.file, 'standard input');
  assert.equal(j.certificates!.length, 3);
  const der = mailcert(['inspect', '-', '--json'], { input: readFileSync(pem('crl.der')) });
  assert.equal((JSON.parse(der.stdout) as InspectJson).crl!.crlNumber, '1');
  const both = mailcert(['inspect', '-', '--passin-stdin'], { input: text });
  assert.equal(both.status, 2);
  assert.match(both.stderr, /cannot carry a password too/);
});

test('unknown content, a missing file, damaged PEM: exit 3 naming the file', () => {
  writeFileSync(p('notes.txt'), 'just some text\n');
  writeFileSync(p('random.bin'), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]));
  for (const [file, message] of [
    [p('notes.txt'), /notes\.txt: not a certificate, certificate request, private key, CRL, PKCS#7 or keystore file/],
    [p('random.bin'), /random\.bin: not a certificate/],
    [pem('public-key.pem'), /public-key\.pem: .*\(found PEM PUBLIC KEY\)/],
    [p('missing.pem'), /missing\.pem: no such file/],
  ] as const) {
    const r = mailcert(['inspect', file]);
    assert.equal(r.status, 3, `${file}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /hint: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  writeFileSync(p('cut.pem'), readFileSync(pem('leaf-rsa.pem'), 'utf8').replace(/-----END CERTIFICATE-----\n?$/, ''));
  const cut = mailcert(['inspect', p('cut.pem'), '--json']);
  assert.equal(cut.status, 3);
  assert.match(cut.stderr, /cut\.pem: /);
  assert.equal((JSON.parse(cut.stdout) as { error: { exitCode: number } }).error.exitCode, 3);
});
