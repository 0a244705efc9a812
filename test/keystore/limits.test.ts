// Bounded reads of descriptors: to the end or to the first line, never past the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstLine, readBounded } from '../../src/keystore/limits.js';
import { MailcertError } from '../../src/errors.js';
import { tempDir } from '../helpers/tools.js';

const dir = tempDir();

function read(content: string | Buffer | undefined, limit: number, untilNewline = false, path = join(dir, 'in')): Buffer {
  if (content !== undefined) writeFileSync(path, content);
  const fd = openSync(path, 'r');
  try {
    return readBounded(fd, path, 'password', limit, untilNewline);
  } finally {
    closeSync(fd);
  }
}

test('a whole file within the limit; one byte more is refused', () => {
  assert.equal(read('12345', 5).toString(), '12345');
  assert.throws(() => read('123456', 5), (e: unknown) => e instanceof MailcertError && e.exitCode === 3 && /too large for a password \(6 bytes; mailcert reads at most 5 bytes\)/.test(e.message));
});

test('the first line only: what follows it is not read, however long', () => {
  assert.equal(read('secret\r\nrest', 64, true).toString(), 'secret\r\n');
  assert.equal(firstLine(read('secret\r\nrest', 64, true)), 'secret');
  assert.equal(firstLine(read(Buffer.concat([Buffer.from('pw\n'), Buffer.alloc(1024 * 1024)]), 64, true)), 'pw');
  assert.equal(firstLine(read('no newline', 64, true)), 'no newline');
  // /dev/zero has no line feed: refused at the limit, not read forever.
  assert.throws(() => read(undefined, 65536, true, '/dev/zero'), /too large for a password \(more than 64 KiB/);
});

test('a pipe of unknown size is read in chunks up to the limit', () => {
  const fd = openSync('/dev/zero', 'r');
  try {
    assert.throws(() => readBounded(fd, '/dev/zero', 'keystore', 3 * 1024 * 1024), /\/dev\/zero: too large for a keystore \(more than 3 MiB/);
  } finally {
    closeSync(fd);
  }
});
