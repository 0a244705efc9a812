/**
 * JCEKS keystores (magic CECECECE), read only, following openjdk com/sun/crypto/provider/
 * JceKeyStore.java and keystore-formats.md section 2. The layout is JKS's (codec/jks.ts) plus:
 * - tag 1 keys are protected with PBEWithMD5AndTripleDES (or, in files that started as JKS, the
 *   Sun KeyProtector): their parameters are read here, the keys recovered by jceksRecoverKey
 *   (src/crypto/jceks.ts);
 * - tag 3 secret-key entries hold a Java-serialized SealedObjectForKeyProtector with no length
 *   prefix, so finding where one ends means walking the serialization stream (walkSealedKey).
 * mailcert lists secret keys but never decrypts or writes them; there is no JCEKS writer.
 */
import { ByteReader } from './bytes.js';
import { CodecError } from './errors.js';
import { OID } from './asn1/oid.js';
import { TAG, children, expectTag, item, readRoot, valueBytes } from './asn1/tlv.js';
import { encodeOidContents } from './asn1/writer.js';
import { decodeJavaKeyStore, JCEKS_MAGIC, JKS_MAGIC, type DecodedKeyStore, type JavaKeyStoreDialect } from './jks.js';
import type { StoredSecretEntry } from './model.js';
import { decodeMutf8, readJavaUtf } from './mutf8.js';

/** PBEWithMD5AndTripleDES (KnownOIDs.JAVASOFT_JCEKeyProtector) as DER contents, as a JCEKS key names it. */
export const PBE_MD5_3DES_OID = encodeOidContents(OID.jceKeyProtector);


const JCEKS: JavaKeyStoreDialect = {
  format: 'JCEKS',
  // JceKeyStore.engineLoad accepts JKS files too ("Sun's keystore implementation in JDK 1.2").
  magics: [JCEKS_MAGIC, JKS_MAGIC],
  readSecret: walkSealedKey,
};

/** Decodes a JCEKS (or JKS) file; `storepass` works as in decodeJks. */
export function decodeJceks(bytes: Uint8Array, storepass?: string): DecodedKeyStore {
  return decodeJavaKeyStore(bytes, storepass, JCEKS);
}

/** com.sun.crypto.provider.KeyProtector.MAX_ITERATION_COUNT ("PBE iteration count too large"). */
const MAX_ITERATION_COUNT = 5_000_000;

/** PBEParameters: SEQUENCE { OCTET STRING salt, INTEGER iterationCount }; the salt is 8 bytes (PBES1Core). */
export function readJceksPbeParams(params: Uint8Array): { salt: Uint8Array; iterations: number } {
  const seq = expectTag(readRoot(params, 'JCEKS'), TAG.SEQUENCE, 'PBE parameters');
  const parts = children(seq);
  if (parts.length !== 2) throw new CodecError('format', 'JCEKS', 'PBE parameters: expected a salt and an iteration count', seq.offset);
  const s = expectTag(item(seq, parts, 0, 'PBE salt'), TAG.OCTET_STRING, 'PBE salt');
  const salt = valueBytes(s).slice();
  if (salt.length !== 8) throw new CodecError('format', 'JCEKS', `PBE salt is ${salt.length} bytes, PBEWithMD5AndTripleDES needs 8`, s.offset);
  const n = expectTag(item(seq, parts, 1, 'PBE iteration count'), TAG.INTEGER, 'PBE iteration count');
  const ib = valueBytes(n);
  if (ib.length === 0 || ib.length > 4 || ((ib[0] ?? 0) & 0x80) !== 0) {
    throw new CodecError('format', 'JCEKS', 'PBE iteration count is not a positive 32-bit INTEGER', n.offset);
  }
  let iterations = 0;
  for (const b of ib) iterations = iterations * 256 + b;
  if (iterations < 1 || iterations > MAX_ITERATION_COUNT) {
    throw new CodecError('unsupported', 'JCEKS', `PBE iteration count ${iterations} is outside 1..${MAX_ITERATION_COUNT}`);
  }
  return { salt, iterations };
}

