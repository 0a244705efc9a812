import assert from 'node:assert/strict';
import { createHash, createHmac, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rootCertificates } from 'node:tls';
import { concatBytes } from '../../src/codec/bytes.js';
import { explicit, implicitOctets, bmpString, objectId, octetString, sequence, setOf, smallInteger } from '../../src/codec/asn1/check.js';
import { OID } from '../../src/codec/asn1/oid.js';
import { CLASS_CONTEXT, CLASS_UNIVERSAL, type Tlv as Asn1Node, children, innerElement, readRoot as parseBer, tlvBytes, valueBytes } from '../../src/codec/asn1/tlv.js';
import {
  encodeAlgorithm as derAlgorithm,
  encodeBmpString as derBmpString,
  encodeExplicit as derExplicit,
  encodeInteger as derInteger,
  encodeOctetString as derOctetString,
  encodeOid as derOid,
  encodeSequence as derSequence,
  encodeSetOf as derSetOf,
  encodeTlv as derTlv,
} from '../../src/codec/asn1/writer.js';
import { CodecError } from '../../src/codec/errors.js';
import type { StoredKeyEntry, StoredTrustedEntry } from '../../src/codec/model.js';
import { KdfBudget, bmpPassword, pkcs12Kdf } from '../../src/crypto/kdf.js';
import { decryptWithAlgorithm } from '../../src/crypto/pbe.js';
import { type Pkcs12Entry, decodePkcs12, encodePkcs12, pkcs12RecoverKey } from '../../src/crypto/pkcs12.js';
import { encryptPkcs8 } from '../../src/crypto/pkcs8.js';
import { encryptedSafe, macData, manySafes, pbeAlgorithm, pfx, wrongPasswordMaxIterations } from '../helpers/hostile.js';
import { parseKeytoolList } from '../helpers/keytool-list.js';
import { fixturesDir, keytool, openssl, tempDir } from '../helpers/tools.js';

interface ExpectedEntry {
  alias: string;
  kind: 'key' | 'trusted';
  chain?: string[];
  fingerprint?: string;
  publicKeySha256?: string;
}
interface ExpectedStore {
  file: string;
  storepass: string;
  layout: string;
  listedBy: string;
  entries: ExpectedEntry[];
}
const dir = join(fixturesDir, 'pkcs12');
const expected = (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { stores: ExpectedStore[] }).stores;
const load = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));
const store = (file: string): ExpectedStore => {
  const s = expected.find((x) => x.file === file);
  assert.ok(s, `expected.json lists ${file}`);
  return s;
};

/** keytool's "SHA256: AB:CD:..." form. */
const fingerprint = (der: Uint8Array): string =>
  createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
const spkiOfCert = (der: Uint8Array): Buffer => new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
const spkiOfPkcs8 = (pkcs8: Uint8Array): Buffer =>
  createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function isCodecError(kind: CodecError['kind'], text?: RegExp, offset?: number) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.format, 'PKCS#12', e.message);
    if (text) assert.match(e.message, text);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    return true;
  };
}

