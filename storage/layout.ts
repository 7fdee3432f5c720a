/**
 * The on-disk layout of an index: the one place that knows LMDB database names,
 * keys and value encodings (docs/format.md describes it for readers of the files).
 *
 * Format 2 seals every value with a CRC-32 (zlib's) that also covers its key, so
 * that a flipped byte or a value found under the wrong key is noticed when read;
 * format 1 (no checksums) is still read and written as it is. Format 3 adds the
 * stored vectors, the metric and the untrained state: the lattice side of the
 * config (dout, quantizer, catalyzer) moves to its own `model` record, absent until
 * the index is trained and rewritten by each training. Formats 1 and 2 are read as
 * trained L2 indexes without stored vectors (their model lives in `config`).
 *
 * One LMDB environment per index directory (`<dir>/index.mdb`), with named databases:
 * - `meta`   (msgpack values): `format`, `config`, `state` and (format 3, once
 *            trained) `model` records;
 * - `blobs`  (binary values):  `catalyzer` → the catalyzer checkpoint bytes;
 * - `codes`  (uint32 key = chunk number): CODES_PER_CHUNK codes of `codeBytes` bytes,
 *            concatenated (the last chunk may be shorter);
 * - `removed`(uint32 key = chunk number): REMOVED_CHUNK_BYTES of removed-slot bitmap;
 * - `ids`    (8-byte big-endian id → 4-byte little-endian slot): live ids;
 * - `slots`  (uint32 slot → 8-byte little-endian id): the reverse map, live slots only;
 * - `vectors`(format 3, uint32 slot → din values in the config's dtype, little-endian):
 *            the stored input vectors, when the index keeps them;
 * - `metadata` (uint32 slot → sealed metadata record, live slots with a record only)
 *   and `metadata-index` (field, value, slot keys of the schema's fields): written
 *   by storage/metadata.ts, which knows their encodings (storage/metadata-codec.ts).
 *   Absent in indexes written before metadata existed (read as no records).
 * - `lists`  (format 3, partitioned; uint32 slot → int32 list id, little-endian): the
 *            list of each tail slot (slots ≥ the partition's groupedEnd, appended
 *            since it was built). A partitioned index also has a `partition` meta
 *            record (nlist, listStart) and its centroids in `blobs/centroids`
 *            (nlist × dout float32, little-endian).
 */

import { crc32 } from 'node:zlib';

import { schemaKey, type Schema } from '../src/filter';

/** Name written in the `format` record: tells a spreadvec index from other LMDB files. */
export const FORMAT_NAME = 'spreadvec-index';
/** Format version this code writes and the newest it reads. */
export const FORMAT_VERSION = 3;
/** First format version with stored vectors, metrics and the `model` record. */
export const VECTORS_FORMAT = 3;
/** Oldest format version this code reads (and keeps writing in its own layout). */
export const OLDEST_FORMAT_VERSION = 1;
/** First format version whose values carry checksums. */
const CHECKSUMMED_FORMAT = 2;

/** File name of the LMDB environment inside an index directory. */
export const DATA_FILE = 'index.mdb';
/** LMDB's lock file next to it. */
export const LOCK_FILE = 'index.mdb-lock';

export const DB = {
  meta: 'meta',
  blobs: 'blobs',
  codes: 'codes',
  removed: 'removed',
  ids: 'ids',
  slots: 'slots',
  vectors: 'vectors',
  metadata: 'metadata',
  metadataIndex: 'metadata-index',
  lists: 'lists',
} as const;

export const META_KEY = { format: 'format', config: 'config', state: 'state', model: 'model', partition: 'partition' } as const;
export const BLOB_KEY = { catalyzer: 'catalyzer', centroids: 'centroids' } as const;

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

function encodeSlot(slot: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(slot);
  return b;
}

function decodeSlot(b: Uint8Array): number {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(0);
}

function encodeId(id: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(id);
  return b;
}

function decodeId(b: Uint8Array): bigint {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64LE(0);
}

const CRC_BYTES = 4;

/** CRC-32 table (zlib's reflected polynomial 0xEDB88320). */
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Bytes at which zlib.crc32 (a native call) beats the table loop. */
const NATIVE_CRC_FROM = 64;

/**
 * zlib.crc32(bytes, prev) for any length: the ids and slots values are 4–8 bytes
 * and read k × nq times per search, where the native call's overhead dominates.
 */
