import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { clusteredVectors } from '../../src/data/synthetic';
import { knnReference } from '../../src/knn/knn-reference';

/** Mean nearest-neighbour distance over the mean distance of fixed pseudo-random pairs. */
function nnToRandomPair(x: Float32Array, n: number, dim: number): number {
  const { distances } = knnReference(x, x, dim, 2, 'l2');
  let nn = 0, rnd = 0;
  for (let i = 0; i < n; i++) {
    nn += distances[i * 2 + 1];
    const j = (i * 7919 + 13) % n;
    for (let d = 0; d < dim; d++) rnd += (x[i * dim + d] - x[j * dim + d]) ** 2;
  }
  return nn / rnd;
}

function sha(x: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)).digest('hex');
}

test('clusteredVectors: n × dim finite float32, the same bytes for the same seed, others for another', () => {
  const a = clusteredVectors({ n: 500, dim: 33, seed: 7 });
  assert.ok(a instanceof Float32Array);
  assert.equal(a.length, 500 * 33);
  assert.ok(a.every(Number.isFinite));
  assert.equal(sha(clusteredVectors({ n: 500, dim: 33, seed: 7 })), sha(a));
  assert.notEqual(sha(clusteredVectors({ n: 500, dim: 33, seed: 8 })), sha(a));
  // A prefix of a longer run is the same rows (rows are drawn one after another).
  assert.deepEqual(clusteredVectors({ n: 600, dim: 33, seed: 7 }).subarray(0, a.length), a);
  assert.equal(clusteredVectors({ n: 0, dim: 4 }).length, 0);
});

test('clusteredVectors: golden bytes (the stream must not change across platforms or versions)', () => {
  const x = clusteredVectors({ n: 64, dim: 16, clusters: 4, seed: 42 });
  assert.equal(sha(x), GOLDEN_SHA);
});

test('clusteredVectors: clustered — a vector’s nearest neighbour is much nearer than a random pair', () => {
  const dim = 32, n = 400;
  const ratio = nnToRandomPair(clusteredVectors({ n, dim, clusters: 8, seed: 3 }), n, dim);
  assert.ok(ratio * 3 < 1, `mean nn distance / random pair distance ${ratio}`);
});

test('clusteredVectors: bad options are refused, naming them', () => {
  assert.throws(() => clusteredVectors({ n: -1, dim: 4 }), /n must be ≥ 0/);
  assert.throws(() => clusteredVectors({ n: 4, dim: 0 }), /dim must be ≥ 1/);
  assert.throws(() => clusteredVectors({ n: 4, dim: 2, clusters: 0 }), /clusters must be ≥ 1/);
  assert.throws(() => clusteredVectors({ n: 4, dim: 2.5 }), TypeError);
  assert.throws(() => clusteredVectors({ n: 4, dim: 2, cluster: 3 } as never), /unknown option 'cluster'/);
});

// Recorded from this implementation (2026-12-02): it pins the stream, so that a demo's data never changes.
const GOLDEN_SHA = '31976c704ec8d13387898b0d6d22e073fdcddd6cf24ce2d08ab6b5d0fb4067bf';

test('clusteredVectors: intrinsicDim spreads clusters along low-dimensional subspaces — neighbours far nearer than isotropic ones', () => {
  const dim = 48, n = 600;
  const ratio = (x: Float32Array) => nnToRandomPair(x, n, dim);
  const iso = clusteredVectors({ n, dim, clusters: 4, seed: 5 });
  const low = clusteredVectors({ n, dim, clusters: 4, seed: 5, intrinsicDim: 4 });
  assert.ok(ratio(low) < 0.5 * ratio(iso), `nn / random-pair distance ${ratio(low)} (intrinsic 4) vs ${ratio(iso)} (isotropic)`);
  assert.deepEqual(clusteredVectors({ n, dim, clusters: 4, seed: 5, intrinsicDim: 4 }), low);
  assert.throws(() => clusteredVectors({ n, dim, intrinsicDim: dim + 1 }), /intrinsicDim must be ≤ 48/);
});
