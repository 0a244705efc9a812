/**
 * The premise of each fixtures/wild store, proved with the real tools and by structure: keytool
 * (with the JDK's own classes only) lists what expected.json says wherever it reads the store;
 * openssl reads the ones keytool cannot; the byte-built and BouncyCastle files have the layout
 * their note claims (attributes, duplicate aliases, headers and MACs), read with the project's DER
 * and byte readers. mailcert's own reading of these stores is not tested here.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { algorithmIdentifier, at, bmpString, explicit, objectId, octetString, sequence, setOf, smallInteger } from '../../src/codec/asn1/check.js';
import { OID } from '../../src/codec/asn1/oid.js';
import { type Tlv as Asn1Node, UNIVERSAL, children, isUniversal, readRoot as parseBer, tlvBytes } from '../../src/codec/asn1/tlv.js';
import { ByteReader } from '../../src/codec/bytes.js';
import { readJavaUtf } from '../../src/codec/mutf8.js';
import { bmpPassword, pkcs12Kdf } from '../../src/crypto/kdf.js';
import { keytool, openssl, run } from '../helpers/tools.js';
import { wildDir, wildStore, wildStores, type WildEntry, type WildStore } from '../helpers/wild.js';

const dir = wildDir;
const stores = wildStores;
const store = wildStore;
const path = (file: string): string => join(dir, file);
const load = (file: string): Uint8Array => new Uint8Array(readFileSync(path(file)));
const entry = (s: WildStore, alias: string): WildEntry => {
  const e = s.entries.find((x) => x.alias === alias);
  assert.ok(e, `${s.file} lists ${alias}`);
  return e;
};

const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** keytool's "SHA256: AB:CD:..." form. */
const fingerprint = (der: Uint8Array): string => sha256hex(der).toUpperCase().match(/../g)!.join(':');
const spkiSha256 = (cert: Uint8Array): string => sha256hex(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }));
const pemCerts = (text: string): Uint8Array[] =>
  [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).raw);
const utf16be = (s: string): Buffer => Buffer.from(bmpPassword(s).subarray(0, s.length * 2));