// ---- Java serialization walker (java.io.ObjectInputStream; Object Serialization Spec 6.4) ----

const STREAM_MAGIC = 0xaced;
const STREAM_VERSION = 5;
const TC_NULL = 0x70;
const TC_REFERENCE = 0x71;
const TC_CLASSDESC = 0x72;
const TC_OBJECT = 0x73;
const TC_STRING = 0x74;
const TC_ARRAY = 0x75;
const TC_CLASS = 0x76;
const TC_BLOCKDATA = 0x77;
const TC_ENDBLOCKDATA = 0x78;
const TC_RESET = 0x79;
const TC_BLOCKDATALONG = 0x7a;
const TC_EXCEPTION = 0x7b;
const TC_LONGSTRING = 0x7c;
const TC_PROXYCLASSDESC = 0x7d;
const TC_ENUM = 0x7e;
const BASE_WIRE_HANDLE = 0x7e0000;
const SC_WRITE_METHOD = 0x01;
const SC_EXTERNALIZABLE = 0x04;
/** Far beyond SealedObject's two levels; only there to bound recursion on hostile input. */
const MAX_DEPTH = 32;

const PRIMITIVE_SIZES: Readonly<Record<string, number>> = { B: 1, C: 2, D: 8, F: 4, I: 4, J: 8, S: 2, Z: 1 };

const SEALED_CLASS = 'com.sun.crypto.provider.SealedObjectForKeyProtector';
const SEALED_SUPER = 'javax.crypto.SealedObject';

interface ClassDesc {
  name: string;
  flags: number;
  fields: { type: string; name: string }[];
  superDesc: ClassDesc | null;
}

type Handle =
  | { kind: 'classdesc'; desc: ClassDesc }
  | { kind: 'string'; value: string }
  | { kind: 'object'; desc: ClassDesc }
  | { kind: 'other' };

interface Walk {
  r: ByteReader;
  alias: string;
  handles: Handle[];
}

function unsupported(w: Walk, why: string, offset: number = w.r.offset): CodecError {
  return new CodecError('unsupported', 'JCEKS', `secret-key entry "${w.alias}" cannot be read by mailcert: ${why}`, offset);
}

/**
 * Reads a tag-3 entry's body: JceKeyStore.engineLoad opens a new ObjectInputStream on the file for
 * each entry and reads one object, a SealedObjectForKeyProtector (its DeserializationChecker
 * admits nothing else at the top, and only SealedObject, byte[] and strings below). The walker
 * follows the general grammar but refuses, rather than guesses at, what it cannot follow: class
 * writeObject/writeExternal data, proxies, exceptions and resets.
 */
function walkSealedKey(r: ByteReader, alias: string, created: Date): StoredSecretEntry {
  const w: Walk = { r, alias, handles: [] };
  const start = r.offset;
  const magic = r.u16('serialization stream magic');
  const version = r.u16('serialization stream version');
  if (magic !== STREAM_MAGIC || version !== STREAM_VERSION) {
    // ObjectInputStream.readStreamHeader: StreamCorruptedException("invalid stream header").
    throw r.fail(`secret-key entry "${alias}": invalid serialization stream header`, start);
  }
  const topAt = r.offset;
  const top = readContent(w, 0);
  const desc = top?.kind === 'object' ? top.desc : undefined;
  if (!desc || desc.name !== SEALED_CLASS || desc.superDesc?.name !== SEALED_SUPER || desc.superDesc.superDesc) {
    const what = desc ? `a ${desc.name}` : 'no object';
    throw unsupported(w, `it holds ${what}, not a ${SEALED_CLASS}`, topAt);
  }
  return { kind: 'secret', alias, created };
}

function handleAt(w: Walk): Handle {
  const at = w.r.offset;
  const h = w.r.u32('handle');
  const found = w.handles[h - BASE_WIRE_HANDLE];
  if (h < BASE_WIRE_HANDLE || !found) throw w.r.fail(`serialization reference 0x${h.toString(16)} points nowhere`, at);
  return found;
}

