/**
 * Renewal in place (call `renewBenchmarks(runs)` from run.ts): `mailcert import --key KEY --file
 * FULLCHAIN --replace` into a keytool-made JKS against the keytool way of renewing its server key,
 * `keytool -delete` of the entry then `keytool -importkeystore` of a PKCS#12 made from the same PEM
 * pair (target: at most 0.3x; the PKCS#12 is made once beforehand and not timed, which only
 * helps keytool). Each run starts from a copy of the same keystore, on both sides alike; with
 * NODE_EXTRA_CA_CERTS unset as well when this machine sets it.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compare, withoutExtraCaCerts, type Cmd, type Comparison, type Result } from './harness.js';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'mailcert.cjs');
const storepass = 'changeit';

function ok(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
}

/** A CA (root, intermediate) and a server key with its certificate: new.key, fullchain.pem (leaf + intermediate) and new.p12. */
function renewalInputs(dir: string): void {
  const ssl = (...args: string[]): void => ok('openssl', args, dir);
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:mail.example.com\n');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=Bench Root', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE');
  ssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'inter.key', '-out', 'inter.csr', '-subj', '/CN=Bench Intermediate');
  ssl('x509', '-req', '-in', 'inter.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'inter.pem', '-days', '30', '-extfile', 'ca.ext');
  ssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'new.key', '-out', 'new.csr', '-subj', '/CN=mail.example.com');
  ssl('x509', '-req', '-in', 'new.csr', '-CA', 'inter.pem', '-CAkey', 'inter.key', '-CAcreateserial', '-out', 'new.pem', '-days', '30', '-extfile', 'leaf.ext');
  writeFileSync(join(dir, 'fullchain.pem'), readFileSync(join(dir, 'new.pem'), 'utf8') + readFileSync(join(dir, 'inter.pem'), 'utf8'));
  ssl('pkcs12', '-export', '-inkey', 'new.key', '-in', 'fullchain.pem', '-name', 'mail', '-passout', `pass:${storepass}`, '-out', 'new.p12');
}

export function renewBenchmarks(runs: number): Result[] {
  const dir = mkdtempSync(join(tmpdir(), 'mailcert-bench-renew-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  renewalInputs(dir);
  const template = join(dir, 'template.jks');
  ok('keytool', ['-genkeypair', '-storetype', 'JKS', '-keystore', template, '-storepass', storepass, '-keypass', storepass, '-alias', 'mail', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=mail.example.com'], dir);
  copyFileSync(template, join(dir, 'a.jks'));
  copyFileSync(template, join(dir, 'b.jks'));
  // A fresh copy of the keystore before each run, the same shell step on both sides.
  const fromCopy = (file: string, script: string, label: string, env: NodeJS.ProcessEnv = {}): Cmd => ({
    label,
    cmd: 'sh',
    args: ['-c', `cp "${template}" "${file}" && ${script}`],
    env,
  });
  const a = join(dir, 'a.jks');
  const b = join(dir, 'b.jks');
  const renew: Comparison = {
    name: 'import --replace into JKS vs keytool -delete + -importkeystore',
    ours: fromCopy(a, `exec "${process.execPath}" "${cli}" import -k "${a}" --key "${join(dir, 'new.key')}" --file "${join(dir, 'fullchain.pem')}" --replace -q`, 'mailcert', { MAILCERT_STOREPASS: storepass }),
    theirs: fromCopy(
      b,
      [
        `keytool -delete -keystore "${b}" -storepass ${storepass} -alias mail`,
        `keytool -importkeystore -noprompt -srckeystore "${join(dir, 'new.p12')}" -srcstoretype PKCS12 -srcstorepass ${storepass} -srcalias mail -destkeystore "${b}" -deststoretype JKS -deststorepass ${storepass} -destalias mail >/dev/null 2>&1`,
      ].join(' && '),
      'keytool',
    ),
    maxRatio: 0.3,
    runs,
  };
  return [renew, ...withoutExtraCaCerts(renew)].map(compare);
}
