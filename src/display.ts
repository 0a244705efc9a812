/**
 * Text that did not come from mailcert (certificate names and SANs, keystore aliases, a server's
 * greeting, file names) is escaped here, in one place, before it reaches a terminal: a hostile
 * certificate or server must not move the cursor, set the window title, clear the screen, start a
 * new line that looks like mailcert's own, or reverse the text around it (U+202E, "Trojan
 * Source", CVE-2021-42574). `--json` keeps the exact values; JSON escapes control characters
 * itself.
 *
 * Escaped: C0 controls and DEL (tab, newline and ESC included) and C1 controls as `\xHH`; the
 * Unicode bidi controls, line and paragraph separators, and lone surrogates as `\uXXXX`.
 * Everything else, non-ASCII letters included, is shown as it is.
 */

// C0, DEL, C1; ALM (U+061C); LRM, RLM (U+200E-F); LS, PS (U+2028-9); LRE..RLO (U+202A-E);
// LRI..PDI (U+2066-9); lone surrogates.
// With the u flag a surrogate range matches only a lone surrogate, never half of a pair.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/gu;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` safe to print on a terminal: see the file comment for what is escaped. */
export function shown(s: string): string {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(s) ? s.replace(UNSAFE, escapeOne) : s;
}
