/**
 * The PCA baseline of the paper's eval.py (`--ckpt pca-<d>`): center on the base
 * mean, project on the d leading eigenvectors of the base covariance, then scale
 * every vector to unit length so that the spherical quantizers apply.
 */
import { assertInteger, rowsOf } from '../validate';

/** A fitted PCA projection. */
export interface Pca {
  /** Input dimension. */
  dim: number;
  /** Output dimension (number of components kept). */
  outDim: number;
  /** Mean of the fitted vectors (dim). */
  mean: Float64Array;
  /** Leading eigenvectors as columns, dim×outDim row-major, eigenvalues descending. */
  components: Float64Array;
  /** All eigenvalues of the covariance, descending. */
  eigenvalues: Float64Array;
}

/** Fits a PCA keeping `outDim` components on x (n×dim). */
export function fitPca(x: Float32Array | Uint8Array, dim: number, outDim: number): Pca {
  assertInteger('dim', dim, 1);
  assertInteger('outDim', outDim, 1);
  if (outDim > dim) throw new RangeError(`outDim (${outDim}) must be ≤ dim (${dim})`);
  const n = rowsOf('x', x.length, dim);
  if (n < 1) throw new RangeError('x must hold at least one vector');
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;

  // Upper triangle of the covariance, accumulated in float64.
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let j = 0; j < dim; j++) c[j] = x[o + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ca = c[a];
      if (ca === 0) continue;
      const row = a * dim;
      for (let b = a; b < dim; b++) cov[row + b] += ca * c[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= n;
      cov[b * dim + a] = cov[a * dim + b];
    }
  }
  const { values, vectors } = symmetricEigen(cov, dim);
  const order = Array.from(values.keys()).sort((p, q) => values[q] - values[p]);
  const components = new Float64Array(dim * outDim);
  for (let k = 0; k < outDim; k++) for (let j = 0; j < dim; j++) components[j * outDim + k] = vectors[j * dim + order[k]];
  return { dim, outDim, mean, components, eigenvalues: Float64Array.from(order, (i) => values[i]) };
}

/** Projects x (n×dim) to n×outDim; with `normalize` (default) every row gets unit length. */
export function applyPca(pca: Pca, x: Float32Array | Uint8Array, normalize = true): Float32Array {
  const { dim, outDim, mean, components } = pca;
  const n = rowsOf('x', x.length, dim);
  const out = new Float32Array(n * outDim);
  const acc = new Float64Array(outDim);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    for (let j = 0; j < dim; j++) {
      const v = x[i * dim + j] - mean[j];
      if (v === 0) continue;
      const row = j * outDim;
      for (let k = 0; k < outDim; k++) acc[k] += v * components[row + k];
    }
    out.set(acc, i * outDim);
  }
  return normalize ? normalizeRows(out, outDim) : out;
}

/**
 * Eigen-decomposition of a symmetric d×d matrix by cyclic Jacobi rotations
 * (columns of `vectors` are the eigenvectors). Hand-written because d is small
 * (the input dimension, ≤ a few hundred) and accuracy matters more than speed;
 * it avoids a linear-algebra dependency for this one call.
 */
export function symmetricEigen(matrix: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, diag = 0;
    for (let p = 0; p < d; p++) {
      diag += a[p * d + p] ** 2;
      for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1), sn = t * cs;
        for (let k = 0; k < d; k++) {
          // columns p and q
          const akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = cs * akp - sn * akq;
          a[k * d + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < d; k++) {
          // rows p and q
          const apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = cs * apk - sn * aqk;
          a[q * d + k] = sn * apk + cs * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = cs * vkp - sn * vkq;
          v[k * d + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: v };
}

/** Scales each row of `x` (n×dim) to unit length in place; zero rows stay zero. */
export function normalizeRows(x: Float32Array, dim: number): Float32Array {
  for (let o = 0; o < x.length; o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[o + j] * x[o + j];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < dim; j++) x[o + j] *= inv;
    }
  }
  return x;
}
