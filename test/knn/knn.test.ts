import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { knnReference, type KnnMetric } from '../../src/knn/knn-reference';
import { knnNative, knnNativeSync } from '../../src/knn/knn-native';
import { knn } from '../../src/knn/knn';
import { activeIsa, detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';
import { knnL2 } from '../../src/knn/knn-native';
import { lcgCentered, lcgUint32 } from '../helpers/random';

// Small integer coordinates make every distance exact in float32 and create many
// ties, so native and reference must agree on the tie rule, not only on values.
const intVectors = (n: number, dim: number, seed: number, span = 4) => {
  const next = lcgUint32(seed);
  return Float32Array.from({ length: n * dim }, () => (next() % (2 * span + 1)) - span);
};

const isas = (['scalar', 'avx2', 'avx512'] as Isa[]).filter((isa) => {
  const best = detectedIsa();
  const ok = setIsa(isa);
  setIsa(best);
  return ok;
});

test('native k-NN equals the reference (indices and distances), every ISA, L2 and IP', () => {
  const best = detectedIsa();
  try {
    fc.assert(
      fc.property(
        fc.record({
          dim: fc.integer({ min: 1, max: 24 }),
          nq: fc.integer({ min: 1, max: 40 }),
          nb: fc.integer({ min: 1, max: 300 }),
          k: fc.integer({ min: 1, max: 20 }),
          metric: fc.constantFrom<KnnMetric>('l2', 'ip'),
          threads: fc.integer({ min: 1, max: 3 }),
          isa: fc.constantFrom(...isas),
          span: fc.integer({ min: 1, max: 6 }),
          seed: fc.integer(),
        }),
        ({ dim, nq, nb, k, metric, threads, isa, span, seed }) => {
          setIsa(isa);
          const q = intVectors(nq, dim, seed, span), b = intVectors(nb, dim, seed ^ 0x5bd1e995, span);
          const want = knnReference(q, b, dim, k, metric);
          const got = knnNativeSync(q, b, dim, k, { metric, threads });
          assert.deepEqual(got.indices, want.indices);
          assert.deepEqual(got.distances, want.distances);
        },
      ),
      { numRuns: 150 },
    );
  } finally {
    setIsa(best);
  }
});

test('blocked paths: query groups, base slices merged across threads, k > nb padding, every ISA', async () => {
  const dim = 12;
  for (const [nq, nb, k, threads] of [
    [300, 2600, 7, 2], // 2 query blocks, too few for 2 threads: base cut in 2 slices, merged
    [1200, 1500, 5, 2], // 2 query groups of 600 (3 tiles each) sharing transposed base blocks
    [600, 1100, 3, 1], // one thread: one group of 3 tiles
    [40, 3100, 10, 3], // 1 query block, base cut in 3 slices then merged
    [5, 4, 9, 2], // k > nb: rows padded with -1
  ]) {
    for (const metric of ['l2', 'ip'] as KnnMetric[]) {
      const q = intVectors(nq, dim, nq + nb, 3), b = intVectors(nb, dim, nb * 7, 3);
      const want = knnReference(q, b, dim, k, metric);
      const best = detectedIsa();
      for (const isa of isas) {
        setIsa(isa);
        const got = await knnNative(q, b, dim, k, { metric, threads }).finally(() => setIsa(best));
        assert.deepEqual(got.indices, want.indices, `${metric} nq=${nq} nb=${nb} ${isa}`);
        assert.deepEqual(got.distances, want.distances);
      }
    }
  }
  const pad = knnNativeSync(intVectors(1, 3, 1), intVectors(2, 3, 2), 3, 4);
  assert.deepEqual(Array.from(pad.indices.subarray(2)), [-1, -1]);
  assert.deepEqual(Array.from(pad.distances.subarray(2)), [Infinity, Infinity]);
});

test("the trainer's knnL2 is the same exact k-NN: reference indices, ties included, every ISA", async () => {
  const best = detectedIsa();
  for (const [nq, nb, dim, k, threads] of [
    [37, 500, 24, 10, 1],
    [300, 2600, 24, 50, 2], // base cut in slices, merged
    [9, 9, 5, 9, 3], // k = nb
  ]) {
    const q = intVectors(nq, dim, nq * 31 + nb, 2), b = intVectors(nb, dim, nb * 17 + dim, 2);
    const want = knnReference(q, b, dim, k).indices;
    for (const isa of isas) {
      setIsa(isa);
      const got = await knnL2(q, b, dim, k, threads).finally(() => setIsa(best));
      assert.deepEqual(got, want, `nq=${nq} nb=${nb} k=${k} ${isa}`);
    }
  }
});

test('real-valued data: native agrees with the float64 reference up to rounding near-ties', async () => {
  const dim = 32, nq = 50, nb = 2000, k = 10;
  const rnd = lcgCentered(7);
  const q = Float32Array.from({ length: nq * dim }, rnd), b = Float32Array.from({ length: nb * dim }, rnd);
  const want = knnReference(q, b, dim, k), got = await knn(q, b, dim, k);
  let same = 0;
  for (let i = 0; i < nq * k; i++) {
    if (got.indices[i] === want.indices[i]) same++;
    assert.ok(Math.abs(got.distances[i] - want.distances[i]) < 1e-4 * (1 + want.distances[i]));
  }
  assert.ok(same >= 0.99 * nq * k, `${same} of ${nq * k} identical`);
});

test('bad arguments name the argument', async () => {
  const f = new Float32Array(8);
  assert.throws(() => knnNativeSync(new Float64Array(8) as never, f, 4, 1), /queries must be a Float32Array/);
  assert.throws(() => knnNativeSync(f, f, 3, 1), /queries length 8 is not a multiple of dim 3/);
  assert.throws(() => knnNativeSync(f, f, 4, 0), /k must be an integer/);
  assert.throws(() => knnNativeSync(f, f, 4, 1, { metric: 'cos' as never }), /metric must be 'l2' or 'ip', got 'cos'/);
  await assert.rejects(knn(f, new Float32Array(6), 4, 1), /base has 6 values, not a multiple of the dimension 4/);
  assert.equal(activeIsa(), detectedIsa());
});
