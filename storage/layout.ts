/**
 * The on-disk layout of an index: the one place that knows LMDB database names,
 * keys and value encodings (docs/format.md describes it for readers of the files).
 *
 * One LMDB environment per index directory (`<dir>/index.mdb`), with named databases:
 * - `meta`   (msgpack values): `format`, `config`, `state` records;
 * - `blobs`  (binary values):  `catalyzer` → the catalyzer checkpoint bytes;
 * - `codes`  (uint32 key = chunk number): CODES_PER_CHUNK codes of `codeBytes` bytes,
 *            concatenated (the last chunk may be shorter);
 * - `removed`(uint32 key = chunk number): REMOVED_CHUNK_BYTES of removed-slot bitmap;
 * - `ids`    (8-byte big-endian id → 4-byte little-endian slot): live ids;
 * - `slots`  (uint32 slot → 8-byte little-endian id): the reverse map, live slots only.
 */

/** Name written in the `format` record: tells a spreadvec index from other LMDB files. */
export const FORMAT_NAME = 'spreadvec-index';
/** Format version this code writes and the newest it reads. */
export const FORMAT_VERSION = 1;

/** File name of the LMDB environment inside an index directory. */
export const DATA_FILE = 'index.mdb';

export const DB = {
  meta: 'meta',
  blobs: 'blobs',
  codes: 'codes',
  removed: 'removed',
  ids: 'ids',
  slots: 'slots',
} as const;

export const META_KEY = { format: 'format', config: 'config', state: 'state' } as const;
export const BLOB_KEY = { catalyzer: 'catalyzer' } as const;

/** Codes per `codes` record: appends rewrite at most one partial chunk. */
export const CODES_PER_CHUNK = 4096;
/** Bytes per `removed` record (32768 slots). */
export const REMOVED_CHUNK_BYTES = 4096;
export const SLOTS_PER_REMOVED_CHUNK = REMOVED_CHUNK_BYTES * 8;

/** Largest id (ids are non-negative signed 64-bit integers). */
export const MAX_ID = (1n << 63n) - 1n;
/** Largest slot count (slots are 32-bit; search results carry them as Int32). */
export const MAX_SLOTS = 0x7fffffff;

/** Key of an id in the `ids` database: big-endian so LMDB orders keys as numbers. */
export function idKey(id: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(id);
  return b;
}

export function encodeSlot(slot: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(slot);
  return b;
}

export function decodeSlot(b: Uint8Array): number {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(0);
}

export function encodeId(id: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(id);
  return b;
}

export function decodeId(b: Uint8Array): bigint {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64LE(0);
}

/** Static description of an index, written once at creation (`meta/config`). */
export interface IndexConfig {
  /** Input dimension (the catalyzer's din). */
  din: number;
  /** Output dimension of the catalyzer = lattice dimension. */
  dout: number;
  /** Quantizer name, `zn_<r2>`. */
  quantizer: string;
  r2: number;
  /** Bits and bytes of one code. */
  nbit: number;
  codeBytes: number;
}

/** What changes with each committed add/remove (`meta/state`). */
export interface IndexState {
  /** Incremented by every committed add/remove: readers compare it before a search. */
  generation: number;
  /** Slots ever allocated (codes stored), removed ones included. */
  nslots: number;
  /** Live vectors. */
  live: number;
  /** Next id that an add without ids assigns. */
  nextId: bigint;
}
