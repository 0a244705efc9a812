// RSA keys from two primes (src/crypto/keys.ts): what RFC 8017, SP 800-56B and FIPS 186-4 ask of
// them, checked on the numbers, and `openssl rsa -check` agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPrimeSync, createPublicKey } from 'node:crypto';
import { generateKeyPair } from '../../src/crypto/keys.js';
import { openssl } from '../helpers/tools.js';

const big = (b64url: string | undefined): bigint => BigInt(`0x${Buffer.from(b64url ?? '', 'base64url').toString('hex')}`);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

for (const bits of [2048, 3072] as const) {
  test(`RSA-${bits}: two primes with the top two bits set, e = 65537, d mod lcm(p-1, q-1), CRT values right, openssl rsa -check ok`, async () => {
    const pair = await generateKeyPair({ type: 'rsa', bits });
    const jwk = pair.privateKey.export({ format: 'jwk' });
    const [n, e, d, p, q] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q].map(big) as [bigint, bigint, bigint, bigint, bigint];
    const half = BigInt(bits / 2);
    assert.equal(n.toString(2).length, bits);
    assert.equal(e, 65537n);
    assert.equal(p * q, n);
    assert.ok(p > q, 'p > q, as OpenSSL keeps them');
    for (const prime of [p, q]) {
      assert.equal(prime >> (half - 2n), 3n, 'top two bits set');
      assert.ok(checkPrimeSync(prime, { checks: 32 }));
      assert.equal(gcd(e, prime - 1n), 1n);
    }
    assert.ok(p - q > 1n << (half - 100n), '|p - q| > 2^(nlen/2 - 100)');
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    assert.equal((d * e) % lambda, 1n);
    assert.ok(d > 1n << half, 'd > 2^(nlen/2)');
    assert.equal(big(jwk.dp), d % (p - 1n));
    assert.equal(big(jwk.dq), d % (q - 1n));
    assert.equal((big(jwk.qi) * q) % p, 1n);
    assert.deepEqual(Buffer.from(pair.spki), createPublicKey(pair.privateKey).export({ type: 'spki', format: 'der' }));

    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const check = openssl(['rsa', '-check', '-noout'], { input: pem });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /RSA key ok/);
  });
}

test('two RSA keys in a row share no prime', async () => {
  const [a, b] = await Promise.all([generateKeyPair({ type: 'rsa', bits: 2048 }), generateKeyPair({ type: 'rsa', bits: 2048 })]);
  const [na, nb] = [a, b].map((k) => big(k.privateKey.export({ format: 'jwk' }).n)) as [bigint, bigint];
  assert.equal(gcd(na, nb), 1n);
});

test('EC keys still come from OpenSSL directly, on the curve asked for', async () => {
  const p256 = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const p384 = await generateKeyPair({ type: 'ec', curve: 'P-384' });
  assert.equal(p256.privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.equal(p384.privateKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
});
