/**
 * Exact k-nearest-neighbour search in plain TypeScript: the reference that the
 * native blocked-GEMM kernel (src/knn/knn-native.ts) is tested against, and a
 * fallback for tiny inputs.
 *
 * Order of results: best first; equal scores are broken by the smaller base index,
 * the same rule the native kernel applies, so both return identical lists.
 */
import { assertInteger, rowsOf } from '../validate';

/** `l2`: smallest squared Euclidean distance first; `ip`: largest inner product first. */
export type KnnMetric = 'l2' | 'ip';

/** nq×k neighbours, row-major; a row is padded with -1 (and ±Infinity) when k > nb. */
export interface KnnResult {
  /** Indices into the base, best first. */
  indices: Int32Array;
  /** Squared L2 distances (`l2`) or inner products (`ip`), matching `indices`. */
  distances: Float32Array;
  k: number;
}

/** Validates the shapes shared by every k-NN entry point; returns [nq, nb]. */
export function knnShapes(queries: Float32Array, base: Float32Array, dim: number, k: number): [number, number] {
  assertInteger('dim', dim, 1);
  assertInteger('k', k, 1);
  if (!(queries instanceof Float32Array)) throw new TypeError('queries must be a Float32Array');
  if (!(base instanceof Float32Array)) throw new TypeError('base must be a Float32Array');
  return [rowsOf('queries', queries.length, dim), rowsOf('base', base.length, dim)];
}

/**
 * Exact k-NN by brute force, distances accumulated in float64.
 * @param queries nq×dim, row-major
 * @param base nb×dim, row-major
 */
export function knnReference(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  k: number,
  metric: KnnMetric = 'l2',
): KnnResult {
  const [nq, nb] = knnShapes(queries, base, dim, k);
  const indices = new Int32Array(nq * k).fill(-1);
  const distances = new Float32Array(nq * k).fill(metric === 'l2' ? Infinity : -Infinity);
  const sign = metric === 'l2' ? 1 : -1; // sort key: smaller is better
  const keys = new Float64Array(nb);
  const order = new Int32Array(nb);
  for (let q = 0; q < nq; q++) {
    const qo = q * dim;
    for (let b = 0; b < nb; b++) {
      const bo = b * dim;
      let s = 0;
      if (metric === 'l2') {
        for (let j = 0; j < dim; j++) {
          const t = queries[qo + j] - base[bo + j];
          s += t * t;
        }
      } else {
        for (let j = 0; j < dim; j++) s += queries[qo + j] * base[bo + j];
      }
      keys[b] = sign * s;
      order[b] = b;
    }
    order.sort((a, b) => keys[a] - keys[b] || a - b);
    const m = Math.min(k, nb);
    for (let r = 0; r < m; r++) {
      indices[q * k + r] = order[r];
      distances[q * k + r] = sign * keys[order[r]];
    }
  }
  return { indices, distances, k };
}
