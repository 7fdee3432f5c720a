/**
 * Optimized product quantization (Ge et al., CVPR 2013; the non-parametric variant
 * that Faiss's OPQMatrix implements): a d × d rotation R applied before PQ, learned
 * by alternating (1) PQ training + encoding of the rotated training vectors x·R and
 * (2) the orthogonal Procrustes step R = argmin ‖x·R − y‖ over orthogonal R, where y
 * are the reconstructions: with xᵀy = U·S·Vᵀ (SVD, ml-matrix), R = U·Vᵀ.
 */
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { assertFinite, assertInteger, rowsOf } from '../validate';
import { matmulNative, type AdcResult } from '../kernels/pq-native';
import { AdcIndex, checkPqSpec, lcg, ProductQuantizer, sampleRows, subQuantizers, type PqTrainOptions } from './pq';
import { registerQuantizer } from './registry';

/** Options of {@link OptimizedProductQuantizer.train}. */
export interface OpqTrainOptions extends PqTrainOptions {
  /** Alternations of PQ training and Procrustes (default 50, as Faiss). */
  opqIterations?: number;
  /** k-means iterations of the first alternation (default 40) and of later ones (default 4, warm-started). */
  niterFirst?: number;
  niterLater?: number;
}

/** Random orthogonal d × d matrix (QR of a Gaussian matrix), deterministic from `seed`. */
function randomRotation(d: number, seed: number): Matrix {
  const next = lcg(seed);
  const uniform = (): number => (next() + 0.5) / 4294967296;
  const g = new Matrix(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) g.set(i, j, Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
  }
  return new QrDecomposition(g).orthogonalMatrix;
}

function toFloat32(m: Matrix): Float32Array {
  const out = new Float32Array(m.rows * m.columns);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) out[i * m.columns + j] = m.get(i, j);
  return out;
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

/** A rotation followed by a product quantizer. */
export class OptimizedProductQuantizer {
  /**
   * @param rotation d × d orthogonal matrix R, row-major; vectors are coded as x·R
   * @param pq the product quantizer of the rotated vectors
   */
  constructor(readonly rotation: Float32Array, readonly pq: ProductQuantizer) {
    if (rotation.length !== pq.d * pq.d) throw new RangeError(`rotation must hold d×d = ${pq.d * pq.d} values`);
  }

  get d(): number {
    return this.pq.d;
  }

  /** Learns R and the PQ on the rows of `x` (n × d, n ≥ 256). */
  static async train(x: Float32Array, d: number, M: number, options: OpqTrainOptions = {}): Promise<OptimizedProductQuantizer> {
    assertInteger('d', d);
    assertInteger('M', M);
    if (d % M !== 0) throw new RangeError(`d (${d}) must be a multiple of M (${M})`);
    rowsOf('x', x.length, d);
    assertFinite('x', x);
    const seed = options.seed ?? 1234;
    const sample = sampleRows(x, d, options.maxTrainPoints ?? 65536, seed);
    const n = sample.length / d;
    const sampleT = transpose(sample, n, d);
    const iterations = options.opqIterations ?? 50;
    assertInteger('opqIterations', iterations, 0);
    let rotation = toFloat32(randomRotation(d, seed));
    let pq: ProductQuantizer | undefined;
    for (let it = 0; it < iterations; it++) {
      const rotated = await matmulNative(sample, rotation, n, d, d);
      pq = await ProductQuantizer.train(
        rotated, d, M,
        { ...options, maxTrainPoints: n, niter: it === 0 ? options.niterFirst ?? 40 : options.niterLater ?? 4 },
        pq?.codebooks,
      );
      const recon = pq.decode(await pq.encode(rotated, options.threads));
      // Procrustes: maximize tr(Rᵀ xᵀ y) over orthogonal R.
      const xty = await matmulNative(sampleT, recon, d, d, n);
      const svd = new SingularValueDecomposition(new Matrix(Array.from({ length: d }, (_, i) => Array.from(xty.subarray(i * d, i * d + d)))), { autoTranspose: false });
      rotation = toFloat32(svd.leftSingularVectors.mmul(svd.rightSingularVectors.transpose()));
    }
    // The final PQ, trained fully on the finally rotated vectors.
    const rotated = await matmulNative(sample, rotation, n, d, d);
    const finalPq = await ProductQuantizer.train(rotated, d, M, { ...options, maxTrainPoints: n }, pq?.codebooks);
    return new OptimizedProductQuantizer(rotation, finalPq);
  }

  /** x·R for the rows of x (n × d), off the main thread. */
  rotate(x: Float32Array): Promise<Float32Array> {
    const n = rowsOf('x', x.length, this.d);
    assertFinite('x', x);
    return matmulNative(x, this.rotation, n, this.d, this.d);
  }

  /** Codes (n × M bytes) of the rows of x. */
  async encode(x: Float32Array, threads?: number): Promise<Uint8Array> {
    return this.pq.encode(await this.rotate(x), threads);
  }

  /** Reconstructions in the original space: decode(code)·Rᵀ. */
  async decode(codes: Uint8Array): Promise<Float32Array> {
    const y = this.pq.decode(codes);
    return matmulNative(y, this.rotation, y.length / this.d, this.d, this.d, true);
  }

  /** k nearest codes of each query by ADC (R is orthogonal: distances are those of the rotated space). */
  async search(codes: Uint8Array, queries: Float32Array, k: number, threads?: number): Promise<AdcResult> {
    return this.pq.search(codes, await this.rotate(queries), k, threads);
  }
}

/** An `opq_<bits>` index for the evaluation zoo: OPQ codes, exhaustive ADC search. */
export class OpqIndex extends AdcIndex {
  constructor(readonly opq: OptimizedProductQuantizer, threads?: number) {
    super(opq, opq.pq.M, threads);
  }
}

/** Factory for the quantizer zoo: `opq_<bits>` trained on `train` (n × dim). */
export async function opqQuantizerFactory(spec: string, dim: number, train: Float32Array): Promise<OpqIndex> {
  const match = /^opq_(\d+)$/.exec(spec);
  if (!match) throw new RangeError(`not an OPQ spec: '${spec}' (expected opq_<bits>)`);
  const M = subQuantizers(spec, Number(match[1]), dim);
  return new OpqIndex(await OptimizedProductQuantizer.train(train, dim, M));
}

registerQuantizer(/^opq_\d+$/, opqQuantizerFactory, 'opq_<bits>', checkPqSpec);
