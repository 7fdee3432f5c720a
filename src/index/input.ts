/**
 * Checks and conversions of what callers hand the Index: option objects, vectors
 * (typed arrays or rows), ids and the quantizer name. Argument mistakes are
 * TypeError/RangeError naming the argument; vectors of the wrong dimension are a
 * DimensionMismatchError.
 */
import { parseZnSpec } from '../lattice/zn-spec';
import { MAX_ID, METRICS, VECTOR_TYPES, type Metric, type VectorType } from '../../storage/layout';
import { DimensionMismatchError } from '../errors';
import { ZnCodec } from '../lattice/zn-codec';
import { assertFinite, assertInteger, assertKnownOptions } from '../validate';
import { checkFieldName, checkMetadata, checkSchema, type Metadata, type MetadataValue, type Schema } from '../filter';
import {
  CREATE_OPTIONS,
  MAX_SEARCH_RESULTS,
  MAX_THREADS,
  OPEN_OPTIONS,
  PARTITION_OPTIONS,
  SEARCH_OPTIONS,
  TRAIN_OPTIONS,
  type IdsInput,
  type IndexCreateOptions,
  type IndexTrainOptions,
  type IndexOpenOptions,
  type MetadataInput,
  type PartitionOptions,
  type SearchOptions,
  type VectorsInput,
} from './options';

/** Throws unless `v` is a valid compactAt option: false or a number in (0, 1]. */
function checkCompactAt(v: unknown): void {
  if (v === undefined || v === false) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1) {
    throw new RangeError(`options.compactAt must be false or a fraction in (0, 1], got ${String(v)}`);
  }
}

/** Throws unless `v` is a valid cache option: 'none' or 'int8'. */
function checkCache(v: unknown): void {
  if (v !== undefined && v !== 'none' && v !== 'int8') {
    throw new RangeError(`options.cache must be 'none' or 'int8', got ${typeof v === 'string' ? `'${v}'` : String(v)}`);
  }
}

/** Throws unless `path` and `options` are a valid Index.create call. */
export function checkCreateArgs(path: unknown, options: IndexCreateOptions): void {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  if (options === undefined || options === null || typeof options !== 'object') throw new TypeError('Index.create: options must be an object with dim (or catalyzer)');
  assertKnownOptions('Index.create', options, CREATE_OPTIONS);
  if (options.catalyzer === undefined && options.dim === undefined) {
    throw new TypeError('Index.create: give options.dim (an untrained index, trained later by index.train()) or options.catalyzer (a checkpoint)');
  }
  if (options.dim !== undefined) assertInteger('options.dim', options.dim, 1, 65536);
  if (options.metric !== undefined && !METRICS.includes(options.metric)) {
    throw new RangeError(`options.metric must be one of ${METRICS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(options.metric)}`);
  }
  if (options.dtype !== undefined && !VECTOR_TYPES.includes(options.dtype)) {
    throw new RangeError(`options.dtype must be one of ${VECTOR_TYPES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(options.dtype)}`);
  }
  if (options.fields !== undefined) checkSchema(options.fields, 'options.fields');
  if (options.dtype === 'uint8' && options.metric === 'cosine') {
    throw new RangeError("options.dtype 'uint8' cannot hold cosine's normalized vectors: use dtype 'float32'");
  }
  if (options.storeVectors !== undefined && typeof options.storeVectors !== 'boolean') {
    throw new TypeError(`options.storeVectors must be a boolean, got ${typeof options.storeVectors}`);
  }
  if (options.storeVectors === false && options.catalyzer === undefined) {
    throw new RangeError('options.storeVectors: false needs options.catalyzer (an index without a catalyzer searches and trains on its stored vectors)');
  }
  if (options.threads !== undefined) assertInteger('options.threads', options.threads, 1, MAX_THREADS);
  checkCompactAt(options.compactAt);
  checkCache(options.cache);
  if (options.quantizer !== undefined && typeof options.quantizer !== 'string') {
    throw new TypeError(`options.quantizer must be a string such as 'zn_79', got ${typeof options.quantizer}`);
  }
  if (options.quantizer !== undefined && parseZnSpec(options.quantizer) === undefined) {
    throw new RangeError(`options.quantizer must be 'zn_<r2>' (e.g. 'zn_79'), got '${options.quantizer}'`);
  }
  if (options.loadCatalyzer !== undefined && typeof options.loadCatalyzer !== 'function') {
    throw new TypeError('options.loadCatalyzer must be a function');
  }
}

