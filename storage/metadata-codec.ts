/**
 * Byte encodings of metadata: records (values of the `metadata` database) and the
 * keys of the field index (`metadata-index`), whose byte order is the order of
 * (field, value, slot) so that equality, `in` and ranges are key-range scans.
 *
 * Written here rather than with lmdb-js's ordered-binary keys or msgpack values so
 * that the types stay apart exactly as predicates see them (5 and 5n are different
 * values; -0 is 0; strings sort by code point) and a record reads back with its types.
 */
import type { Metadata, MetadataValue, Scalar, ScalarType } from '../src/filter';

// Record layout: u8 field count, then per field: u8 name length, name (UTF-8), u8 tag, value.
// Scalar tags; an array is ARRAY | element tag, then u16 count, then the elements
// (the empty array has element tag 0).
const TAG = { false: 1, true: 2, number: 3, bigint: 4, string: 5 } as const;
const ARRAY = 0x10;
const BOOLEAN = 1;

function scalarTag(v: Scalar): number {
  switch (typeof v) {
    case 'boolean': return v ? TAG.true : TAG.false;
    case 'number': return TAG.number;
    case 'bigint': return TAG.bigint;
    default: return TAG.string;
  }
}

function scalarBytes(v: Scalar): number {
  return typeof v === 'string' ? 4 + Buffer.byteLength(v, 'utf8') : typeof v === 'boolean' ? 0 : 8;
}

/** Encodes a record that passed checkMetadata. */
export function encodeRecord(record: Metadata): Buffer {
  const names = Object.keys(record);
  let size = 1;
  for (const name of names) {
    const v = record[name];
    size += 2 + Buffer.byteLength(name, 'utf8');
    if (Array.isArray(v)) {
      size += 2;
      for (const e of v as readonly Scalar[]) size += scalarBytes(e) + (typeof e === 'boolean' ? 1 : 0);
    } else size += scalarBytes(v as Scalar);
  }
  const b = Buffer.allocUnsafe(size);
  let o = b.writeUInt8(names.length, 0);
  const writeScalar = (v: Scalar, withTag: boolean): void => {
    if (withTag) o = b.writeUInt8(scalarTag(v), o);
    if (typeof v === 'number') o = b.writeDoubleLE(v, o);
    else if (typeof v === 'bigint') o = b.writeBigInt64LE(v, o);
    else if (typeof v === 'string') {
      const n = b.write(v, o + 4, 'utf8');
      b.writeUInt32LE(n, o);
      o += 4 + n;
    } else if (!withTag) o = b.writeUInt8(v ? 1 : 0, o);
  };
  for (const name of names) {
    const n = b.write(name, o + 1, 'utf8');
    b.writeUInt8(n, o);
    o += 1 + n;
    const v = record[name];
    if (Array.isArray(v)) {
      const arr = v as readonly Scalar[];
      const tag = arr.length === 0 ? 0 : typeof arr[0] === 'boolean' ? BOOLEAN : scalarTag(arr[0]);
      o = b.writeUInt8(ARRAY | tag, o);
      o = b.writeUInt16LE(arr.length, o);
      for (const e of arr) writeScalar(e, false);
    } else writeScalar(v as Scalar, true);
  }
  return b;
}

/**
 * Decodes a record; null when the bytes are not one. With `only` (field names as
 * UTF-8 bytes), decodes just those fields and skips the others' values unread: a
 * record scan reads only the fields its predicate names.
 */
export function decodeRecord(b: Uint8Array, only?: FieldSelection, len = b.length): Metadata | null {
  const out: Record<string, MetadataValue> = {};
  if (len < 1) return null;
  const count = b[0];
  let o = 1;
  // Plain byte reads (no Buffer#read* calls, no closures): record scans decode
  // millions of these per search.
  for (let f = 0; f < count; f++) {
    if (o >= len) return null;
    const n = b[o];
    if (o + 2 + n > len) return null;
    const name = only ? selected(only, b, o + 1, n) : text(b, o + 1, o + 1 + n);
    o += 1 + n;
    const tag = b[o++];
    let count2 = 1;
    let el = tag;
    if (tag & ARRAY) {
      if (o + 2 > len) return null;
      count2 = b[o] | (b[o + 1] << 8);
      o += 2;
      el = tag & ~ARRAY;
      if (count2 > 0 && el === 0) return null;
    } else if (tag === TAG.false || tag === TAG.true) {
      if (name !== undefined) out[name] = tag === TAG.true;
      continue;
    }
    const values: Scalar[] | undefined = name !== undefined && tag & ARRAY ? [] : undefined;
    for (let i = 0; i < count2; i++) {
      let v: Scalar;
      if (el === TAG.number || el === TAG.bigint) {
        if (o + 8 > len) return null;
        if (name === undefined) {
          o += 8;
          continue;
        }
        v = el === TAG.number ? view(b).getFloat64(o, true) : view(b).getBigInt64(o, true);
        o += 8;
      } else if (el === TAG.string) {
        if (o + 4 > len) return null;
        const sl = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
        o += 4;
        if (o + sl > len) return null;
        if (name === undefined) {
          o += sl;
          continue;
        }
        v = text(b, o, o + sl);
        o += sl;
      } else if (el === BOOLEAN && tag & ARRAY) {
        if (o + 1 > len) return null;
        v = b[o++] === 1;
        if (name === undefined) continue;
      } else return null;
      if (values) values.push(v);
      else out[name as string] = v;
    }
    if (values) out[name as string] = values as MetadataValue;
  }
  return o === len ? out : null;
}

