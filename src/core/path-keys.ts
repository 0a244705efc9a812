/**
 * Which public keys verify accepts in a certificate path: what may be used at all to check a
 * signature (keyRefusal: cheap, asked before any signature is checked, so hostile input cannot make
 * verify spend seconds on huge RSA exponents) and what is strong enough (keyStrengthProblem).
 */
import type { PublicKeySummary } from '../codec/x509/public-key.js';

/** OpenSSL crypto/rsa (rsa_ossl_public_decrypt): OPENSSL_RSA_MAX_MODULUS_BITS. */
const RSA_MAX_MODULUS_BITS = 16384;
/** OpenSSL's OPENSSL_RSA_MAX_PUBEXP_BITS (and the JDK's RSAKeyFactory MAX_RESTRICTED_EXPLEN). */
const RSA_MAX_EXPONENT_BITS = 64;
const RSA_MIN_BITS = 2048;
const DSA_MAX_BITS = 3072;
const EC_MIN_BITS = 256;

function exponentBits(e: Uint8Array): number {
  let i = 0;
  while (i < e.length && e[i] === 0) i++;
  const top = e[i];
  return top === undefined ? 0 : (e.length - i - 1) * 8 + (32 - Math.clz32(top));
}

/**
 * Why a key must not be used to check a signature at all; undefined when it may. RSA: OpenSSL
 * refuses a modulus over 16384 bits, and an exponent over 64 bits when the modulus has more than
 * 3072 bits; mailcert refuses such exponents at every size (OpenSSL accepts them up to 3072 bits,
 * Go refuses any over 31 bits): no CA uses one, and each costs a full exponentiation to check.
 * An even exponent, or one under 3, is no RSA key (RFC 8017 3.1). DSA keys beyond FIPS 186-4's
 * sizes are refused for the same reason of cost.
 */
export function keyRefusal(key: PublicKeySummary): string | undefined {
  // FIPS 186-4 4.2 ends DSA at 3072 bits; OpenSSL goes to 10000, where each check costs milliseconds.
  if (key.algorithm === 'DSA' && (key.bits ?? 0) > DSA_MAX_BITS) return `a DSA key of ${key.bits ?? 0} bits (at most ${DSA_MAX_BITS} are accepted)`;
  if (key.algorithm !== 'RSA' && key.algorithm !== 'RSASSA-PSS') return undefined;
  if ((key.bits ?? 0) > RSA_MAX_MODULUS_BITS) return `an RSA modulus of ${key.bits ?? 0} bits (OpenSSL accepts at most ${RSA_MAX_MODULUS_BITS})`;
  const e = key.exponent ?? new Uint8Array();
  const bits = exponentBits(e);
  if (bits > RSA_MAX_EXPONENT_BITS) return `an RSA public exponent of ${bits} bits (at most ${RSA_MAX_EXPONENT_BITS} are accepted, as OpenSSL and the JDK do for moduli over 3072 bits)`;
  const low = e[e.length - 1] ?? 0;
  if ((low & 1) === 0 || (bits <= 2 && low < 3)) return `an RSA public exponent of ${bits <= 8 ? String(low) : `${bits} bits`}, which is no RSA key (RFC 8017 3.1: odd, 3 or more)`;
  return undefined;
}

/** Keys that agree on a secret but sign nothing: no TLS handshake and no certificate can be signed with one. */
const NON_SIGNING = new Set(['X25519', 'X448', 'DH', 'DHX']);

/** Why a certificate's key is too weak or of the wrong kind for a TLS server's path; undefined when it is fine. */
export function keyStrengthProblem(key: PublicKeySummary): string | undefined {
  const refusal = keyRefusal(key);
  if (refusal !== undefined) return refusal;
  switch (key.algorithm) {
    case 'RSA':
    case 'RSASSA-PSS':
      return (key.bits ?? 0) < RSA_MIN_BITS ? `${key.algorithm} ${key.bits ?? 0} (RSA needs ${RSA_MIN_BITS} bits or more)` : undefined;
    case 'EC':
      // RFC 5480 2.1.1: certificates name their curve; explicit parameters let a certificate bring
      // its own generator and impersonate a trusted key (CVE-2020-0601). OpenSSL: X509_V_ERR_EC_KEY_EXPLICIT_PARAMS.
      if (key.unnamedCurve !== undefined) return `an EC key with ${key.unnamedCurve}: only named curves are accepted (RFC 5480 2.1.1, CVE-2020-0601)`;
      return (key.bits ?? EC_MIN_BITS) < EC_MIN_BITS ? `EC ${key.curve ?? ''} of ${key.bits ?? 0} bits (EC needs ${EC_MIN_BITS} bits or more)` : undefined;
    case 'Ed25519':
    case 'Ed448':
      return undefined;
    case 'DSA':
      return `DSA ${key.bits ?? ''}`.trim() + ' (TLS 1.3 has no DSA, and TLS 1.2 clients dropped it)';
    default:
      return NON_SIGNING.has(key.algorithm)
        ? `${key.algorithm.startsWith('X') ? 'an' : 'a'} ${key.algorithm} key, which agrees on secrets but cannot sign: no TLS handshake or certificate can be signed with it`
        : `a key of unknown type ${key.oid}, which mail clients cannot use`;
  }
}
