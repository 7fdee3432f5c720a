/**
 * Product quantization (Jégou et al.) with 8-bit sub-quantizers: `pq_<bits>` codes a
 * d-dimensional vector with M = bits/8 bytes, one centroid index per sub-vector of
 * d/M components. Search is asymmetric (ADC): per query, M lookup tables of squared
 * sub-distances, then a native scan sums M table entries per code and keeps the top k.
 */
import { assertFinite, assertInteger, rowsOf } from '../validate';
import { kmeans } from './kmeans';
import { registerQuantizer, type QuantizerCheck } from './registry';
import {
  pqAdcSearchNative, pqComputeLutsNative, pqDecodeNative, pqEncodeNative, pqEncodeNativeSync, type AdcResult,
} from '../kernels/pq-native';

/** Entries per sub-quantizer (8-bit codes). */
export const PQ_KSUB = 256;

/** Options of {@link ProductQuantizer.train}. */
export interface PqTrainOptions {
  /** k-means iterations per sub-quantizer (default 25, as Faiss). */
  niter?: number;
  /** Seed of the sampling and of k-means (default 1234). */
  seed?: number;
  /** Train on at most this many rows, sampled at random (default 65536 = 256 × 256, as Faiss). */
  maxTrainPoints?: number;
  /** Threads (default SPREADVEC_THREADS or the core count). */
  threads?: number;
}

/**
 * The quantizers' seeded generator: successive states (uint32) of the 32-bit LCG
 * of Numerical Recipes, seed 0 read as 1. Small, reproducible, dependency-free.
 */
export function lcg(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Rows of `x` (n × d) sampled without replacement, deterministically from `seed`. */
export function sampleRows(x: Float32Array, d: number, max: number, seed: number): Float32Array {
  const n = x.length / d;
  if (n <= max) return x;
  // Partial Fisher–Yates.
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const next = lcg(seed);
  const out = new Float32Array(max * d);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor((next() / 4294967296) * (n - i));
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    out.set(x.subarray(idx[i] * d, idx[i] * d + d), i * d);
  }
  return out;
}

/** A trained product quantizer: M sub-quantizers of 256 centroids each. */
export class ProductQuantizer {
  /** Dimension of the sub-vectors (d / M). */
  readonly dsub: number;

  /**
   * @param d vector dimension (a multiple of M)
   * @param M number of sub-quantizers = bytes per code
   * @param codebooks M × 256 × (d/M) centroids, row-major
   */
  constructor(readonly d: number, readonly M: number, readonly codebooks: Float32Array) {
    assertInteger('d', d);
    assertInteger('M', M);
    if (d % M !== 0) throw new RangeError(`d (${d}) must be a multiple of M (${M})`);
    this.dsub = d / M;
    if (codebooks.length !== M * PQ_KSUB * this.dsub) {
      throw new RangeError(`codebooks must hold M×256×(d/M) = ${M * PQ_KSUB * this.dsub} values, got ${codebooks.length}`);
    }
  }

  /** Bytes per code (M). */
  get codeBytes(): number {
    return this.M;
  }

  /**
   * Trains the M sub-quantizers by k-means on the rows of `x` (n × d, n ≥ 256).
   * `warmStart` (M × 256 × d/M, e.g. the previous OPQ iteration's) replaces k-means++.
   */
  static async train(
    x: Float32Array, d: number, M: number, options: PqTrainOptions = {}, warmStart?: Float32Array,
  ): Promise<ProductQuantizer> {
    assertInteger('d', d);
    assertInteger('M', M);
    if (d % M !== 0) throw new RangeError(`d (${d}) must be a multiple of M (${M})`);
    const n = rowsOf('x', x.length, d);
    if (n < PQ_KSUB) throw new RangeError(`PQ training needs at least ${PQ_KSUB} vectors, got ${n}`);
    assertFinite('x', x);
    const seed = options.seed ?? 1234;
    const sample = sampleRows(x, d, options.maxTrainPoints ?? 65536, seed);
    const ns = sample.length / d;
    const dsub = d / M;
    const codebooks = new Float32Array(M * PQ_KSUB * dsub);
    const sub = new Float32Array(ns * dsub);
    for (let m = 0; m < M; m++) {
      for (let i = 0; i < ns; i++) sub.set(sample.subarray(i * d + m * dsub, i * d + (m + 1) * dsub), i * dsub);
      const init = warmStart ? warmStart.slice(m * PQ_KSUB * dsub, (m + 1) * PQ_KSUB * dsub) : 'kmeans++';
      const { centroids } = await kmeans(sub, dsub, PQ_KSUB, {
        niter: options.niter ?? 25, seed: seed + m, init, threads: options.threads,
      });
      codebooks.set(centroids, m * PQ_KSUB * dsub);
    }
    return new ProductQuantizer(d, M, codebooks);
  }

  /** Codes (n × M bytes) of the rows of x, computed off the main thread. */
  encode(x: Float32Array, threads?: number): Promise<Uint8Array> {
    rowsOf('x', x.length, this.d);
    assertFinite('x', x);
    return pqEncodeNative(x, this.d, this.M, this.codebooks, threads);
  }

