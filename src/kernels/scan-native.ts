/**
 * Typed wrapper of the native decode-and-scan search (native/decode_scan.h): decodes
 * a code arena block by block and keeps, per query, the k nearest live slots by
 * squared L2 distance on the sphere (2 − 2⟨q, x⟩), ascending, ties by smaller slot,
 * and beside them the other slots tied at the k-th distance. With `ranges` each query
 * scans only its slot ranges (a single query then splits its slots over the threads).
 * SIMD level: see setIsa() in ./addon; threads: SPREADVEC_THREADS or all cores.
 */
import { addon, type RawAddon } from './addon';

/** Inputs of a scan; see decodeScan. */
export interface ScanInput {
  /** n codes of the Zn codec for (dim, r2), `codeBytes` bytes each, slot i at i × codeBytes. */
  codes: Uint8Array;
  /** Number of slots to scan. */
  n: number;
  /** Removed-slot bitmap (bit i of byte i >> 3, LSB first), or null when none. */
  removed: Uint8Array | null;
  /** Lattice dimension (= query dimension). */
  dim: number;
  /** Squared radius of the Zn sphere. */
  r2: number;
  /** nq × dim unit query vectors. */
  queries: Float32Array;
  /** Results per query (may exceed the number of live slots: the rest is padding). */
  k: number;
  /** Worker threads (default: SPREADVEC_THREADS or the core count). */
  threads?: number;
  /**
   * Scan only these slot ranges (the probed lists of a partitioned index): half-open
   * (start, end) pairs, concatenated; query i's are pairs `rangeOffsets[i] ..
   * rangeOffsets[i + 1])`. One query's ranges must be disjoint and inside [0, n)
   * (empty ones are allowed). Absent: every query scans [0, n). Give both or neither.
   */
  ranges?: Int32Array;
  /** nq + 1 non-decreasing offsets into the pairs of `ranges`, from 0 to ranges.length / 2. */
  rangeOffsets?: Int32Array;
  /**
   * A decoded cache: n × dim int8 lattice points of the codes (`decode(…, 'int8')`).
   * Rows are read from it instead of decoding the codes: the same results, without
   * the decoding (the bulk of a scan's time).
   */
  decoded?: Int8Array;
}

/** nq × k results, best first: slot −1 and distance +Infinity pad missing places. */
export interface ScanResult {
  slots: Int32Array;
  distances: Float32Array;
  /**
   * The other live slots at each query's k-th distance, which the k places could not
   * hold: query i's are `tieSlots[tieOffsets[i] .. tieOffsets[i + 1])`, in no order.
   * With them a caller breaks ties by another key (the Index: by id) in one scan.
   */
  tieSlots: Int32Array;
  /** nq + 1 offsets into tieSlots. */
  tieOffsets: Int32Array;
}

function args(s: ScanInput): Parameters<RawAddon['decodeScan']> {
  // Absent options travel as undefined: the binding treats them as not given.
  return [s.codes, s.n, s.removed, s.dim, s.r2, s.queries, s.k, s.threads, s.ranges, s.rangeOffsets, s.decoded];
}

/**
 * Runs the scan on a libuv worker. The inputs are copied first, except those in a
 * SharedArrayBuffer, which are read in place (changing them meanwhile changes the
 * answer, never safety): detaching or reusing a plain buffer meanwhile is safe.
 */
export function decodeScan(input: ScanInput): Promise<ScanResult> {
  return addon().decodeScan(...args(input));
}

/** Same on the calling thread (for small scans). */
export function decodeScanSync(input: ScanInput): ScanResult {
  return addon().decodeScanSync(...args(input));
}
