import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptimizedProductQuantizer, opqQuantizerFactory } from '../../src/quantizers/opq';
import { ProductQuantizer } from '../../src/quantizers/pq';
import { lcgOpenUnit } from '../helpers/random';

/** The shared LCG, uniform in (0, 1); seed 0 is read as 1, as this file always did. */
const lcg = (seed: number): (() => number) => lcgOpenUnit(seed >>> 0 || 1);

/** Vectors whose variance sits in a few correlated directions: OPQ's rotation pays off. */
function skewed(n: number, d: number, seed: number): Float32Array {
  const mixer = lcg(99); // one distribution for every sample: the mixing matrix is fixed
  const mix = Float32Array.from({ length: d * d }, () => Math.sqrt(-2 * Math.log(mixer())) * Math.cos(2 * Math.PI * mixer()));
  const u = lcg(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const x = new Float32Array(n * d);
  const z = new Float32Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = g() * (j < d / 4 ? 4 : 0.3);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += z[p] * mix[p * d + j];
      x[i * d + j] = s;
    }
  }
  return x;
}

test('OPQ: the learned rotation is orthogonal (RᵀR = I to 1e-4) and beats plain PQ on skewed data', async () => {
  const d = 16, M = 4;
  const train = skewed(3000, d, 3);
  const held = skewed(800, d, 4);
  const opq = await OptimizedProductQuantizer.train(train, d, M, { opqIterations: 8, niterFirst: 10, niterLater: 3, niter: 10, seed: 5 });
  const R = opq.rotation;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += R[p * d + i] * R[p * d + j];
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-4, `(RᵀR)[${i},${j}] = ${s}`);
    }
  }
  // Reconstruction error measured in the original space (decode rotates back).
  const codes = await opq.encode(held);
  const back = await opq.decode(codes);
  let opqErr = 0;
  for (let i = 0; i < held.length; i++) opqErr += (held[i] - back[i]) ** 2;
  const pq = await ProductQuantizer.train(train, d, M, { niter: 10, seed: 5 });
  const pqErr = pq.reconstructionError(held) * (held.length / d);
  assert.ok(opqErr < pqErr, `OPQ ${opqErr} vs PQ ${pqErr}`);
  // Search ranks by the distance to the reconstructions in the original space.
  const { ids, distances } = await opq.search(codes, held.subarray(0, d), 3);
  for (let j = 0; j < 3; j++) {
    let e = 0;
    for (let p = 0; p < d; p++) e += (held[p] - back[ids[j] * d + p]) ** 2;
    assert.ok(Math.abs(e - distances[j]) < 1e-3 * (1 + e), `${e} vs ${distances[j]}`);
  }
});

test('opq_<bits> factory: bits per vector and search shape; bad specs refused', async () => {
  const d = 8;
  const train = skewed(600, d, 7);
  const index = await opqQuantizerFactory('opq_16', d, train);
  assert.equal(index.bitsPerVector, 16);
  await index.add(train);
  const ids = await index.search(train.subarray(0, 2 * d), 4);
  assert.equal(ids.length, 8);
  await assert.rejects(opqQuantizerFactory('pq_16', d, train), /not an OPQ spec/);
});