/** keytool with the JDK's own providers only; the non-ASCII-free passwords here need no locale. */
function keytoolOk(args: readonly string[], input?: string): string {
  const r = keytool(args, input === undefined ? {} : { input });
  assert.equal(r.status, 0, `keytool ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}
/**
 * `keytool -list -rfc`: the store type and, sorted by alias, each entry's kind and certificates
 * (keytool prints a key entry's whole chain, leaf first, and a trusted entry's certificate).
 */
function keytoolListing(text: string): { type: string; entries: { alias: string; kind: string; chain: Uint8Array[] }[] } {
  const kinds: Record<string, string> = { PrivateKeyEntry: 'key', trustedCertEntry: 'trusted', SecretKeyEntry: 'secret' };
  const entries = text
    .split(/^\*{40,}\s*$/m)
    .filter((b) => /^Alias name: /m.test(b))
    .map((b) => ({
      alias: /^Alias name: (.*)$/m.exec(b)?.[1] ?? '',
      kind: kinds[/^Entry type: (.*)$/m.exec(b)?.[1] ?? ''] ?? 'unknown',
      chain: pemCerts(b),
    }))
    .sort((a, b) => (a.alias < b.alias ? -1 : 1));
  return { type: /^Keystore type: (\S+)/m.exec(text)?.[1] ?? '', entries };
}
const storeArgs = (s: WildStore): string[] => ['-storetype', s.type, '-keystore', path(s.file), '-storepass', s.storepass];

// ------------------------------------------------------------------------------------------------
// PKCS#12 structure (RFC 7292 4): PFX, AuthenticatedSafe, SafeBags and their attributes.

interface Bag {
  type: string;
  attributes: Map<string, { node: Asn1Node; values: readonly Asn1Node[] }>;
}
interface Pfx {
  authSafeOctets: Uint8Array;
  contentTypes: string[];
  /** Bags of the plain data ContentInfos (encryptedData ones are not opened). */
  plainBags: Bag[];
  mac: { algorithm: Asn1Node; digest: Uint8Array; salt: Uint8Array; iterations?: number; fields: number };
}

function readPfx(bytes: Uint8Array): Pfx {
  const root = parseBer(bytes, 'PKCS#12');
  const [version, authSafe, macData] = sequence(root, 'PFX', 3, 3);
  assert.equal(smallInteger(version!, 'version'), 3);
  const ci = sequence(authSafe!, 'ContentInfo', 2, 2);
  assert.equal(objectId(at(ci, 0, authSafe!, 'ContentInfo'), 'contentType'), OID.data);
  const authSafeOctets = octetString(explicit(at(ci, 1, authSafe!, 'ContentInfo'), 0, 'content'), 'content');
  const infos = sequence(parseBer(authSafeOctets, 'PKCS#12'), 'AuthenticatedSafe');
  const contentTypes: string[] = [];
  const plainBags: Bag[] = [];
  for (const info of infos) {
    const [type, content] = sequence(info, 'ContentInfo', 2, 2);
    const oid = objectId(type!, 'contentType');
    contentTypes.push(oid);
    if (oid !== OID.data) continue;
    for (const bag of sequence(parseBer(octetString(explicit(content!, 0, 'content'), 'content'), 'PKCS#12'), 'SafeContents')) {
      const parts = sequence(bag, 'SafeBag', 2, 3);
      const attributes: Bag['attributes'] = new Map();
      for (const a of parts[2] ? setOf(parts[2], 'attributes') : []) {
        const [attrType, values] = sequence(a, 'Attribute', 2, 2);
        attributes.set(objectId(attrType!, 'attrType'), { node: a, values: setOf(values!, 'attrValues') });
      }
      plainBags.push({ type: objectId(parts[0]!, 'bagId'), attributes });
    }
  }
  const mac = sequence(macData!, 'MacData', 2, 3);
  const [digestAlg, digest] = sequence(mac[0]!, 'DigestInfo', 2, 2);
  return {
    authSafeOctets,
    contentTypes,
    plainBags,
    mac: {
      algorithm: digestAlg!,
      digest: octetString(digest!, 'digest'),
      salt: octetString(mac[1]!, 'macSalt'),
      ...(mac[2] ? { iterations: smallInteger(mac[2], 'iterations') } : {}),
      fields: mac.length,
    },
  };
}

// ------------------------------------------------------------------------------------------------
// JKS / JCEKS (JavaKeyStore.engineLoad; keystore-formats.md 1.1): every entry in file order.

interface RawJksEntry {
  alias: string;
  kind: 'key' | 'trusted';
  protectedKey?: Uint8Array;
  certs: Uint8Array[];
}
function walkJks(bytes: Uint8Array, storepass: string): { magic: number; entries: RawJksEntry[] } {
  const r = new ByteReader(bytes, 'JKS');
  const magic = r.u32();
  assert.equal(r.u32(), 2, 'version');
  const count = r.u32();
  const cert = (): Uint8Array => {
    assert.equal(readJavaUtf(r), 'X.509');
    return r.bytes(r.u32());
  };
  const entries: RawJksEntry[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.u32();
    const alias = readJavaUtf(r);
    r.skip(8);
    if (tag === 1) {
      const protectedKey = r.bytes(r.u32());
      const n = r.u32();
      entries.push({ alias, kind: 'key', protectedKey, certs: Array.from({ length: n }, cert) });
    } else {
      assert.equal(tag, 2, `entry ${alias}: tag`);
      entries.push({ alias, kind: 'trusted', certs: [cert()] });
    }
  }
  assert.equal(r.remaining, 20, 'the digest follows the last entry');
  const body = bytes.subarray(0, bytes.length - 20);
  const digest = createHash('sha1').update(utf16be(storepass)).update('Mighty Aphrodite', 'latin1').update(body).digest();
  assert.deepEqual(digest, Buffer.from(bytes.subarray(bytes.length - 20)), 'the store digest verifies with storepass');
  return { magic, entries };
}

/** KeyProtector.recover (keystore-formats.md 1.3): SHA-1 keystream, SHA-1(password || key) check. */
function recoverJksKey(epki: Uint8Array, keypass: string): Uint8Array {
  const [alg, data] = sequence(parseBer(epki, 'JKS'), 'EncryptedPrivateKeyInfo', 2, 2);
  assert.equal(algorithmIdentifier(alg!, 'algorithm').oid, '1.3.6.1.4.1.42.2.17.1.1');
  const p = octetString(data!, 'encryptedData');
  const pw = utf16be(keypass);
  const enc = p.subarray(20, p.length - 20);
  const plain = new Uint8Array(enc.length);
  let d: Uint8Array = p.subarray(0, 20);
  for (let i = 0; i < enc.length; i += 20) {
    d = createHash('sha1').update(pw).update(d).digest();
    for (let j = 0; j < 20 && i + j < enc.length; j++) plain[i + j] = enc[i + j]! ^ d[j]!;
  }
  assert.deepEqual(createHash('sha1').update(pw).update(plain).digest(), Buffer.from(p.subarray(p.length - 20)), 'the key check digest');
  return plain;
}

// ------------------------------------------------------------------------------------------------
// BKS (BouncyCastle BcKeyStoreSpi.engineLoad/loadStore).

interface BksEntry {
  type: number;
  alias: string;
  chain: Uint8Array[];
  cert?: Uint8Array;
}
function readBksHeader(bytes: Uint8Array): { r: ByteReader; version: number; salt: Uint8Array; iterations: number } {
  const r = new ByteReader(bytes, 'BKS');
  const version = r.u32();
  const salt = r.bytes(r.u32());
  return { r, version, salt, iterations: r.u32() };
}
function walkBks(bytes: Uint8Array): { version: number; salt: Uint8Array; iterations: number; macStart: number; entries: BksEntry[] } {
  const { r, version, salt, iterations } = readBksHeader(bytes);
  const macStart = r.offset;
  const cert = (): Uint8Array => {
    assert.equal(readJavaUtf(r), 'X.509');
    return r.bytes(r.u32());
  };
  const entries: BksEntry[] = [];
  // Entry types: 1 certificate, 2 key, 3 secret, 4 sealed (a key encrypted under its password).
  for (let type = r.u8(); type !== 0; type = r.u8()) {
    const alias = readJavaUtf(r);
    r.skip(8);
    const chain = Array.from({ length: r.u32() }, cert);
    if (type === 1) entries.push({ type, alias, chain, cert: cert() });
    else {
      assert.ok(type === 3 || type === 4, `${alias}: entry type ${type}`);
      r.skip(r.u32());
      entries.push({ type, alias, chain });
    }
  }
  assert.equal(r.remaining, 20, 'the HMAC-SHA1 follows the end marker');
  return { version, salt, iterations, macStart, entries };
}

// ------------------------------------------------------------------------------------------------

void describe('fixtures/wild: what each store is, as the real tools see it', () => {
  void it('expected.json covers each kind of store the brief names, each with its producer and a note', () => {
    assert.deepEqual(stores.map((s) => s.file).sort(), [
      'bc-v1.bks', 'bc.bcfks', 'bc.bks', 'bc.uber', 'dup-key-trusted.jks', 'dup-trusted-key.jks', 'dup-trusted.jceks',
      'keypass-jdk.p12', 'keypass-openssl.p12', 'latin1-openssl10.p12', 'legacy-six.p12', 'mac-ok-key-other.p12',
      'secret-keys.p12', 'sm2.jks', 'sm2.p12', 'windows-3des-rc2.pfx', 'windows-aes256-sha256.pfx', 'windows-lmk-openssl.pfx',
    ]);
    for (const s of stores) {
      assert.ok(s.note.length > 40 && s.producer.length > 0, `${s.file}: note and producer`);
      assert.ok(s.entries.length > 0, `${s.file}: entries`);
      assert.ok(load(s.file).length > 0);
    }
  });

  for (const s of stores.filter((x) => x.listedBy === 'keytool')) {
    void it(`${s.file}: keytool -list lists the entries expected.json records`, () => {
      const listing = keytoolListing(keytoolOk(['-list', '-rfc', ...storeArgs(s)]));
      assert.equal(listing.type, s.type);
      assert.deepEqual(listing.entries.map((e) => [e.alias, e.kind]), s.entries.map((e) => [e.alias, e.kind]));
      listing.entries.forEach((e, i) => {
        const want = s.entries[i]!;
        const fps = e.chain.map(fingerprint);
        if (want.kind === 'secret') return assert.deepEqual(fps, []);
        if (want.kind === 'trusted') return assert.deepEqual(fps, [want.fingerprint]);
        assert.deepEqual(fps, want.chain, `${e.alias}: chain, leaf first`);
        assert.equal(spkiSha256(e.chain[0]!), want.publicKeySha256, `${e.alias}: key`);
      });
    });
  }

  void it('PKCS#12 key passwords: the key needs its own password, the listing only the store password', () => {
    const cases = [store('keypass-jdk.p12'), store('keypass-openssl.p12'), store('mac-ok-key-other.p12')];
    for (const s of cases) {
      for (const e of s.entries) {
        assert.ok(e.keypass, `${s.file} ${e.alias}: keypass recorded`);
        // keytool -certreq tries the store password, then asks for the key password on stdin.
        const req = ['-certreq', '-alias', e.alias, ...storeArgs(s)];
        const same = keytool(req, { input: '' });
        assert.equal(same.status === 0, e.keypass === s.storepass, `${s.file} ${e.alias}: the store password opens the key`);
        if (e.keypass === s.storepass) continue;
        assert.match(keytoolOk(req, `${e.keypass}\n`), /BEGIN NEW CERTIFICATE REQUEST/);
        const wrong = keytool(req, { input: `${e.keypass}x\n`.repeat(3) });
        assert.notEqual(wrong.status, 0, `${s.file} ${e.alias}: a wrong key password`);
      }
    }
    assert.ok(cases.every((s) => s.entries.some((e) => e.keypass !== s.storepass)));
  });

  void it('mac-ok-key-other.p12: openssl verifies the MAC with the store password, then fails on the other key bag', () => {
    const s = store('mac-ok-key-other.p12');
    const info = openssl(['pkcs12', '-info', '-nokeys', '-in', path(s.file), '-passin', `pass:${s.storepass}`]);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stderr, /MAC: sha256/);
    const keys = openssl(['pkcs12', '-nocerts', '-nodes', '-in', path(s.file), '-passin', `pass:${s.storepass}`]);
    assert.notEqual(keys.status, 0, 'one key bag does not decrypt with the store password');
    assert.doesNotMatch(keys.stderr, /Mac verify error/);
  });

  void it('keypass-openssl.p12: openssl reads the key with the key password once the MAC check is skipped', () => {
    const s = store('keypass-openssl.p12');
    const e = entry(s, 'mail');
    const r = openssl(['pkcs12', '-nomacver', '-nocerts', '-nodes', '-in', path(s.file), '-passin', `pass:${e.keypass!}`]);
    assert.equal(r.status, 0, r.stderr);
    const spki = openssl(['pkey', '-pubout', '-outform', 'DER'], { input: r.stdout });
    assert.equal(sha256hex(spki.stdoutBytes), e.publicKeySha256);
    const mac = openssl(['pkcs12', '-info', '-nokeys', '-in', path(s.file), '-passin', `pass:${e.keypass!}`]);
    assert.match(mac.stderr, /Mac verify error/, 'the key password is not the MAC password');
  });

  void it('secret-keys.p12: the JDK loads both secret keys with the algorithm and key bytes recorded', () => {
    const s = store('secret-keys.p12');
    const r = run('java', [path('JdkStores.java'), 'secrets', path(s.file), s.storepass]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(lines, s.secrets!.map((x) => [x.alias, x.algorithm, x.keySha256]));
    assert.deepEqual(s.secrets!.map((x) => x.algorithm), ['AES', 'HmacSHA256']);
    const bags = readPfx(load(s.file)).plainBags.map((b) => b.type);
    assert.equal(bags.filter((t) => t === OID.secretBag).length, 2, 'two secretBags beside the key bag');
  });
});

void describe('fixtures/wild: Windows PFX exports', () => {
  const windows = ['windows-aes256-sha256.pfx', 'windows-3des-rc2.pfx', 'windows-lmk-openssl.pfx'].map(store);
  const lmk = '1.3.6.1.4.1.311.17.2';
  const csp = '1.3.6.1.4.1.311.17.1';

  for (const s of windows) {
    void it(`${s.file}: the key bag carries Local Key Set with an empty SET, the CSP name and the friendlyName`, () => {
      const key = readPfx(load(s.file)).plainBags.find((b) => b.type === OID.pkcs8ShroudedKeyBag);
      assert.ok(key, 'a shrouded key bag in a data ContentInfo');
      const local = key.attributes.get(lmk);
      assert.ok(local, 'Microsoft Local Key Set');
      assert.equal(local.values.length, 0);
      assert.equal(Buffer.from(tlvBytes(local.node)).toString('hex'), '300d06092b0601040182371102' + '3100');
      assert.equal(bmpString(key.attributes.get(csp)!.values[0]!, 'CSP'), s.csp);
      assert.equal(bmpString(key.attributes.get(OID.friendlyName)!.values[0]!, 'friendlyName'), s.keyFriendlyName);
      if (s.localKeyId !== undefined) {
        assert.equal(Buffer.from(octetString(key.attributes.get(OID.localKeyId)!.values[0]!, 'localKeyId')).toString('hex'), s.localKeyId);
      }
      // openssl reads the bags and names both Microsoft attributes.
      const legacy = s.file.includes('3des') ? ['-legacy'] : [];
      const r = openssl(['pkcs12', '-info', '-nocerts', '-nodes', ...legacy, '-in', path(s.file), '-passin', `pass:${s.storepass}`]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.includes('Microsoft Local Key set: <No Values>'), r.stdout);
      assert.ok(r.stdout.includes(`Microsoft CSP Name: ${s.csp!}`), r.stdout);
    });
  }

  void it('the Windows layouts: key bag first, localKeyID 01 00 00 00 on the certificate, the MAC as each layout writes it', () => {
    for (const s of windows.slice(0, 2)) {
      const pfx = readPfx(load(s.file));
      assert.deepEqual(pfx.contentTypes, [OID.data, OID.encryptedData], `${s.file}: key bag before the certificates`);
      const cert = run('openssl', ['pkcs12', '-info', '-nokeys', '-legacy', '-in', path(s.file), '-passin', `pass:${s.storepass}`]);
      assert.equal(cert.status, 0, cert.stderr);
      assert.match(cert.stdout, /Bag Attributes\n {4}localKeyID: 01 00 00 00 \n/);
      if (s.certFriendlyName !== undefined) assert.ok(cert.stdout.includes(`friendlyName: ${s.certFriendlyName}`));
      assert.deepEqual(pemCerts(cert.stdout).map(fingerprint), s.entries[0]!.chain);
    }
    const aes = readPfx(load('windows-aes256-sha256.pfx')).mac;
    assert.equal(algorithmIdentifier(aes.algorithm, 'mac').oid, OID.sha256);
    assert.equal(aes.iterations, 2000);
    const old = readPfx(load('windows-3des-rc2.pfx')).mac;
    assert.equal(old.fields, 2, 'no iterations field: 1 iteration');
    assert.equal(sequence(old.algorithm, 'sha1 AlgorithmIdentifier').length, 1, 'sha1 without NULL parameters');
    assert.equal(algorithmIdentifier(old.algorithm, 'mac').oid, OID.sha1);
  });
});

void describe('fixtures/wild: duplicate aliases in JKS and JCEKS', () => {
  for (const file of ['dup-key-trusted.jks', 'dup-trusted-key.jks', 'dup-trusted.jceks']) {
    void it(`${file}: two entries share an alias in the file; keytool lists the last of them`, () => {
      const s = store(file);
      const { magic, entries } = walkJks(load(file), s.storepass);
      assert.equal(magic, file.endsWith('.jceks') ? 0xcececece : 0xfeedfeed);
      assert.deepEqual(
        entries.map((e) => ({ alias: e.alias, kind: e.kind, fingerprint: fingerprint(e.certs[0]!) })),
        s.fileEntries,
      );
      const aliases = entries.map((e) => e.alias);
      assert.ok(new Set(aliases).size < aliases.length, 'an alias repeats');
      // JavaKeyStore/JceKeyStore.engineLoad: Hashtable.put per entry, so the last one stays.
      const last = new Map(s.fileEntries!.map((e) => [e.alias, e]));
      assert.deepEqual(
        s.entries.map((e) => [e.alias, e.kind, e.kind === 'key' ? e.chain![0] : e.fingerprint]),
        [...last.values()].sort((a, b) => (a.alias < b.alias ? -1 : 1)).map((e) => [e.alias, e.kind, e.fingerprint]),
      );
    });
  }
});

void describe('fixtures/wild: an SM2 key, which neither the JDK nor mailcert handles', () => {
  const curveOf = (spki: Uint8Array): string => {
    const [alg] = sequence(parseBer(spki, 'SPKI'), 'SubjectPublicKeyInfo', 2, 2);
    const id = algorithmIdentifier(alg!, 'algorithm');
    assert.equal(id.oid, OID.ecPublicKey);
    return objectId(id.params!, 'namedCurve');
  };

  for (const file of ['sm2.p12', 'sm2.jks']) {
    void it(`${file}: keytool cannot load it`, () => {
      const s = store(file);
      const r = keytool(['-list', '-v', ...storeArgs(s)]);
      assert.notEqual(r.status, 0);
      assert.ok(r.stderr.includes(s.keytoolError!) || r.stdout.includes(s.keytoolError!), r.stderr);
      assert.ok(`${r.stdout}${r.stderr}`.includes(`Unknown named curve: ${s.curve!}`), 'the cause is the curve');
    });
  }

  void it('sm2.p12: openssl lists the certificate and extracts the key on the SM2 curve', () => {
    const s = store('sm2.p12');
    const e = entry(s, 'gm');
    const certs = openssl(['pkcs12', '-info', '-nokeys', '-in', path(s.file), '-passin', `pass:${s.storepass}`]);
    assert.equal(certs.status, 0, certs.stderr);
    assert.match(certs.stdout, /friendlyName: gm/);
    const [leaf] = pemCerts(certs.stdout);
    assert.ok(leaf);
    assert.deepEqual([fingerprint(leaf)], e.chain);
    const key = openssl(['pkcs12', '-nocerts', '-nodes', '-in', path(s.file), '-passin', `pass:${s.storepass}`]);
    assert.equal(key.status, 0, key.stderr);
    const spki = openssl(['pkey', '-pubout', '-outform', 'DER'], { input: key.stdout }).stdoutBytes;
    assert.equal(sha256hex(spki), e.publicKeySha256);
    assert.equal(curveOf(spki), s.curve);
  });

  void it('sm2.jks: one key entry whose key, recovered with its key password, is on the SM2 curve', () => {
    const s = store('sm2.jks');
    const e = entry(s, 'gm');
    const { magic, entries } = walkJks(load(s.file), s.storepass);
    assert.equal(magic, 0xfeedfeed);
    assert.deepEqual(entries.map((x) => [x.alias, x.kind]), [['gm', 'key']]);
    assert.deepEqual(entries[0]!.certs.map(fingerprint), e.chain);
    const pkcs8 = recoverJksKey(entries[0]!.protectedKey!, e.keypass!);
    const [, alg] = sequence(parseBer(pkcs8, 'PKCS#8'), 'PrivateKeyInfo', 3, 4);
    const id = algorithmIdentifier(alg!, 'privateKeyAlgorithm');
    assert.equal(id.oid, OID.ecPublicKey);
    assert.equal(objectId(id.params!, 'namedCurve'), s.curve);
    const spki = openssl(['pkey', '-inform', 'DER', '-pubout', '-outform', 'DER'], { input: pkcs8 });
    assert.equal(spki.status, 0, spki.stderr);
    assert.equal(sha256hex(spki.stdoutBytes), e.publicKeySha256);
  });
});

void describe('fixtures/wild: BouncyCastle formats', () => {
  for (const file of ['bc.bks', 'bc-v1.bks']) {
    void it(`${file}: BKS version ${store(file).version!}, entries in the clear, HMAC-SHA1 keyed from the store password`, () => {
      const s = store(file);
      const bytes = load(file);
      const bks = walkBks(bytes);
      assert.equal(bks.version, s.version);
      assert.equal(bks.salt.length, 20);
      // BcKeyStoreSpi.engineStore: 1024 + random.nextInt() & 1023 iterations.
      assert.ok(bks.iterations >= 1024 && bks.iterations < 2048, String(bks.iterations));
      const byAlias = [...bks.entries].sort((a, b) => (a.alias < b.alias ? -1 : 1));
      assert.deepEqual(byAlias.map((x) => x.alias), s.entries.map((x) => x.alias));
      byAlias.forEach((x, i) => {
        const want = s.entries[i]!;
        if (want.kind === 'trusted') return assert.deepEqual([x.type, fingerprint(x.cert!)], [1, want.fingerprint]);
        assert.equal(x.type, 4, `${x.alias}: a sealed key entry`);
        assert.deepEqual(x.chain.map(fingerprint), want.chain);
      });
      // The MAC key: version 2 takes getMacSize() * 8 bits (20 bytes), version 1 getMacSize() bits (2 bytes).
      const mac = (password: string): Buffer => {
        const key = pkcs12Kdf('sha1', bmpPassword(password), bks.salt, bks.iterations, 3, s.version === 2 ? 20 : 2);
        return createHmac('sha1', key).update(bytes.subarray(bks.macStart, bytes.length - 20)).digest();
      };
      assert.deepEqual(mac(s.storepass), Buffer.from(bytes.subarray(bytes.length - 20)));
      assert.notDeepEqual(mac(`${s.storepass}x`), Buffer.from(bytes.subarray(bytes.length - 20)));
    });
  }

  void it('bc.uber: version 1, a 20-byte salt and BouncyCastle iterations, then the Twofish-encrypted rest', () => {
    const s = store('bc.uber');
    const bytes = load(s.file);
    const { r, version, salt, iterations } = readBksHeader(bytes);
    assert.deepEqual([version, salt.length], [s.version, 20]);
    assert.ok(iterations >= 1024 && iterations < 2048, String(iterations));
    assert.ok(r.remaining > 100);
    // Nothing after the header is in the clear: no certificate type string, no alias.
    const rest = Buffer.from(bytes.subarray(r.offset));
    assert.equal(rest.indexOf('X.509'), -1);
    assert.equal(rest.indexOf('rootca'), -1);
  });

  void it('bc.bcfks: a DER ObjectStore of PBES2 (PBKDF2-HMAC-SHA512, AES-256-CCM) data and an HMAC-SHA512 check', () => {
    const root = parseBer(load('bc.bcfks'), 'BCFKS');
    const [data, check] = sequence(root, 'ObjectStore', 2, 2);
    assert.ok(!isUniversal(at(children(root), 0, root, 'ObjectStore'), UNIVERSAL.INTEGER), 'not a PFX: no version first');
    const [encAlg, content] = sequence(data!, 'EncryptedObjectStoreData', 2, 2);
    const pbes2 = algorithmIdentifier(encAlg!, 'encryptionAlgorithm');
    assert.equal(pbes2.oid, OID.pbes2);
    const [kdf, scheme] = sequence(pbes2.params!, 'PBES2-params', 2, 2);
    const pbkdf2 = algorithmIdentifier(kdf!, 'keyDerivationFunc');
    assert.equal(pbkdf2.oid, OID.pbkdf2);
    const prf = sequence(pbkdf2.params!, 'PBKDF2-params').at(-1)!;
    assert.equal(algorithmIdentifier(prf, 'prf').oid, OID.hmacWithSHA512);
    assert.equal(algorithmIdentifier(scheme!, 'encryptionScheme').oid, '2.16.840.1.101.3.4.1.47', 'aes256-CCM');
    assert.ok(octetString(content!, 'encryptedContent').length > 500);
    const [macAlg, macKdf, mac] = sequence(check!, 'PbkdMacIntegrityCheck', 3, 3);
    assert.equal(algorithmIdentifier(macAlg!, 'macAlgorithm').oid, OID.hmacWithSHA512);
    assert.equal(algorithmIdentifier(macKdf!, 'pbkdAlgorithm').oid, OID.pbkdf2);
    assert.equal(octetString(mac!, 'mac').length, 64);
  });
});

void describe('fixtures/wild: old OpenSSL password form and the legacy six-key store', () => {
  void it('latin1-openssl10.p12: the MAC is keyed by the UTF-8 bytes read as ISO-8859-1, not by the BMPString', () => {
    const s = store('latin1-openssl10.p12');
    assert.equal(s.kdfPassword, Buffer.from(s.storepass, 'utf8').toString('latin1'));
    const { authSafeOctets, mac } = readPfx(load(s.file));
    assert.equal(algorithmIdentifier(mac.algorithm, 'mac').oid, OID.sha1);
    const hmac = (bmp: Uint8Array): Buffer =>
      createHmac('sha1', pkcs12Kdf('sha1', bmp, mac.salt, mac.iterations ?? 1, 3, 20)).update(authSafeOctets).digest();
    assert.deepEqual(hmac(bmpPassword(s.kdfPassword)), Buffer.from(mac.digest));
    assert.notDeepEqual(hmac(bmpPassword(s.storepass)), Buffer.from(mac.digest));
  });

  void it('latin1-openssl10.p12: openssl 3 reads it with the typed password only through its old-form retry', () => {
    const s = store('latin1-openssl10.p12');
    const env = { ...process.env, LC_ALL: 'C.UTF-8' };
    const r = openssl(['pkcs12', '-info', '-nokeys', '-legacy', '-in', path(s.file), '-passin', `pass:${s.storepass}`], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Warning: using broken algorithm/);
    assert.deepEqual(pemCerts(r.stdout).map(fingerprint).sort(), [...entry(s, 'server').chain!].sort());
  });

  void it('legacy-six.p12: six 3DES key bags, RC2-40 certificates and an HMAC-SHA1 MAC, as keytool legacy writes', () => {
    const s = store('legacy-six.p12');
    assert.equal(s.entries.length, 6);
    const r = openssl(['pkcs12', '-info', '-noout', '-legacy', '-in', path(s.file), '-passin', `pass:${s.storepass}`]);
    assert.equal(r.status, 0, r.stderr);
    const info = r.stderr + r.stdout;
    assert.equal(info.match(/Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 50000/g)?.length, 6);
    assert.match(info, /PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 50000/);
    assert.match(info, /MAC: sha1, Iteration 100000/);
  });
});
