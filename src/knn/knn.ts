/**
 * Exact k-NN entry point used by the evaluation and the dataset splits: the native
 * blocked-GEMM kernel when the addon has it, else the TypeScript reference.
 */
import { knnReference, knnShapes, type KnnMetric, type KnnResult } from './knn-reference';
import { knnNativeAvailable, knnNative } from './knn-native';

export type { KnnMetric, KnnResult } from './knn-reference';

/** Options of {@link knn}. */
export interface KnnOptions {
  /** `l2` (default) or `ip`. */
  metric?: KnnMetric;
  /** Worker threads of the native kernel (default: SPREADVEC_THREADS or all cores). */
  threads?: number;
}

/**
 * Exact k nearest neighbours of each query among the base vectors, best first
 * (ties: smaller base index first). Runs off the main thread when native.
 * @param queries nq×dim float32, row-major
 * @param base nb×dim float32, row-major
 */
export async function knn(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  k: number,
  options: KnnOptions = {},
): Promise<KnnResult> {
  const metric = options.metric ?? 'l2';
  knnShapes(queries, base, dim, k);
  if (knnNativeAvailable()) return knnNative(queries, base, dim, k, { metric, threads: options.threads });
  return knnReference(queries, base, dim, k, metric);
}
