/**
 * The coarse quantizer of a partitioned (IVF) index over the catalyzer's sphere:
 * spherical k-means centroids (unit vectors), each row's list = its centroid of
 * largest inner product, each query's nprobe lists nearest first. The lattice code
 * stays the code of the whole vector: the lists only prune the scan.
 */
import { kmeansTrainNative } from '../kernels/pq-native';
import { knnNative, knnNativeSync } from '../knn/knn-native';
import { assertFinite, assertInteger, assertKnownOptions } from '../validate';

/**
 * Sizes below this stay flat (no partition). Measured by bench/latency.ts on prefixes
 * of the SIFT base (docs/BENCHMARKS.md, "Partitioned scan"): a flat single query
 * costs about 1.5 ms at 5,000 codes and 2.8 ms at 10,000 (two threads, loaded VM),
 * while a partition that small (283 lists of ~18 codes) lost 0.03 of 1-recall@10 at
 * the default nprobe; below 5,000 the flat scan is within the 1 ms aim's reach and
 * exact.
 */
export const FLAT_BELOW = 5_000;

/**
 * The default number of lists probed: the smallest nprobe whose 1-recall@10 stays
 * within 0.01 of the exhaustive scan on SIFT (329,945 vectors, nlist 2298) through
 * the catalyzer that `Index.train()` fits at its defaults: 0.823 against 0.832 at 16
 * (8 lost 0.027, 12 lost 0.015), p50 1.35 ms for one query (bench/byov.ts
 * --nprobes). The paper's weaker fixture catalyzer needed only 8 (0.635 vs 0.644):
 * a better catalyzer spreads neighbours over more lists. Callers pass
 * `nprobe: 'all'` to Index.search for the exhaustive scan.
 */
export const DEFAULT_NPROBE = 16;

/**
 * The default number of lists for n vectors: about 4·√n (Faiss's rule of thumb, kept
 * after the nprobe sweep of bench/latency.ts), at least 1 and at most n.
 */
export function defaultNlist(n: number): number {
  assertInteger('n', n, 1);
  return Math.min(n, Math.max(1, Math.round(4 * Math.sqrt(n))));
}

/** Options of {@link trainCoarse}. */
export interface CoarseOptions {
  /** Seed of the deterministic initialization and sample (default 1234). */
  seed?: number;
  /** Spherical k-means iterations (default 10). */
  niter?: number;
  /** Training rows per list at most (default 64): more rows are sampled down to this (Faiss keeps 256; 64 measured as good here). */
  maxPerList?: number;
  /**
   * Start: 'random' distinct rows (default, as Faiss's IVF does: cheap, and a list
   * split in two costs the index little) or 'kmeans++' (better spread, about 4
   * iterations' time more).
   */
  init?: 'random' | 'kmeans++';
  /** Threads (default SPREADVEC_THREADS or the core count). */
  threads?: number;
}

function checkRows(name: string, x: Float32Array, n: number, dim: number): void {
  if (!(x instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array`);
  assertInteger('n', n, 0);
  assertInteger('dim', dim, 1);
  if (x.length !== n * dim) throw new RangeError(`${name} has ${x.length} values, expected n × dim = ${n} × ${dim}`);
}

/** The rows of `units` at the given (sorted) indices. */
function gather(units: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) out.set(units.subarray(rows[i] * dim, (rows[i] + 1) * dim), i * dim);
  return out;
}

/** m distinct indices of [0, n), ascending, from a seeded generator (Floyd's sampling). */
function sampleRows(n: number, m: number, seed: number): Int32Array {
  let s = seed >>> 0 || 1;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const chosen = new Set<number>();
  for (let j = n - m; j < n; j++) {
    const t = next() % (j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from([...chosen].sort((a, b) => a - b));
}

/**
 * Trains `nlist` unit centroids (nlist × dim, row-major) on the n unit rows of
 * `units` (n × dim: catalyzer outputs) by spherical k-means (centroids renormalized
 * after every update), on at most maxPerList × nlist sampled rows. Needs n ≥ nlist.
 */
export async function trainCoarse(
  units: Float32Array, n: number, dim: number, nlist: number, options: CoarseOptions = {},
): Promise<Float32Array> {
  assertKnownOptions('trainCoarse', options, ['seed', 'niter', 'maxPerList', 'init', 'threads']);
  checkRows('units', units, n, dim);
  assertInteger('nlist', nlist, 1);
  if (n < nlist) throw new RangeError(`nlist = ${nlist} exceeds the number of rows n = ${n}`);
  const seed = options.seed ?? 1234;
  assertInteger('seed', seed, 0);
  const niter = options.niter ?? 10;
  assertInteger('niter', niter, 0);
  const maxPerList = options.maxPerList ?? 64;
  assertInteger('maxPerList', maxPerList, 1);
  const init = options.init ?? 'random';
  if (init !== 'random' && init !== 'kmeans++') throw new RangeError(`init must be 'random' or 'kmeans++', got ${String(init)}`);
  assertFinite('units', units);
  const m = Math.min(n, maxPerList * nlist);
  const train = m < n ? gather(units, dim, sampleRows(n, m, seed)) : units;
  const { centroids } = await kmeansTrainNative(train, dim, nlist, niter, seed, init, options.threads, true);
  return centroids;
}

function checkCentroids(centroids: Float32Array, dim: number): number {
  if (!(centroids instanceof Float32Array)) throw new TypeError('centroids must be a Float32Array');
  if (centroids.length === 0 || centroids.length % dim !== 0) {
    throw new RangeError(`centroids has ${centroids.length} values, not a positive multiple of dim ${dim}`);
  }
  return centroids.length / dim;
}

/**
 * The list of each of the n rows of `units` (n × dim): its centroid of largest inner
 * product (ties: the smaller list). Off the main thread.
 */
export async function assignLists(
  units: Float32Array, n: number, dim: number, centroids: Float32Array, threads?: number,
): Promise<Int32Array> {
  checkRows('units', units, n, dim);
  checkCentroids(centroids, dim);
  if (n === 0) return new Int32Array(0);
  return (await knnNative(units, centroids, dim, 1, { metric: 'ip', threads })).indices;
}

/**
 * The `nprobe` lists of each of the nq queries (nq × dim), nearest (largest inner
 * product) first, ties by the smaller list: nq × nprobe list ids. On the calling
 * thread (one query probes in microseconds). nprobe is capped at nlist.
 */
export function probeLists(
  queries: Float32Array, nq: number, dim: number, centroids: Float32Array, nprobe: number, threads = 1,
): Int32Array {
  checkRows('queries', queries, nq, dim);
  const nlist = checkCentroids(centroids, dim);
  assertInteger('nprobe', nprobe, 1);
  if (nq === 0) return new Int32Array(0);
  return knnNativeSync(queries, centroids, dim, Math.min(nprobe, nlist), { metric: 'ip', threads }).indices;
}
