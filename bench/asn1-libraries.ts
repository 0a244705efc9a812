/**
 * Why mailcert reads ASN.1 with its own layer (src/codec/asn1/) rather than asn1js, and checks
 * paths with its own code rather than pkijs: the numbers the README's "Dependencies" section
 * quotes, measured again on every run (`BENCH_ONLY=libraries npm run bench`, or
 * `node dist/bench/asn1-libraries.js` after a build).
 *
 * 1. Truncated input: every prefix of a BER PKCS#12 file and of a certificate, given to asn1js's
 *    fromBER and to mailcert's reader: how many each accepts without an error.
 * 2. Parse time on the same bytes: the PKCS#12 fixtures (outer PFX), the SafeContents of a
 *    10,000-certificate store, and 10,000 certificates one by one (a PEM bundle's DERs). asn1js
 *    builds its whole tree; mailcert's reader is made to visit every element too (walk), so both
 *    do the same work.
 * 3. pkijs's CertificateChainValidationEngine on the chains of fixtures/verify and
 *    fixtures/name-constraints: how many of those openssl and mailcert both refuse it accepts.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createPublicKey, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rootCertificates } from 'node:tls';
import { concatBytes } from '../src/codec/bytes.js';
import { OID } from '../src/codec/asn1/oid.js';
import { type Tlv, children, isContext, readRoot, tlvBytes } from '../src/codec/asn1/tlv.js';
import { encodeBitString, encodeBmpString, encodeExplicit, encodeOctetString, encodeOid, encodeSequence, encodeSetOf } from '../src/codec/asn1/writer.js';
import { CodecError } from '../src/codec/errors.js';
import { decodePem } from '../src/codec/pem.js';
import { parseCertificate, readCertificateParts } from '../src/codec/x509/certificate.js';

const root = resolve(import.meta.dirname, '..', '..');
const fixtures = join(root, 'fixtures');
const read = (...p: string[]): Uint8Array => new Uint8Array(readFileSync(join(fixtures, ...p)));

/** Every element visited, as asn1js visits them: what "parsed" means for both sides here. */
function walk(t: Tlv): number {
  let n = 1;
  if (t.constructed) for (const c of children(t)) n += walk(c);
  return n;
}

