/**
 * index.train(): an untrained index learns its catalyzer from its stored vectors,
 * codes them and switches at once; recall on real SIFT against the index's own
 * exact answers; refine; retrain and reopen; calls during training; bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index, type SearchResult } from '../../src/index/vector-index';
import { readVecs } from '../../src/data/vecs';

const SIFT = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'sift-debian-small');
const NB = 10_000;
const NQ = 200;
/** Small settings so the suite stays quick; the defaults are measured in bench/byov.ts. */
const FAST = { epochs: 2, dint: 256, sampleSize: NB } as const;

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-train-')), 'idx');
}

const base = readVecs(path.join(SIFT, 'bigann_base.bvecs'), { start: 0, count: NB }, 'bvecs').data;
const queries = readVecs(path.join(SIFT, 'bigann_query.bvecs'), { start: 0, count: NQ }, 'bvecs').data;

/** Fraction of queries whose exact nearest id is among the first `at` results. */
function recallAt(r: SearchResult, truth: BigInt64Array, at: number): number {
  let hit = 0;
  for (let q = 0; q < r.nq; q++) {
    for (let j = 0; j < Math.min(at, r.k); j++) if (r.ids[q * r.k + j] === truth[q]) hit++;
  }
  return hit / r.nq;
}

async function untrainedSift(dtype: 'uint8' | 'float32' = 'uint8'): Promise<{ index: Index; dir: string; truth: BigInt64Array }> {
  const dir = tmpDir();
  const index = await Index.create(dir, { dim: 128, dtype });
  await index.add(dtype === 'uint8' ? base : Float32Array.from(base));
  const exact = await index.search(queries, 1);
  return { index, dir, truth: exact.ids };
}

test('train on real SIFT: codes reach a recall floor, refine re-ranks the codes\' candidates exactly, reopen answers the same', async () => {
  const { index, dir, truth } = await untrainedSift();
  assert.equal(index.trained, false);
  const report = await index.train({ ...FAST, seed: 3 });
  assert.equal(index.trained, true);
  assert.equal(index.quantizer, 'zn_79');
  assert.equal(index.codeBytes, 8);
  assert.deepEqual([report.trainSize, report.coded, report.din, report.dout, report.epochs], [NB, NB, 128, 24, 2]);
  // Resident memory is the codes now (8 B each plus the bitmap), not the vectors.
  assert.ok(index.memoryBytes < NB * 10 * 1.3, `memoryBytes ${index.memoryBytes}`);
  const codes = await index.search(queries, 100);
  const r1 = recallAt(codes, truth, 1);
  const r10 = recallAt(codes, truth, 10);
  const r100 = recallAt(codes, truth, 100);
  // Floors measured with these settings (0.36 / 0.735 / 0.975 seen), less a margin.
  assert.ok(r1 >= 0.25 && r10 >= 0.6 && r100 >= 0.9, `1-recall@1/10/100 ${r1} / ${r10} / ${r100}`);
  // k = 1 with refine 10: the exact best of the codes' 10 best, so 1-recall@1 is the
  // codes' 1-recall@10 (up to ties at the 10th place).
  const refined = await index.search(queries, 1, { refine: 10 });
  const rr1 = recallAt(refined, truth, 1);
  assert.ok(Math.abs(rr1 - r10) <= 2 / NQ, `refined 1-recall@1 ${rr1}, codes 1-recall@10 ${r10}`);
  // Refined distances are exact squared L2 distances, ascending.
  const refined10 = await index.search(queries, 10, { refine: 10 });
  const got = (await index.get([refined10.ids[0]])) as Uint8Array;
  let d = 0;
  for (let i = 0; i < 128; i++) d += (got[i] - queries[i]) ** 2;
  assert.equal(refined10.distances[0], d);
  for (let j = 1; j < 10; j++) assert.ok(refined10.distances[j] >= refined10.distances[j - 1]);
  await index.close();
  const again = await Index.open(dir);
  assert.equal(again.trained, true);
  assert.deepEqual(await again.search(queries, 100), codes);
  assert.deepEqual(await again.search(queries, 1, { refine: 10 }), refined);
  const v = await again.verify();
  assert.deepEqual([v.trained, v.vectors, v.live], [true, NB, NB]);
  await again.close();
});

test('retraining replaces the model; a reader process sees the old state or the new one, and reloads', async () => {
  const { index, dir } = await untrainedSift();
  await index.train({ ...FAST, seed: 3 });
  const reader = await Index.open(dir, { readOnly: true });
  const first = await index.search(queries, 10);
  assert.deepEqual(await reader.search(queries, 10), first);
  await index.train({ ...FAST, epochs: 1, seed: 9 });
  const second = await index.search(queries, 10);
  assert.notDeepEqual(second, first);
  // The reader loads the new catalyzer and codes at its next search.
  assert.deepEqual(await reader.search(queries, 10), second);
  await reader.close();
  await index.close();
  const again = await Index.open(dir);
  assert.deepEqual(await again.search(queries, 10), second);
  await again.close();
});

test('adds, removes and searches called while train() runs all complete; the event loop keeps turning; later adds are coded', async () => {
  const { index, truth } = await untrainedSift('float32');
  let ticks = 0;
  let last = performance.now();
  let longestGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks++;
  }, 5);
  const training = index.train({ ...FAST, seed: 3 });
  // Issued while the fit runs: they take their turns at once, on the untrained state.
  const during = await index.search(queries.subarray(0, 128), 1);
  assert.equal(during.ids[0], truth[0]);
  const extra = new Float32Array(128).fill(7);
  const [added] = await index.add(extra);
  assert.equal(await index.remove([5n]), 1);
  await training;
  clearInterval(timer);
  // The loop kept turning all along (a blocked loop shows as one long gap).
  assert.ok(ticks >= 20 && longestGap < 1000, `the timer fired ${ticks} times during training, longest gap ${longestGap.toFixed(0)} ms`);
  assert.equal(index.trained, true);
  assert.equal(index.size, NB);
  // The vector added during training was coded by the switch: found by its own query.
  const found = await index.search(extra, 1, { refine: 5 });
  assert.equal(found.ids[0], added);
  assert.equal(await index.has(5n), false);
  const v = await index.verify();
  assert.deepEqual([v.live, v.vectors], [NB, NB]);
  await index.close();
});

test('train() refuses too few vectors (saying how many it needs), a second training at once, and an index without vectors', async () => {
  const index = await Index.create(tmpDir(), { dim: 4 });
  await index.add(Float32Array.from({ length: 40 }, (_, i) => (i % 7) + 1));
  await assert.rejects(index.train(), (e: Error) => e instanceof RangeError && /needs at least 1000 stored vectors, the index has 10/.test(e.message));
  assert.equal(index.trained, false);
  assert.equal((await index.search(Float32Array.from([1, 2, 3, 4]), 1)).ids.length, 1);
  await index.close();
  const { index: big } = await untrainedSift();
  const first = big.train({ ...FAST, epochs: 1 });
  await assert.rejects(big.train(), /already running/);
  await first;
  await big.close();
});
