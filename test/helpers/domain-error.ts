/** Core's errors in tests: a MailcertError whose message and hint name no flag (the commands word them). */
import assert from 'node:assert/strict';
import { MailcertError } from '../../src/errors.js';

/** The error `work` throws, which must be a MailcertError with no flag in its words. */
export async function domainError(work: () => unknown): Promise<MailcertError> {
  let thrown: unknown;
  try {
    await work();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof MailcertError, String(thrown));
  assert.doesNotMatch(`${thrown.message}\n${thrown.hint ?? ''}`, /(^|\s)--?[a-z]/, 'names no flag');
  return thrown;
}
