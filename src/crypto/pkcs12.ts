/**
 * PKCS#12 (RFC 7292) keystores, read and written as the JDK does (PKCS12KeyStore.engineLoad,
 * engineStore): the structures are src/codec/pkcs12/'s; this module adds what needs the password:
 * the MAC (RFC 7292 4 and Appendix B), the encrypted safes and shrouded keys (pbe.ts), all paid
 * for from the file's key-derivation budget (kdf.ts), and the self-signature checks that end a
 * key's chain. Like engineLoad, decoding checks the MAC and decrypts the certificate safes but
 * leaves private keys encrypted until one is asked for (pkcs12RecoverKey, engineGetKey).
 *
 * Only this module (and what it imports) is loaded when a PKCS#12 file is handled.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CodecError } from '../codec/errors.js';
import type { Der, LooseCertificate, StoredKeyEntry } from '../codec/model.js';
import { within } from '../codec/asn1/check.js';
import { readRoot } from '../codec/asn1/tlv.js';
import { type Pkcs12Entry, type ReplacedEntry, loadSafeContents, matchChains, newLoadState } from '../codec/pkcs12/bags.js';
import { assemblePkcs12 } from '../codec/pkcs12/encode.js';
import { FORMAT, type MacData, type Pkcs12Layout, guessLayout, readPfx } from '../codec/pkcs12/pfx.js';
import { encodeEncryptedKey, parseEncryptedPrivateKeyInfo } from '../codec/pkcs8-encrypted.js';
import { encodeSecretBag, secretBagEpki } from '../codec/pkcs12/secret.js';
import { parseCertificate } from '../codec/x509/certificate.js';
import { KdfBudget, bmpPassword, opensslPre110Password, pkcs12Kdf, pkcs12PasswordCandidates } from './kdf.js';
import { decryptEpki } from './pkcs8.js';
import { decryptWithAlgorithm, encryptPbes2, encryptPkcs12Pbe, pbeRounds } from './pbe.js';
import { checkSignedBy } from './signatures.js';

export type { Pkcs12Entry, ReplacedEntry } from '../codec/pkcs12/bags.js';
export type { Pkcs12Layout } from '../codec/pkcs12/pfx.js';

export interface Pkcs12Decoded {
  entries: Pkcs12Entry[];
  /** Certificate bags that are no entry, kept for a rewrite (codec/pkcs12/bags.ts matchChains). */
  loose: LooseCertificate[];
  /** Entries a later bag of the same alias replaced, as in the JDK. */
  replaced: ReplacedEntry[];
  /** What the file holds that no entry carries and a rewrite could not keep, one phrase each. */
  unkept: string[];
  /**
   * The password opened the file only as OpenSSL before 1.1.0 encoded it (kdf.ts
   * opensslPre110Password): `password` is that form, to be used for everything else in the file.
   */
  brokenPassword?: string;
  /** The MAC as the JDK names it ("HmacPBESHA256", "HmacPBESHA1"); absent when the file has none. */
  macAlgorithm?: string;
  /** True when a MAC was present and matched the password. */
  macChecked: boolean;
  layout: Pkcs12Layout;
}

export interface Pkcs12DecodeOptions {
  /**
   * What the file's key derivations may cost (kdf.ts); pass the same budget to pkcs12RecoverKey
   * for the file's keys. A fresh FILE_KDF_BUDGET by default.
   */
  budget?: KdfBudget;
}

/** A certificate's own key verifies its signature (KeyStoreUtil.isSelfSigned); one that cannot be read is not self-signed. */
function signedByOwnKey(der: Der): boolean {
  try {
    const cert = parseCertificate(der);
    return checkSignedBy(cert, cert).ok;
  } catch (e) {
    if (e instanceof CodecError) return false;
    throw e;
  }
}

/**
 * Decodes a PKCS#12 file. With `password` undefined only a store without a MAC and encrypted
 * safes opens (PKCS12KeyStore.isPasswordless); anything else is a CodecError ('password') so the
 * caller can ask for one. Key entries from shrouded key bags keep the bag's
 * EncryptedPrivateKeyInfo as `protectedKey` (pkcs12RecoverKey decrypts it); plain keyBags give
 * `privateKey` at once.
 */
