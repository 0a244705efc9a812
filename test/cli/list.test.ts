// `mailcert list` against `keytool -list -v` on keystores keytool makes in the test, and the
// errors users meet: no password, wrong password, damaged files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keytool, mailcert, runOk, tempDir } from '../helpers/tools.js';
import { parseKeytoolList } from '../helpers/keytool-list.js';

const dir = tempDir();
const storepass = 'store-pass-1';
const keypass = 'key-pass-22';
const env = { MAILCERT_STOREPASS: storepass };

interface ListJson {
  type: string;
  entries: { alias: string; kind: string; created: string; chain: { subject: string; issuer: string; sha256: string; notBefore: string; notAfter: string }[] }[];
}

/** A CA made by openssl, a server key made by keytool and signed by the CA, the CA trusted: in each store type. */
function makeStores(): Record<string, string> {
  runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-days', '3650', '-subj', '/C=DE/O=Example Mail/CN=Example Test CA', '-addext', 'basicConstraints=critical,CA:TRUE'], { cwd: dir });
  const stores: Record<string, string> = {};
  for (const type of ['JKS', 'PKCS12', 'JCEKS']) {
    const ks = join(dir, `server-${type}.ks`);
    const kp = type === 'PKCS12' ? storepass : keypass;
    runOk('keytool', ['-genkeypair', '-storetype', type, '-keystore', ks, '-storepass', storepass, '-keypass', kp, '-alias', 'Mail', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=mail.example.com, OU=IT, O=Example Mail, C=DE', '-ext', 'SAN=dns:mail.example.com']);
    runOk('keytool', ['-importcert', '-noprompt', '-storetype', type, '-keystore', ks, '-storepass', storepass, '-alias', 'exampleca', '-file', join(dir, 'ca.pem')]);
    const csr = join(dir, `${type}.csr`);
    runOk('keytool', ['-certreq', '-storetype', type, '-keystore', ks, '-storepass', storepass, '-keypass', kp, '-alias', 'mail', '-file', csr]);
    const crt = join(dir, `${type}.crt`);
    runOk('openssl', ['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '365', '-out', crt], { cwd: dir });
    runOk('keytool', ['-importcert', '-noprompt', '-storetype', type, '-keystore', ks, '-storepass', storepass, '-keypass', kp, '-alias', 'mail', '-file', crt]);
    stores[type] = ks;
  }
  return stores;
}
const stores = makeStores();

for (const type of ['JKS', 'PKCS12', 'JCEKS']) {
  test(`list --json of a keytool-made ${type} store matches keytool -list -v`, () => {
    const path = stores[type]!;
    const kt = keytool(['-list', '-v', '-keystore', path, '-storepass', storepass]);
    assert.equal(kt.status, 0, kt.stderr);
    const expected = parseKeytoolList(kt.stdout);
    const r = mailcert(['list', '-k', path, '--json'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const ours = JSON.parse(r.stdout) as ListJson;
    assert.equal(ours.type, expected.type);
    assert.equal(ours.entries.length, 2);
    assert.deepEqual(ours.entries.map((e) => [e.alias, e.kind]).sort(), expected.entries.map((e) => [e.alias, e.kind]).sort());
    for (const e of expected.entries) {
      const mine = ours.entries.find((x) => x.alias === e.alias)!;
      assert.equal(mine.chain.length, e.chainLength, `${e.alias} chain length`);
      assert.deepEqual(
        mine.chain.map((c) => [c.subject, c.issuer, c.sha256]),
        e.chain.map((c) => [c.subject, c.issuer, c.sha256]),
      );
    }
    const key = ours.entries.find((e) => e.kind === 'key')!;
    assert.equal(key.chain.length, 2);
    assert.equal(key.chain[0]!.subject, 'CN=mail.example.com, OU=IT, O=Example Mail, C=DE');
    assert.equal(key.chain[1]!.subject, 'CN=Example Test CA, O=Example Mail, C=DE');
  });
}

test('list (human) shows type, entries and fingerprints', () => {
  const r = mailcert(['list', '-k', stores.JKS!], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Keystore type: JKS$/m);
  assert.match(r.stdout, /Your keystore contains 2 entries/);
  assert.match(r.stdout, /^mail, \d{4}-\d\d-\d\d, PrivateKeyEntry, chain of 2$/m);
  assert.match(r.stdout, /Certificate fingerprint \(SHA-256\): ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  const v = mailcert(['list', '-k', stores.JKS!, '-v'], { env });
  assert.match(v.stdout, /^Certificate chain length: 2$/m);
  assert.match(v.stdout, /^Owner: CN=Example Test CA, O=Example Mail, C=DE$/m);
});

test('no password and stdin not a terminal: exit 2 at once, with the hint', () => {
  const t0 = Date.now();
  const r = mailcert(['list', '-k', stores.JKS!]);
  assert.equal(r.status, 2);
  assert.ok(Date.now() - t0 < 5000);
  assert.match(r.stderr, /no store password given/);
  assert.match(r.stderr, /--storepass-env VAR/);
});

test('a wrong password is exit 3 naming the file and the cause', () => {
  for (const type of ['JKS', 'PKCS12', 'JCEKS']) {
    const r = mailcert(['list', '-k', stores[type]!], { env: { MAILCERT_STOREPASS: 'wrong-password' } });
    assert.equal(r.status, 3, type);
    assert.match(r.stderr, new RegExp(`server-${type}\\.ks: .*password is incorrect`), type);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('damaged stores: truncated, a flipped byte, a lying length: exit 3, never a crash', () => {
  for (const type of ['JKS', 'PKCS12', 'JCEKS']) {
    const good = readFileSync(stores[type]!);
    const cases: [string, Buffer][] = [
      ['truncated-half', good.subarray(0, Math.floor(good.length / 2))],
      ['truncated-tail', good.subarray(0, good.length - 7)],
      ['flipped', Buffer.from(good).fill(good[200]! ^ 0x40, 200, 201)],
    ];
    if (type !== 'PKCS12') {
      // The first entry's alias length (after magic, version, count, tag) claims 0xffff bytes.
      const lying = Buffer.from(good);
      lying.writeUInt16BE(0xffff, 16);
      cases.push(['lying-length', lying]);
    } else {
      const lying = Buffer.from(good);
      lying[1] = 0x84; // outer SEQUENCE claims a 4-byte length: far beyond the file
      cases.push(['lying-length', lying]);
    }
    for (const [name, bytes] of cases) {
      const p = join(dir, `${type}-${name}.ks`);
      writeFileSync(p, bytes);
      const r = mailcert(['list', '-k', p], { env });
      assert.equal(r.status, 3, `${type} ${name}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${type}-${name}\\.ks: `), `${type} ${name}`);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${type} ${name}`);
    }
  }
});
