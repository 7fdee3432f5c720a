import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeans } from '../../src/quantizers/kmeans';
import { kmeansAssignNative } from '../../src/kernels/pq-native';
import { lcgOpenUnit } from '../helpers/random';

/** Gaussian blobs around `clusters` random centres (deterministic LCG + Box–Muller). */
function blobs(n: number, d: number, clusters: number, seed: number): Float32Array {
  const u = lcgOpenUnit(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const centres = Float32Array.from({ length: clusters * d }, () => 5 * gauss());
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * clusters);
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] + gauss();
  }
  return x;
}

for (const init of ['random', 'kmeans++'] as const) {
  test(`k-means (${init} init): the objective never increases and ends well below its start`, async () => {
    const d = 8, k = 32;
    const x = blobs(3000, d, 20, 7);
    const { centroids, objective } = await kmeans(x, d, k, { niter: 15, init, seed: 3 });
    assert.equal(objective.length, 16);
    for (let i = 1; i < objective.length; i++) {
      assert.ok(objective[i] <= objective[i - 1] * (1 + 1e-6), `objective rose at ${i}: ${objective[i - 1]} → ${objective[i]}`);
    }
    assert.ok(objective[15] < 0.9 * objective[0], `${objective[0]} → ${objective[15]}`);
    // The reported final objective is the sum of squared distances to the nearest centroid.
    const { assign, dist2 } = kmeansAssignNative(x, d, centroids);
    let sum = 0;
    for (let i = 0; i < 3000; i++) {
      sum += dist2[i];
      let best = Infinity;
      for (let c = 0; c < k; c++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += (x[i * d + j] - centroids[c * d + j]) ** 2;
        best = Math.min(best, t);
      }
      assert.ok(Math.abs(dist2[i] - best) <= 1e-3 * (1 + best), `point ${i}: ${dist2[i]} vs brute force ${best} (centroid ${assign[i]})`);
    }
    assert.ok(Math.abs(sum - objective[15]) <= 1e-4 * objective[15]);
  });
}

test('k-means is deterministic for a seed and checks its arguments', async () => {
  const x = blobs(500, 4, 5, 1);
  const a = await kmeans(x, 4, 10, { niter: 5, seed: 9 });
  const b = await kmeans(x, 4, 10, { niter: 5, seed: 9 });
  assert.deepEqual(a.centroids, b.centroids);
  await assert.rejects(kmeans(x, 4, 600), /fewer than k = 600/);
  await assert.rejects(kmeans(x, 3, 10), /not a multiple of the dimension 3/);
  await assert.rejects(kmeans(x, 4, 10, { init: new Float32Array(7) }), /init holds 7 values/);
  const bad = x.slice();
  bad[17] = NaN;
  await assert.rejects(kmeans(bad, 4, 10), /non-finite value \(NaN\) at index 17/);
});