/** One content element (ObjectInputStream.readObject0); null for TC_NULL. */
function readContent(w: Walk, depth: number): Handle | null {
  const { r } = w;
  if (depth > MAX_DEPTH) throw unsupported(w, 'objects are nested too deeply');
  const at = r.offset;
  const tc = r.u8('serialization type code');
  switch (tc) {
    case TC_NULL:
      return null;
    case TC_REFERENCE:
      return handleAt(w);
    case TC_STRING: {
      const h: Handle = { kind: 'string', value: readJavaUtf(r, 'serialized string') };
      w.handles.push(h);
      return h;
    }
    case TC_LONGSTRING: {
      const n = r.u64Number('serialized long string length');
      const s = r.offset;
      const h: Handle = { kind: 'string', value: decodeMutf8(r.bytes(n, 'serialized long string'), r.format, s) };
      w.handles.push(h);
      return h;
    }
    case TC_CLASSDESC:
    case TC_PROXYCLASSDESC: {
      const desc = classDescAfterCode(w, tc, at, depth);
      return { kind: 'classdesc', desc };
    }
    case TC_OBJECT: {
      const desc = requireDesc(w, depth);
      const h: Handle = { kind: 'object', desc };
      w.handles.push(h);
      readClassData(w, desc, depth);
      return h;
    }
    case TC_ARRAY: {
      const desc = requireDesc(w, depth);
      readArray(w, desc, depth);
      return { kind: 'other' };
    }
    case TC_CLASS: {
      requireDesc(w, depth);
      const h: Handle = { kind: 'other' };
      w.handles.push(h);
      return h;
    }
    case TC_ENUM: {
      requireDesc(w, depth);
      const h: Handle = { kind: 'other' };
      w.handles.push(h);
      const nameAt = r.offset;
      if (readContent(w, depth + 1)?.kind !== 'string') throw r.fail('enum constant name is not a string', nameAt);
      return h;
    }
    case TC_RESET:
    case TC_EXCEPTION:
      throw unsupported(w, `the stream holds a ${tc === TC_RESET ? 'reset' : 'serialized exception'}`, at);
    default:
      // Includes block data where an object belongs: ObjectInputStream throws
      // StreamCorruptedException("invalid type code") / OptionalDataException.
      throw r.fail(`secret-key entry "${w.alias}": invalid serialization type code 0x${tc.toString(16)}`, at);
  }
}

/** A class descriptor where one is required (TC_OBJECT, TC_ARRAY, TC_CLASS, TC_ENUM). */
function requireDesc(w: Walk, depth: number): ClassDesc {
  const at = w.r.offset;
  const desc = readClassDesc(w, depth + 1);
  if (!desc) throw w.r.fail(`secret-key entry "${w.alias}": missing class descriptor`, at);
  return desc;
}

/** classDesc: TC_CLASSDESC ..., TC_PROXYCLASSDESC ..., TC_NULL or TC_REFERENCE to a descriptor. */
function readClassDesc(w: Walk, depth: number): ClassDesc | null {
  const { r } = w;
  if (depth > MAX_DEPTH) throw unsupported(w, 'class descriptors are nested too deeply');
  const at = r.offset;
  const tc = r.u8('class descriptor type code');
  if (tc === TC_NULL) return null;
  if (tc === TC_REFERENCE) {
    const h = handleAt(w);
    if (h.kind !== 'classdesc') throw r.fail('serialization reference is not a class descriptor', at);
    return h.desc;
  }
  if (tc === TC_CLASSDESC || tc === TC_PROXYCLASSDESC) return classDescAfterCode(w, tc, at, depth);
  throw r.fail(`secret-key entry "${w.alias}": expected a class descriptor, found type code 0x${tc.toString(16)}`, at);
}

