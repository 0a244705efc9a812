/** The keytool-made JKS/JCEKS fixtures (fixtures/jks/make.sh) and the values recorded beside them. */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from './tools.js';

export interface ExpectedEntry {
  alias: string;
  kind: 'key' | 'trusted' | 'secret';
  keypass?: string;
  chain?: string[];
  fingerprint?: string;
  publicKeySha256?: string;
}

export interface ExpectedStore {
  file: string;
  type: 'JKS' | 'JCEKS';
  storepass: string;
  entries: ExpectedEntry[];
}

export const expected = JSON.parse(readFileSync(join(fixturesDir, 'jks', 'expected.json'), 'utf8')) as { stores: ExpectedStore[] };

export const loadFixture = (file: string): Uint8Array => new Uint8Array(readFileSync(join(fixturesDir, 'jks', file)));

export const storeOf = (file: string): ExpectedStore => {
  const s = expected.stores.find((x) => x.file === file);
  assert.ok(s, `expected.json lists ${file}`);
  return s;
};

/** keytool's "SHA256: AB:CD:..." form. */
export const fingerprint = (der: Uint8Array): string =>
  createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');

export const spkiOfPkcs8 = (pkcs8: Uint8Array): Buffer =>
  createPublicKey(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
