import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { readVecs } from '../../src/data/vecs';
import { indexCopy, runAndKill } from '../helpers/kill-child';

const SIFT = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'sift-debian-small');
const NB = 5000;
const TRIALS = 4;


/** The crash-trainer child on `dir`, SIGKILLed `delayMs` after it is ready. */
function killDuringTrain(dir: string, delayMs: number): Promise<{ reported: boolean; ms: number }> {
  return runAndKill('crash-trainer', [dir], delayMs, 'trained');
}

test('a process killed (SIGKILL) while training leaves the index untrained with the same answers, or trained as a finished training leaves it', async () => {
  const base = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-train-crash-')), 'idx');
  const x = readVecs(path.join(SIFT, 'bigann_base.bvecs'), { start: 0, count: NB }, 'bvecs').data;
  const q = readVecs(path.join(SIFT, 'bigann_query.bvecs'), { start: 0, count: 50 }, 'bvecs').data;
  const index = await Index.create(base, { dim: 128, dtype: 'uint8' });
  await index.add(x);
  const untrained = await index.search(q, 10);
  await index.close();

  // A finished training on a copy: what a trained outcome must answer, and how long it takes.
  const done = indexCopy(base, 'spreadvec-train-crash-');
  const full = await killDuringTrain(done, -1);
  assert.equal(full.reported, true);
  const finished = await Index.open(done);
  // Every code, whatever the partition: a kill between the switch and the partition
  // leaves the index trained and flat, with the same codes.
  const trained = await finished.search(q, 10, { nprobe: 'all' });
  await finished.close();

  const outcomes = new Set<string>();
  for (let t = 0; t < TRIALS; t++) {
    const dir = indexCopy(base, 'spreadvec-train-crash-');
    const { reported } = await killDuringTrain(dir, ((t + 0.5) / TRIALS) * full.ms);
    const reopened = await Index.open(dir);
    await reopened.verify();
    if (reopened.trained) {
      assert.deepEqual(await reopened.search(q, 10, { nprobe: 'all' }), trained);
      outcomes.add('trained');
    } else {
      assert.equal(reported, false);
      assert.deepEqual(await reopened.search(q, 10), untrained);
      outcomes.add('untrained');
    }
    // Still usable: it takes writes and trains after the crash.
    await reopened.add(new Float32Array(128).fill(3));
    await reopened.close();
  }
  assert.ok(outcomes.has('untrained'), 'no kill landed before the switch');
});
