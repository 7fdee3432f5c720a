import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';
import { pqAdcSearchNative, pqAdcSearchNativeSync, pqComputeLutsNative, pqDecodeNative } from '../../src/kernels/pq-native';
import { adcSearchReference, computeLutsReference } from '../reference/pq';
import { ProductQuantizer, pqQuantizerFactory } from '../../src/quantizers/pq';
import { makeQuantizer } from '../../src/quantizers';
import { lcgOpenUnit } from '../helpers/random';

const ISAS: Isa[] = (['scalar', 'avx2', 'avx512'] as Isa[]).filter((isa) => {
  const ok = setIsa(isa);
  setIsa(detectedIsa());
  return ok;
});

/** The shared LCG, uniform in (0, 1); seed 0 is read as 1, as this file always did. */
const lcg = (seed: number): (() => number) => lcgOpenUnit(seed >>> 0 || 1);

function gaussians(n: number, seed: number): Float32Array {
  const u = lcg(seed);
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

/** Correlated data with uneven variances, where trained codebooks matter. */
function structured(n: number, d: number, seed: number): Float32Array {
  const g = gaussians(n * d, seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = g[i * d + j] * (1 + j) + 0.5 * g[i * d + ((j + 1) % d)];
  }
  return x;
}

const shape = fc.record({
  M: fc.integer({ min: 1, max: 9 }),
  dsub: fc.integer({ min: 1, max: 4 }),
  n: fc.integer({ min: 1, max: 700 }),
  nq: fc.integer({ min: 1, max: 21 }),
  k: fc.integer({ min: 1, max: 40 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  dup: fc.boolean(),
});

test('ADC: native scan = TS reference for every ISA (ids, distances, ties, k > n); distances = squared L2 to the reconstructions', () => {
  fc.assert(
    fc.property(shape, ({ M, dsub, n, nq, k, seed, dup }) => {
      const d = M * dsub;
      const u = lcg(seed);
      const codebooks = gaussians(M * 256 * dsub, seed + 1);
      // Few distinct codes when `dup`: many exact ties, which must resolve to the smaller id.
      const codes = Uint8Array.from({ length: n * M }, () => Math.floor(u() * (dup ? 3 : 256)));
      const queries = gaussians(nq * d, seed + 2);
      const lutsRef = computeLutsReference(queries, d, M, codebooks);
      const luts = pqComputeLutsNative(queries, d, M, codebooks);
      for (let i = 0; i < luts.length; i++) assert.ok(Math.abs(luts[i] - lutsRef[i]) <= 1e-5 * (1 + lutsRef[i]));
      const ref = adcSearchReference(luts, M, codes, k);
      const recon = pqDecodeNative(codes, d, M, codebooks);
      for (const isa of ISAS) {
        setIsa(isa);
        const got = pqAdcSearchNativeSync(luts, M, codes, k, 1 + (seed % 2));
        assert.deepEqual(got.ids, ref.ids, `${isa}: ids`);
        assert.deepEqual(got.distances, ref.distances, `${isa}: distances`);
      }
      setIsa(detectedIsa());
      for (let q = 0; q < nq; q++) {
        for (let j = 0; j < Math.min(k, n); j++) {
          const id = ref.ids[q * k + j];
          let exact = 0;
          for (let p = 0; p < d; p++) exact += (queries[q * d + p] - recon[id * d + p]) ** 2;
          assert.ok(Math.abs(ref.distances[q * k + j] - exact) <= 1e-4 * (1 + exact), `ADC ${ref.distances[q * k + j]} vs ${exact}`);
        }
      }
    }),
    { numRuns: 60 },
  );
});

test('ADC: the async scan on 2 threads equals the sync one on a larger batch', async () => {
  const M = 8, n = 70000, nq = 37, k = 10;
  const u = lcg(5);
  const codes = Uint8Array.from({ length: n * M }, () => Math.floor(u() * 256));
  const luts = Float32Array.from({ length: nq * M * 256 }, () => u());
  const a = await pqAdcSearchNative(luts, M, codes, k, 2);
  const b = pqAdcSearchNativeSync(luts, M, codes, k, 1);
  assert.deepEqual(a, b);
  assert.deepEqual(adcSearchReference(luts.subarray(0, 2 * M * 256), M, codes, k).ids, a.ids.subarray(0, 2 * k));
});

test('trained PQ reconstructs better than random codebooks and than untrained random points', async () => {
  const d = 16, M = 4;
  const train = structured(4000, d, 11);
  const test_ = structured(1000, d, 12);
  const pq = await ProductQuantizer.train(train, d, M, { niter: 10, seed: 2 });
  const trained = pq.reconstructionError(test_);
  // Codebooks of random Gaussians with the data's per-component spread.
  const spread = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < 4000; i++) s += train[i * d + j] ** 2;
    spread[j] = Math.sqrt(s / 4000);
  }
  const g = gaussians(M * 256 * (d / M), 13);
  for (let m = 0; m < M; m++) for (let c = 0; c < 256; c++) for (let p = 0; p < d / M; p++) g[(m * 256 + c) * (d / M) + p] *= spread[m * (d / M) + p];
  const random = new ProductQuantizer(d, M, g).reconstructionError(test_);
  const sampled = (await ProductQuantizer.train(train, d, M, { niter: 0, seed: 2 })).reconstructionError(test_);
  assert.ok(trained < 0.9 * random, `trained ${trained} vs random ${random}`);
  assert.ok(trained < sampled, `trained ${trained} vs k-means++ seeds only ${sampled}`);
});

test('pq_<bits> factory: bits per vector, add then search returns nq×k ids; bad specs are refused', async () => {
  const d = 16;
  const train = structured(1000, d, 21);
  const index = await pqQuantizerFactory('pq_32', d, train);
  assert.equal(index.bitsPerVector, 32);
  await index.add(train.subarray(0, 500 * d));
  await index.add(train.subarray(500 * d));
  const ids = await index.search(train.subarray(0, 3 * d), 5);
  assert.equal(ids.length, 15);
  // A database vector's own code is at distance ≤ any other's reconstruction... its own id ranks first
  // unless another code is identical, in which case the distances tie.
  const { ids: ids1, distances } = await index.searchWithDistances(train.subarray(0, 3 * d), 5);
  assert.deepEqual(ids1, ids);
  for (let q = 0; q < 3; q++) for (let j = 1; j < 5; j++) assert.ok(distances[q * 5 + j] >= distances[q * 5 + j - 1]);
  await assert.rejects(pqQuantizerFactory('pq_12', d, train), /multiple of 8/);
  await assert.rejects(pqQuantizerFactory('pq_24', d, train), /not a multiple of M = 3/);
  await assert.rejects(pqQuantizerFactory('opq_32', d, train), /not a PQ spec/);
  assert.throws(() => pqAdcSearchNativeSync(new Float32Array(10), 8, new Uint8Array(8), 1), RangeError);
  assert.throws(() => pqAdcSearchNativeSync(new Float32Array(2048), 8, new Uint8Array(8), 0), /k must be in/);
  assert.throws(() => pqAdcSearchNativeSync(new Float64Array(2048) as never, 8, new Uint8Array(8), 1), /luts must be a Float32Array/);
});

test('the evaluation zoo builds pq_<bits> and opq_<bits>', async () => {
  const d = 8;
  const train = structured(600, d, 31);
  const pq = await makeQuantizer('pq_32', d, train);
  assert.equal(pq.bitsPerVector, 32);
  const opq = await makeQuantizer('opq_16', d, train);
  assert.equal(opq.bitsPerVector, 16);
  await pq.add(train);
  assert.equal((await pq.search(train.subarray(0, d), 3)).length, 3);
});
