/**
 * The Index's public types: what it needs of an encoder, the options of create,
 * open and search, its inputs and its results, and the limits it enforces.
 */

/**
 * What the Index needs of a catalyzer: the Catalyzer class (src/catalyzer) fits;
 * so does any encoder that maps din-dimensional rows to dout-dimensional unit rows
 * and serializes itself into checkpoint bytes that `loadCatalyzer` reads back.
 */
export interface IndexEncoder {
  readonly din: number;
  readonly dout: number;
  /** n × din rows → n × dout unit rows. */
  encode(x: Float32Array | Uint8Array): Promise<Float32Array>;
  /**
   * Optional: the same in the calling thread. The Index uses it for a single query
   * while no other search runs, where a thread round trip costs more than one row's
   * forward pass (Catalyzer implements it).
   */
  encodeSync?(x: Float32Array | Uint8Array): Float32Array;
  /** Bytes from which the encoder is rebuilt when the index is reopened. */
  toCheckpoint(): Uint8Array;
  close(): Promise<void>;
}

/** Rebuilds an encoder from checkpoint bytes (default: Catalyzer.load). */
export type EncoderLoader = (checkpoint: Uint8Array) => Promise<IndexEncoder>;

import type { Metric, VectorType } from '../../storage/layout';
import type { CacheKind } from './decoded-cache';
import type { Metadata, MetadataValue, Schema, Where } from '../filter';

export type { Metric, VectorType } from '../../storage/layout';
export type { CacheKind } from './decoded-cache';

export interface IndexCreateOptions {
  /**
   * Input dimension. Required without a catalyzer (the index starts untrained);
   * with one it must equal the catalyzer's din when given.
   */
  dim?: number;
  /** `'l2'` (default), `'cosine'` (vectors normalized at the door) or `'ip'` (maximum inner product). */
  metric?: Metric;
  /** Element type of the stored vectors (default `'float32'`; `'uint8'` stores bytes, 1 B per value). */
  dtype?: VectorType;
  /**
   * Keep the input vectors beside the codes (default true): needed by get, refine
   * and train. `false` keeps the compact index of codes only (needs a catalyzer).
   */
  storeVectors?: boolean;
  /**
   * Path of a catalyzer checkpoint (.pth), its bytes, or a loaded catalyzer/encoder:
   * the index is trained from the start. Without it the index is untrained (exact
   * search) until `train()`.
   */
  catalyzer?: string | Uint8Array | IndexEncoder;
  /** `zn_<r2>` (default: 64-bit codes at the catalyzer's dout, `zn_79` at dout 24). */
  quantizer?: string;
  /** How to rebuild the encoder from stored checkpoint bytes (default Catalyzer.load). */
  loadCatalyzer?: EncoderLoader;
  /** Search threads, 1 to 1024 (default SPREADVEC_THREADS or the core count). */
  threads?: number;
  /** Automatic compaction threshold (see CompactAt; default DEFAULT_COMPACT_AT). */
  compactAt?: CompactAt;
  /**
   * `'int8'`: keep a decoded cache in memory, the lattice point of every code as
   * dout int8 values (24 bytes per vector at dout 24, reported by memoryBytes), so
   * that searches read it instead of decoding codes: the same answers, several times
   * faster scans. Rebuilt from the codes at open, never stored. Default `'none'`.
   */
  cache?: CacheKind;
  /**
   * Declared metadata fields, field → type (`{ price: 'number', tags: 'string[]' }`):
   * they are indexed in LMDB, so conditions on them are key-range scans, and records
   * must give them their type. Other fields are still allowed in records and
   * predicates (answered by reading the records). Stored in the index; fixed at creation.
   */
  fields?: Schema;
}

/**
 * When the Index compacts itself: after an add or remove commits, if removed and
 * replaced slots make up at least this fraction (0 < f ≤ 1) of all slots and there
 * are at least COMPACT_MIN_SLOTS slots, it calls compact(). `false` never does.
 * The setting belongs to the open Index, not to the stored index.
 */
export type CompactAt = number | false;

/** Default compactAt: half the slots dead, so the arena holds at most 2 × live codes. */
export const DEFAULT_COMPACT_AT = 0.5;

/** Fewest slots at which automatic compaction runs (one codes chunk): small indexes do not churn. */
export const COMPACT_MIN_SLOTS = 4096;

export interface IndexOpenOptions {
  /** Open for searching only (several processes may read while one writes). */
  readOnly?: boolean;
  loadCatalyzer?: EncoderLoader;
  threads?: number;
  /** As for Index.create (ignored when readOnly). */
  compactAt?: CompactAt;
  /** As for Index.create: the setting belongs to the open Index, not to the stored index. */
  cache?: CacheKind;
}

/** Options of one search. Unknown names are refused (a TypeError). */
export interface SearchOptions {
  /**
   * Re-rank: take the best `k × refine` candidates from the codes, score them
   * exactly against the stored vectors under the metric, return the best k.
   * An integer ≥ 1 (1: exact scores of the code's k best). Needs stored vectors;
   * an untrained index is exact already and ignores it.
   */
  refine?: number;
  /**
   * Only vectors whose metadata matches (docs/filtering.md): pre-filtering, the scan
   * skips the others as it skips removed ones, so a search returns k results whenever
   * k matching vectors are live. A vector without metadata is matched as `{}`.
   */
  where?: Where;

