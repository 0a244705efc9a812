/**
 * Errors raised by the codecs. They carry no file name (codecs see only bytes); the keystore
 * layer adds the file when it turns them into a user-facing error (exit code 3).
 */
export type CodecErrorKind =
  | 'format' // the bytes are not what they claim to be (short, lying length, bad tag)
  | 'integrity' // a MAC or digest over the file does not match (wrong password or a damaged file)
  | 'password' // a key or store could not be decrypted with the password given
  | 'unsupported' // well-formed, but something mailcert does not handle (named in the message)
  | 'limit'; // asks for more work than mailcert spends on one file (crypto/kdf.ts KdfBudget)

export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    readonly kind: CodecErrorKind,
    /** Which format was being read: "JKS", "PKCS#12", "PEM", "X.509", ... */
    readonly format: string,
    /** What is wrong, without the format and offset the message adds. */
    readonly detail: string,
    /** Byte offset in the input where the problem was found, when it is meaningful. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? `${format}: ${detail}` : `${format}: ${detail} (at byte ${offset})`);
  }
}
