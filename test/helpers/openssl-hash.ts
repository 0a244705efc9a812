/**
 * What openssl says about many certificate files, in a few processes: a shell loop per batch
 * (one `openssl x509` per file, which is what users run), two batches at a time.
 */
import { spawn } from 'node:child_process';

export interface OpensslNameHashes {
  hash: string;
  oldHash: string;
  issuerHash: string;
  issuerOldHash: string;
}

const LOOP = 'for f; do printf "%s\\t" "$f"; openssl x509 -noout -hash -subject_hash_old -issuer_hash -issuer_hash_old -in "$f" | tr "\\n" " "; echo; done';

function runBatch(files: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', LOOP, 'sh', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`openssl loop exited ${String(code)}: ${err}`))));
  });
}

/** `openssl x509 -hash -subject_hash_old -issuer_hash -issuer_hash_old` of each file, by path. */
export async function opensslNameHashes(files: readonly string[], parallel = 2): Promise<Map<string, OpensslNameHashes>> {
  const size = Math.ceil(files.length / parallel);
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += size) batches.push(files.slice(i, i + size));
  const outputs = await Promise.all(batches.map(runBatch));
  const result = new Map<string, OpensslNameHashes>();
  for (const line of outputs.join('').split('\n')) {
    const [file, values] = line.split('\t');
    if (!file || values === undefined) continue;
    const [hash, oldHash, issuerHash, issuerOldHash] = values.trim().split(' ');
    if (!hash || !oldHash || !issuerHash || !issuerOldHash) throw new Error(`openssl gave no hashes for ${file}: ${line}`);
    result.set(file, { hash, oldHash, issuerHash, issuerOldHash });
  }
  return result;
}
