/** fixtures/wild/expected.json, typed: each store's passwords, producer, entries and what it records beside them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from './tools.js';

export interface WildEntry {
  alias: string;
  kind: 'key' | 'trusted' | 'secret';
  /** Certificate SHA-256 fingerprints, leaf first (key entries). */
  chain?: string[];
  /** The certificate's fingerprint (trusted entries). */
  fingerprint?: string;
  /** SHA-256 of the key's SubjectPublicKeyInfo DER, lowercase hex. */
  publicKeySha256?: string;
  keypass?: string;
}

export interface WildStore {
  file: string;
  type: string;
  storepass: string;
  producer: string;
  listedBy: string;
  note: string;
  entries: WildEntry[];
  /** Entries in file order, duplicates included (the duplicate-alias stores). */
  fileEntries?: { alias: string; kind: 'key' | 'trusted'; fingerprint: string }[];
  secrets?: { alias: string; algorithm: string; keySha256: string }[];
  keytoolError?: string;
  curve?: string;
  version?: number;
  localKeyId?: string;
  keyFriendlyName?: string;
  csp?: string;
  certFriendlyName?: string;
  kdfPassword?: string;
}

export const wildDir = join(fixturesDir, 'wild');
export const wildStores = (JSON.parse(readFileSync(join(wildDir, 'expected.json'), 'utf8')) as { stores: WildStore[] }).stores;

export function wildStore(file: string): WildStore {
  const s = wildStores.find((x) => x.file === file);
  assert.ok(s, `expected.json lists ${file}`);
  return s;
}

/** A store's entries as [alias, kind, certificate fingerprints], in expected.json's order (by alias). */
export function expectedView(s: WildStore): [string, string, string[]][] {
  return s.entries.map((e) => [e.alias, e.kind, e.chain ?? (e.fingerprint === undefined ? [] : [e.fingerprint])]);
}
