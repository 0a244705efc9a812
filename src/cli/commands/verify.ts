/** mailcert verify: not built yet; see the project's open issues. */
import { usageError } from '../../errors.js';

export function run(): Promise<void> {
  return Promise.reject(usageError('mailcert verify is not available in this version yet', 'run mailcert --help for the commands this version has'));
}