/** Decoding must end in entries or a CodecError, whatever the bytes. */
function decodesOrCodecError(bytes: Uint8Array, password: string | undefined, what: string): 'decoded' | 'refused' {
  try {
    decodePkcs12(bytes, password);
    return 'decoded';
  } catch (e) {
    assert.ok(e instanceof CodecError, `${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    assert.equal(e.format, 'PKCS#12', `${what}: ${e.message}`);
    return 'refused';
  }
}

const byAlias = (entries: readonly Pkcs12Entry[]): Pkcs12Entry[] =>
  [...entries].sort((a, b) => a.alias.toLowerCase().localeCompare(b.alias.toLowerCase()));
const keyEntry = (entries: readonly Pkcs12Entry[], alias: string): StoredKeyEntry => {
  const e = entries.find((x) => x.alias.toLowerCase() === alias.toLowerCase());
  assert.ok(e && e.kind === 'key', `key entry ${alias}`);
  return e;
};
/** A key entry with its key decrypted, as the keystore layer hands entries to a writer with a new password. */
const decrypted = (e: StoredKeyEntry, password: string): StoredKeyEntry => ({
  kind: 'key',
  alias: e.alias,
  created: e.created,
  chain: e.chain,
  privateKey: e.privateKey ?? pkcs12RecoverKey(e.protectedKey!, password),
});
const trustedEntry = (entries: readonly Pkcs12Entry[], alias: string): StoredTrustedEntry => {
  const e = entries.find((x) => x.alias.toLowerCase() === alias.toLowerCase());
  assert.ok(e && e.kind === 'trusted', `trusted entry ${alias}`);
  return e;
};

/** The openssl-made server material: key, leaf, intermediate, root (from the password-less store). */
function serverMaterial(): { key: Uint8Array; leaf: Uint8Array; inter: Uint8Array; root: Uint8Array } {
  const e = keyEntry(decodePkcs12(load('nopass-ossl.p12'), undefined).entries, 'server');
  const [leaf, inter, root] = e.chain;
  assert.ok(e.privateKey && leaf && inter && root);
  return { key: e.privateKey, leaf, inter, root };
}

describe('decodePkcs12 on keytool and openssl fixtures', () => {
  it('covers the producers and layouts the brief names', () => {
    assert.deepEqual(
      expected.map((s) => s.file),
      ['jdk.p12', 'jdk-legacy.p12', 'ossl.p12', 'ossl-legacy.p12', 'ec.p12', 'nopass-jdk.p12', 'nopass-ossl.p12', 'unicode.p12', 'empty-pass.p12', 'nokeys.p12'],
    );
    assert.equal(store('unicode.p12').storepass, 'pässwörd€');
  });

  const macs: Record<string, string | undefined> = {
    jdk: 'HmacPBESHA256',
    'jdk-legacy': 'HmacPBESHA1',
    openssl: 'HmacPBESHA256',
    'openssl-legacy': 'HmacPBESHA1',
    passwordless: undefined,
  };
  for (const s of expected) {
    it(`${s.file}: entries, kinds, aliases, chains and keys as ${s.listedBy} lists them`, () => {
      const r = decodePkcs12(load(s.file), s.storepass);
      assert.equal(r.layout, s.layout);
      assert.equal(r.macAlgorithm, macs[s.layout]);
      assert.equal(r.macChecked, s.layout !== 'passwordless');
      const got = byAlias(r.entries);
      assert.deepEqual(
        got.map((e) => [e.alias.toLowerCase(), e.kind]),
        s.entries.map((e) => [e.alias, e.kind]),
      );
      got.forEach((e, i) => {
        const want = s.entries[i]!;
        if (e.kind === 'trusted') {
          assert.equal(fingerprint(e.cert), want.fingerprint);
          return;
        }
        assert.ok(e.kind === 'key', `${e.alias}: a key entry`);
        assert.deepEqual(e.chain.map(fingerprint), want.chain, `${e.alias} chain, leaf first`);
        // Shrouded keys stay encrypted until asked for (engineGetKey); plain keyBags are keys already.
        const pkcs8 = e.privateKey ?? pkcs12RecoverKey(e.protectedKey!, s.storepass);
        assert.ok(e.privateKey === undefined || s.file === 'nopass-ossl.p12', `${e.alias}: not decrypted by decodePkcs12`);
        const leaf = e.chain[0]!;
        assert.deepEqual(spkiOfPkcs8(pkcs8), spkiOfCert(leaf), `${e.alias}: key and leaf match`);
        assert.equal(sha256hex(spkiOfPkcs8(pkcs8)), want.publicKeySha256);
      });
    });
  }

  it('keeps a trusted alias as stored; keytool stored the key alias lowercased', () => {
    const r = decodePkcs12(load('jdk.p12'), 'changeit1');
    assert.deepEqual(r.entries.map((e) => e.alias).sort(), ['RootCA', 'server']);
  });

  it('dates key entries from a "Time <ms>" localKeyId and everything else at load time', () => {
    const before = Date.now();
    const jdk = decodePkcs12(load('jdk.p12'), 'changeit1');
    // The key bag's attributes sit in the plain data ContentInfo, so the id is readable in the file.
    const m = /Time (\d{13})/.exec(Buffer.from(load('jdk.p12')).toString('latin1'));
    assert.ok(m);
    assert.equal(keyEntry(jdk.entries, 'server').created.getTime(), Number(m[1]));
    assert.ok(keyEntry(jdk.entries, 'server').created.getTime() < before);
    assert.ok(trustedEntry(jdk.entries, 'rootca').created.getTime() >= before);
    // OpenSSL's localKeyID is the leaf's SHA-1: no date in it.
    assert.ok(keyEntry(decodePkcs12(load('ossl.p12'), 'ossl-pass').entries, 'server').created.getTime() >= before);
  });

  it('lists an openssl -nokeys store as 0 entries, like keytool', () => {
    assert.deepEqual(decodePkcs12(load('nokeys.p12'), 'nokeys123').entries, []);
  });

  it('reads a non-ASCII password as OpenSSL does, and an empty one', () => {
    assert.equal(decodePkcs12(load('unicode.p12'), 'pässwörd€').entries.length, 1);
    assert.throws(() => decodePkcs12(load('unicode.p12'), 'passwörd€'), isCodecError('integrity'));
    assert.equal(decodePkcs12(load('empty-pass.p12'), '').entries.length, 1);
    assert.throws(() => decodePkcs12(load('empty-pass.p12'), ' '), isCodecError('integrity'));
  });

  it('opens only password-less stores without a password', () => {
    const open = decodePkcs12(load('nopass-ossl.p12'), undefined);
    assert.equal(open.macChecked, false);
    assert.equal(open.macAlgorithm, undefined);
    assert.ok(keyEntry(open.entries, 'server').privateKey);
    // keytool's password-less layout still encrypts the key under the store password: the store
    // lists without one (as keytool -list does), the key needs it.
    const jdkOpen = keyEntry(decodePkcs12(load('nopass-jdk.p12'), undefined).entries, 'imap');
    assert.equal(jdkOpen.privateKey, undefined);
    assert.throws(() => pkcs12RecoverKey(jdkOpen.protectedKey!, ''), isCodecError('password'));
    assert.ok(pkcs12RecoverKey(jdkOpen.protectedKey!, store('nopass-jdk.p12').storepass).length > 0);
    assert.throws(() => decodePkcs12(load('jdk.p12'), undefined), isCodecError('password'));
    assert.throws(() => decodePkcs12(load('ossl-legacy.p12'), undefined), isCodecError('password'));
  });

  it('wrong password: an integrity error where there is a MAC, a password error where there is none', () => {
    for (const file of ['jdk.p12', 'jdk-legacy.p12', 'ossl.p12', 'ossl-legacy.p12', 'ec.p12']) {
      assert.throws(
        () => decodePkcs12(load(file), 'not-the-password'),
        (e: unknown) => e instanceof CodecError && e.kind === 'integrity' && e.message === 'PKCS#12: keystore password is incorrect or the file was changed',
        file,
      );
    }
    const key = keyEntry(decodePkcs12(load('nopass-jdk.p12'), 'not-the-password').entries, 'imap');
    assert.throws(() => pkcs12RecoverKey(key.protectedKey!, 'not-the-password'), isCodecError('password'));
  });
});

describe('damaged PKCS#12 input', () => {
  it('truncation at any of several offsets is a format error', () => {
    for (const file of ['jdk.p12', 'ossl.p12', 'nopass-ossl.p12']) {
      const b = load(file);
      for (const cut of [0, 1, 2, 3, 4, 10, 30, 100, 1000, b.length >> 1, b.length - 40, b.length - 1]) {
        assert.throws(() => decodePkcs12(b.subarray(0, cut), 'x'), isCodecError('format'), `${file} cut at ${cut}`);
      }
    }
  });

  it('a flipped byte in the MAC-protected content is an integrity error', () => {
    for (const [file, pass] of [
      ['jdk.p12', 'changeit1'],
      ['ossl.p12', 'ossl-pass'],
    ] as const) {
      const b = load(file);
      for (const at of [500, 2000, 3500]) {
        const bad = b.slice();
        bad[at] = (bad[at] as number) ^ 0x01;
        assert.throws(() => decodePkcs12(bad, pass), isCodecError('integrity'), `${file} byte ${at}`);
      }
    }
  });

  it('a lying length is a format error with its offset; trailing bytes too', () => {
    const b = load('jdk.p12'); // 30 82 15 f4 ...
    const longer = b.slice();
    longer[3] = (longer[3] as number) + 1;
    assert.throws(() => decodePkcs12(longer, 'changeit1'), isCodecError('format', undefined, 0));
    const inner = b.slice(); // 26: 04 82 15 8b, the authSafe OCTET STRING
    assert.equal(inner[26], 0x04);
    inner[29] = (inner[29] as number) + 2;
    assert.throws(() => decodePkcs12(inner, 'changeit1'), isCodecError('format'));
    assert.throws(() => decodePkcs12(concatBytes(b, Uint8Array.of(0)), 'changeit1'), isCodecError('format', /unexpected bytes/, b.length));
  });

  it('other files and nonsense are format errors', () => {
    assert.throws(() => decodePkcs12(new Uint8Array(0), 'x'), isCodecError('format'));
    assert.throws(() => decodePkcs12(Uint8Array.of(0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2), 'x'), isCodecError('format'));
    assert.throws(() => decodePkcs12(derSequence(derInteger(2)), 'x'), isCodecError('format'));
    assert.throws(() => decodePkcs12(load('rsa.pk8.der'), 'x'), isCodecError('format'));
  });

  it('refuses a MAC iteration count above 5,000,000 without running it', () => {
    const authSafe = derSequence();
    const mac = derSequence(derSequence(derAlgorithm(OID.sha256), derOctetString(new Uint8Array(32))), derOctetString(new Uint8Array(20)), derInteger(5_000_001));
    const pfx = derSequence(derInteger(3), dataContentInfo(authSafe), mac);
    const started = Date.now();
    assert.throws(() => decodePkcs12(pfx, 'x'), isCodecError('format', /iteration count 5000001/));
    assert.ok(Date.now() - started < 1000);
  });

  it('any flipped byte ends in entries or a CodecError, never another error', () => {
    const outcomes = { decoded: 0, refused: 0 };
    const open = load('nopass-ossl.p12'); // no MAC: the flips reach the bags, certificates and keys
    for (let i = 0; i < open.length; i += 5) {
      const bad = open.slice();
      bad[i] = (bad[i] as number) ^ 0x24;
      outcomes[decodesOrCodecError(bad, undefined, `nopass-ossl.p12 byte ${i}`)]++;
    }
    const legacy = load('ossl-legacy.p12');
    for (let i = 0; i < 120; i += 3) {
      const bad = legacy.slice();
      bad[i] = (bad[i] as number) ^ 0x80;
      outcomes[decodesOrCodecError(bad, 'legacy-pass', `ossl-legacy.p12 byte ${i}`)]++;
    }
    // Flips inside certificate signatures or key bits decode (nothing checks them without a MAC).
    assert.ok(outcomes.refused > 100 && outcomes.decoded > 100, JSON.stringify(outcomes));
  });
});

describe('BER input (pkijs and Windows write indefinite lengths)', () => {
  it('reads the openssl store re-encoded with indefinite lengths and segmented OCTET STRINGs', () => {
    const der = load('ossl.p12');
    const ber = toBerPkcs12(der, 'ossl-pass');
    assert.ok(ber.includes(0x80) && ber[1] === 0x80, 'the test input really is indefinite-length');
    const a = decodePkcs12(der, 'ossl-pass');
    const b = decodePkcs12(ber, 'ossl-pass');
    assert.equal(b.macChecked, true);
    assert.deepEqual(b.entries.map(strip), a.entries.map(strip));
  });

  it('reads a password-less store in BER and refuses one cut inside an indefinite length', () => {
    const ber = toBerPkcs12(load('nopass-ossl.p12'), undefined);
    const b = decodePkcs12(ber, undefined);
    assert.equal(keyEntry(b.entries, 'server').chain.length, 3);
    // Dropping the final end-of-contents octets leaves asn1js merely warning; we refuse.
    assert.throws(() => decodePkcs12(ber.subarray(0, ber.length - 2), undefined), isCodecError('format'));
  });
});

describe('large truststores', () => {
  it('reads 20,000 trusted certificates: no bound on the count of ASN.1 elements but the file size', () => {
    // The asn1js-based reader refused any PKCS#12 whose structure held more than 200,000 elements
    // ("Maximum ASN.1 node count exceeded"): a truststore of about 17,000 certificates.
    const roots = rootCertificates.map((pem) => new Uint8Array(new X509Certificate(pem).raw));
    const entries: Pkcs12Entry[] = Array.from({ length: 20_000 }, (_, i) => ({ kind: 'trusted', alias: `root-${i}`, created: new Date(0), cert: roots[i % roots.length]! }));
    const r = decodePkcs12(encodePkcs12(entries, 'big-pass', { iterations: 1000 }), 'big-pass');
    assert.equal(r.entries.length, 20_000);
    assert.deepEqual(trustedEntry(r.entries, 'root-19999').cert, roots[19_999 % roots.length]);
  });
});

describe('a store written by pkijs (fixtures/pkijs, BER)', () => {
  const pkijsDir = join(fixturesDir, 'pkijs');
  const want = JSON.parse(readFileSync(join(pkijsDir, 'expected.json'), 'utf8')) as { file: string; storepass: string; entries: ExpectedEntry[] };
  const bytes = new Uint8Array(readFileSync(join(pkijsDir, want.file)));
  /** Offsets of the indefinite-length elements, looking inside OCTET STRINGs that hold a structure too. */
  const indefinites = (node: Asn1Node): number[] => {
    const here = node.indefinite ? [node.offset] : [];
    if (node.constructed) return [...here, ...children(node).flatMap(indefinites)];
    if (node.cls !== CLASS_UNIVERSAL || node.number !== 4) return here;
    try {
      return [...here, ...indefinites(innerElement(node.input, node.valueStart, node.valueEnd, 't'))];
    } catch {
      return here;
    }
  };

  it('is BER: pkijs wrote indefinite lengths inside the AuthenticatedSafe', () => {
    assert.ok(indefinites(parseBer(bytes, 't')).length > 0);
  });

  it('reads its key entry, chain and key as make.sh recorded them, the MAC checked', () => {
    const r = decodePkcs12(bytes, want.storepass);
    assert.equal(r.macChecked, true);
    assert.equal(r.macAlgorithm, 'HmacPBESHA256');
    const [w] = want.entries;
    assert.ok(w);
    const e = keyEntry(r.entries, w.alias);
    assert.deepEqual(e.chain.map(sha256hex), w.chain);
    assert.equal(sha256hex(spkiOfPkcs8(pkcs12RecoverKey(e.protectedKey!, want.storepass))), w.publicKeySha256);
    assert.throws(() => decodePkcs12(bytes, 'not-the-password'), isCodecError('integrity'));
  });

  it('is written back as DER that keytool reads', () => {
    const r = decodePkcs12(bytes, want.storepass);
    const out = encodePkcs12(r.entries, want.storepass);
    assert.deepEqual(indefinites(parseBer(out, 't')), []);
    assert.deepEqual(decodePkcs12(out, want.storepass).entries.map(strip), r.entries.map(strip));
    const file = join(tempDir(), 'from-pkijs.p12');
    writeFileSync(file, out);
    const k = keytool(['-list', '-storetype', 'PKCS12', '-keystore', file, '-storepass', want.storepass]);
    assert.equal(k.status, 0, k.stderr);
    assert.match(k.stdout, /server, [^\n]+, PrivateKeyEntry/);
  });
});

describe('JDK chain and alias rules (PKCS12KeyStore.loadSafeContents, engineLoad), checked against keytool', () => {
  const m = serverMaterial();
  const work = tempDir();
  let n = 0;
  const pw = 'rules-pass';
  /** A shrouded key bag: what keytool reads (it ignores plain keyBags). */
  const shrouded = (attrs: Uint8Array[]): Uint8Array => safeBag(OID.pkcs8ShroudedKeyBag, encryptPkcs8(m.key, pw, { iterations: 1000 }), attrs);

  /** Our entries and keytool's, as [alias lowercased, kind, certificate fingerprints] sorted. */
  function bothViews(p12: Uint8Array): { ours: unknown[]; keytool: unknown[] } {
    const ours = decodePkcs12(p12, pw).entries.map((e) => [e.alias.toLowerCase(), e.kind, (e.kind === 'key' ? e.chain : e.kind === 'trusted' ? [e.cert] : []).map(fingerprint)]);
    const file = join(work, `rules-${n++}.p12`);
    writeFileSync(file, p12);
    const r = keytool(['-list', '-v', '-storetype', 'PKCS12', '-keystore', file, '-storepass', pw]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const theirs = parseKeytoolList(r.stdout).entries.map((e) => [e.alias, e.kind, e.chain.map((c) => c.sha256)]);
    const order = (a: unknown[]): unknown[] => [...a].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    return { ours: order(ours), keytool: order(theirs) };
  }

  it('gives the only id-less key "01", and the first bag of a later SafeContents too; aliases "1", "2" from one counter', () => {
    // The JDK counts keys as it meets them and gives "01" only to bag 0 of a SafeContents: the
    // old Netscape layout, keys in one SafeContents and the leaf first in the next.
    const p12 = openStore([shrouded([])], [certBag(m.leaf, []), certBag(m.root, []), certBag(m.inter, []), certBag(m.root, [trustedAttr()])]);
    const r = decodePkcs12(p12, pw);
    assert.deepEqual(r.entries.map((e) => [e.alias, e.kind]), [
      ['1', 'key'],
      ['2', 'trusted'],
    ]);
    assert.deepEqual(keyEntry(r.entries, '1').chain, [m.leaf, m.inter, m.root]);
    const v = bothViews(p12);
    assert.deepEqual(v.ours, v.keytool);
  });

  it('leaves an id-less key without a chain when its leaf comes first', () => {
    const p12 = openStore([certBag(m.leaf, []), shrouded([]), certBag(m.inter, [])]);
    assert.deepEqual(keyEntry(decodePkcs12(p12, pw).entries, '1').chain, []);
    const v = bothViews(p12);
    assert.deepEqual(v.ours, v.keytool);
  });

  it('skips an id-less key that is not the first key', () => {
    const p12 = openStore([shrouded([nameAttr('a')]), shrouded([nameAttr('b')]), certBag(m.leaf, [])]);
    assert.deepEqual(decodePkcs12(p12, pw).entries.map((e) => e.alias), ['a']);
    const v = bothViews(p12);
    assert.deepEqual(v.ours, v.keytool);
  });

  it('matches the leaf by localKeyId before alias, whatever the file order', () => {
    const id = idAttr('k1');
    const p12 = openStore([certBag(m.root, []), certBag(m.inter, [nameAttr('mail')]), shrouded([nameAttr('mail'), id]), certBag(m.leaf, [id])]);
    assert.deepEqual(keyEntry(decodePkcs12(p12, pw).entries, 'mail').chain, [m.leaf, m.inter, m.root]);
    const v = bothViews(p12);
    assert.deepEqual(v.ours, v.keytool);
  });

  it("a trusted attribute on the key's own certificate with the same alias replaces the key entry", () => {
    const id = idAttr('k1');
    const p12 = openStore([shrouded([nameAttr('mail'), id]), certBag(m.leaf, [nameAttr('mail'), id, trustedAttr()])]);
    assert.deepEqual(decodePkcs12(p12, pw).entries.map((e) => [e.alias, e.kind]), [['mail', 'trusted']]);
    const v = bothViews(p12);
    assert.deepEqual(v.ours, v.keytool);
  });

  it('finds issuers by AKI/SKI before a same-name certificate', () => {
    const r0 = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, 'k.pem'),
      '-out', join(work, 'decoy.pem'), '-days', '2', '-subj', '/O=Example/CN=Test Intermediate CA']);
    assert.equal(r0.status, 0, r0.stderr);
    const decoy = new Uint8Array(new X509Certificate(readFileSync(join(work, 'decoy.pem'))).raw);
    const id = idAttr('k1');
    const p12 = openStore([shrouded([nameAttr('mail'), id]), certBag(m.leaf, [id]), certBag(decoy, []), certBag(m.inter, []), certBag(m.root, [])]);
    assert.deepEqual(keyEntry(decodePkcs12(p12, pw).entries, 'mail').chain.map(fingerprint), [m.leaf, m.inter, m.root].map(fingerprint));
    const v = bothViews(p12);
    assert.deepEqual(v.ours, v.keytool);
  });

  it('reads a plain keyBag too (OpenSSL -keypbe NONE), which keytool ignores', () => {
    const id = idAttr('k1');
    const p12 = openStore([keyBag(m.key, [nameAttr('mail'), id]), certBag(m.leaf, [id])]);
    assert.deepEqual(keyEntry(decodePkcs12(p12, undefined).entries, 'mail').privateKey, m.key);
    assert.deepEqual(bothViews(p12).keytool, []);
  });
});

describe('encodePkcs12', () => {
  const jdk = decodePkcs12(load('jdk.p12'), 'changeit1');
  const key = decrypted(keyEntry(jdk.entries, 'server'), 'changeit1');
  const root = trustedEntry(jdk.entries, 'rootca');
  const entries: Pkcs12Entry[] = [{ ...key, alias: 'Mail.Example', created: new Date(1_795_000_000_123) }, root];

  it('round-trips: key alias lowercased, trusted alias kept, chain, key and date unchanged', () => {
    for (const legacy of [false, true]) {
      const out = encodePkcs12(entries, 'store-pass', { legacy });
      const r = decodePkcs12(out, 'store-pass');
      assert.equal(r.layout, legacy ? 'jdk-legacy' : 'jdk');
      assert.equal(r.macAlgorithm, legacy ? 'HmacPBESHA1' : 'HmacPBESHA256');
      assert.equal(r.macChecked, true);
      const k = keyEntry(r.entries, 'mail.example');
      assert.equal(k.alias, 'mail.example');
      assert.deepEqual(k.chain, key.chain);
      assert.deepEqual(pkcs12RecoverKey(k.protectedKey!, 'store-pass'), key.privateKey);
      assert.equal(k.created.getTime(), 1_795_000_000_123);
      assert.equal(trustedEntry(r.entries, 'rootca').alias, 'RootCA');
      assert.deepEqual(trustedEntry(r.entries, 'rootca').cert, root.cert);
      assert.throws(() => decodePkcs12(out, 'store-pasS'), isCodecError('integrity'));
    }
  });

  it('writes the JDK 17 layout: keys in data, certificates in encryptedData, PBES2 AES-256 with keyLength, SHA-256 MAC', () => {
    const out = encodePkcs12(entries, 'store-pass');
    const pfx = sequence(parseBer(out, 't'), 'pfx', 3, 3);
    const macParts = sequence(pfx[2]!, 'mac', 3, 3);
    assert.equal(objectId(sequence(sequence(macParts[0]!, 'di')[0]!, 'alg')[0]!, 'hash'), OID.sha256);
    assert.equal(octetString(macParts[1]!, 'salt').length, 20);
    assert.equal(smallInteger(macParts[2]!, 'it'), 10_000);

    const safes = sequence(parseBer(octetString(explicit(sequence(pfx[1]!, 'ci')[1]!, 0, 'c'), 'o'), 't'), 'authSafe', 2, 2);
    const [keysCi, certsCi] = safes.map((s) => sequence(s, 'ci', 2, 2));
    assert.equal(objectId(keysCi![0]!, 'type'), OID.data);
    assert.equal(objectId(certsCi![0]!, 'type'), OID.encryptedData);

    const keyBags = sequence(parseBer(octetString(explicit(keysCi![1]!, 0, 'c'), 'o'), 't'), 'bags', 1, 1);
    const kb = bag(keyBags[0]!);
    assert.equal(kb.id, OID.pkcs8ShroudedKeyBag);
    assert.deepEqual([...kb.attrs.keys()].sort(), [OID.friendlyName, OID.localKeyId].sort());
    assert.equal(bmpString(kb.attrs.get(OID.friendlyName)![0]!, 'fn'), 'mail.example');
    const keyId = Buffer.from(octetString(kb.attrs.get(OID.localKeyId)![0]!, 'id')).toString('latin1');
    assert.equal(keyId, 'Time 1795000000123');
    assertJdkPbes2(sequence(kb.value, 'epki', 2, 2)[0]!);

    const ed = sequence(explicit(certsCi![1]!, 0, 'ed'), 'EncryptedData', 2, 2);
    assert.equal(smallInteger(ed[0]!, 'v'), 0);
    const eci = sequence(ed[1]!, 'eci', 3, 3);
    assert.equal(eci[2]!.constructed, false, 'encryptedContent is one primitive [0]');
    assertJdkPbes2(eci[1]!);
    const plain = decryptWithAlgorithm(eci[1]!, 'store-pass', implicitOctets(eci[2]!, 'ct'), 'PKCS#12');
    const certBags = sequence(parseBer(plain, 't'), 'bags', 4, 4).map(bag);
    const names = certBags.map((b) => bmpString(b.attrs.get(OID.friendlyName)![0]!, 'fn'));
    assert.deepEqual(names, ['mail.example', 'CN=Test Intermediate CA,O=Example', 'CN=Test Root CA,O=Example', 'RootCA']);
    assert.equal(Buffer.from(octetString(certBags[0]!.attrs.get(OID.localKeyId)![0]!, 'id')).toString('latin1'), keyId);
    certBags.slice(0, 3).forEach((b) => assert.equal(b.attrs.has(OID.oracleTrustedKeyUsage), false, 'never on a key\'s certificates'));
    assert.equal(certBags[1]!.attrs.has(OID.localKeyId), false);
    const trust = certBags[3]!.attrs.get(OID.oracleTrustedKeyUsage);
    assert.ok(trust);
    assert.deepEqual(trust.map((n) => objectId(n, 'eku')), [OID.anyExtendedKeyUsage]);
    assert.equal(certBags[3]!.attrs.has(OID.localKeyId), false);
  });

  it('writes strict DER: definite, minimal lengths and primitive strings only', () => {
    const out = encodePkcs12(entries, 'store-pass');
    assert.ok(out.length > 4000);
    assertStrictDer(out);
    // ... inside the MAC-protected and the encrypted content as well.
    const pfx = sequence(parseBer(out, 't'), 'pfx');
    const authSafe = octetString(explicit(sequence(pfx[1]!, 'ci')[1]!, 0, 'c'), 'o');
    assertStrictDer(authSafe);
  });

  it('allows an empty store, uses the iterations asked for, and refuses key entries it cannot write', () => {
    const empty = encodePkcs12([], 'pw1234');
    assert.deepEqual(decodePkcs12(empty, 'pw1234').entries, []);
    const fast = encodePkcs12(entries, 'pw1234', { iterations: 2048 });
    const mac = sequence(sequence(parseBer(fast, 't'), 'pfx')[2]!, 'mac');
    assert.equal(smallInteger(mac[2]!, 'it'), 2048);
    assert.equal(decodePkcs12(fast, 'pw1234').entries.length, 2);
    const noKey: StoredKeyEntry = { kind: 'key', alias: key.alias, created: key.created, chain: key.chain };
    assert.throws(() => encodePkcs12([noKey], 'pw1234'), isCodecError('unsupported', /no private key to write/));
    assert.throws(() => encodePkcs12([{ ...key, chain: [] }], 'pw1234'), isCodecError('unsupported', /no certificate chain/));
  });

  it('writes a key it did not decrypt back as it was read (engineStore), under the same password', () => {
    const stored = keyEntry(jdk.entries, 'server');
    assert.equal(stored.privateKey, undefined);
    const out = encodePkcs12([stored, root], 'changeit1', { iterations: 1 });
    const again = keyEntry(decodePkcs12(out, 'changeit1').entries, 'server');
    assert.deepEqual(again.protectedKey, stored.protectedKey);
    assert.deepEqual(again.chain, stored.chain);
    assert.deepEqual(pkcs12RecoverKey(again.protectedKey!, 'changeit1'), key.privateKey);
    // A JKS KeyProtector key cannot be a PKCS#12 shrouded key bag.
    const jksProtected = derSequence(derAlgorithm('1.3.6.1.4.1.42.2.17.1.1'), derOctetString(new Uint8Array(60)));
    assert.throws(() => encodePkcs12([{ ...stored, protectedKey: jksProtected }], 'pw1234'), isCodecError('unsupported', /1\.3\.6\.1\.4\.1\.42\.2\.17\.1\.1/));
  });

  it('gives two keys created in the same millisecond distinct localKeyIds', () => {
    const ec = decrypted(keyEntry(decodePkcs12(load('ec.p12'), 'ecpass123').entries, 'mail'), 'ecpass123');
    const when = new Date(1_700_000_000_000);
    const out = encodePkcs12([{ ...key, alias: 'a', created: when }, { ...ec, alias: 'b', created: when }], 'pw1234', { iterations: 1 });
    const r = decodePkcs12(out, 'pw1234');
    assert.deepEqual(keyEntry(r.entries, 'a').chain, key.chain);
    assert.deepEqual(keyEntry(r.entries, 'b').chain, ec.chain);
    assert.equal(keyEntry(r.entries, 'b').created.getTime(), when.getTime() + 1);
  });
});

describe('encodePkcs12 output in the real keytool and openssl', () => {
  const jdk = decodePkcs12(load('jdk.p12'), 'changeit1');
  const entries: Pkcs12Entry[] = [{ ...decrypted(keyEntry(jdk.entries, 'server'), 'changeit1'), alias: 'mail' }, trustedEntry(jdk.entries, 'rootca')];
  const work = tempDir();
  const file = join(work, 'out.p12');
  writeFileSync(file, encodePkcs12(entries, 'interop-pass'));

  it('keytool -list -v: a PKCS12 store with the key entry (chain length 3) and the trusted entry', () => {
    const r = keytool(['-list', '-v', '-keystore', file, '-storepass', 'interop-pass', '-storetype', 'PKCS12']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Keystore type: PKCS12/);
    assert.match(r.stdout, /Your keystore contains 2 entries/);
    assert.match(r.stdout, /Alias name: mail\nCreation date: [^\n]+\nEntry type: PrivateKeyEntry\nCertificate chain length: 3\n/);
    assert.match(r.stdout, /Alias name: rootca\nCreation date: [^\n]+\nEntry type: trustedCertEntry\n/);
  });

  it('keytool -certreq signs with the key entry', () => {
    const r = keytool(['-certreq', '-alias', 'mail', '-keystore', file, '-storepass', 'interop-pass', '-storetype', 'PKCS12']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /-----BEGIN NEW CERTIFICATE REQUEST-----/);
    const req = openssl(['req', '-verify', '-noout'], { input: r.stdout });
    assert.equal(req.status, 0, req.stderr);
  });

  it('openssl pkcs12 -info reads it (MAC: sha256) and gives back the same key', () => {
    const r = openssl(['pkcs12', '-in', file, '-passin', 'pass:interop-pass', '-nodes', '-info']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /MAC: sha256, Iteration 10000/);
    assert.match(r.stderr, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/);
    const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(r.stdout);
    assert.ok(keyPem);
    assert.deepEqual(createPublicKey(keyPem[0]).export({ type: 'spki', format: 'der' }), spkiOfCert(entries[0]!.kind === 'key' ? entries[0]!.chain[0]! : new Uint8Array()));
  });

  it('openssl asn1parse reads it as DER', () => {
    const r = openssl(['asn1parse', '-inform', 'DER', '-in', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /l=inf/);
  });

  it('the legacy layout is read by keytool and by openssl -legacy (MAC: sha1)', () => {
    const legacy = join(work, 'legacy.p12');
    writeFileSync(legacy, encodePkcs12(entries, 'interop-pass', { legacy: true }));
    const k = keytool(['-list', '-keystore', legacy, '-storepass', 'interop-pass', '-storetype', 'PKCS12']);
    assert.equal(k.status, 0, k.stderr);
    assert.match(k.stdout, /mail, [^\n]+, PrivateKeyEntry/);
    assert.match(k.stdout, /rootca, [^\n]+, trustedCertEntry/);
    const o = openssl(['pkcs12', '-legacy', '-in', legacy, '-passin', 'pass:interop-pass', '-nodes', '-info']);
    assert.equal(o.status, 0, o.stderr);
    assert.match(o.stderr, /MAC: sha1, Iteration 100000/);
    assert.match(o.stderr, /pbeWithSHA1And40BitRC2-CBC, Iteration 50000/);
  });

  it('a non-ASCII password is written the way openssl reads it', () => {
    const uni = join(work, 'unicode.p12');
    writeFileSync(uni, encodePkcs12(entries, 'pässwörd€', { iterations: 2048 }));
    const r = openssl(['pkcs12', '-in', uni, '-passin', 'pass:pässwörd€', '-nokeys', '-info'], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /friendlyName: mail/);
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers: hand-built stores, structure checks, DER -> BER.

function dataContentInfo(content: Uint8Array): Uint8Array {
  return derSequence(derOid(OID.data), derExplicit(0, derOctetString(content)));
}

/** A password-less store (no MAC, plain data), one SafeContents per list, as openssl -nomac -keypbe NONE writes. */
function openStore(...safes: Uint8Array[][]): Uint8Array {
  return derSequence(derInteger(3), dataContentInfo(derSequence(...safes.map((bags) => dataContentInfo(derSequence(...bags))))));
}

function attr(id: string, value: Uint8Array): Uint8Array {
  return derSequence(derOid(id), derSetOf(value));
}
const nameAttr = (name: string): Uint8Array => attr(OID.friendlyName, derBmpString(name));
const idAttr = (id: string): Uint8Array => attr(OID.localKeyId, derOctetString(new TextEncoder().encode(id)));
const trustedAttr = (): Uint8Array => attr(OID.oracleTrustedKeyUsage, derOid(OID.anyExtendedKeyUsage));

function safeBag(id: string, value: Uint8Array, attrs: Uint8Array[]): Uint8Array {
  return derSequence(derOid(id), derExplicit(0, value), ...(attrs.length > 0 ? [derSetOf(...attrs)] : []));
}
const keyBag = (pkcs8: Uint8Array, attrs: Uint8Array[]): Uint8Array => safeBag(OID.keyBag, pkcs8, attrs);
const certBag = (cert: Uint8Array, attrs: Uint8Array[]): Uint8Array =>
  safeBag(OID.certBag, derSequence(derOid(OID.x509Certificate), derExplicit(0, derOctetString(cert))), attrs);

function bag(node: Asn1Node): { id: string; value: Asn1Node; attrs: Map<string, readonly Asn1Node[]> } {
  const parts = sequence(node, 'bag', 3, 3);
  const attrs = new Map<string, readonly Asn1Node[]>();
  for (const a of setOf(parts[2]!, 'attrs')) {
    const [id, values] = sequence(a, 'attr', 2, 2);
    attrs.set(objectId(id!, 'id'), setOf(values!, 'values'));
  }
  return { id: objectId(parts[0]!, 'id'), value: explicit(parts[1]!, 0, 'value'), attrs };
}

/** PBES2 { PBKDF2 { salt(20), 10000, keyLength 32, hmacWithSHA256 }, aes-256-cbc { IV(16) } } */
function assertJdkPbes2(alg: Asn1Node): void {
  const [oid, params] = sequence(alg, 'alg', 2, 2);
  assert.equal(objectId(oid!, 'oid'), OID.pbes2);
  const [kdf, scheme] = sequence(params!, 'pbes2', 2, 2);
  const kp = sequence(sequence(kdf!, 'kdf', 2, 2)[1]!, 'pbkdf2', 4, 4);
  assert.equal(octetString(kp[0]!, 'salt').length, 20);
  assert.equal(smallInteger(kp[1]!, 'it'), 10_000);
  assert.equal(smallInteger(kp[2]!, 'kl'), 32);
  assert.equal(objectId(sequence(kp[3]!, 'prf')[0]!, 'prf'), OID.hmacWithSHA256);
  const [cipher, iv] = sequence(scheme!, 'scheme', 2, 2);
  assert.equal(objectId(cipher!, 'cipher'), OID.aes256Cbc);
  assert.equal(octetString(iv!, 'iv').length, 16);
}

/** X.690 10.1, 10.2: definite lengths in the fewest octets; strings primitive. */
function assertStrictDer(b: Uint8Array, start = 0, end = b.length): void {
  let pos = start;
  while (pos < end) {
    const id = b[pos]!;
    assert.notEqual(id & 0x1f, 0x1f, `high tag at ${pos}`);
    const lb = b[pos + 1]!;
    assert.notEqual(lb, 0x80, `indefinite length at ${pos}`);
    let len = lb;
    let hdr = 2;
    if (lb > 0x80) {
      const n = lb & 0x7f;
      assert.notEqual(b[pos + 2], 0, `length with a leading zero at ${pos}`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[pos + 2 + i]!;
      assert.ok(len >= 0x80, `long-form length ${len} at ${pos}`);
      hdr = 2 + n;
    }
    assert.ok(pos + hdr + len <= end, `length past the end at ${pos}`);
    // Constructed OCTET/BIT STRING or constructed context [0] in encryptedContent: BER only.
    assert.ok(id !== 0x24 && id !== 0x23, `constructed string at ${pos}`);
    if ((id & 0x20) !== 0) assertStrictDer(b, pos + hdr, pos + hdr + len);
    pos += hdr + len;
  }
  assert.equal(pos, end);
}

/** Entries without the load-time dates, for comparing two decodes. */
const strip = (e: Pkcs12Entry): unknown => (e.kind === 'key' ? { ...e, created: 0 } : { ...e, created: 0 });

const indefinite = (identifier: number, parts: Uint8Array[]): Uint8Array =>
  concatBytes(Uint8Array.of(identifier, 0x80), ...parts, Uint8Array.of(0, 0));

/** Contents as a constructed string of 16-byte OCTET STRING segments, indefinite length (X.690 8.7.3). */
function segmented(identifier: number, content: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < content.length; i += 16) parts.push(derTlv(0x04, content.subarray(i, i + 16)));
  return indefinite(identifier | 0x20, parts);
}

/** Every constructed element indefinite, every longer OCTET STRING / [0] segmented; contents untouched. */
function toBer(node: Asn1Node): Uint8Array {
  const identifier = node.tag;
  if (node.constructed) return indefinite(identifier, children(node).map(toBer));
  const isOctets = node.cls === CLASS_UNIVERSAL && node.number === 4;
  const isImplicit0 = node.cls === CLASS_CONTEXT && node.number === 0;
  if ((isOctets || isImplicit0) && valueBytes(node).length > 16) return segmented(identifier, valueBytes(node));
  return tlvBytes(node);
}

/** The whole file in BER, the plain SafeContents too, and the MAC recomputed over the new content. */
function toBerPkcs12(der: Uint8Array, password: string | undefined): Uint8Array {
  const pfx = sequence(parseBer(der, 't'), 'pfx', 2, 3);
  const authSafe = parseBer(octetString(explicit(sequence(pfx[1]!, 'ci')[1]!, 0, 'c'), 'o'), 't');
  const safes = sequence(authSafe, 'authSafe').map((ci) => {
    const [type, content] = sequence(ci, 'ci', 2, 2);
    if (objectId(type!, 'type') !== OID.data) return toBer(ci);
    const contents = toBer(parseBer(octetString(explicit(content!, 0, 'c'), 'o'), 't'));
    return indefinite(0x30, [tlvBytes(type!), indefinite(0xa0, [segmented(0x04, contents)])]);
  });
  const newAuthSafe = indefinite(0x30, safes);
  const outer = indefinite(0x30, [tlvBytes(sequence(pfx[1]!, 'ci')[0]!), indefinite(0xa0, [segmented(0x04, newAuthSafe)])]);
  const parts = [tlvBytes(pfx[0]!), outer];
  if (pfx[2] !== undefined) {
    assert.ok(password !== undefined);
    const [di, salt, it] = sequence(pfx[2], 'mac', 3, 3);
    const algNode = sequence(di!, 'di')[0]!;
    const hash = objectId(sequence(algNode, 'alg')[0]!, 'hash') === OID.sha1 ? 'sha1' : 'sha256';
    const s = octetString(salt!, 'salt');
    const n = smallInteger(it!, 'it');
    const k = pkcs12Kdf(hash, bmpPassword(password), s, n, 3, hash === 'sha1' ? 20 : 32);
    const mac = new Uint8Array(createHmac(hash, k).update(newAuthSafe).digest());
    parts.push(toBer(parseBer(derSequence(derSequence(tlvBytes(algNode), derOctetString(mac)), derOctetString(s), derInteger(n)), 't')));
  }
  return indefinite(0x30, parts);
}

describe('the key-derivation budget of a PKCS#12 file (kdf.ts KdfBudget)', () => {
  it('refuses 100 encrypted safes at the JDK cap before deriving anything, with or without a password', () => {
    const file = manySafes(100, 5_000_000);
    assert.ok(file.length < 8000, `${file.length} bytes`);
    const budget = new KdfBudget('PKCS#12');
    assert.throws(() => decodePkcs12(file, 'pw', { budget }), isCodecError('limit', /more than the 2,000,000 mailcert spends on one file/));
    assert.equal(budget.spent, 0);
    // Refused before a password would be asked for.
    assert.throws(() => decodePkcs12(file, undefined), isCodecError('limit'));
  });

  it('refuses one 3DES safe at the cap (key and IV: three SHA-1 chains of 5,000,000) whatever the password', () => {
    const file = wrongPasswordMaxIterations();
    for (const password of ['', 'wrong', undefined]) {
      const budget = new KdfBudget('PKCS#12');
      assert.throws(() => decodePkcs12(file, password, { budget }), isCodecError('limit', /15,000,000 rounds/), String(password));
      assert.equal(budget.spent, 0);
    }
  });

  it('adds up safes that each stay under the cap, and a MAC', () => {
    const file = pfx([encryptedSafe(pbeAlgorithm('pbes2-sha256', 800_000)), encryptedSafe(pbeAlgorithm('pbes2-sha256', 800_000))], macData(500_000));
    const budget = new KdfBudget('PKCS#12');
    assert.throws(() => decodePkcs12(file, 'pw', { budget }), isCodecError('limit', /2,100,000 rounds/));
    assert.equal(budget.spent, 0);
  });

  it('pays for every password encoding tried: an empty password costs the MAC twice', () => {
    const file = pfx([], macData(600));
    const one = new KdfBudget('PKCS#12', 1000);
    assert.throws(() => decodePkcs12(file, 'x', { budget: one }), isCodecError('integrity'));
    assert.equal(one.spent, 600);
    const two = new KdfBudget('PKCS#12', 1000);
    assert.throws(() => decodePkcs12(file, '', { budget: two }), isCodecError('limit', /1,200 rounds/));
    assert.equal(two.spent, 600);
  });

  it('spends on keytool and openssl stores what kdf.ts says: the MAC and certificates to list, then each key', () => {
    const spent: Record<string, [number, number]> = {};
    for (const file of ['jdk.p12', 'jdk-legacy.p12', 'ossl.p12', 'ossl-legacy.p12', 'empty-pass.p12']) {
      const budget = new KdfBudget('PKCS#12');
      const s = store(file);
      const r = decodePkcs12(load(file), s.storepass, { budget });
      const listed = budget.spent;
      for (const e of r.entries) if (e.kind === 'key') pkcs12RecoverKey(e.protectedKey!, s.storepass, budget);
      spent[file] = [listed, budget.spent - listed];
    }
    assert.deepEqual(spent, {
      'jdk.p12': [20_000, 10_000],
      'jdk-legacy.p12': [200_000, 150_000],
      'ossl.p12': [4_096, 2_048],
      'ossl-legacy.p12': [6_144, 6_144],
      'empty-pass.p12': [4_096, 2_048],
    });
  });

  it('shares one budget between the store and its keys', () => {
    const budget = new KdfBudget('PKCS#12', 25_000);
    const r = decodePkcs12(load('jdk.p12'), 'changeit1', { budget });
    assert.throws(() => pkcs12RecoverKey(keyEntry(r.entries, 'server').protectedKey!, 'changeit1', budget), isCodecError('limit'));
    assert.equal(budget.spent, 20_000);
  });
});
