// Core, keystore and net raise errors about keystores, keys, files and servers, never about the
// command line: no flag in any message or hint (each command words them in its own flags,
// test/cli/flag-errors.test.ts). Each error is raised here as a command would meet it; and no
// string in the sources of those layers names one of mailcert's options, so an error added later
// cannot either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { buildProgram } from '../../src/cli/program.js';
import { decodePem } from '../../src/codec/pem.js';
import { loadAnchors } from '../../src/core/anchors.js';
import {
  AliasTaken,
  AnchorsUnusable,
  BadServerAddress,
  BadTargetLine,
  KeyFormatMismatch,
  NoPrivateKey,
  NotAHostName,
  TlsaNeedsCertificate,
  TlsaNeedsIssuer,
  TooManyServerKeys,
} from '../../src/core/errors.js';
import { makeCertreq } from '../../src/core/certreq.js';
import { convertKeystore, exportPem } from '../../src/core/export.js';
import { makeSelfSigned, resolveSubject } from '../../src/core/genkey.js';
import { encodeKey } from '../../src/core/strip-password.js';
import { makeRecords, readTlsaFile } from '../../src/core/tlsa-records.js';
import { parseTarget, parseTargetsFile } from '../../src/core/verify-live.js';
import { ExitCode } from '../../src/errors.js';
import type { Io } from '../../src/io.js';
import {
  AliasTooLong,
  KeyPasswordWrong,
  NonAsciiPkcs12Password,
  NotAKeystore,
  PassphraseWrong,
  StoreIntegrityFailed,
  StorePasswordNeeded,
  StoreTypeFromName,
  StoreTypeNotWritable,
  StoreTypeUnknown,
} from '../../src/keystore/errors.js';
import { assertCanCreate, OutputExists } from '../../src/keystore/files.js';
import { readPrivateKey } from '../../src/keystore/inputs.js';
import { checkAliasFits, encodeKeystore, readKeystoreFile, recoverKey, typeForNewStore, writeKeystoreFile } from '../../src/keystore/keystore.js';
import { enforceRule, RuleRefusal } from '../../src/keystore/rules.js';
import { deadlineDetail } from '../../src/net/deadline.js';
import { HINTS, NetError, type NetErrorKind } from '../../src/net/errors.js';
import { domainError } from '../helpers/domain-error.js';
import { fixturesDir, repoRoot, tempDir } from '../helpers/tools.js';

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

const pem = (name: string): string => join(fixturesDir, 'pem', name);
const password = (p: string | undefined) => (): Promise<string> => (p === undefined ? Promise.reject(new Error('no password is asked')) : Promise.resolve(p));

test('verify: trust anchors that cannot be used, a server address, a line of a targets file', async () => {
  const none = (): Promise<undefined> => Promise.resolve(undefined);
  const missing = await domainError(() => loadAnchors(join(dir, 'no-such.pem'), none));
  assert.ok(missing instanceof AnchorsUnusable);
  assert.deepEqual([missing.source, missing.problem, missing.exitCode], [join(dir, 'no-such.pem'), 'no such file or folder', ExitCode.badInput]);
  mkdirSync(join(dir, 'empty-ca'));
  const empty = await domainError(() => loadAnchors(join(dir, 'empty-ca'), none));
  assert.ok(empty instanceof AnchorsUnusable && /holds no <hash>\.N/.test(empty.problem));
  const keysOnly = await domainError(() => loadAnchors(join(fixturesDir, 'jks', 'rsa.jks'), () => Promise.resolve('storepass1')));
  assert.ok(keysOnly instanceof AnchorsUnusable && /no trusted certificate entries/.test(keysOnly.problem));
  writeFileSync(join(dir, 'text.txt'), 'hello\n');
  const text = await domainError(() => loadAnchors(join(dir, 'text.txt'), none));
  assert.ok(text instanceof AnchorsUnusable && /not a certificate file, folder or keystore/.test(text.problem));

  const address = await domainError(() => parseTarget('mail.example.com'));
  assert.ok(address instanceof BadServerAddress);
  assert.deepEqual([address.text, address.exitCode], ['mail.example.com', ExitCode.usage]);
  const protocol = await domainError(() => parseTargetsFile('servers.txt', 'a.example.com:993\nb.example.com:25 smtps\n'));
  assert.ok(protocol instanceof BadTargetLine);
  assert.deepEqual([protocol.file, protocol.line, protocol.text], ['servers.txt', 2, 'b.example.com:25 smtps']);
  assert.match(protocol.problem, /^the protocol must be one of smtp, imap/);
  const port = await domainError(() => parseTargetsFile('servers.txt', '# comment\nmail.example.com\n'));
  assert.ok(port instanceof BadTargetLine && port.line === 2 && /give HOST:PORT/.test(port.problem));
});

