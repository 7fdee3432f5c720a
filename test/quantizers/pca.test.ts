import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyPca, fitPca, symmetricEigen } from '../../src/quantizers/pca';
import { loadEncoder } from '../../src/eval/encoders';
import { lcgUint32 } from '../helpers/random';

test('symmetricEigen: A·v = λ·v with orthonormal v, for random symmetric matrices', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 144, maxLength: 144 }), (d, vals) => {
      const a = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++) a[i * d + j] = a[j * d + i] = vals[i * 12 + j];
      const { values, vectors } = symmetricEigen(a, d);
      const scale = 1 + Math.max(...Array.from(a, Math.abs));
      for (let c = 0; c < d; c++) {
        for (let i = 0; i < d; i++) {
          let av = 0;
          for (let j = 0; j < d; j++) av += a[i * d + j] * vectors[j * d + c];
          assert.ok(Math.abs(av - values[c] * vectors[i * d + c]) < 1e-9 * scale);
        }
        for (let c2 = 0; c2 < d; c2++) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += vectors[i * d + c] * vectors[i * d + c2];
          assert.ok(Math.abs(dot - (c === c2 ? 1 : 0)) < 1e-9);
        }
      }
    }),
    { numRuns: 40 },
  );
});

test('PCA finds the known principal axes, centers on the mean, and outputs unit vectors', () => {
  // Points along a rotated plane: variance 100 along u, 4 along w, 0.01 along the rest.
  const dim = 5, n = 2000;
  const u = [3, 4, 0, 0, 0].map((x) => x / 5), w = [0, 0, 1, 0, 0], mean = [10, -3, 2, 7, 1];
  const next = lcgUint32(11);
  const g = () => {
    const a = next() / 2 ** 32;
    return Math.sqrt(-2 * Math.log(a + 1e-12)) * Math.cos(2 * Math.PI * (next() / 2 ** 32));
  };
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const a = 10 * g(), b = 2 * g();
    for (let j = 0; j < dim; j++) x[i * dim + j] = mean[j] + a * u[j] + b * w[j] + 0.1 * g();
  }
  const pca = fitPca(x, dim, 2);
  const col = (k: number) => Array.from({ length: dim }, (_, j) => pca.components[j * 2 + k]);
  const cos = (p: number[], q: number[]) => Math.abs(p.reduce((acc, v, j) => acc + v * q[j], 0));
  assert.ok(cos(col(0), u) > 0.999, `first axis ${col(0)}`);
  assert.ok(cos(col(1), w) > 0.99, `second axis ${col(1)}`);
  assert.ok(Math.abs(pca.eigenvalues[0] - 100) < 15 && Math.abs(pca.eigenvalues[1] - 4) < 1);
  pca.mean.forEach((m, j) => assert.ok(Math.abs(m - mean[j]) < 1));
  const y = applyPca(pca, x);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(Math.hypot(y[2 * i], y[2 * i + 1]) - 1) < 1e-5);
  // Unnormalized: the projection of the mean is 0.
  const m = applyPca(pca, Float32Array.from(pca.mean), false);
  assert.ok(Math.abs(m[0]) < 1e-4 && Math.abs(m[1]) < 1e-4);
  assert.throws(() => fitPca(x, dim, 6), /outDim \(6\) must be ≤ dim \(5\)/);
});

test('--ckpt pca-<d> and none encoders', async () => {
  const base = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i * 1.7) * (i % 3));
  const data = { dim: 3, base, queries: base.subarray(0, 30), gt: new Int32Array(10), gtK: 1 };
  const none = await loadEncoder('none', data);
  assert.equal(none.encode, undefined);
  const pca = await loadEncoder('pca-2', data);
  const y = await pca.encode!(base.subarray(0, 30));
  assert.equal(y.length, 20);
  assert.ok(Math.abs(Math.hypot(y[0], y[1]) - 1) < 1e-5);
});
