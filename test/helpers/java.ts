/**
 * Java programs loading a keystore as a Java mail server does (ServerKeyCheck.java beside this
 * file) and as fixtures/wild/make.sh read its secret keys (fixtures/wild/JdkStores.java), compiled
 * once per test file with the JDK's javac.
 */
import { join } from 'node:path';
import { repoRoot, run, runOk, tempDir, type RunResult } from './tools.js';

export interface ServedKey {
  alias: string;
  /** SHA-256 of the certificate, keytool's form (uppercase hex with colons). */
  sha256: string;
  chainLength: number;
}

// Made when the test file loads, so that it lives as long as the file's tests (a folder made
// inside a test would be removed when that test ends).
const classes = tempDir('mailcert-java-');
let built = false;

function compiled(): string {
  if (!built) runOk('javac', ['-d', classes, join(repoRoot, 'test', 'helpers', 'ServerKeyCheck.java'), join(repoRoot, 'fixtures', 'wild', 'JdkStores.java')]);
  built = true;
  return classes;
}

export interface JdkSecret {
  alias: string;
  /** As SecretKey.getAlgorithm() names it ("AES", "HmacSHA256"). */
  algorithm: string;
  /** SHA-256 of SecretKey.getEncoded(), lowercase hex. */
  keySha256: string;
}

/** The secret keys of a PKCS#12 file as the JDK loads them (KeyStore.getKey with the store password), sorted by alias. */
export function jdkSecrets(file: string, storepass: string): JdkSecret[] {
  const r = run('java', ['-cp', compiled(), 'JdkStores', 'secrets', file, storepass]);
  if (r.status !== 0) throw new Error(`JdkStores secrets ${file} exited ${String(r.status)}:\n${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [alias = '', algorithm = '', keySha256 = ''] = l.split('\t');
      return { alias, algorithm, keySha256 };
    });
}

/** `KeyStore.getInstance(type).load(file, storepass)` and `KeyManagerFactory("SunX509").init(ks, keypass)`, as a process. */
export function javaServer(type: 'JKS' | 'PKCS12', file: string, storepass: string, keypass: string): RunResult {
  return run('java', ['-cp', compiled(), 'ServerKeyCheck', type, file, storepass, keypass]);
}

/** The key entries a Java server would serve; fails the test when it cannot load them. */
export function servedKeys(type: 'JKS' | 'PKCS12', file: string, storepass: string, keypass: string): ServedKey[] {
  const r = javaServer(type, file, storepass, keypass);
  if (r.status !== 0) throw new Error(`ServerKeyCheck ${type} ${file} exited ${String(r.status)}:\n${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [alias = '', sha256 = '', n = ''] = l.split('\t');
      return { alias, sha256, chainLength: Number(n) };
    });
}
