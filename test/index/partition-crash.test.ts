/**
 * partition() commits in one transaction: a SIGKILL at any moment leaves the index
 * flat as before or partitioned as after; either way it verifies and the exhaustive
 * answers (nprobe 'all') are those it had.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';
import { indexCopy, runAndKill } from '../helpers/kill-child';

const DIN = 10;
const DOUT = 16;
const N = 40_000;
const NLIST = 200;
const TRIALS = 4;
const opts = { loadCatalyzer: loadTestEncoder, compactAt: false as const };


/** The crash-partitioner child on `dir`, SIGKILLed `delayMs` after it is ready. */
function killDuringPartition(dir: string, delayMs: number): Promise<boolean> {
  return runAndKill('crash-partitioner', [dir, String(NLIST)], delayMs, 'partitioned ').then((r) => r.reported);
}

test('a process killed (SIGKILL) while partitioning leaves the index flat or partitioned whole: verify passes, exhaustive answers unchanged', async (t) => {
  const base = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-partition-crash-')), 'idx');
  const index = await Index.create(base, { catalyzer: new TestEncoder(DIN, DOUT, 7), quantizer: 'zn_30', ...opts });
  await index.add(randomRows(N, DIN, 1000));
  await index.remove(Array.from({ length: 2000 }, (_, i) => 7 * i));
  const q = randomRows(20, DIN, 77);
  const expected = await index.search(q, 30, { nprobe: 'all' });
  const old = await index.verify();
  await index.close();

  const probe = await Index.open(indexCopy(base, 'spreadvec-partition-crash-'), opts);
  const t0 = performance.now();
  assert.equal((await probe.partition({ nlist: NLIST })).nlist, NLIST);
  const partitionMs = performance.now() - t0;
  await probe.close();

  const outcomes: string[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const dir = indexCopy(base, 'spreadvec-partition-crash-');
    const reported = await killDuringPartition(dir, (trial / (TRIALS - 1)) * 1.5 * partitionMs);
    const after = await Index.open(dir, opts);
    const report = await after.verify();
    const partitioned = after.partitioned;
    assert.ok(partitioned || !reported, `trial ${trial}: the child reported a partition that is not there`);
    assert.equal(after.nlist, partitioned ? NLIST : 0);
    assert.equal(report.live, old.live);
    assert.equal(report.slots, partitioned ? old.live : old.slots);
    assert.deepEqual(await after.search(q, 30, { nprobe: 'all' }), expected, `trial ${trial}: answers changed`);
    await after.close();
    outcomes.push(partitioned ? 'new' : 'old');
  }
  t.diagnostic(`outcomes: ${outcomes.join(' ')} (partition ${partitionMs.toFixed(0)} ms)`);
});
