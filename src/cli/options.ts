/** Reading commander's option values with their types. */
import type { GlobalOptions } from '../io.js';

export type Opts = Record<string, unknown> & GlobalOptions;

/** A string option's value, or undefined when it was not given. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A repeatable option's values in the order given (OptionDef.repeatable), or [] when it was not given. */
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