export function decodePkcs12(bytes: Uint8Array, password: string | undefined, opts: Pkcs12DecodeOptions = {}): Pkcs12Decoded {
  const budget = opts.budget ?? new KdfBudget(FORMAT);
  const pfx = readPfx(bytes);
  // What the MAC and the safes ask for, checked against the budget before any of it runs (and
  // before a password is asked for): a file that asks for too much is refused at once.
  let planned = pfx.mac?.iterations ?? 0;
  for (const safe of pfx.safes) if (safe.kind === 'encrypted') planned += within(safe.base, () => pbeRounds(safe.algorithm));
  budget.ensure(planned, pfx.root.offset);
  if (password === undefined && (pfx.mac !== undefined || pfx.safes.some((s) => s.kind === 'encrypted'))) {
    throw new CodecError('password', FORMAT, 'the keystore is password-protected: a password is needed');
  }
  let macChecked = false;
  let brokenPassword: string | undefined;
  // Verified before anything is decrypted, so a wrong password is an integrity error, as keytool says.
  if (pfx.mac !== undefined && password !== undefined) {
    brokenPassword = verifyMac(pfx.mac, password, pfx.authSafe, budget);
    if (brokenPassword !== undefined) password = brokenPassword;
    macChecked = true;
  }
  const state = newLoadState();
  for (const safe of pfx.safes) {
    if (safe.kind === 'data') within(safe.base, () => loadSafeContents(safe.contents, state));
    else {
      // password is defined here: encrypted safes without one were refused above.
      const plain = within(safe.base, () => decryptWithAlgorithm(safe.algorithm, password ?? '', safe.ciphertext, FORMAT, budget));
      within(safe.base + safe.node.offset, () => loadSafeContents(readRoot(plain, FORMAT), state));
    }
  }
  const { entries, loose } = matchChains(state, signedByOwnKey);
  const out: Pkcs12Decoded = { entries, loose, replaced: state.replaced, unkept: state.unkept, macChecked, layout: guessLayout(pfx) };
  if (pfx.mac !== undefined) out.macAlgorithm = pfx.mac.name;
  if (brokenPassword !== undefined) out.brokenPassword = brokenPassword;
  return out;
}

/**
 * HMAC over the AuthenticatedSafe content octets with a key from the PKCS#12 KDF (ID 3, as long
 * as the hash's output); the caller pays for the KDF's `iterations` rounds.
 */
export function computeMac(hash: string, password: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const keyLength = createHmac(hash, '').digest().length;
  const key = pkcs12Kdf(hash, password, salt, iterations, 3, keyLength);
  return new Uint8Array(createHmac(hash, key).update(data).digest());
}

/**
 * The MAC must match; an empty password is tried both ways (RetryWithZero), each paid for. A
 * non-ASCII password that does not match is tried once more as OpenSSL before 1.1.0 encoded it,
 * which openssl 3's pkcs12 app does too ("Warning: using broken algorithm"): that form is
 * returned, for everything else in the file. Undefined when the password matched as it is.
 */
function verifyMac(mac: MacData, password: string, authSafe: Uint8Array, budget: KdfBudget): string | undefined {
  const broken = opensslPre110Password(password);
  const tries: [Uint8Array, string | undefined][] = pkcs12PasswordCandidates(password).map((pw) => [pw, undefined]);
  if (broken !== undefined) tries.push([bmpPassword(broken), broken]);
  for (const [pw, form] of tries) {
    budget.charge(mac.iterations, 1);
    const computed = computeMac(mac.hash, pw, mac.salt, mac.iterations, authSafe);
    if (computed.length === mac.digest.length && timingSafeEqual(computed, mac.digest)) return form;
  }
  throw new CodecError('integrity', FORMAT, 'keystore password is incorrect or the file was changed');
}

/**
 * PKCS12KeyStore.engineGetKey: the PrivateKeyInfo DER of a key entry's shrouded key
 * (`protectedKey` from decodePkcs12), decrypted with the password given for the key (keytool and
 * openssl encrypt keys under the store password; the JDK API and openssl -twopass under one of
 * their own). A non-ASCII password is also tried as OpenSSL before 1.1.0 encoded it. A wrong
 * password is CodecError('password').
 */
export function pkcs12RecoverKey(protectedKey: Der, password: string, budget: KdfBudget = new KdfBudget(FORMAT)): Der {
  try {
    return decryptEpki(protectedKey, password, FORMAT, budget);
  } catch (e) {
    const broken = opensslPre110Password(password);
    if (broken === undefined || !(e instanceof CodecError) || e.kind !== 'password') throw e;
    return decryptEpki(protectedKey, broken, FORMAT, budget);
  }
}

