import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ByteReader, ByteWriter } from '../../src/codec/bytes.js';
import { CodecError } from '../../src/codec/errors.js';
import {
  decodeMutf8,
  encodeMutf8,
  MUTF8_MAX_BYTES,
  mutf8Length,
  readJavaUtf,
  writeJavaUtf,
} from '../../src/codec/mutf8.js';
import { fixturesDir } from '../helpers/tools.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function isCodecError(kind: CodecError['kind'], offset?: number) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    if (offset !== undefined) assert.equal(e.offset, offset);
    return true;
  };
}

void describe('modified UTF-8 encoding (DataOutputStream.writeUTF)', () => {
  void it('encodes ASCII as one byte each', () => {
    assert.equal(hex(encodeMutf8('X.509')), '582e353039');
  });

  void it('encodes U+0000 as C0 80, never as a zero byte', () => {
    assert.equal(hex(encodeMutf8('a\u0000b')), '61c08062');
    assert.equal(mutf8Length('\u0000'), 2);
  });

  void it('encodes 2- and 3-byte characters like UTF-8', () => {
    assert.equal(hex(encodeMutf8('é')), 'c3a9');
    assert.equal(hex(encodeMutf8('€')), 'e282ac');
    assert.equal(hex(encodeMutf8('\u07ff\u0800\uffff')), 'dfbfe0a080efbfbf');
  });

  void it('encodes a supplementary character as two 3-byte surrogates, not 4-byte UTF-8', () => {
    assert.equal(hex(encodeMutf8('😀')), 'eda0bdedb880');
    assert.notEqual(hex(encodeMutf8('😀')), Buffer.from('😀', 'utf8').toString('hex'));
    // keystore-formats.md 1.2: keytool stores alias "Ä😀x" (lowercased) as 00 09 c3 a4 ed a0 bd ed b8 80 78.
    const w = new ByteWriter();
    writeJavaUtf(w, 'ä😀x', 'TEST');
    assert.equal(hex(w.toBytes()), '0009c3a4eda0bdedb88078');
  });

  void it('matches the alias bytes keytool wrote into fixtures/jks/unicode.jks', () => {
    const file = readFileSync(join(fixturesDir, 'jks', 'unicode.jks'));
    // magic, version, count, tag: the alias starts at byte 16.
    const r = new ByteReader(file.subarray(16), 'JKS');
    assert.equal(readJavaUtf(r, 'alias'), 'ä😀x');
    assert.equal(hex(file.subarray(16, 27)), '0009c3a4eda0bdedb88078');
  });

  void it('round-trips every BMP code unit, lone surrogates included', () => {
    let s = '';
    for (let c = 0; c <= 0xffff; c += 7) s += String.fromCharCode(c);
    s += '\ud800x\udfff😀\u0000';
    const enc = encodeMutf8(s);
    assert.equal(enc.length, mutf8Length(s));
    assert.ok(!enc.includes(0), 'no zero bytes');
    assert.equal(decodeMutf8(enc, 'TEST'), s);
  });
});

void describe('modified UTF-8 decoding (DataInputStream.readUTF)', () => {
  void it('decodes C0 80 to U+0000 and surrogate pairs to the emoji', () => {
    assert.equal(decodeMutf8(Uint8Array.of(0xc0, 0x80), 'TEST'), '\u0000');
    assert.equal(decodeMutf8(Buffer.from('eda0bdedb880', 'hex'), 'TEST'), '😀');
  });

  void it('accepts the non-shortest forms readUTF accepts (raw 00, C1 81)', () => {
    assert.equal(decodeMutf8(Uint8Array.of(0x00), 'TEST'), '\u0000');
    assert.equal(decodeMutf8(Uint8Array.of(0xc1, 0x81), 'TEST'), 'A');
  });

  void it('rejects malformed input with a format error at the offending byte', () => {
    const cases: [string, number][] = [
      ['f09f9880', 0], // standard 4-byte UTF-8 for 😀: keytool's "malformed input"
      ['6180', 1], // a stray continuation byte
      ['61c3', 1], // 2-byte character cut short
      ['eda0', 0], // 3-byte character cut short
      ['c341', 0], // bad continuation byte
      ['e28241', 0], // bad third byte
      ['ff', 0],
    ];
    for (const [h, at] of cases) {
      assert.throws(() => decodeMutf8(Buffer.from(h, 'hex'), 'TEST', 100), isCodecError('format', 100 + at), h);
    }
  });

  void it('readJavaUtf bounds-checks the length prefix', () => {
    const r = new ByteReader(Uint8Array.of(0xff, 0xff, 0x61), 'JKS');
    assert.throws(() => readJavaUtf(r, 'alias'), isCodecError('format', 2));
  });
});

void describe('the 65535-byte limit of writeUTF', () => {
  const encodedLength = (s: string): number => {
    const w = new ByteWriter();
    writeJavaUtf(w, s, 'JKS', 'alias');
    const r = new ByteReader(w.toBytes(), 'JKS');
    assert.equal(readJavaUtf(r), s);
    return w.length - 2;
  };

  void it('accepts exactly 65535 encoded bytes', () => {
    assert.equal(MUTF8_MAX_BYTES, 65535);
    assert.equal(encodedLength('a'.repeat(65535)), 65535);
    assert.equal(encodedLength('€'.repeat(21845)), 65535);
    assert.equal(encodedLength('\u0000'.repeat(32767) + 'a'), 65535);
  });

  void it('refuses one byte more, counting NUL as two bytes and an emoji as six', () => {
    const tooLong = ['a'.repeat(65536), '€'.repeat(21846), '\u0000'.repeat(32768), '😀'.repeat(10923)];
    for (const s of tooLong) {
      const w = new ByteWriter();
      assert.throws(() => writeJavaUtf(w, s, 'JKS', 'alias'), isCodecError('unsupported'));
      assert.equal(w.length, 0, 'nothing written');
    }
    assert.equal(mutf8Length('😀'.repeat(10923)), 65538);
  });
});