function oursAccepts(bytes: Uint8Array): boolean {
  try {
    walk(readRoot(bytes, 'bench'));
    return true;
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
}

/**
 * asn1js as mailcert's PKCS#12 reader called it before it had its own layer: no copy, embedded
 * structures left in their OCTET STRINGs (mailcert's reader does not look inside them either), and
 * bounds for untrusted input (asn1js's default of 10,000 nodes refuses a large truststore).
 */
function asn1jsParse(bytes: Uint8Array): asn1js.FromBerResult {
  return asn1js.fromBER(bytes, { copyInput: false, parseEmbedded: false, maxDepth: 64, maxNodes: 1_000_000, maxContentLength: bytes.length });
}

function asn1jsAccepts(bytes: Uint8Array): boolean {
  const r = asn1jsParse(bytes);
  return r.offset !== -1 && r.result.error === '';
}

/** Parses with asn1js, which must succeed: a time for a refusal would mean nothing. */
function asn1jsParsed(bytes: Uint8Array): void {
  if (!asn1jsAccepts(bytes)) throw new Error(`asn1js refused ${bytes.length} bytes: ${asn1jsParse(bytes).result.error}`);
}

/** The same element with every constructed value in indefinite length: BER as pkijs and Windows write it (X.690 8.1.3.6). */
function toIndefinite(t: Tlv): Uint8Array {
  if (!t.constructed) return tlvBytes(t);
  return concatBytes(Uint8Array.of(t.tag, 0x80), ...children(t).map(toIndefinite), Uint8Array.of(0, 0));
}

function truncation(): string[] {
  const out = ['Truncated input: each prefix of the file, shorter by 1 to n-1 bytes'];
  const inputs: [string, Uint8Array][] = [
    ['PKCS#12 (openssl, DER)', read('pkcs12', 'ossl.p12')],
    ['PKCS#12 (openssl, as BER with indefinite lengths)', toIndefinite(readRoot(read('pkcs12', 'ossl.p12'), 'bench'))],
    ['certificate (DER)', read('pem', 'leaf-rsa.der')],
    ['certificate (BER, indefinite lengths)', toIndefinite(readRoot(read('pem', 'leaf-rsa.der'), 'bench'))],
  ];
  for (const [name, bytes] of inputs) {
    let asn1jsOk = 0;
    let oursOk = 0;
    const accepted: number[] = [];
    for (let n = 1; n < bytes.length; n++) {
      const prefix = bytes.subarray(0, n);
      if (asn1jsAccepts(prefix)) {
        asn1jsOk++;
        accepted.push(n);
      }
      if (oursAccepts(prefix)) oursOk++;
    }
    out.push(`  ${name}, ${bytes.length} bytes: asn1js accepts ${asn1jsOk} of ${bytes.length - 1} prefixes${accepted.length > 0 ? ` (lengths ${accepted.slice(0, 5).join(', ')})` : ''}, mailcert ${oursOk}`);
  }
  const two = asn1jsParse(Uint8Array.of(0x30, 0x80));
  out.push(
    `  asn1js.fromBER(30 80), the first two bytes of a BER file: offset ${two.offset}, error ${JSON.stringify(two.result.error)}, ` +
      `an empty ${two.result.constructor.name} with the warning ${JSON.stringify(two.result.valueBlock.warnings)}`,
  );
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Median milliseconds of `runs` runs of f, after one warm-up. */
function time(f: () => unknown, runs: number): number {
  f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** A SafeContents of `count` certBags (RFC 7292 4.2.3), each with a friendlyName: the decrypted certificate safe of a large truststore. */
function bigSafeContents(count: number): Uint8Array {
  const roots = rootCertificates.map((pem) => decodePem(pem)[0]!.der);
  const bags = Array.from({ length: count }, (_, i) => {
    const certBag = encodeSequence(encodeOid(OID.x509Certificate), encodeExplicit(0, encodeOctetString(roots[i % roots.length]!)));
    const name = encodeSequence(encodeOid(OID.friendlyName), encodeSetOf(encodeBmpString(`root-${i}`)));
    return encodeSequence(encodeOid(OID.certBag), encodeExplicit(0, certBag), encodeSetOf(name));
  });
  return encodeSequence(...bags);
}

function parseTimes(runs: number): string[] {
  const out = ['Parse time, median of the runs (asn1js.fromBER as mailcert called it; mailcert readRoot + a walk over every element)'];
  const row = (name: string, f1: () => unknown, f2: () => unknown, n: number): void => {
    const a = time(f1, n);
    const b = time(f2, n);
    out.push(`  ${name}: asn1js ${a.toFixed(3)} ms, mailcert ${b.toFixed(3)} ms (${(a / b).toFixed(1)}x)`);
  };
  const p12s = [
    ...readdirSync(join(fixtures, 'pkcs12')).filter((f) => f.endsWith('.p12')).map((f) => read('pkcs12', f)),
    ...readdirSync(join(fixtures, 'fuzz')).filter((f) => f.endsWith('.p12')).map((f) => read('fuzz', f)),
  ];
  row(`the ${p12s.length} PKCS#12 fixtures (the PFX), each once`, () => p12s.forEach(asn1jsParsed), () => p12s.forEach((b) => walk(readRoot(b, 'bench'))), runs * 10);
  const safe = bigSafeContents(10_000);
  row(`the SafeContents of a 10,000-certificate PKCS#12 (${(safe.length / 1e6).toFixed(1)} MB)`, () => asn1jsParsed(safe), () => walk(readRoot(safe, 'bench')), runs);
  const ders = rootCertificates.map((pem) => decodePem(pem)[0]!.der);
  const many = Array.from({ length: 10_000 }, (_, i) => ders[i % ders.length]!);
  row('10,000 certificates one by one (a PEM bundle)', () => many.forEach(asn1jsParsed), () => many.forEach((d) => walk(readRoot(d, 'bench'))), runs);
  return out;
}

// ---------------------------------------------------------------------------------------------
// pkijs's path validation

function certsOf(file: string): pkijs.Certificate[] {
  return decodePem(readFileSync(file, 'latin1'))
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => pkijs.Certificate.fromBER(b.der));
}

/** `chain` leaf first, as mailcert and openssl take it; pkijs wants the end-entity certificate last. */
async function pkijsAccepts(chain: pkijs.Certificate[], anchors: pkijs.Certificate[], at: Date): Promise<boolean> {
  try {
    const engine = new pkijs.CertificateChainValidationEngine({ certs: [...chain].reverse(), trustedCerts: anchors, checkDate: at });
    return (await engine.verify()).result;
  } catch {
    return false;
  }
}

interface VerifyCase {
  name: string;
  rule: string;
  cert: string;
  ca: string;
  args: string[];
  mailcert: { ok: boolean; failing: string[] };
  openssl: { ok: boolean }[];
}

/**
 * The certificates of fixtures/name-constraints with their Ed25519 signatures replaced: pkijs
 * 4 verifies no Ed25519 signature, so it finds no path through any of them, good or bad. Each
 * key becomes a P-256 key and each signature ECDSA with SHA-256; every other field of each
 * TBSCertificate (names, extensions, key identifiers, validity) stays byte for byte.
 */
function resignedNameConstraintCerts(dir: string): Map<string, Uint8Array> {
  const keys = new Map<string, KeyObject>();
  const keyFor = (id: string): KeyObject => {
    let k = keys.get(id);
    if (k === undefined) keys.set(id, (k = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey));
    return k;
  };
  const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array(0)).toString('hex');
  const ecdsaSha256 = encodeSequence(encodeOid(OID.ecdsaWithSHA256));
  const out = new Map<string, Uint8Array>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pem'))) {
    const der = decodePem(readFileSync(join(dir, file), 'latin1'))[0]!.der;
    const info = parseCertificate(der);
    const fields = children(readCertificateParts(der).tbs).map(tlvBytes);
    const v = isContext(readRoot(fields[0]!, 'bench'), 0) ? 1 : 0;
    fields[v + 1] = ecdsaSha256;
    const subjectKey = keyFor(hex(info.subjectKeyIdentifier));
    fields[v + 5] = new Uint8Array(createPublicKey(subjectKey).export({ type: 'spki', format: 'der' }));
    const tbs = encodeSequence(...fields);
    const issuerKey = keyFor(hex(info.authorityKeyIdentifier ?? info.subjectKeyIdentifier));
    const signature = new Uint8Array(sign('sha256', tbs, { key: issuerKey, dsaEncoding: 'der' }));
    out.set(file, encodeSequence(tbs, ecdsaSha256, encodeBitString(signature)));
  }
  return out;
}

