/** Io and GlobalOptions live in src/io.ts (output/ uses them too); verify's command files still import them from here. */
export type { GlobalOptions, Io, StdinRead } from '../io.js';
