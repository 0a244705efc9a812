// The dane check on openssl-made chains, with the real path checks (core/verify checkChain) as the
// PKIX side: each usage's semantics (RFC 7671 §5, RFC 7672 §3.1), what a DANE-EE match relaxes and
// what it keeps, DANE-TA anchoring (sent, or held by a 2 0 0 record), PKIX-TA through an anchor,
// unusable records, and the record a mismatch says to publish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCertificate, type CertInfo } from '../../src/codec/x509/certificate.js';
import { checkDane, type DaneInput } from '../../src/core/dane.js';
import { formatTlsa, tlsaData, type TlsaRecord } from '../../src/core/tlsa.js';
import { checkChain, type Check } from '../../src/core/verify.js';
import { tempDir } from '../helpers/tools.js';
import { makeTestPki } from '../net/fake-server.js';

const pki = makeTestPki(tempDir('mailcert-dane-'));
const [leaf, inter, root, other] = [pki.leafDer, pki.interDer, pki.rootDer, pki.otherDer].map((d) => parseCertificate(d)) as [CertInfo, CertInfo, CertInfo, CertInfo];
const HOST = 'mail.fake.test';

const record = (usage: number, selector: number, matching: number, cert: CertInfo): TlsaRecord => ({ usage, selector, matching, data: tlsaData(cert, selector, matching) });

function input(records: TlsaRecord[], chain: CertInfo[], anchors: CertInfo[], extra: Partial<DaneInput> = {}): DaneInput {
  const rechain = (a: CertInfo[], source: string): Check[] => checkChain({ chain, anchors: a, anchorSource: source, host: HOST, warnDays: 30 }).checks;
  return { records, chain, pkix: rechain(anchors, '--ca root.pem'), anchors, smtp: false, rechain, ...extra };
}
const status = (checks: readonly Check[], name: string): string | undefined => checks.find((c) => c.name === name)?.status;

test('DANE-EE: 3 1 1, 3 0 1 and 3 1 0 match the leaf; trust and the rest are not applied, key strength stays', () => {
  for (const r of [record(3, 1, 1, leaf), record(3, 0, 1, leaf), record(3, 1, 0, leaf), record(3, 0, 2, leaf)]) {
    // No anchors: PKIX trust fails, and a wrong host name fails too.
    const base = input([r], [leaf, inter], []);
    const withWrongHost = { ...base, pkix: checkChain({ chain: [leaf, inter], anchors: [], anchorSource: 'none', host: 'other.example', warnDays: 30 }).checks };
    assert.equal(status(withWrongHost.pkix, 'trust'), 'fail');
    assert.equal(status(withWrongHost.pkix, 'host name'), 'fail');
    const result = checkDane(withWrongHost);
    assert.equal(result.dane.status, 'ok', formatTlsa(r));
    for (const c of result.checks) assert.notEqual(c.status, 'fail', `${c.name}: ${c.detail}`);
    assert.match(result.checks.find((c) => c.name === 'trust')?.detail ?? '', /^not applied under DANE-EE \(RFC 7672 §3\.1\.1\); it found: /);
  }
  const weak: Check = { name: 'key strength', status: 'fail', detail: 'RSA 1024' };
  const kept = checkDane({ ...input([record(3, 1, 1, leaf)], [leaf, inter], []), pkix: [weak] });
  assert.deepEqual(kept.checks, [weak]);
});

test('DANE-TA: a sent intermediate or the root a 2 0 0 record holds is the anchor; the chain up to it is checked', () => {
  const sent = checkDane(input([record(2, 1, 1, inter)], [leaf, inter], []));
  assert.equal(sent.dane.status, 'ok');
  assert.match(sent.dane.detail, /matches certificate 2 the server sent, "CN=Mailcert Test Intermediate CA/);
  assert.equal(status(sent.checks, 'trust'), 'ok');
  assert.match(sent.checks.find((c) => c.name === 'trust')?.detail ?? '', /DANE-TA 2 1 1/);
  assert.equal(status(sent.checks, 'host name'), 'ok');
  // The root is not sent: only a full-certificate record can stand for it (RFC 7671 §5.2.2).
  const full = checkDane(input([{ usage: 2, selector: 0, matching: 0, data: root.der }], [leaf, inter], []));
  assert.equal(full.dane.status, 'ok', full.dane.detail);
  assert.match(full.dane.detail, /the certificate the record holds/);
  assert.equal(checkDane(input([record(2, 1, 1, root)], [leaf, inter], [])).dane.status, 'fail');
  // Matching a sent certificate the leaf does not chain to is no authentication.
  const unrelated = checkDane(input([record(2, 1, 1, other)], [leaf, other, inter], []));
  assert.equal(unrelated.dane.status, 'fail');
  assert.match(unrelated.dane.detail, /matches certificate 2 the server sent, "CN=Unrelated Test Root", but the server's certificate does not chain to it/);
});

test('PKIX-TA and PKIX-EE: a match on top of PKIX validation; on SMTP a warning (RFC 7672 §3.1.3); without a trusted root a failure', () => {
  const viaAnchor = checkDane(input([record(0, 1, 1, root)], [leaf, inter], [root]));
  assert.equal(viaAnchor.dane.status, 'ok', viaAnchor.dane.detail);
  assert.equal(checkDane(input([record(1, 1, 1, leaf)], [leaf, inter], [root])).dane.status, 'ok');
  const smtp = checkDane(input([record(1, 1, 1, leaf)], [leaf, inter], [root], { smtp: true }));
  assert.equal(smtp.dane.status, 'warn');
  assert.match(smtp.dane.detail, /Postfix and Exim ignore this record/);
  const untrusted = checkDane(input([record(1, 1, 1, leaf)], [leaf, inter], []));
  assert.equal(untrusted.dane.status, 'fail');
  assert.match(untrusted.dane.detail, /PKIX usages also need the chain to validate/);
});

test('no match: the detail gives the 3 1 1 and the issuer 2 1 1 the server presents; unusable records alone fail', () => {
  const wrong = record(3, 1, 1, other);
  const result = checkDane(input([wrong, { usage: 7, selector: 1, matching: 1, data: new Uint8Array(32) }], [leaf, inter], [root]));
  assert.equal(result.dane.status, 'fail');
  assert.match(result.dane.detail, new RegExp(`the server's certificate is ${formatTlsa(record(3, 1, 1, leaf))}`));
  assert.match(result.dane.detail, new RegExp(`its issuer "CN=Mailcert Test Intermediate CA, O=Mailcert Test, C=DE" is ${formatTlsa(record(2, 1, 1, inter))}`));
  assert.match(result.dane.detail, /1 record\(s\) with unknown parameters were passed over/);
  // The PKIX checks stand as they were.
  assert.equal(status(result.checks, 'trust'), 'ok');
  const unusable = checkDane(input([{ usage: 3, selector: 2, matching: 1, data: new Uint8Array(32) }], [leaf, inter], [root]));
  assert.equal(unusable.dane.status, 'fail');
  assert.match(unusable.dane.detail, /none of the 1 record\(s\) is usable/);
});
