import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeQuantizer, registerQuantizer, signCodes, type QuantizerIndex } from '../../src/quantizers';
import { knnReference } from '../../src/knn/knn-reference';
import { ZnCodec } from '../../src/lattice/zn-codec';
import { lcgSigned } from '../helpers/random';

const lcg = lcgSigned;

test('none: every base vector used as a query finds itself first', async () => {
  const dim = 16, n = 300, rnd = lcg(1);
  const base = Float32Array.from({ length: n * dim }, rnd);
  const q = await makeQuantizer('none', dim, base);
  assert.equal(q.bitsPerVector, 32 * dim);
  await q.add(base.subarray(0, 100 * dim));
  await q.add(base.subarray(100 * dim)); // add twice: indices continue
  const I = await q.search(base, 3);
  for (let i = 0; i < n; i++) assert.equal(I[i * 3], i);
});

test('binary: ranks by Hamming distance of the sign bits', async () => {
  const dim = 8;
  // sign patterns at Hamming distances 6, 1, 0, 1 from the all-positive query
  const base = Float32Array.from([
    -1, -1, -1, -1, -1, -1, 2, 3,
    1, 1, 1, 1, 1, -1, 2, 3,
    1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, -5, 1,
  ]);
  const query = Float32Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  const q = await makeQuantizer('binary', dim, base);
  assert.equal(q.bitsPerVector, 8);
  await q.add(base);
  // Hamming distances: row0 = 6, row1 = 1, row2 = 0, row3 = 1 → order 2, 1, 3, 0
  assert.deepEqual(Array.from(await q.search(query, 4)), [2, 1, 3, 0]);
  assert.deepEqual(Array.from(signCodes(Float32Array.from([0, -0.1, 3]))), [-1, -1, 1]);
});

test('unknown specs are refused with the list of known ones; registration extends the zoo', async () => {
  await assert.rejects(makeQuantizer('lsh_12', 4, new Float32Array(8)), /unknown spec 'lsh_12'.*none/);
  const fake: QuantizerIndex = { bitsPerVector: 7, add: async () => {}, search: async () => new Int32Array(0) };
  registerQuantizer(/^fake_\d+$/, async () => fake);
  assert.equal(await makeQuantizer('fake_3', 4, new Float32Array(8)), fake);
  await assert.rejects(makeQuantizer('none', 3, new Float32Array(8)), /train has 8 values, not a multiple/);
});

test('zn_<r2>: nbit from the codec; the base is searched as its decoded lattice points, queries exact', async () => {
  const dim = 6, r2 = 5, n = 400, rnd = lcg(9);
  const base = Float32Array.from({ length: n * dim }, rnd);
  const queries = Float32Array.from({ length: 30 * dim }, rnd);
  const codec = new ZnCodec(dim, r2);
  const q = await makeQuantizer(`zn_${r2}`, dim, base);
  assert.equal(q.bitsPerVector, codec.nbit);
  await q.add(base);
  const got = await q.search(queries, 10);
  // Independent path: the TS reference codec's nearest lattice points, scaled to unit length.
  const recon = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const z = codec.quantize(base.subarray(i * dim, (i + 1) * dim));
    z.forEach((v, j) => (recon[i * dim + j] = v / Math.sqrt(r2)));
  }
  const want = knnReference(queries, recon, dim, 10);
  // Many base vectors share a lattice point: compare the distances row by row, and
  // the ids where the distance is unique.
  const dist = (qi: number, b: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (queries[qi * dim + j] - recon[b * dim + j]) ** 2;
    return s;
  };
  for (let qi = 0; qi < 30; qi++) {
    for (let r = 0; r < 10; r++) {
      assert.ok(Math.abs(dist(qi, got[qi * 10 + r]) - want.distances[qi * 10 + r]) < 1e-5, `query ${qi} rank ${r}`);
    }
  }
  await assert.rejects(makeQuantizer('zn_2', 1, new Float32Array(0)), /r2|empty|sphere/i);
});

test('zn_79 at d=24 codes in 64 bits', async () => {
  const q = await makeQuantizer('zn_79', 24, new Float32Array(0));
  assert.equal(q.bitsPerVector, 64);
});