  /** Synchronous {@link encode} for small batches. */
  encodeSync(x: Float32Array, threads?: number): Uint8Array {
    rowsOf('x', x.length, this.d);
    assertFinite('x', x);
    return pqEncodeNativeSync(x, this.d, this.M, this.codebooks, threads);
  }

  /** Reconstructions (n × d) of codes. */
  decode(codes: Uint8Array): Float32Array {
    rowsOf('codes', codes.length, this.M);
    return pqDecodeNative(codes, this.d, this.M, this.codebooks);
  }

  /** Lookup tables of the queries: nq × M × 256 squared sub-distances. */
  computeLuts(queries: Float32Array, threads?: number): Float32Array {
    rowsOf('queries', queries.length, this.d);
    assertFinite('queries', queries);
    return pqComputeLutsNative(queries, this.d, this.M, this.codebooks, threads);
  }

  /**
   * The k nearest codes of each query by ADC (squared L2 to the reconstruction),
   * ascending, ties by smaller index; off the main thread.
   */
  search(codes: Uint8Array, queries: Float32Array, k: number, threads?: number): Promise<AdcResult> {
    assertInteger('k', k);
    rowsOf('codes', codes.length, this.M);
    return pqAdcSearchNative(this.computeLuts(queries, threads), this.M, codes, k, threads);
  }

  /** Mean squared reconstruction error ‖x − decode(encode(x))‖² over the rows of x. */
  reconstructionError(x: Float32Array): number {
    const y = this.decode(this.encodeSync(x));
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
    return s / (x.length / this.d);
  }
}

/**
 * Growable store of PQ codes shared by the PQ and OPQ indexes of the evaluation
 * (not the Index's code arena in storage/).
 */
export class PqCodeStore {
  private buf: Uint8Array;
  private used = 0;
  constructor(readonly codeBytes: number) {
    this.buf = new Uint8Array(codeBytes * 1024);
  }
  /** Number of codes held. */
  get size(): number {
    return this.used / this.codeBytes;
  }
  append(codes: Uint8Array): void {
    if (this.used + codes.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.used + codes.length));
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
    }
    this.buf.set(codes, this.used);
    this.used += codes.length;
  }
  /** The codes held (a view, n × codeBytes). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }
}

/** What an ADC index needs of its quantizer: encoding, and the ADC search over codes. */
export interface AdcCodec {
  encode(x: Float32Array, threads?: number): Promise<Uint8Array>;
  search(codes: Uint8Array, queries: Float32Array, k: number, threads?: number): Promise<AdcResult>;
}

/** An index of the evaluation zoo over 8-bit product codes: a code store, exhaustive ADC search. */
export class AdcIndex {
  readonly bitsPerVector: number;
  private readonly codes: PqCodeStore;

  constructor(private readonly codec: AdcCodec, M: number, private readonly threads?: number) {
    this.bitsPerVector = 8 * M;
    this.codes = new PqCodeStore(M);
  }

  /** Number of vectors added. */
  get size(): number {
    return this.codes.size;
  }

  /** Memory of the codes (bytes). */
  get codeMemory(): number {
    return this.codes.view().length;
  }

  async add(base: Float32Array): Promise<void> {
    this.codes.append(await this.codec.encode(base, this.threads));
  }

  async search(queries: Float32Array, k: number): Promise<Int32Array> {
    return (await this.searchWithDistances(queries, k)).ids;
  }

  /** Ids and ADC distances, nq × k each. */
  searchWithDistances(queries: Float32Array, k: number): Promise<AdcResult> {
    return this.codec.search(this.codes.view(), queries, k, this.threads);
  }
}

/** A `pq_<bits>` index for the evaluation zoo: PQ codes, exhaustive ADC search. */
export class PqIndex extends AdcIndex {
  constructor(readonly pq: ProductQuantizer, threads?: number) {
    super(pq, pq.M, threads);
  }
}

/** Bits of a `pq_<bits>` / `opq_<bits>` spec → M, checked against the dimension. */
export function subQuantizers(spec: string, bits: number, dim: number): number {
  if (bits % 8 !== 0 || bits <= 0) throw new RangeError(`${spec}: bits must be a positive multiple of 8 (8-bit sub-quantizers)`);
  const M = bits / 8;
  if (dim % M !== 0) throw new RangeError(`${spec}: dimension ${dim} is not a multiple of M = ${M} sub-quantizers`);
  return M;
}

/** Factory for the quantizer zoo: `pq_<bits>` trained on `train` (n × dim). */
export async function pqQuantizerFactory(spec: string, dim: number, train: Float32Array): Promise<PqIndex> {
  const match = /^pq_(\d+)$/.exec(spec);
  if (!match) throw new RangeError(`not a PQ spec: '${spec}' (expected pq_<bits>)`);
  const M = subQuantizers(spec, Number(match[1]), dim);
  return new PqIndex(await ProductQuantizer.train(train, dim, M));
}

/** Checks a `pq_<bits>` / `opq_<bits>` spec at a dimension (bits a multiple of 8, M dividing dim). */
export const checkPqSpec: QuantizerCheck = (spec, dim) => void subQuantizers(spec, Number(spec.slice(spec.indexOf('_') + 1)), dim);

registerQuantizer(/^pq_\d+$/, pqQuantizerFactory, 'pq_<bits>', checkPqSpec);