test('tlsa: a key alone for selector 0 or for the issuing CA, a chain without the issuer', async () => {
  const key = await readTlsaFile(pem('rsa-plain.pem'), password(undefined));
  const selector = await domainError(() => makeRecords(key, undefined, { usage: 3, selector: 0, matching: 1 }));
  assert.ok(selector instanceof TlsaNeedsCertificate);
  assert.equal(selector.exitCode, ExitCode.usage);
  const issuerOfKey = await domainError(() => makeRecords(key, undefined, { usage: 2, selector: 1, matching: 1 }));
  assert.ok(issuerOfKey instanceof TlsaNeedsIssuer);
  assert.deepEqual([issuerOfKey.usage, issuerOfKey.exitCode], [2, ExitCode.usage]);
  const leaf = await readTlsaFile(pem('leaf-rsa.pem'), password(undefined));
  const noIssuer = await domainError(() => makeRecords(leaf, undefined, { usage: 0, selector: 1, matching: 1 }));
  assert.ok(noIssuer instanceof TlsaNeedsIssuer);
  assert.deepEqual([noIssuer.usage, noIssuer.exitCode], [0, ExitCode.badInput]);
  assert.match(noIssuer.need, /^needs the certificate of the CA that issued "CN=imap\.example\.com/);
});

test('keystore: types, files, passwords and aliases', async () => {
  assert.ok((await domainError(() => typeForNewStore('x.jks', 'jceks'))) instanceof StoreTypeUnknown);
  assert.ok((await domainError(() => typeForNewStore('x.store'))) instanceof StoreTypeFromName);
  assert.ok((await domainError(() => readKeystoreFile(pem('leaf-rsa.pem'), password(undefined)))) instanceof NotAKeystore);
  const p12 = pem('keytool.p12');
  assert.ok((await domainError(() => readKeystoreFile(p12, () => Promise.resolve(undefined)))) instanceof StorePasswordNeeded);
  assert.ok((await domainError(() => readKeystoreFile(pem('keytool.jks'), password('wrong-password')))) instanceof StoreIntegrityFailed);
  const jks = join(fixturesDir, 'jks', 'rsa.jks');
  const store = await readKeystoreFile(jks, password('storepass1'));
  const entry = store.entries.find((e) => e.kind === 'key');
  assert.ok(entry?.kind === 'key');
  assert.ok((await domainError(() => recoverKey(jks, store.type, entry, password('storepass1')))) instanceof KeyPasswordWrong);
  assert.ok((await domainError(() => readPrivateKey(pem('rsa-des3.pem'), password('wrong-passphrase')))) instanceof PassphraseWrong);
  const jceks = await readKeystoreFile(join(fixturesDir, 'jks', 'ec.jceks'), () => Promise.resolve(undefined));
  assert.ok((await domainError(() => encodeKeystore(jceks, 'x', password('x')))) instanceof StoreTypeNotWritable);
  const empty = { type: 'PKCS12' as const, entries: [], integrityChecked: true };
  const ascii = await domainError(() => writeKeystoreFile(join(dir, 'new.p12'), empty, 'pässwörd', password('x'), { create: true, force: false }));
  assert.ok(ascii instanceof NonAsciiPkcs12Password);
  writeFileSync(join(dir, 'exists.pem'), 'x');
  const exists = await domainError(() => assertCanCreate(join(dir, 'exists.pem'), 'certificate'));
  assert.ok(exists instanceof OutputExists);
  for (const from of ['given', 'cn', { file: 'in.p12' }] as const) assert.ok((await domainError(() => checkAliasFits('JKS', 'a'.repeat(70_000), from))) instanceof AliasTooLong);
});

test('keystore: the rule, two server keys or a server certificate beside the key', async () => {
  const created = new Date();
  const key = (alias: string) => ({ kind: 'key' as const, alias, created, chain: [], privateKey: ecKey });
  const two = await domainError(() => enforceRule('james.jks', [key('one'), key('two')]));
  assert.ok(two instanceof RuleRefusal && two.violation.kind === 'keys' && two.exitCode === ExitCode.ruleBroken);
  const server = decodePem(readFileSync(pem('leaf-rsa.pem'), 'latin1'))[0]?.der;
  assert.ok(server);
  const beside = await domainError(() => enforceRule('james.jks', [key('mail'), { kind: 'trusted', alias: 'other', created, cert: server }]));
  assert.ok(beside instanceof RuleRefusal && beside.violation.kind === 'server-beside-key');
});

test("net: every kind of a server's failure, and the deadline's words", async () => {
  for (const kind of Object.keys(HINTS) as NetErrorKind[]) {
    const e = await domainError(() => {
      throw new NetError(kind, 'STARTTLS', 'mail.example.com', 25, 'what happened');
    });
    assert.equal(e.exitCode, ExitCode.network);
  }
  const detail = deadlineDetail({ timeoutMs: 10_000, deadlineMs: 1500 });
  assert.equal(detail, 'the 1.5 s deadline for the whole check passed');
  await domainError(() => {
    throw new NetError('deadline', 'STARTTLS', 'mail.example.com', 25, detail);
  });
});

/** mailcert's options, every command's and the global ones, as registered: "--keystore", "-k"... */
async function mailcertFlags(): Promise<{ long: Set<string>; short: Set<string> }> {
  const quiet = (): void => undefined;
  const io: Io = { out: quiet, err: quiet, env: {}, cwd: dir, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, readStdin: () => Promise.reject(new Error('no stdin')) };
  const program = await buildProgram(io);
  const options = [...program.options, ...program.commands.flatMap((c) => c.options)];
  return {
    long: new Set(options.flatMap((o) => (o.long === undefined ? [] : [o.long]))),
    short: new Set(options.flatMap((o) => (o.short === undefined ? [] : [o.short]))),
  };
}

/** Every string and template piece of a source file, with its line. */
function stringsOf(file: string): { line: number; text: string }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    const text = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node) ? node.text : undefined;
    if (text !== undefined) {
      // Module names (import, export ... from, import()) are not text.
      const parent = node.parent;
      const moduleName = ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || (ts.isCallExpression(parent) && parent.expression.kind === ts.SyntaxKind.ImportKeyword);
      if (!moduleName) found.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test("no string under src/core, src/keystore or src/net names one of mailcert's options", async () => {
  const { long, short } = await mailcertFlags();
  assert.ok(long.has('--force') && long.has('--connect') && long.has('--storetype') && short.has('-k'), 'the options of every command');
  const named = (text: string): string[] =>
    [...text.matchAll(/(?<![\w-])(--?[A-Za-z][\w-]*)/g)].map((m) => m[1] ?? '').filter((flag) => (flag.startsWith('--') ? long.has(flag) : short.has(flag)));
  const found: string[] = [];
  for (const layer of ['core', 'keystore', 'net']) {
    for (const name of readdirSync(join(repoRoot, 'src', layer)).filter((n) => n.endsWith('.ts'))) {
      // The completion scripts are shell code made from the command tree: they hold its options by design.
      if (layer === 'core' && name === 'completion.ts') continue;
      for (const { line, text } of stringsOf(join(repoRoot, 'src', layer, name))) {
        for (const flag of named(text)) found.push(`src/${layer}/${name}:${line}: ${flag}`);
      }
    }
  }
  assert.deepEqual(found, []);
});