export interface Pkcs12EncodeOptions {
  /** The JDK legacy layout (-J-Dkeystore.pkcs12.legacy): 3DES keys, RC2-40 certificates, SHA-1 MAC. */
  legacy?: boolean;
  /** Iterations for key, certificate and MAC protection alike (default: the JDK's for the layout). */
  iterations?: number;
  /**
   * The password a key to be protected is encrypted with (PKCS12KeyStore.engineSetKeyEntry takes
   * one per entry; Java reads it back with KeyStore.getKey(alias, password)). Default: the store
   * password, which is all keytool uses.
   */
  keyPassword?: (entry: StoredKeyEntry) => string;
  /** Certificate bags that are no entry, written back as read. */
  loose?: readonly LooseCertificate[];
}

/** JDK 17 defaults (PKCS12KeyStore DEFAULT_* and LEGACY_* constants). */
const DEFAULT_ITERATIONS = 10_000;
const LEGACY_PBE_ITERATIONS = 50_000;
const LEGACY_MAC_ITERATIONS = 100_000;
const SALT_LENGTH = 20;
/** PBEWithHmacSHA256AndAES_256 as PKCS12KeyStore writes it: 20-byte salt, keyLength included. */
const JDK_PBES2 = { cipher: 'aes-256-cbc', prf: 'sha256', iterations: DEFAULT_ITERATIONS, saltLength: SALT_LENGTH, includeKeyLength: true } as const;

/**
 * A secret key's SecretBag (StoredSecretEntry.secretBag) encrypted again under `to`, as keytool
 * -storepasswd does for the secret keys it protects with the store password: undefined when `from`
 * does not open it (a secret key with a password of its own, which keeps it) or the bag is not in
 * the JDK's form. Never more than the key's bytes leave this function, and only encrypted.
 */
export function pkcs12ReprotectSecret(secretBag: Der, from: string, to: string, budget: KdfBudget = new KdfBudget(FORMAT)): Der | undefined {
  const epki = secretBagEpki(secretBag);
  if (epki === undefined) return undefined;
  const parsed = parseEncryptedPrivateKeyInfo(epki, FORMAT, true);
  let plain: Uint8Array;
  try {
    plain = decryptWithAlgorithm(parsed.algorithm, from, parsed.encryptedData, FORMAT, budget);
  } catch (e) {
    if (e instanceof CodecError && e.kind === 'password') return undefined;
    throw e;
  }
  const enc = encryptPbes2(plain, to, JDK_PBES2);
  plain.fill(0);
  return encodeSecretBag(encodeEncryptedKey(enc.algorithm, enc.ciphertext));
}

/**
 * Encodes entries as JDK 17 keytool does (src/codec/pkcs12/encode.ts): keys under PBES2
 * AES-256-CBC (3DES in the legacy layout), certificates likewise (RC2-40), an HMAC-SHA256 MAC
 * (SHA-1). A key made or recovered is encrypted under its key password (opts.keyPassword); a key
 * read from a PKCS#12 file and not decrypted is written back as it was, under the password it was
 * read with, as engineStore does. Non-ASCII passwords follow OpenSSL
 * (UTF-8 for PBKDF2, UTF-16 for the MAC); JDK 17 cannot open such files (keystore-formats.md 3.3).
 */
export function encodePkcs12(entries: readonly Pkcs12Entry[], password: string, opts: Pkcs12EncodeOptions = {}): Uint8Array {
  const legacy = opts.legacy ?? false;
  const pbeIterations = opts.iterations ?? (legacy ? LEGACY_PBE_ITERATIONS : DEFAULT_ITERATIONS);
  const macIterations = opts.iterations ?? (legacy ? LEGACY_MAC_ITERATIONS : DEFAULT_ITERATIONS);
  const pbes2 = { ...JDK_PBES2, iterations: pbeIterations };
  const pbe = { iterations: pbeIterations, saltLength: SALT_LENGTH };
  return assemblePkcs12(entries, {
    shroudKey(pkcs8, entry) {
      const keypass = opts.keyPassword?.(entry) ?? password;
      const enc = legacy ? encryptPkcs12Pbe(pkcs8, keypass, 'pbeWithSHAAnd3-KeyTripleDES-CBC', pbe) : encryptPbes2(pkcs8, keypass, pbes2);
      return encodeEncryptedKey(enc.algorithm, enc.ciphertext);
    },
    encryptSafe(contents) {
      return legacy ? encryptPkcs12Pbe(contents, password, 'pbeWithSHAAnd40BitRC2-CBC', pbe) : encryptPbes2(contents, password, pbes2);
    },
    mac(authSafe) {
      const hash = legacy ? 'sha1' : 'sha256';
      const salt = new Uint8Array(randomBytes(SALT_LENGTH));
      return { hash, salt, iterations: macIterations, digest: computeMac(hash, bmpPassword(password), salt, macIterations, authSafe) };
    },
  }, opts.loose);
}
