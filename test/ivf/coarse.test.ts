/**
 * The coarse quantizer (src/ivf/coarse.ts): spherical k-means centroids are unit,
 * deterministic, and find well-separated clusters; lists and probes are the
 * centroids of largest inner product, nearest first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { assignLists, defaultNlist, probeLists, trainCoarse } from '../../src/ivf/coarse';
import { kmeansTrainNative } from '../../src/kernels/pq-native';
import { lcgSigned } from '../helpers/random';

function normalize(x: Float32Array, dim: number): Float32Array {
  for (let i = 0; i < x.length / dim; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] ** 2;
    for (let d = 0; d < dim; d++) x[i * dim + d] /= Math.sqrt(s);
  }
  return x;
}

/** n unit rows around `nc` random unit centres (row i near centre i % nc), spread `noise`. */
function clustered(n: number, dim: number, nc: number, noise: number, seed: number) {
  const r = lcgSigned(seed);
  const centres = normalize(Float32Array.from({ length: nc * dim }, r), dim);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) x[i * dim + d] = centres[(i % nc) * dim + d] + noise * r();
  return { x: normalize(x, dim), centres };
}

function ips(x: Float32Array, i: number, c: Float32Array, dim: number): number[] {
  const out = [];
  for (let l = 0; l < c.length / dim; l++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] * c[l * dim + d];
    out.push(s);
  }
  return out;
}

test('trainCoarse: unit centroids, the same for the same seed, one per separated cluster', async () => {
  const dim = 24;
  const nc = 16;
  const { x, centres } = clustered(4000, dim, nc, 0.05, 3);
  const c = await trainCoarse(x, 4000, dim, nc, { seed: 7, niter: 15, init: 'kmeans++' });
  assert.equal(c.length, nc * dim);
  for (let l = 0; l < nc; l++) {
    const norm = Math.hypot(...c.subarray(l * dim, (l + 1) * dim));
    assert.ok(Math.abs(norm - 1) < 1e-5, `centroid ${l} has norm ${norm}`);
  }
  assert.deepEqual(await trainCoarse(x, 4000, dim, nc, { seed: 7, niter: 15, init: 'kmeans++' }), c);
  // The default random start: unit and deterministic too.
  const random = await trainCoarse(x, 4000, dim, nc, { seed: 7 });
  for (let l = 0; l < nc; l++) assert.ok(Math.abs(Math.hypot(...random.subarray(l * dim, (l + 1) * dim)) - 1) < 1e-5);
  assert.deepEqual(await trainCoarse(x, 4000, dim, nc, { seed: 7 }), random);
  // Every true centre has a centroid within a small angle of it.
  for (let t = 0; t < nc; t++) {
    const best = Math.max(...ips(centres, t, c, dim));
    assert.ok(best > 0.99, `centre ${t}: best centroid inner product ${best}`);
  }
  // Sampling down to maxPerList rows per list still finds them.
  const sampled = await trainCoarse(x, 4000, dim, nc, { seed: 7, niter: 15, maxPerList: 40, init: 'kmeans++' });
  for (let t = 0; t < nc; t++) assert.ok(Math.max(...ips(centres, t, sampled, dim)) > 0.99, `sampled, centre ${t}`);
});

test('kmeansTrain spherical: the centroids are the normalized means (unlike the plain run)', async () => {
  const dim = 8;
  const { x } = clustered(500, dim, 4, 0.6, 11);
  const plain = await kmeansTrainNative(x, dim, 4, 5, 1, 'random');
  const sph = await kmeansTrainNative(x, dim, 4, 5, 1, 'random', undefined, true);
  const norms = (c: Float32Array) => Array.from({ length: 4 }, (_, l) => Math.hypot(...c.subarray(l * dim, (l + 1) * dim)));
  assert.ok(norms(plain.centroids).every((v) => v < 0.99), `plain means lie inside the sphere: ${norms(plain.centroids)}`);
  assert.ok(norms(sph.centroids).every((v) => Math.abs(v - 1) < 1e-5), `spherical: ${norms(sph.centroids)}`);
  assert.throws(() => kmeansTrainNative(x, dim, 4, 5, 1, 'random', undefined, 'yes' as never), /spherical must be a boolean/);
});

test('assignLists and probeLists: largest inner product first', async () => {
  const dim = 12;
  const { x } = clustered(300, dim, 5, 0.8, 5);
  const c = await trainCoarse(x, 300, dim, 9, { seed: 2 });
  const lists = await assignLists(x, 300, dim, c);
  const probes = probeLists(x, 300, dim, c, 4);
  assert.equal(probes.length, 300 * 4);
  for (let i = 0; i < 300; i++) {
    const s = ips(x, i, c, dim);
    const want = [...s.keys()].sort((a, b) => s[b] - s[a] || a - b);
    assert.equal(lists[i], want[0], `row ${i}: list`);
    const got = [...probes.subarray(i * 4, i * 4 + 4)];
    for (let j = 0; j < 4; j++) assert.ok(Math.abs(s[got[j]] - s[want[j]]) < 1e-6, `row ${i}, probe ${j}: ${got} vs ${want.slice(0, 4)}`);
  }
  // nprobe beyond nlist is capped.
  assert.equal(probeLists(x.subarray(0, dim), 1, dim, c, 50).length, 9);
});

test('defaultNlist is about 4·√n, within [1, n]', () => {
  assert.equal(defaultNlist(1_000_000), 4000);
  assert.equal(defaultNlist(329_945), 2298);
  assert.equal(defaultNlist(1), 1);
  assert.equal(defaultNlist(10), 10);
  assert.throws(() => defaultNlist(0), /n must be ≥ 1/);
});

test('the coarse quantizer names bad input', async () => {
  const x = new Float32Array(40);
  await assert.rejects(trainCoarse(x, 5, 8, 6), /nlist = 6 exceeds the number of rows n = 5/);
  await assert.rejects(trainCoarse(x, 4, 8, 2), /units has 40 values, expected n × dim = 4 × 8/);
  await assert.rejects(trainCoarse(x, 5, 8, 2, { nitre: 3 } as never), /unknown option 'nitre'/);
  await assert.rejects(trainCoarse(x, 5, 8, 2, { init: 'pp' as never }), /init must be 'random' or 'kmeans\+\+', got pp/);
  await assert.rejects(trainCoarse(new Float32Array(40).fill(NaN), 5, 8, 2), /units holds a non-finite value/);
  assert.throws(() => probeLists(x, 5, 8, new Float32Array(12), 1), /centroids has 12 values, not a positive multiple of dim 8/);
  assert.throws(() => probeLists(x, 5, 8, new Float32Array(16), 0), /nprobe must be ≥ 1/);
  await assert.rejects(assignLists(x, 5, 8, new Float32Array(0)), /centroids has 0 values/);
});
