/**
 * Typed wrapper of the native exact k-NN kernel (native/knn.cc, glue in
 * native/knn_binding.cc): blocked sgemm + per-query top-k selection, spread over
 * the cores, run on a libuv worker so the event loop stays free.
 */
import { addon } from '../kernels/addon';
import type { KnnMetric, KnnResult } from './knn-reference';

/** True when the loaded addon contains the k-NN kernel. */
export function knnNativeAvailable(): boolean {
  try {
    return typeof addon().knnSearch === 'function';
  } catch {
    return false;
  }
}

/** Options of the native kernel. */
export interface KnnNativeOptions {
  metric?: KnnMetric;
  /** Worker threads (default: SPREADVEC_THREADS or all cores). */
  threads?: number;
}

function args(queries: Float32Array, base: Float32Array, dim: number, k: number, o: KnnNativeOptions) {
  return [queries, base, dim, k, o.metric ?? 'l2', o.threads ?? 0] as const;
}

/** Exact k-NN off the main thread; same order and tie rule as `knnReference`. */
export async function knnNative(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  k: number,
  options: KnnNativeOptions = {},
): Promise<KnnResult> {
  const [indices, distances] = await addon().knnSearch(...args(queries, base, dim, k, options));
  return { indices, distances, k };
}

/** Synchronous variant for small calls (blocks the event loop while it runs). */
export function knnNativeSync(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  k: number,
  options: KnnNativeOptions = {},
): KnnResult {
  const [indices, distances] = addon().knnSearchSync(...args(queries, base, dim, k, options));
  return { indices, distances, k };
}

/**
 * Exact k nearest neighbours in L2 of each query row among the base rows (rows of
 * d floats), nearest first: nq×k indices. Blocked sgemm + top-k, off the main thread:
 * the same kernel as {@link knnNative}, through the trainer's glue (native/mlp_binding.cc).
 */
export function knnL2(queries: Float32Array, base: Float32Array, d: number, k: number, threads?: number): Promise<Int32Array> {
  return addon().knnL2(queries, base, d, k, threads);
}
