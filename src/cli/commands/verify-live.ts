/** verify --connect: not built yet (the network client is in progress). */
import type { GlobalOptions, Io } from '../io.js';
import type { CommonOptions, VerifyReport } from '../../core/verify-offline.js';
import { usageError } from '../../errors.js';

export function verifyLive(_io: Io, _opts: Record<string, unknown> & GlobalOptions, _common: CommonOptions): Promise<VerifyReport[]> {
  return Promise.reject(usageError('verify --connect is not available in this version yet', 'verify files offline with --cert or --keystore'));
}
