/** Reading commander's option values with their types. */
import type { GlobalOptions } from '../io.js';

export type Opts = Record<string, unknown> & GlobalOptions;

/** A string option's value, or undefined when it was not given. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