function utf8(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Field names to decode (decodeRecord's `only`), with their UTF-8 bytes. */
export type FieldSelection = readonly { readonly name: string; readonly bytes: Buffer }[];

export function fieldSelection(names: Iterable<string>): FieldSelection {
  return [...names].map((name) => ({ name, bytes: Buffer.from(name, 'utf8') }));
}

/** The selected name whose bytes are b[start, start + n), if any (a JS loop: no native call). */
function selected(only: FieldSelection, b: Uint8Array, start: number, n: number): string | undefined {
  next: for (const { name, bytes } of only) {
    if (bytes.length !== n) continue;
    for (let i = 0; i < n; i++) if (bytes[i] !== b[start + i]) continue next;
    return name;
  }
  return undefined;
}

/**
 * UTF-8 text of b[start, end): short ASCII strings (most names and tags) are built in
 * JS, which is several times faster than Buffer#toString's native call for them.
 */
function text(b: Uint8Array, start: number, end: number): string {
  if (end - start > 32) return utf8(b, start, end);
  let out = '';
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c >= 0x80) return utf8(b, start, end);
    out += String.fromCharCode(c);
  }
  return out;
}

// Index keys: escaped field name, 0x00 0x00, type tag, value bytes, slot (u32 big-endian).
// Escaping (0x00 → 0x00 0x01, then the 0x00 0x00 terminator) keeps the byte order of
// field names and strings and makes them prefix-free, so a slot cannot pass for text.
const KEY_TAG: Record<ScalarType, number> = { boolean: 1, number: 2, bigint: 3, string: 4 };
const SLOT_BYTES = 4;
/** Sorts after every slot of the value before it (slots are 4 bytes). */
const AFTER_SLOTS = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]);

function escaped(text: string): Buffer {
  const raw = Buffer.from(text, 'utf8');
  const zeros = raw.reduce((n, x) => n + (x === 0 ? 1 : 0), 0);
  const out = Buffer.allocUnsafe(raw.length + zeros + 2);
  let o = 0;
  for (const x of raw) {
    out[o++] = x;
    if (x === 0) out[o++] = 1;
  }
  out[o++] = 0;
  out[o++] = 0;
  return out;
}

/** Order-preserving bytes of a value (without the type tag). */
function valueBytes(v: Scalar): Buffer {
  switch (typeof v) {
    case 'boolean':
      return Buffer.from([v ? 1 : 0]);
    case 'number': {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleBE(v === 0 ? 0 : v); // -0 is 0
      // Positive: set the sign bit; negative: flip every bit (IEEE 754 order).
      if (b[0] & 0x80) for (let i = 0; i < 8; i++) b[i] ^= 0xff;
      else b[0] ^= 0x80;
      return b;
    }
    case 'bigint': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigUInt64BE(BigInt.asUintN(64, v) ^ (1n << 63n));
      return b;
    }
    default:
      return escaped(v);
  }
}

/** Key prefix of every entry of `field` with values of type `type`. */
export function fieldTypePrefix(field: string, type: ScalarType): Buffer {
  return Buffer.concat([escaped(field), Buffer.from([KEY_TAG[type]])]);
}

/** Key of (field, value, slot). */
export function indexKey(prefix: Buffer, value: Scalar, slot: number): Buffer {
  const v = valueBytes(value);
  const b = Buffer.allocUnsafe(prefix.length + v.length + SLOT_BYTES);
  prefix.copy(b, 0);
  v.copy(b, prefix.length);
  b.writeUInt32BE(slot, prefix.length + v.length);
  return b;
}

/** The slot of an index key. */
export function slotOfKey(key: Uint8Array): number {
  const n = key.length;
  return ((key[n - 4] << 24) | (key[n - 3] << 16) | (key[n - 2] << 8) | key[n - 1]) >>> 0;
}

/** [start, end) of the keys whose value is `value`. */
export function equalRange(prefix: Buffer, value: Scalar): [Buffer, Buffer] {
  const start = Buffer.concat([prefix, valueBytes(value)]);
  return [start, Buffer.concat([start, AFTER_SLOTS])];
}

/** [start, end) of the keys whose value lies within the bounds (absent: unbounded). */
export function boundRange(
  prefix: Buffer, lower: Scalar | undefined, lowerInclusive: boolean, upper: Scalar | undefined, upperInclusive: boolean,
): [Buffer, Buffer] {
  const start = lower === undefined ? prefix : Buffer.concat([prefix, valueBytes(lower), ...(lowerInclusive ? [] : [AFTER_SLOTS])]);
  let end: Buffer;
  if (upper === undefined) {
    end = Buffer.from(prefix);
    end[end.length - 1]++; // the next type tag
  } else end = Buffer.concat([prefix, valueBytes(upper), ...(upperInclusive ? [AFTER_SLOTS] : [])]);
  return [start, end];
}