interface NameConstraintCase {
  name: string;
  leaf: string;
  intermediates: string[];
  root: string;
  mailcert: 'ok' | 'fail';
  openssl: 'ok' | 'fail';
  note: string;
}

async function pathValidation(): Promise<string[]> {
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));
  const out = ["pkijs CertificateChainValidationEngine on the chains openssl and mailcert both refuse (host names aside: pkijs checks none)"];
  const verify = JSON.parse(readFileSync(join(fixtures, 'verify', 'expected.json'), 'utf8')) as { cases: VerifyCase[] };
  const v = join(fixtures, 'verify');
  let refused = 0;
  let bothAccept = 0;
  let pkijsToo = 0;
  const accepted: string[] = [];
  for (const c of verify.cases) {
    const atIndex = c.args.indexOf('--at');
    const at = atIndex === -1 ? new Date() : new Date(c.args[atIndex + 1] ?? '');
    const pkijsOk = await pkijsAccepts(certsOf(join(v, c.cert)), certsOf(join(v, c.ca)), at);
    if (c.openssl[0]?.ok === true && c.mailcert.ok) {
      bothAccept++;
      if (pkijsOk) pkijsToo++;
    }
    if (c.openssl[0]?.ok !== false || c.mailcert.ok || c.mailcert.failing.every((f) => f === 'host name')) continue;
    refused++;
    if (pkijsOk) accepted.push(`${c.name} (${c.rule}; mailcert: ${c.mailcert.failing.join(', ')})`);
  }
  out.push(`  fixtures/verify: pkijs accepts ${pkijsToo} of the ${bothAccept} chains both accept, and ${accepted.length} of the ${refused} chains both refuse:`, ...accepted.map((a) => `    ${a}`));
  const nc = JSON.parse(readFileSync(join(fixtures, 'name-constraints', 'expected.json'), 'utf8')) as { cases: NameConstraintCase[] };
  const resigned = resignedNameConstraintCerts(join(fixtures, 'name-constraints'));
  const resignedOf = (file: string): pkijs.Certificate[] => [pkijs.Certificate.fromBER(resigned.get(file) ?? new Uint8Array(0))];
  let ncRefused = 0;
  let ncBoth = 0;
  let ncPkijsToo = 0;
  const ncAccepted: string[] = [];
  for (const c of nc.cases) {
    const chain = [c.leaf, ...c.intermediates].flatMap(resignedOf);
    const pkijsOk = await pkijsAccepts(chain, resignedOf(c.root), new Date());
    if (c.openssl === 'ok' && c.mailcert === 'ok') {
      ncBoth++;
      if (pkijsOk) ncPkijsToo++;
    }
    if (c.openssl !== 'fail' || c.mailcert !== 'fail') continue;
    ncRefused++;
    if (pkijsOk) ncAccepted.push(`${c.name} (${c.note})`);
  }
  out.push(`  fixtures/name-constraints (re-signed with ECDSA P-256, see above): pkijs accepts ${ncPkijsToo} of the ${ncBoth} chains both accept, and ${ncAccepted.length} of the ${ncRefused} chains both refuse:`, ...ncAccepted.map((a) => `    ${a}`));
  return out;
}

export async function asn1LibraryReport(runs: number): Promise<string[]> {
  return [...truncation(), '', ...parseTimes(runs), '', ...(await pathValidation())];
}

// Run on its own: node dist/bench/asn1-libraries.js
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  console.log((await asn1LibraryReport(Number(process.env.BENCH_RUNS ?? 10))).join('\n'));
}
