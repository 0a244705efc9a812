/** The keytool-made JKS/JCEKS fixtures (fixtures/jks/make.sh) and the values recorded beside them. */
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
