/**
 * k-means (Lloyd) for the product quantizers: a checked front to the native kernel
 * (native/kmeans.cc), which assigns points through sgemm and runs on all cores off
 * the main thread.
 */
import { assertFinite, assertInteger, rowsOf } from '../validate';
import { kmeansTrainNative, type KmeansStart, type KmeansResult } from '../kernels/pq-native';

export type { KmeansInit, KmeansStart, KmeansResult } from '../kernels/pq-native';

/** Options of {@link kmeans}. */
export interface KmeansOptions {
  /** Lloyd iterations (default 25). */
  niter?: number;
  /** Seed of the deterministic initialization (default 1234). */
  seed?: number;
  /** 'kmeans++' (default), 'random' (k distinct points), or k × d starting centroids. */
  init?: KmeansStart;
  /** Threads (default SPREADVEC_THREADS or the core count). */
  threads?: number;
}

/**
 * Clusters the n rows of `x` (n × d) into k centroids. Needs n ≥ k. The result's
 * `objective` holds the sum of squared distances to the nearest centroid before each
 * iteration and after the last one (non-increasing, up to empty-cluster splits).
 */
export async function kmeans(x: Float32Array, d: number, k: number, options: KmeansOptions = {}): Promise<KmeansResult> {
  assertInteger('d', d);
  assertInteger('k', k);
  const n = rowsOf('x', x.length, d);
  if (n < k) throw new RangeError(`x has ${n} points, fewer than k = ${k}`);
  assertFinite('x', x);
  const niter = options.niter ?? 25;
  assertInteger('niter', niter, 0);
  const seed = options.seed ?? 1234;
  assertInteger('seed', seed, 0);
  if (options.init instanceof Float32Array && options.init.length !== k * d) {
    throw new RangeError(`init holds ${options.init.length} values, expected k×d = ${k * d}`);
  }
  return kmeansTrainNative(x, d, k, niter, seed, options.init ?? 'kmeans++', options.threads);
}
