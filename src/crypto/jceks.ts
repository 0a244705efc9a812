/**
 * Recovering JCEKS private keys (com.sun.crypto.provider.KeyProtector, keystore-formats.md 2.2):
 * PBEWithMD5AndTripleDES (PBES1Core's DESede key derivation, two MD5 chains), or the Sun
 * KeyProtector for keys of files that started as JKS. The file layout is src/codec/jceks.ts's.
 */
import { createHash, hash } from 'node:crypto';
import { sameBytes } from '../codec/bytes.js';
import { CodecError } from '../codec/errors.js';
import { PBE_MD5_3DES_OID, readJceksPbeParams } from '../codec/jceks.js';
import { KEY_PROTECTOR_OID } from '../codec/jks.js';
import { oidText, parseEncryptedPrivateKeyInfo } from '../codec/pkcs8-encrypted.js';
import { recoverKeyProtector } from './jks-keyprotector.js';
import { KdfBudget } from './kdf.js';
import { cbcDecrypt, isOneSequence } from './pbe.js';

/**
 * com.sun.crypto.provider.KeyProtector.recover: returns the PKCS#8 PrivateKeyInfo DER of a JCEKS
 * key entry. PBEWithMD5AndTripleDES keys need a printable-ASCII password (PBEKey rejects others),
 * KeyProtector keys (JKS files loaded as JCEKS) take any password. The MD5 rounds are paid for from
 * `budget`, the file's when several keys of one file are recovered (kdf.ts).
 */
export function jceksRecoverKey(protectedKey: Uint8Array, keypass: string, budget: KdfBudget = new KdfBudget('JCEKS')): Uint8Array {
  const epki = parseEncryptedPrivateKeyInfo(protectedKey, 'JCEKS');
  if (sameBytes(epki.oid, KEY_PROTECTOR_OID)) return recoverKeyProtector(epki.encryptedData, keypass, 'JCEKS');
  if (!sameBytes(epki.oid, PBE_MD5_3DES_OID)) {
    throw new CodecError('unsupported', 'JCEKS', `key protection algorithm ${oidText(epki.oid, 'JCEKS')} is not supported`);
  }
  if (!epki.params) throw new CodecError('format', 'JCEKS', 'PBEWithMD5AndTripleDES key without PBE parameters');
  const { salt, iterations } = readJceksPbeParams(epki.params);
  if (!/^[\x20-\x7e]*$/.test(keypass)) {
    // PBEKey: InvalidKeySpecException("Password is not ASCII"); keytool cannot have used it.
    throw new CodecError('password', 'JCEKS', 'cannot recover key: JCEKS key passwords are printable ASCII');
  }
  const ct = epki.encryptedData;
  if (ct.length === 0 || ct.length % 8 !== 0) {
    throw new CodecError('format', 'JCEKS', `encrypted key is ${ct.length} bytes, not a whole number of 3DES blocks`);
  }
  // Two MD5 chains of `iterations`, one per salt half (deriveDesedeKey), paid for before they run.
  budget.charge(iterations, 2);
  const { key, iv } = deriveDesedeKey(Buffer.from(keypass, 'latin1'), salt, iterations);
  // A bad padding is PBES1Core.doFinal's BadPaddingException, which the JDK turns into
  // UnrecoverableKeyException. Padding alone passes a wrong password about once in 256 tries; the
  // JDK then fails parsing the PKCS#8. Same here: the plaintext must be exactly one DER SEQUENCE.
  const plain = cbcDecrypt('des-ede3-cbc', key, iv, ct);
  if (plain === undefined || !isOneSequence(plain, 'JCEKS', true)) {
    throw new CodecError('password', 'JCEKS', 'cannot recover key: the key password is incorrect');
  }
  return plain;
}

/**
 * PBES1Core.deriveCipherKey, DESede branch: if the salt halves are equal the first half is
 * reversed; each 4-byte half h gives x = MD5(h || pw), then x = MD5(x || pw) iterations-1 more
 * times; the two 16-byte results make 24 key bytes and an 8-byte IV.
 */
export function deriveDesedeKey(
  password: Uint8Array,
  saltIn: Uint8Array,
  iterations: number,
): { key: Uint8Array; iv: Uint8Array } {
  const salt = Uint8Array.from(saltIn);
  if (salt.subarray(0, 4).every((b, i) => b === salt[i + 4])) salt.subarray(0, 4).reverse();
  const out = new Uint8Array(32);
  // One reused x || pw buffer and crypto.hash: 200000 rounds (JDK 17's default) per half.
  const buf = new Uint8Array(16 + password.length);
  buf.set(password, 16);
  for (let half = 0; half < 2; half++) {
    let x: Uint8Array = createHash('md5').update(salt.subarray(half * 4, half * 4 + 4)).update(password).digest();
    for (let i = 1; i < iterations; i++) {
      buf.set(x, 0);
      x = hash('md5', buf, 'buffer');
    }
    out.set(x, half * 16);
  }
  return { key: out.subarray(0, 24), iv: out.subarray(24, 32) };
}

