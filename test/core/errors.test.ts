// Core raises errors about keystores, keys and names, never about the command line: no flag in
// any message or hint (each command words them in its own flags, test/cli/flag-errors.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { AliasTaken, KeyFormatMismatch, NoPrivateKey, NotAHostName, TooManyServerKeys } from '../../src/core/errors.js';
import { makeCertreq } from '../../src/core/certreq.js';
import { convertKeystore, exportPem } from '../../src/core/export.js';
import { makeSelfSigned, resolveSubject } from '../../src/core/genkey.js';
import { encodeKey } from '../../src/core/strip-password.js';
import { ExitCode } from '../../src/errors.js';
import { domainError } from '../helpers/domain-error.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();

const ecKey = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }));

test('genkey and certreq: a CN that is no host name', async () => {
  const e = await domainError(() => resolveSubject({ cn: 'Mail Server!' }));
  assert.ok(e instanceof NotAHostName);
  assert.equal(e.exitCode, ExitCode.usage);
  await domainError(() => makeCertreq({ pkcs8: ecKey, subject: { cn: 'under_score!' } }));
  await domainError(() => makeCertreq({ pkcs8: ecKey }));
});

test('strip-password and export: a key encoding for another key type', async () => {
  const e = await domainError(() => encodeKey(ecKey, 'pkcs1'));
  assert.ok(e instanceof KeyFormatMismatch);
  assert.deepEqual([e.format, e.keyType], ['pkcs1', 'EC']);
});

test('export: two server keys into one keystore, and a private key of a trusted entry', async () => {
  const subject = resolveSubject({ cn: 'mail.example.com' });
  const made = await makeSelfSigned({ subject, key: { type: 'ec', curve: 'P-256' }, days: 1 });
  const created = new Date();
  const key = (alias: string) => ({ kind: 'key' as const, alias, created, chain: [made.cert], privateKey: made.pkcs8 });
  const store = { type: 'JKS' as const, integrityChecked: true, entries: [key('one'), key('two'), { kind: 'trusted' as const, alias: 'ca', created, cert: made.cert }] };
  const source = { path: join(dir, 'two.jks'), store };
  const never = (): Promise<string> => Promise.reject(new Error('no password is asked before the refusal'));
  const two = await domainError(() => convertKeystore({ source, out: join(dir, 'out.p12'), outType: 'PKCS12', force: false, keyPassword: never, outPassword: never }));
  assert.ok(two instanceof TooManyServerKeys);
  assert.deepEqual(two.aliases, ['one', 'two']);
  assert.equal(two.exitCode, ExitCode.ruleBroken);
  const trusted = store.entries[2];
  assert.ok(trusted?.kind === 'trusted');
  const noKey = await domainError(() =>
    exportPem({ source, entry: trusted, keyOut: join(dir, 'ca.key'), format: 'pkcs8', force: false, keyPassword: never, passout: () => Promise.resolve(undefined), toStdout: () => undefined }),
  );
  assert.ok(noKey instanceof NoPrivateKey);
});

test('an alias taken says what to do without naming a flag', async () => {
  await domainError(() => {
    throw new AliasTaken('james.jks: alias "mail" already exists', ExitCode.usage, 'mail');
  });
  const second = await domainError(() => {
    throw new AliasTaken('james.jks: refused: alias "mail" already exists (a key entry)', ExitCode.ruleBroken, 'mail', true);
  });
  assert.match(second.hint ?? '', /replace the whole keystore/);
});
