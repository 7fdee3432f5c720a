/**
 * Synthetic vectors that look like embeddings: a Gaussian mixture of `clusters`
 * components of unequal sizes and spreads, for demos (`spreadvec demo`) and tests
 * that need structure (exact neighbours mostly within a cluster) without a dataset.
 */
import { Rng } from '../random';
import { assertInteger, assertKnownOptions } from '../validate';

/** Options of {@link clusteredVectors}. */
export interface ClusteredVectorsOptions {
  /** Number of vectors (≥ 0). */
  n: number;
  /** Dimension (≥ 1). */
  dim: number;
  /** Mixture components (default: 32, at most n when n > 0). */
  clusters?: number;
  /** Seed of the generator (default 1). */
  seed?: number;
}

const OPTION_NAMES = ['n', 'dim', 'clusters', 'seed'] as const;

/**
 * A standard normal draw as the sum of 12 uniforms minus 6 (Irwin–Hall): additions
 * only, so the bytes are the same on every platform and Node version, which
 * Math.log / Math.cos (Box–Muller) do not promise. Its tails stop at ±6, harmless here.
 */
function gaussian(rng: Rng): number {
  let s = -6;
  for (let i = 0; i < 12; i++) s += rng.next();
  return s;
}

/**
 * n × dim float32 vectors, row-major: cluster centres drawn from N(0, I), each
 * vector a centre plus N(0, σ² I) noise with σ in [0.25, 0.75] per cluster, and the
 * clusters' shares drawn unevenly (weights uniform in [0.2, 1)). Deterministic:
 * the same options give the same bytes on every run and platform.
 * Throws TypeError / RangeError naming a bad option.
 */
export function clusteredVectors(options: ClusteredVectorsOptions): Float32Array {
  assertKnownOptions('clusteredVectors', options, OPTION_NAMES);
  if (options === undefined) throw new TypeError('clusteredVectors: options { n, dim } are required');
  const { n, dim, seed = 1 } = options;
  assertInteger('n', n, 0);
  assertInteger('dim', dim, 1);
  assertInteger('seed', seed, 0, 0xffffffff);
  const clusters = options.clusters ?? Math.max(1, Math.min(32, n));
  assertInteger('clusters', clusters, 1);
  if (n * dim > 2 ** 31) throw new RangeError(`n × dim = ${n * dim} exceeds 2^31 values`);

  const rng = new Rng(seed);
  const centres = new Float64Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(rng);
  const sigma = new Float64Array(clusters);
  const cumulative = new Float64Array(clusters);
  let total = 0;
  for (let c = 0; c < clusters; c++) {
    sigma[c] = rng.uniform(0.25, 0.75);
    total += rng.uniform(0.2, 1);
    cumulative[c] = total;
  }

  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    // The cluster of row i: the first whose cumulative weight exceeds the draw.
    const u = rng.next() * total;
    let c = 0;
    while (c < clusters - 1 && cumulative[c] <= u) c++;
    const o = i * dim, co = c * dim, s = sigma[c];
    for (let d = 0; d < dim; d++) out[o + d] = centres[co + d] + s * gaussian(rng);
  }
  return out;
}
