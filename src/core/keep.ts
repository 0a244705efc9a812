/**
 * What delete, rename and passwd share: an existing keystore read and written back under its
 * lock (keystore/lock.ts), so a change made meanwhile by another mailcert is waited for and one
 * made by keytool is refused, never overwritten. The write keeps the type, the owner, the group
 * and the mode (or takes --key-mode / --key-group); a refusal writes nothing.
 */
import { usageError } from '../errors.js';
import { withFileLock } from '../keystore/lock.js';
import { readKeystoreFile, type Keystore } from '../keystore/keystore.js';

/** Reads the keystore at `path` under its lock and runs `change` on it; `change` writes. */
export async function withKeystore<T>(path: string, storePassword: () => Promise<string>, change: (store: Keystore, storepass: string) => Promise<T>): Promise<T> {
  return withFileLock(path, 'keystore', async () => {
    const storepass = await storePassword();
    const store = await readKeystoreFile(path, () => Promise.resolve(storepass));
    // JCEKS is read to be converted (mailcert export), never written (keystore-formats.md 2).
    if (store.type === 'JCEKS') throw usageError(`${path}: refused: mailcert reads JCEKS keystores but does not write them`, 'convert it to JKS or PKCS#12 first with mailcert export');
    return change(store, storepass);
  });
}
