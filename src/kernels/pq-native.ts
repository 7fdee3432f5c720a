/**
 * Typed wrappers of the native k-means and product-quantizer kernels
 * (native/kmeans.cc, native/pq.cc, glue in native/pq_binding.cc). The TS reference
 * of the ADC scan is in test/reference/pq.ts. Arguments are checked natively;
 * bad ones throw a TypeError/RangeError naming the argument.
 */
import { addon } from './addon';

/** How k-means chooses its initial centroids. */
export type KmeansInit = 'random' | 'kmeans++';

/** An initialization: a named rule, or k × d starting centroids (warm start). */
export type KmeansStart = KmeansInit | Float32Array;

/** Result of a k-means run. */
export interface KmeansResult {
  /** k × d centroids, row-major. */
  centroids: Float32Array;
  /** niter + 1 values: the sum of squared distances before each iteration and after the last. */
  objective: Float64Array;
}

/** Result of an ADC search: nq × k each, best first; missing slots are id −1, distance +∞. */
export interface AdcResult {
  ids: Int32Array;
  distances: Float32Array;
}

/**
 * Lloyd's k-means off the main thread. `threads` defaults to SPREADVEC_THREADS or the
 * core count. `spherical`: centroids are scaled to unit norm after each update
 * (spherical k-means, for unit points: the coarse quantizer of src/ivf).
 */
export function kmeansTrainNative(
  x: Float32Array, d: number, k: number, niter: number, seed: number, init: KmeansStart, threads?: number,
  spherical?: boolean,
): Promise<KmeansResult> {
  return addon().kmeansTrain(x, d, k, niter, seed, init, threads, spherical);
}

/** Nearest centroid of each row of x, and the squared distance to it. */
export function kmeansAssignNative(
  x: Float32Array, d: number, centroids: Float32Array, threads?: number,
): { assign: Int32Array; dist2: Float32Array } {
  return addon().kmeansAssign(x, d, centroids, threads);
}

/** PQ codes (n × M bytes) of the rows of x; codebooks are M × 256 × (d/M). */
export function pqEncodeNative(
  x: Float32Array, d: number, M: number, codebooks: Float32Array, threads?: number,
): Promise<Uint8Array> {
  return addon().pqEncode(x, d, M, codebooks, threads);
}

/** Synchronous twin of {@link pqEncodeNative}. */
export function pqEncodeNativeSync(
  x: Float32Array, d: number, M: number, codebooks: Float32Array, threads?: number,
): Uint8Array {
  return addon().pqEncodeSync(x, d, M, codebooks, threads);
}

/** Reconstructions (n × d) of PQ codes. */
export function pqDecodeNative(codes: Uint8Array, d: number, M: number, codebooks: Float32Array): Float32Array {
  return addon().pqDecode(codes, d, M, codebooks);
}

/** Lookup tables nq × M × 256: squared distance of each query sub-vector to each centroid. */
export function pqComputeLutsNative(
  queries: Float32Array, d: number, M: number, codebooks: Float32Array, threads?: number,
): Float32Array {
  return addon().pqComputeLuts(queries, d, M, codebooks, threads);
}

/** ADC scan with top-k, off the main thread, on `threads` threads. */
export function pqAdcSearchNative(
  luts: Float32Array, M: number, codes: Uint8Array, k: number, threads?: number,
): Promise<AdcResult> {
  return addon().pqAdcSearch(luts, M, codes, k, threads);
}

/** Synchronous twin of {@link pqAdcSearchNative}. */
export function pqAdcSearchNativeSync(
  luts: Float32Array, M: number, codes: Uint8Array, k: number, threads?: number,
): AdcResult {
  return addon().pqAdcSearchSync(luts, M, codes, k, threads);
}

/** a (m × kdim) · b (kdim × n), or · bᵀ with b stored n × kdim when transB; off the main thread. */
export function matmulNative(
  a: Float32Array, b: Float32Array, m: number, n: number, kdim: number, transB = false,
): Promise<Float32Array> {
  return addon().pqMatmul(a, b, m, n, kdim, transB);
}
