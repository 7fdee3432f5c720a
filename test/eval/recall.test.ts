import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluate, evaluateAll, formatRecallLine, oneRecalls } from '../../src/eval/evaluate';
import { loadSplit } from '../../src/data/splits';
import { registerQuantizer } from '../../src/quantizers';
import { lcgSigned } from '../helpers/random';

test('1-recall at ranks 1, 10, 100 on a hand-computed case', () => {
  // 4 queries, 12 results each; the true nearest neighbour (gt column 0) sits at
  // rank 1, rank 3, rank 12 and nowhere.
  const k = 12;
  const I = new Int32Array(4 * k).fill(99);
  I[0 * k + 0] = 5;
  I[1 * k + 2] = 6;
  I[2 * k + 11] = 7;
  const gt = Int32Array.from([5, 1, 6, 1, 7, 1, 8, 1]); // gtK = 2: only column 0 counts
  // rank 1: q0 → 1/4; rank 10: q0, q1 → 2/4; rank 100 (clipped to k=12): q0, q1, q2 → 3/4
  assert.deepEqual(oneRecalls(I, k, gt, 2), [0.25, 0.5, 0.75]);
  assert.throws(() => oneRecalls(I, 10, gt, 2), /results hold 48 ids, expected 4×10/);
});

test("result lines have eval.py's format", () => {
  assert.equal(formatRecallLine('zn_79', 64, [0.1234, 0.56786, 1]), 'zn_79\t nbit= 64:  0.1234 0.5679 1.0000 ');
  assert.equal(formatRecallLine('none', 4096, [1, 1, 1]), 'none\t nbit=4096:  1.0000 1.0000 1.0000 ');
});

const lcg = lcgSigned;

test('evaluate: none finds every query that is a base vector; the encoder and the score key apply', async () => {
  const dim = 6, nb = 500, rnd = lcg(3);
  const base = Float32Array.from({ length: nb * dim }, rnd);
  const pick = [3, 77, 140, 499, 250];
  const queries = new Float32Array(pick.length * dim);
  pick.forEach((b, i) => queries.set(base.subarray(b * dim, (b + 1) * dim), i * dim));
  const split = { dim, base, queries, gt: Int32Array.from(pick), gtK: 1, train: base };
  const lines: string[] = [];
  const r = await evaluate({ split, quantizer: 'none', log: (l) => lines.push(l) });
  assert.deepEqual([r.r1, r.r10, r.r100, r.bits], [1, 1, 1, 32 * dim]);
  assert.deepEqual(lines, ['none\t nbit=192:  1.0000 1.0000 1.0000 ']);

  // An encoder that maps everything to the same point: ties broken by index, so
  // only the query whose neighbour has index < rank is found.
  let calls = 0;
  const collapse = async (x: Float32Array) => (calls++, new Float32Array(x.length / dim * 2));
  const { results, score } = await evaluateAll({
    split, quantizers: ['none', 'binary'], encode: collapse, bestKey: 'binary,rank=100', log: () => {},
  });
  assert.equal(calls, 3); // queries, base, train
  assert.deepEqual(results.map((x) => [x.r1, x.r10, x.r100]), [[0, 1 / 5, 2 / 5], [0, 1 / 5, 2 / 5]]);
  assert.equal(results[1].bits, 8);
  assert.equal(score, 2 / 5);
});

test('evaluate hands the first trainSize training vectors to the quantizer', async () => {
  let seen = -1;
  registerQuantizer(/^spy$/, async (_s, dim, train) => {
    seen = train.length / dim;
    return { bitsPerVector: 1, add: async () => {}, search: async (q, k) => new Int32Array((q.length / dim) * k) };
  });
  const dim = 2;
  const split = { dim, base: new Float32Array(20), queries: new Float32Array(4), gt: new Int32Array(2), gtK: 1, train: new Float32Array(60) };
  await evaluate({ split, quantizer: 'spy', trainSize: 7, log: () => {} });
  assert.equal(seen, 7);
});

const SIFT = path.join(__dirname, '../../../shared/data/sift-debian-small');
test('sift-debian-small slice: exact search recovers the recomputed ground truth; binary is worse', { skip: !fs.existsSync(SIFT) }, async () => {
  const split = await loadSplit('sift-debian-small', { sizeBase: 20000, numQueries: 200, numLearn: 2000 });
  assert.deepEqual([split.nb, split.nq, split.dim], [20000, 200, 128]);
  const { results } = await evaluateAll({ split, quantizers: ['none', 'binary'], log: () => {} });
  assert.deepEqual([results[0].r1, results[0].r10, results[0].r100], [1, 1, 1]);
  assert.ok(results[1].r1 < 0.9 && results[1].r100 > results[1].r1, JSON.stringify(results[1]));
});
