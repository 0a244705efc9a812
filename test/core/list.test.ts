import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certSummary } from '../../src/core/cert-summary.js';
import { listKeystore } from '../../src/core/list.js';
import { decodePem } from '../../src/codec/pem.js';
import { ExitCode, MailcertError } from '../../src/errors.js';
import type { Keystore } from '../../src/keystore/keystore.js';
import { fixturesDir } from '../helpers/tools.js';

const created = new Date('2026-01-01T00:00:00Z');
const good = decodePem(readFileSync(join(fixturesDir, 'pem', 'root-ca.pem'), 'latin1'))[0]!.der;

test('a certificate a keystore holds but X.509 refuses: bad input naming the file and the entry, only when summarised', () => {
  const store: Keystore = {
    type: 'JKS',
    integrityChecked: true,
    entries: [
      { kind: 'trusted', alias: 'root', created, cert: good },
      { kind: 'trusted', alias: 'bad\u001b[31m', created, cert: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00) },
    ],
  };
  // The plain listing needs fingerprints only, as keytool -list.
  assert.equal(listKeystore('store.jks', store).entries.length, 2);
  assert.throws(
    () => listKeystore('store\n.jks', store, certSummary),
    (e: unknown) =>
      e instanceof MailcertError &&
      e.exitCode === ExitCode.badInput &&
      // The message keeps the names exact: the renderer escapes it for the terminal (cli/report.ts).
      e.message.startsWith('store\n.jks: the certificate of entry "bad\u001b[31m" is damaged (X.509: '),
  );
});

test('why the integrity was not checked is carried to the report', () => {
  const store: Keystore = { type: 'PKCS12', integrityChecked: false, unverified: 'no-mac', entries: [] };
  assert.equal(listKeystore('x.p12', store).unverified, 'no-mac');
  assert.equal(listKeystore('x.p12', { type: 'PKCS12', integrityChecked: true, entries: [] }).unverified, undefined);
});