function crcUpdate(prev: number, bytes: Uint8Array): number {
  if (bytes.byteLength >= NATIVE_CRC_FROM) return crc32(bytes, prev);
  let c = ~prev;
  for (let i = 0; i < bytes.byteLength; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of `key` then `payload`. */
function crcOf(key: Uint8Array, payload: Uint8Array): number {
  return crcUpdate(crcUpdate(0, key), payload);
}

function uint32Key(key: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(key);
  return b;
}

/** `payload` followed by CRC-32(key bytes, payload), little-endian. */
export function seal(key: Uint8Array, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.byteLength + CRC_BYTES);
  out.set(payload, 0);
  out.writeUInt32LE(crcOf(key, payload), payload.byteLength);
  return out;
}

/** The payload of a sealed value, or null when the checksum does not match. */
export function unseal(key: Uint8Array, value: Uint8Array): Buffer | null {
  if (value.byteLength < CRC_BYTES) return null;
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const payload = b.subarray(0, b.length - CRC_BYTES);
  return crcOf(key, payload) === b.readUInt32LE(b.length - CRC_BYTES) ? payload : null;
}

/**
 * Value codecs for one format version: chunks (codes, removed bitmap) keyed by
 * chunk number, and the two id maps. `decode*` return null for a value that is not
 * what the layout says (wrong length, checksum mismatch).
 */
export interface ValueCodec {
  readonly checksums: boolean;
  encodeChunk(chunk: number, payload: Uint8Array): Buffer;
  decodeChunk(chunk: number, value: Uint8Array): Buffer | null;
  /** Value of `ids` for key idKey(id). */
  encodeSlotOf(id: bigint, slot: number): Buffer;
  decodeSlotOf(id: bigint, value: Uint8Array): number | null;
  /** Value of `slots` for key slot. */
  encodeIdOf(slot: number, id: bigint): Buffer;
  decodeIdOf(slot: number, value: Uint8Array): bigint | null;
}

const plainCodec: ValueCodec = {
  checksums: false,
  encodeChunk: (_c, payload) => Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
  decodeChunk: (_c, value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  encodeSlotOf: (_id, slot) => encodeSlot(slot),
  decodeSlotOf: (_id, value) => (value.byteLength === 4 ? decodeSlot(value) : null),
  encodeIdOf: (_slot, id) => encodeId(id),
  decodeIdOf: (_slot, value) => (value.byteLength === 8 ? decodeId(value) : null),
};

const sealedCodec: ValueCodec = {
  checksums: true,
  encodeChunk: (c, payload) => seal(uint32Key(c), payload),
  decodeChunk: (c, value) => unseal(uint32Key(c), value),
  encodeSlotOf: (id, slot) => seal(idKey(id), encodeSlot(slot)),
  decodeSlotOf: (id, value) => {
    const p = value.byteLength === 8 ? unseal(idKey(id), value) : null;
    return p ? decodeSlot(p) : null;
  },
  encodeIdOf: (slot, id) => seal(uint32Key(slot), encodeId(id)),
  decodeIdOf: (slot, value) => {
    const p = value.byteLength === 12 ? unseal(uint32Key(slot), value) : null;
    return p ? decodeId(p) : null;
  },
};

export function valueCodec(version: number): ValueCodec {
  return version >= CHECKSUMMED_FORMAT ? sealedCodec : plainCodec;
}

/** CRC-32 of the JSON of `fields`: the checksum of a msgpack meta record (format 2). */
export function recordChecksum(fields: readonly unknown[]): number {
  return crc32(JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** How distances are measured: squared L2, cosine, or (maximum) inner product (see SearchResult.distances). */
export type Metric = 'l2' | 'cosine' | 'ip';
export const METRICS: readonly Metric[] = ['l2', 'cosine', 'ip'];
/** Element type of stored vectors: float32, or uint8 for byte data (SIFT-like descriptors). */
export type VectorType = 'float32' | 'uint8';
export const VECTOR_TYPES: readonly VectorType[] = ['float32', 'uint8'];

/** Static description of an index, written once at creation (`meta/config`). */
export interface IndexConfig {
  /** Input dimension (the catalyzer's din). */
  din: number;
  metric: Metric;
  /** Element type of the stored vectors (and of the vectors an add converts to). */
  dtype: VectorType;
  /** Whether the input vectors are stored beside the codes (get, refine, train). */
  storeVectors: boolean;
  /** Format 3, untrained: the `zn_<r2>` quantizer asked for at creation, for the training. */
  quantizer?: string;
  /** Format 3: the declared (indexed) metadata fields, when created with a schema. */
  fields?: Schema;
}

/** The catalyzer and lattice an index codes with (`meta/model`; formats 1–2: in `config`). */
export interface ModelConfig {
  /** Output dimension of the catalyzer = lattice dimension. */
  dout: number;
  /** Quantizer name, `zn_<r2>`. */
  quantizer: string;
  r2: number;
  /** Bits and bytes of one code. */
  nbit: number;
  codeBytes: number;
  /** Format ≥ 2: length and CRC-32 of the stored catalyzer checkpoint. */
  catalyzerBytes?: number;
  catalyzerCrc?: number;
}

/** Bytes of one stored vector. */
export function vectorBytes(c: IndexConfig): number {
  return c.din * (c.dtype === 'uint8' ? 1 : 4);
}

/** The fields of a format-1/2 `config` (the model's and din) its checksum covers, in a fixed order. */
export function legacyConfigFields(din: number, m: ModelConfig): unknown[] {
  return [din, m.dout, m.quantizer, m.r2, m.nbit, m.codeBytes, m.catalyzerBytes, m.catalyzerCrc];
}

/** The fields of a format-3 `config` its checksum covers. */
export function configFields(c: IndexConfig): unknown[] {
  const fields: unknown[] = [c.din, c.metric, c.dtype, c.storeVectors, c.quantizer ?? null];
  // Only with a schema: a config without one keeps the checksum it had before schemas.
  if (c.fields !== undefined) fields.push('fields', schemaKey(c.fields));
  return fields;
}

/** The fields of a `model` record its checksum covers. */
export function modelFields(m: ModelConfig): unknown[] {
  return [m.dout, m.quantizer, m.r2, m.nbit, m.codeBytes, m.catalyzerBytes, m.catalyzerCrc];
}

/**
 * The fields of `state` its checksum covers. `compactedAt` joins them only once an
 * index has been compacted, so a state never compacted keeps the checksum it had.
 */
export function stateFields(s: IndexState): unknown[] {
  const fields: unknown[] = [s.generation, s.nslots, s.live, s.nextId];
  if (s.compactedAt !== undefined) fields.push(s.compactedAt);
  if (s.trainedAt !== undefined) fields.push('trainedAt', s.trainedAt);
  if (s.partitionedAt !== undefined) fields.push('partitionedAt', s.partitionedAt);
  return fields;
}

/**
 * How a partitioned index groups its slots (`meta/partition`, format 3): list l
 * holds slots [listStart[l], listStart[l + 1]); slots from listStart[nlist]
 * (groupedEnd) on are the tail, whose lists the `lists` database holds. The
 * centroids (nlist × dim unit rows, catalyzer space) are in `blobs/centroids`.
 */
export interface PartitionRecord {
  nlist: number;
  /** Centroid dimension (the model's dout). */
  dim: number;
  /** nlist + 1 non-decreasing offsets from 0. */
  listStart: Int32Array;
  /** Length and CRC-32 of the centroids blob. */
  centroidsBytes: number;
  centroidsCrc: number;
}

/** The fields of a `partition` record its checksum covers. */
export function partitionFields(p: PartitionRecord): unknown[] {
  return [p.nlist, p.dim, p.centroidsBytes, p.centroidsCrc, Array.from(p.listStart)];
}

/** Value of `lists` for key slot: the list id, sealed with the slot like a chunk. */
export function encodeListOf(codec: ValueCodec, slot: number, list: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32LE(list);
  return codec.encodeChunk(slot, b);
}

/** The list id of a `lists` value, or null when it is not one (length, checksum). */
export function decodeListOf(codec: ValueCodec, slot: number, value: Uint8Array): number | null {
  const p = codec.decodeChunk(slot, value);
  return p && p.byteLength === 4 ? p.readInt32LE(0) : null;
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
  /**
   * Generation committed by the last compaction (absent: never compacted). A holder
   * of codes from an older generation reloads them whole: compaction moves slots.
   */
  compactedAt?: number;
  /**
   * Generation committed by the last training (format 3; absent: never trained
   * here). It changes every code and the catalyzer: a holder of an older
   * generation reloads its model and its arena whole.
   */
  trainedAt?: number;
  /**
   * Generation committed by the last partition or regrouping compaction of a
   * partitioned index (format 3; absent: flat). A holder of an older one reloads
   * the partition (centroids, list offsets, tail lists) with its arena.
   */
  partitionedAt?: number;
}
