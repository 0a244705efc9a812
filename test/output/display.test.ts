import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shown } from '../../src/display.js';

test('shown escapes terminal controls, bidi overrides and lone surrogates, and nothing else', () => {
  assert.equal(shown('\x1b]0;PWNED\x07\x1b[2J'), '\\x1b]0;PWNED\\x07\\x1b[2J');
  assert.equal(shown('a\nb\r\tc\x7f\x9b'), 'a\\x0ab\\x0d\\x09c\\x7f\\x9b');
  assert.equal(shown('evil\u202egro.elpmaxe'), 'evil\\u202egro.elpmaxe');
  assert.equal(shown('\u2066x\u2069\u200e\u061c\u2028'), '\\u2066x\\u2069\\u200e\\u061c\\u2028');
  assert.equal(shown('lone \ud800 and \udc00'), 'lone \\ud800 and \\udc00');
  // Ordinary text, non-ASCII letters, emoji (a surrogate pair) and Windows paths are kept.
  for (const ok of ['CN=mail.example.com, O=Exämple GmbH', 'Zürich 東京 😀', 'C:\\certs\\mail.pem', '']) assert.equal(shown(ok), ok);
});