/** ObjectInputStream.readNonProxyDesc after its type code; the handle is assigned first. */
function classDescAfterCode(w: Walk, tc: number, at: number, depth: number): ClassDesc {
  const { r } = w;
  if (tc === TC_PROXYCLASSDESC) throw unsupported(w, 'the stream holds a dynamic proxy class', at);
  const desc: ClassDesc = { name: '', flags: 0, fields: [], superDesc: null };
  w.handles.push({ kind: 'classdesc', desc });
  desc.name = readJavaUtf(r, 'class name');
  r.skip(8, 'serialVersionUID');
  const flagsAt = r.offset;
  desc.flags = r.u8('class flags');
  // Without a class's readObject/readExternal there is no way to know how much such data spans;
  // SealedObject and byte[] have neither.
  if (desc.flags & SC_EXTERNALIZABLE) throw unsupported(w, `class ${desc.name} is Externalizable`, flagsAt);
  if (desc.flags & SC_WRITE_METHOD) throw unsupported(w, `class ${desc.name} has its own writeObject data`, flagsAt);
  const countAt = r.offset;
  const count = r.u16('field count');
  if (count * 3 > r.remaining) throw r.fail(`field count ${count} is more than the input can hold`, countAt);
  for (let i = 0; i < count; i++) {
    const typeAt = r.offset;
    const type = String.fromCharCode(r.u8('field type code'));
    const name = readJavaUtf(r, 'field name');
    if (type === 'L' || type === '[') {
      const sigAt = r.offset;
      const sig = readContent(w, depth + 1);
      if (sig?.kind !== 'string') throw r.fail(`field ${name}: type signature is not a string`, sigAt);
    } else if (PRIMITIVE_SIZES[type] === undefined) {
      throw r.fail(`field ${name}: invalid field type code "${type}"`, typeAt);
    }
    desc.fields.push({ type, name });
  }
  skipAnnotation(w, depth);
  desc.superDesc = readClassDesc(w, depth + 1);
  return desc;
}

/** classAnnotation / objectAnnotation: contents up to TC_ENDBLOCKDATA (annotateClass writes none). */
function skipAnnotation(w: Walk, depth: number): void {
  const { r } = w;
  for (;;) {
    const tc = r.peek('annotation');
    if (tc === TC_ENDBLOCKDATA) {
      r.skip(1);
      return;
    }
    if (tc === TC_BLOCKDATA) {
      r.skip(1);
      r.skip(r.u8('block data length'), 'block data');
    } else if (tc === TC_BLOCKDATALONG) {
      r.skip(1);
      const at = r.offset;
      const n = r.i32('block data length');
      if (n < 0) throw r.fail(`negative block data length ${n}`, at);
      r.skip(n, 'block data');
    } else {
      readContent(w, depth + 1);
    }
  }
}

/** classdata[]: each serializable class's field values, topmost superclass first. */
function readClassData(w: Walk, desc: ClassDesc, depth: number): void {
  const chain: ClassDesc[] = [];
  for (let d: ClassDesc | null = desc; d; d = d.superDesc) {
    if (chain.includes(d)) throw w.r.fail(`class ${d.name} is its own superclass`);
    chain.unshift(d);
  }
  for (const d of chain) {
    for (const f of d.fields) {
      const size = PRIMITIVE_SIZES[f.type];
      if (size !== undefined) w.r.skip(size, `field ${f.name}`);
      else readContent(w, depth + 1);
    }
  }
}

/** TC_ARRAY after its descriptor: newHandle, int size, values. */
function readArray(w: Walk, desc: ClassDesc, depth: number): void {
  const { r } = w;
  if (!desc.name.startsWith('[')) throw r.fail(`array class ${desc.name} is not an array type`);
  const sizeAt = r.offset;
  const size = r.i32('array length');
  w.handles.push({ kind: 'other' });
  if (size < 0) throw r.fail(`negative array length ${size}`, sizeAt);
  const elem = desc.name.charAt(1);
  const width = PRIMITIVE_SIZES[elem];
  if (width !== undefined) {
    if (size > Math.floor(r.remaining / width)) {
      throw r.fail(`array length ${size} is more than the remaining ${r.remaining} bytes can hold`, sizeAt);
    }
    r.skip(size * width);
    return;
  }
  if (elem !== 'L' && elem !== '[') throw r.fail(`array class ${desc.name} has an invalid element type`);
  if (size > r.remaining) throw r.fail(`array length ${size} is more than the remaining ${r.remaining} bytes can hold`, sizeAt);
  for (let i = 0; i < size; i++) readContent(w, depth + 1);
}
