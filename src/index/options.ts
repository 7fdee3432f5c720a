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
  /** Bytes from which the encoder is rebuilt when the index is reopened. */
  toCheckpoint(): Uint8Array;
  close(): Promise<void>;
}

/** Rebuilds an encoder from checkpoint bytes (default: Catalyzer.load). */
export type EncoderLoader = (checkpoint: Uint8Array) => Promise<IndexEncoder>;

export interface IndexCreateOptions {
  /** Path of a catalyzer checkpoint (.pth), its bytes, or a loaded catalyzer/encoder. */
  catalyzer: string | Uint8Array | IndexEncoder;
  /** `zn_<r2>` (default `zn_79`: 64-bit codes at dout 24). */
  quantizer?: string;
  /** How to rebuild the encoder from stored checkpoint bytes (default Catalyzer.load). */
  loadCatalyzer?: EncoderLoader;
  /** Search threads, 1 to 1024 (default SPREADVEC_THREADS or the core count). */
  threads?: number;
  /** Automatic compaction threshold (see CompactAt; default DEFAULT_COMPACT_AT). */
  compactAt?: CompactAt;
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
}

/**
 * Options of one search. None yet: the argument exists so that unknown names are
 * refused now (a TypeError), rather than silently ignored, before options such as
 * `nprobe` arrive.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SearchOptions {}

export const CREATE_OPTIONS: readonly (keyof IndexCreateOptions)[] = ['catalyzer', 'quantizer', 'loadCatalyzer', 'threads', 'compactAt'];
export const OPEN_OPTIONS: readonly (keyof IndexOpenOptions)[] = ['readOnly', 'loadCatalyzer', 'threads', 'compactAt'];
export const SEARCH_OPTIONS: readonly (keyof SearchOptions)[] = [];

/**
 * Most entries (nq × k) one search returns: 2^24, about 200 MB of ids and distances.
 * A larger request is refused at once with a RangeError rather than allocating for
 * minutes: split the queries into batches.
 */
export const MAX_SEARCH_RESULTS = 1 << 24;

/** Most search threads (the native kernels' own bound). */
export const MAX_THREADS = 1024;

/** Input vectors: n × din row-major numbers (Float32Array, Uint8Array or rows). */
export type VectorsInput = Float32Array | Uint8Array | readonly (readonly number[])[];
/** Ids: non-negative integers below 2^63. */
export type IdsInput = readonly bigint[] | readonly number[] | BigInt64Array;

/** Results of a batched search: nq × k row-major, best first. */
export interface SearchResult {
  /** Ids; −1n where fewer than k vectors are live. */
  ids: BigInt64Array;
  /** Squared L2 distances on the sphere (2 − 2 cos), ascending; +Infinity pads. */
  distances: Float32Array;
  nq: number;
  k: number;
}
