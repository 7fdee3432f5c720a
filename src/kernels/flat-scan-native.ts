/**
 * Typed wrapper of the native flat exact scan (native/flat_scan.h): the search of an
 * Index that has no catalyzer yet. Raw float32 vectors live in an arena (slot i at
 * i × dim) with a removed-slot bitmap; per query the k best live slots, ascending,
 * ties by smaller slot, and the other live slots tied at the k-th distance — the
 * same result shape and tie contract as {@link decodeScan}.
 */
import { addon, type RawAddon } from './addon';
import type { ScanResult } from './scan-native';

export type { ScanResult } from './scan-native';

/** Distances of a flat scan: `l2` squared L2; `ip` the negated inner product (smaller is better under both). */
export type FlatMetric = 'l2' | 'ip';

/** Inputs of a flat scan; see {@link flatScan}. */
export interface FlatScanInput {
  /** The vector arena: at least n × dim floats, slot i at i × dim. */
  base: Float32Array;
  /** Number of slots to scan. */
  n: number;
  /** Removed-slot bitmap (bit i of byte i >> 3, LSB first, at least ceil(n / 8) bytes), or null when none. */
  removed: Uint8Array | null;
  /** Vector dimension (1 to 65536). */
  dim: number;
  /**
   * nq × dim query vectors. Their values are not checked: a query or row holding
   * NaN yields NaN distances, which never enter the results (checking is the caller's job).
   */
  queries: Float32Array;
  /** Results per query, ≥ 1 (may exceed the number of live slots: the rest is padding). */
  k: number;
  metric: FlatMetric;
  /** Worker threads (default: SPREADVEC_THREADS or the core count). */
  threads?: number;
}

function args(s: FlatScanInput): Parameters<RawAddon['flatScan']> {
  return [s.base, s.n, s.removed, s.dim, s.queries, s.k, s.metric, s.threads];
}

/**
 * Runs the scan on a libuv worker. The inputs are copied first, except those in a
 * SharedArrayBuffer, which are read in place (changing them meanwhile changes the
 * answer, never safety). Throws TypeError / RangeError naming a bad argument
 * (lengths, n, dim, k < 1, metric, threads).
 */
export function flatScan(input: FlatScanInput): Promise<ScanResult> {
  return addon().flatScan(...args(input));
}

/** Same on the calling thread (for small scans). */
export function flatScanSync(input: FlatScanInput): ScanResult {
  return addon().flatScanSync(...args(input));
}
