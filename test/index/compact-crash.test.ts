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
const BATCH = 20000;
const TRIALS = 5;
const opts = { loadCatalyzer: loadTestEncoder, compactAt: false as const };


/** The crash-compactor child on `dir`, SIGKILLed `delayMs` after it is ready. */
function killDuringCompact(dir: string, delayMs: number): Promise<boolean> {
  return runAndKill('crash-compactor', [dir], delayMs, 'compacted ').then((r) => r.reported);
}

test('a process killed (SIGKILL) while compacting leaves the index as before or as after: same answers, verify passes', async (t) => {
  const base = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-compact-crash-')), 'idx');
  const index = await Index.create(base, { catalyzer: new TestEncoder(DIN, DOUT, 7), quantizer: 'zn_30', ...opts });
  for (let b = 0; b < 3; b++) await index.add(randomRows(BATCH, DIN, 1000 + b));
  // A third of the slots die: every other id of the first two batches is removed or replaced.
  const every2 = Array.from({ length: BATCH }, (_, i) => 2 * i);
  await index.remove(every2.slice(0, BATCH / 2));
  await index.add(randomRows(BATCH / 2, DIN, 2000), every2.slice(BATCH / 2));
  const q = randomRows(20, DIN, 77);
  const expected = await index.search(q, 30);
  const old = await index.verify();
  await index.close();

  // The compaction's length, measured on a copy, spreads the kills over it.
  const probe = await Index.open(indexCopy(base, 'spreadvec-compact-crash-'), opts);
  const t0 = performance.now();
  assert.equal(await probe.compact(), old.removed);
  const compactMs = performance.now() - t0;
  await probe.close();

  const outcomes: string[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const dir = indexCopy(base, 'spreadvec-compact-crash-');
    const reported = await killDuringCompact(dir, (trial / (TRIALS - 1)) * 1.5 * compactMs);
    const after = await Index.open(dir, opts);
    const report = await after.verify();
    const compacted = report.slots === old.live;
    assert.ok(compacted || report.slots === old.slots, `trial ${trial}: ${report.slots} slots, neither ${old.slots} nor ${old.live}`);
    assert.ok(compacted || !reported, `trial ${trial}: the child reported a compaction that is not there`);
    assert.equal(report.live, old.live);
    assert.equal(report.removed, compacted ? 0 : old.removed);
    assert.deepEqual(await after.search(q, 30), expected, `trial ${trial}: answers changed`);
    await after.close();
    outcomes.push(compacted ? 'new' : 'old');
  }
  t.diagnostic(`outcomes: ${outcomes.join(' ')} (compact ${compactMs.toFixed(0)} ms)`);
});