/** Throws unless `options` are valid for Index.train. */
export function checkTrainArgs(options: IndexTrainOptions | undefined): void {
  assertKnownOptions('train', options, TRAIN_OPTIONS);
  if (!options) return;
  if (options.sampleSize !== undefined) assertInteger('options.sampleSize', options.sampleSize, 2);
  if (options.epochs !== undefined) assertInteger('options.epochs', options.epochs, 1, 10000);
  if (options.dint !== undefined) assertInteger('options.dint', options.dint, 1, 65536);
  if (options.dout !== undefined) assertInteger('options.dout', options.dout, 2, 512);
  if (options.seed !== undefined) assertInteger('options.seed', options.seed, 0);
  if (options.lambda !== undefined && (typeof options.lambda !== 'number' || !Number.isFinite(options.lambda) || options.lambda < 0)) {
    throw new RangeError(`options.lambda must be a finite number ≥ 0, got ${String(options.lambda)}`);
  }
  if (options.quantizer !== undefined && (typeof options.quantizer !== 'string' || parseZnSpec(options.quantizer) === undefined)) {
    throw new RangeError(`options.quantizer must be 'zn_<r2>' (e.g. 'zn_79'), got ${JSON.stringify(options.quantizer)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
  if (options.partition !== undefined && typeof options.partition !== 'boolean') throw new TypeError(`options.partition must be a boolean, got ${typeof options.partition}`);
}

/** Throws unless `path` and `options` are a valid Index.open call. */
export function checkOpenArgs(path: unknown, options: IndexOpenOptions): void {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  assertKnownOptions('Index.open', options, OPEN_OPTIONS);
  if (options.threads !== undefined) assertInteger('options.threads', options.threads, 1, MAX_THREADS);
  checkCompactAt(options.compactAt);
  checkCache(options.cache);
  if (options.readOnly !== undefined && typeof options.readOnly !== 'boolean') {
    throw new TypeError(`options.readOnly must be a boolean, got ${typeof options.readOnly}`);
  }
  if (options.loadCatalyzer !== undefined && typeof options.loadCatalyzer !== 'function') {
    throw new TypeError('options.loadCatalyzer must be a function');
  }
}

/**
 * The `metadata` argument of add, checked: n records (undefined entries: none) each
 * valid under `schema`, errors naming `metadata[i].field`. Null when absent or empty
 * of records.
 */
export function parseMetadata(metadata: unknown, n: number, schema: Schema | undefined): MetadataInput | null {
  if (metadata === undefined) return null;
  if (!Array.isArray(metadata)) throw new TypeError(`metadata must be an array of records (one per vector), got ${metadata === null ? 'null' : typeof metadata}`);
  if (metadata.length !== n) throw new RangeError(`metadata has ${metadata.length} records for ${n} vectors`);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (metadata[i] === undefined) continue;
    checkMetadata(metadata[i], schema, `metadata[${i}]`);
    any = true;
  }
  return any ? (metadata as MetadataInput) : null;
}

/**
 * The `patch` argument of update as what to set and what to unset per id: one patch
 * object for every id, or an array of one per id. A field set to null is unset; the
 * fields set are checked as metadata (`patch.price`, `patch[2].price`).
 */
export function parsePatch(patch: unknown, n: number, schema: Schema | undefined): { set: Metadata[]; unset: string[][] } {
  const one = (p: unknown, path: string): { set: Metadata; unset: string[] } => {
    if (typeof p !== 'object' || p === null || Array.isArray(p) || Object.getPrototypeOf(p) !== Object.prototype) {
      throw new TypeError(`${path} must be an object of field → value (null unsets a field), got ${p === null ? 'null' : Array.isArray(p) ? 'an array' : typeof p}`);
    }
    const set: Record<string, MetadataValue> = {};
    const unset: string[] = [];
    for (const [field, value] of Object.entries(p as Record<string, unknown>)) {
      if (value === null) {
        checkFieldName(field, path);
        unset.push(field);
      } else set[field] = value as MetadataValue;
    }
    checkMetadata(set, schema, path);
    return { set, unset };
  };
  if (Array.isArray(patch)) {
    if (patch.length !== n) throw new RangeError(`patch has ${patch.length} entries for ${n} ids`);
    const parts = patch.map((p, i) => one(p, `patch[${i}]`));
    return { set: parts.map((p) => p.set), unset: parts.map((p) => p.unset) };
  }
  const { set, unset } = one(patch, 'patch');
  return { set: new Array<Metadata>(n).fill(set), unset: new Array<string[]>(n).fill(unset) };
}

/** Throws unless `k` and `options` are valid for a search (nq rows checked by checkSearchSize). */
export function checkSearchArgs(k: unknown, options: SearchOptions | undefined): asserts k is number {
  assertKnownOptions('search', options, SEARCH_OPTIONS);
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new TypeError(`k must be an integer, got ${String(k)}`);
  if (k < 1) throw new RangeError(`k must be ≥ 1, got ${k}`);
  if (k > MAX_SEARCH_RESULTS) throw new RangeError(`k must be ≤ ${MAX_SEARCH_RESULTS} (2^24), got ${k}`);
  const nprobe = options?.nprobe;
  if (nprobe !== undefined && nprobe !== 'all') {
    if (typeof nprobe !== 'number' || !Number.isInteger(nprobe)) throw new TypeError(`options.nprobe must be an integer ≥ 1 or 'all', got ${typeof nprobe === 'string' ? `'${nprobe}'` : String(nprobe)}`);
    if (nprobe < 1) throw new RangeError(`options.nprobe must be ≥ 1 (or 'all'), got ${nprobe}`);
  }
}

/** Checks the options of Index.partition. */
export function checkPartitionArgs(options: PartitionOptions): void {
  assertKnownOptions('partition', options, PARTITION_OPTIONS);
  if (options.nlist !== undefined) {
    if (typeof options.nlist !== 'number' || !Number.isInteger(options.nlist)) throw new TypeError(`options.nlist must be an integer ≥ 1, got ${String(options.nlist)}`);
    if (options.nlist < 1) throw new RangeError(`options.nlist must be ≥ 1, got ${options.nlist}`);
  }
}

/** Throws unless nq × k results fit in one search. */
export function checkSearchSize(nq: number, k: number): void {
  if (nq * k > MAX_SEARCH_RESULTS) {
    throw new RangeError(`nq × k = ${nq} × ${k} results exceed the ${MAX_SEARCH_RESULTS} (2^24) one search returns; split the queries`);
  }
}

/** The `zn_<r2>` quantizer named `name`, at dimension `dout`. */
export function parseQuantizer(name: string, dout: number): { r2: number; codec: ZnCodec } {
  const r2 = parseZnSpec(name);
  if (r2 === undefined) throw new RangeError(`quantizer must be 'zn_<r2>' (e.g. 'zn_79'), got '${name}'`);
  let codec: ZnCodec;
  try {
    codec = new ZnCodec(dout, r2);
  } catch (e) {
    throw new RangeError(`quantizer ${name} cannot be used at dimension ${dout}: ${(e as Error).message}`);
  }
  if (codec.nv === 0n) throw new RangeError(`quantizer ${name} has no lattice points at dimension ${dout}`);
  return { r2, codec };
}

/**
 * `vectors` as n × din row-major values (typed arrays as given, rows converted to
 * float32); refuses non-finite values and zero vectors.
 */
export function parseRows(name: string, vectors: VectorsInput, din: number): { x: Float32Array | Uint8Array; n: number } {
  let x: Float32Array | Uint8Array;
  if (vectors instanceof Float32Array || vectors instanceof Uint8Array) {
    x = vectors;
  } else if (vectors instanceof Float64Array) {
    // NumPy's default dtype (readNpy of a float64 .npy): converted, and checked below
    // after the conversion (a value beyond float32's range becomes Infinity).
    x = Float32Array.from(vectors);
  } else if (Array.isArray(vectors)) {
    x = new Float32Array(vectors.length * din);
    vectors.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== din) {
        throw new RangeError(`${name}[${i}] must be an array of ${din} numbers, got ${Array.isArray(row) ? `${row.length} values` : typeof row}`);
      }
      for (let d = 0; d < din; d++) {
        if (typeof row[d] !== 'number') throw new TypeError(`${name}[${i}][${d}] must be a number, got ${typeof row[d]}`);
        x[i * din + d] = row[d];
      }
    });
  } else {
    throw new TypeError(`${name} must be a Float32Array, a Float64Array, a Uint8Array or an array of rows`);
  }
  if (x.length % din !== 0) {
    throw new DimensionMismatchError(`${name} has ${x.length} values, not a multiple of the index dimension ${din}`);
  }
  // (Rows given as arrays or float64 are checked after their float32 conversion, which may overflow.)
  if (x instanceof Float32Array) assertFinite(name, x);
  const n = x.length / din;
  // A zero vector has no direction: the sphere has no nearest point to give it.
  for (let i = 0; i < n; i++) {
    let zero = true;
    for (let d = i * din; zero && d < (i + 1) * din; d++) zero = x[d] === 0;
    if (zero) throw new RangeError(`${name} row ${i} is a zero vector (it has no direction to code or search by)`);
  }
  return { x, n };
}

/** `ids` (n of them) as bigints in [0, 2^63 − 1]. */
export function parseIds(ids: IdsInput, n: number): bigint[] {
  if (!Array.isArray(ids) && !(ids instanceof BigInt64Array)) {
    throw new TypeError('ids must be an array of bigints or numbers, or a BigInt64Array');
  }
  if (ids.length !== n) throw new RangeError(`ids has ${ids.length} entries for ${n} vectors`);
  const out: bigint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = ids[i] as unknown;
    let id: bigint;
    if (typeof v === 'bigint') id = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) id = BigInt(v);
    else throw new TypeError(`ids[${i}] must be an integer (bigint or safe number), got ${String(v)}`);
    if (id < 0n || id > MAX_ID) throw new RangeError(`ids[${i}] must be in [0, 2^63 − 1], got ${id}`);
    out[i] = id;
  }
  return out;
}

/**
 * Rows as the index keeps them: under `cosine` normalized to unit length (float32);
 * `stored` is their bytes in the index's dtype (a uint8 index takes only byte
 * values). `rows` is what the catalyzer and the exact scan see.
 */
export function prepareRows(
  name: string,
  x: Float32Array | Uint8Array,
  n: number,
  din: number,
  metric: Metric,
  dtype: VectorType,
): { rows: Float32Array | Uint8Array; stored: Uint8Array } {
  let rows: Float32Array | Uint8Array = x;
  if (metric === 'cosine') {
    const f = Float32Array.from(x);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let d = i * din; d < (i + 1) * din; d++) s += f[d] * f[d];
      const inv = 1 / Math.sqrt(s);
      if (!Number.isFinite(inv) || inv === 0) throw new RangeError(`${name} row ${i} cannot be normalized (its norm is ${Math.sqrt(s)})`);
      for (let d = i * din; d < (i + 1) * din; d++) f[d] *= inv;
    }
    rows = f;
  }
  if (dtype === 'uint8') {
    if (rows instanceof Uint8Array) return { rows, stored: rows };
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i];
      if (!Number.isInteger(v) || v < 0 || v > 255) {
        throw new RangeError(`${name} row ${Math.floor(i / din)} holds ${v} at dimension ${i % din}: this index stores uint8 vectors (integers 0–255)`);
      }
    }
    return { rows, stored: Uint8Array.from(rows) };
  }
  const f32 = rows instanceof Float32Array ? rows : Float32Array.from(rows);
  return { rows, stored: new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength) };
}

/** Throws unless `refine` is absent or an integer ≥ 1 with k × refine within one search. */
export function checkRefine(refine: unknown, k: number, nq: number): void {
  if (refine === undefined) return;
  if (typeof refine !== 'number' || !Number.isInteger(refine)) throw new TypeError(`options.refine must be an integer, got ${String(refine)}`);
  if (refine < 1) throw new RangeError(`options.refine must be ≥ 1, got ${refine}`);
  if (nq * k * refine > MAX_SEARCH_RESULTS) {
    throw new RangeError(`nq × k × refine = ${nq} × ${k} × ${refine} candidates exceed the ${MAX_SEARCH_RESULTS} (2^24) one search takes; split the queries`);
  }
}
