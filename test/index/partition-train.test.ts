/**
 * Retraining a partitioned index: the switch drops the partition (its centroids
 * were in the old catalyzer's space), then a second write rebuilds it on the new
 * codes. On real SIFT the probed answers stay close to the exhaustive ones.
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
const FAST = { epochs: 2, dint: 256, sampleSize: NB } as const;

const base = readVecs(path.join(SIFT, 'bigann_base.bvecs'), { start: 0, count: NB }, 'bvecs').data;
const queries = readVecs(path.join(SIFT, 'bigann_query.bvecs'), { start: 0, count: NQ }, 'bvecs').data;

/** Share of queries whose first result of `a` is among the first 10 of `b`. */
function agreement(a: SearchResult, b: SearchResult): number {
  let hit = 0;
  for (let q = 0; q < a.nq; q++) if (b.ids.subarray(q * b.k, q * b.k + 10).includes(a.ids[q * a.k])) hit++;
  return hit / a.nq;
}

test('train() partitions the new codes (unless partition: false); retraining rebuilds the partition; reopen keeps it', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-partition-train-')), 'idx');
  const index = await Index.create(dir, { dim: 128, dtype: 'uint8' });
  await index.add(base);
  await assert.rejects(index.partition(), { name: 'RangeError', message: /trained index/ });
  const flat = await index.train({ ...FAST, seed: 3, partition: false });
  assert.equal(flat.nlist, 0, 'partition: false keeps the index flat');
  assert.equal(index.partitioned, false);
  const first = await index.train({ ...FAST, seed: 3 });
  assert.equal(first.nlist, 400, 'train() partitions at the defaults');
  assert.equal(index.partitioned, true);
  const { nlist } = await index.partition();
  assert.equal(nlist, 400);
  const report = await index.train({ ...FAST, epochs: 1, seed: 9 });
  assert.equal(report.nlist, nlist);
  assert.equal(index.partitioned, true);
  await index.verify();
  const all = await index.search(queries, 10, { nprobe: 'all' });
  const probed = await index.search(queries, 10, { nprobe: 16 });
  // Centroids of the old catalyzer would scatter the new codes' neighbours over many lists.
  const agree = agreement(all, probed);
  assert.ok(agree >= 0.85, `nprobe 16 of ${nlist} finds the exhaustive first result in the top 10 for ${agree} of the queries`);
  await index.close();
  const again = await Index.open(dir);
  assert.equal(again.nlist, nlist);
  assert.deepEqual(await again.search(queries, 10, { nprobe: 16 }), probed);
  await again.close();
});