  /**
   * Partitioned index: how many of the lists nearest the query to scan, an integer
   * ≥ 1 (more than nlist scans them all), or `'all'` for the exhaustive scan of
   * every code (exactly the flat index's answers). Default DEFAULT_NPROBE. A flat
   * or untrained index scans everything and ignores it. With `refine`, the
   * candidates come from the probed lists.
   */
  nprobe?: number | 'all';
}

/** Options of Index.partition. */
export interface PartitionOptions {
  /** Number of lists (default about 4·√n, see defaultNlist); at most the live vectors. */
  nlist?: number;
}

/** What Index.partition did. */
export interface PartitionReport {
  /** Lists built; 0 when the index stays flat (fewer than FLAT_BELOW live vectors). */
  nlist: number;
}

/**
 * Changes of `Index.update`: each field takes its value; a field set to `null` is
 * removed from the record. Fields not named keep theirs.
 */
export type MetadataPatch = { readonly [field: string]: MetadataValue | null };

/** One metadata record per added row (`undefined`: none for that row). */
export type MetadataInput = readonly (Metadata | undefined)[];

/** Options of Index.train. */
export interface IndexTrainOptions {
  /** Training vectors sampled from the stored ones (default: FIT_DEFAULTS of spreadvec/train). */
  sampleSize?: number;
  epochs?: number;
  /** Hidden width of the catalyzer. */
  dint?: number;
  /** Output dimension = lattice dimension (default 24). */
  dout?: number;
  /** `zn_<r2>` to code with (default: the create option, else 64-bit codes at dout). */
  quantizer?: string;
  lambda?: number;
  seed?: number;
  /**
   * Partition the new codes into IVF lists after the switch (default true; an index
   * below FLAT_BELOW vectors stays flat either way). `false` leaves it flat: every
   * search scans every code.
   */
  partition?: boolean;
  /** Called as training goes (phases: neighbours, epoch, coding). */
  onProgress?: (p: TrainProgress) => void;
}

/** What Index.train reports as it goes. */
export interface TrainProgress {
  phase: 'neighbours' | 'epoch' | 'coding';
  epoch: number;
  epochs: number;
  done: number;
  total: number;
}

/** What Index.train did. */
export interface TrainReport {
  /** Vectors trained on and vectors coded. */
  trainSize: number;
  coded: number;
  epochs: number;
  din: number;
  dout: number;
  quantizer: string;
  /** Wall-clock seconds: fitting, then coding and switching. */
  fitSeconds: number;
  codeSeconds: number;
  /** Lists of the partition built after the switch (0: flat, below FLAT_BELOW vectors or `partition: false`). */
  nlist: number;
}

export const CREATE_OPTIONS: readonly (keyof IndexCreateOptions)[] = ['dim', 'metric', 'dtype', 'storeVectors', 'catalyzer', 'quantizer', 'loadCatalyzer', 'threads', 'compactAt', 'cache', 'fields'];
export const OPEN_OPTIONS: readonly (keyof IndexOpenOptions)[] = ['readOnly', 'loadCatalyzer', 'threads', 'compactAt', 'cache'];
export const SEARCH_OPTIONS: readonly (keyof SearchOptions)[] = ['refine', 'where', 'nprobe'];
export const PARTITION_OPTIONS: readonly (keyof PartitionOptions)[] = ['nlist'];
export const TRAIN_OPTIONS: readonly (keyof IndexTrainOptions)[] = ['sampleSize', 'epochs', 'dint', 'dout', 'quantizer', 'lambda', 'seed', 'partition', 'onProgress'];

/**
 * Most entries (nq × k) one search returns: 2^24, about 200 MB of ids and distances.
 * A larger request is refused at once with a RangeError rather than allocating for
 * minutes: split the queries into batches.
 */
export const MAX_SEARCH_RESULTS = 1 << 24;

/** Most search threads (the native kernels' own bound). */
export const MAX_THREADS = 1024;

/**
 * Input vectors: n × din row-major numbers (Float32Array, Uint8Array, rows, or
 * Float64Array — NumPy's default dtype — converted to float32).
 */
export type VectorsInput = Float32Array | Float64Array | Uint8Array | readonly (readonly number[])[];
/** Ids: non-negative integers below 2^63. */
export type IdsInput = readonly bigint[] | readonly number[] | BigInt64Array;

/**
 * Results of a batched search: nq × k row-major, best first (equal distances by
 * smaller id).
 */
export interface SearchResult {
  /** Ids; −1n where fewer than k vectors are live. */
  ids: BigInt64Array;
  /**
   * Ascending; +Infinity pads. Exact (untrained index) and refined searches give
   * the metric's distance between the query and the stored vector: `l2` the squared
   * L2 distance, `cosine` 1 − cos, `ip` the negated inner product. Searches on the
   * codes give the squared L2 distance on the catalyzer's sphere between the query's
   * output and the decoded code (2 − 2 cos, in [0, 4]) whatever the metric.
   */
  distances: Float32Array;
  nq: number;
  k: number;
}
