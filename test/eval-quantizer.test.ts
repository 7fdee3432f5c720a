import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeQuantizer, registerQuantizer, signCodes, type QuantizerIndex } from '../src/eval/quantizer';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

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
