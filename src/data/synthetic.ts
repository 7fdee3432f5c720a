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
  /**
   * When given (1 ≤ m ≤ dim), each cluster spreads along its own random m-dimensional
   * subspace (plus a little isotropic noise), as embeddings do: their neighbourhoods
   * have a low intrinsic dimension. Default: isotropic clusters (intrinsic dimension
   * = dim, where nearest neighbours are nearly equidistant and hard for any code).
   */
  intrinsicDim?: number;
}

const OPTION_NAMES = ['n', 'dim', 'clusters', 'seed', 'intrinsicDim'] as const;

/** Isotropic noise beside the subspace spread of an intrinsicDim cluster, relative to it. */
const OFF_SUBSPACE_NOISE = 0.1;

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

  const m = options.intrinsicDim;
  if (m !== undefined) assertInteger('intrinsicDim', m, 1, dim);
  // Drawn after everything the isotropic case draws, so that its bytes do not change.
  let bases: Float64Array | null = null;
  if (m !== undefined) {
    bases = new Float64Array(clusters * m * dim);
    const scale = 1 / Math.sqrt(m);
    for (let i = 0; i < bases.length; i++) bases[i] = gaussian(rng) * scale;
  }
  const out = new Float32Array(n * dim);
  const z = new Float64Array(m ?? 0);
  for (let i = 0; i < n; i++) {
    // The cluster of row i: the first whose cumulative weight exceeds the draw.
    const u = rng.next() * total;
    let c = 0;
    while (c < clusters - 1 && cumulative[c] <= u) c++;
    const o = i * dim, co = c * dim, s = sigma[c];
    if (!bases) {
      for (let d = 0; d < dim; d++) out[o + d] = centres[co + d] + s * gaussian(rng);
      continue;
    }
    // Subspace coordinates z ~ N(0, I_m) through the cluster's m × dim basis.
    for (let j = 0; j < m!; j++) z[j] = gaussian(rng);
    const bo = c * m! * dim;
    for (let d = 0; d < dim; d++) {
      let v = 0;
      for (let j = 0; j < m!; j++) v += z[j] * bases[bo + j * dim + d];
      out[o + d] = centres[co + d] + s * (v + OFF_SUBSPACE_NOISE * gaussian(rng));
    }
  }
  return out;
}
