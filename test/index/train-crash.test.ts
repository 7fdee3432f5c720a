import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { Index } from '../../src/index/vector-index';
import { DATA_FILE } from '../../storage/layout';
import { readVecs } from '../../src/data/vecs';

const SIFT = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'sift-debian-small');
const NB = 5000;
const TRIALS = 4;

function copyOf(dir: string): string {
  const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-train-crash-')), 'idx');
  fs.mkdirSync(to);
  fs.copyFileSync(path.join(dir, DATA_FILE), path.join(to, DATA_FILE));
  return to;
}

/** Runs the training child on `dir`, SIGKILLs it `delayMs` after it is ready; resolves to whether it reported the training. */
function killDuringTrain(dir: string, delayMs: number): Promise<{ reported: boolean; ms: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'crash-trainer.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let reported = false;
  let readyAt = 0;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') {
      readyAt = performance.now();
      if (delayMs >= 0) setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
    if (line === 'trained') reported = true;
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ reported, ms: performance.now() - readyAt });
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
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
  const done = copyOf(base);
  const full = await killDuringTrain(done, -1);
  assert.equal(full.reported, true);
  const finished = await Index.open(done);
  // Every code, whatever the partition: a kill between the switch and the partition
  // leaves the index trained and flat, with the same codes.
  const trained = await finished.search(q, 10, { nprobe: 'all' });
  await finished.close();

  const outcomes = new Set<string>();
  for (let t = 0; t < TRIALS; t++) {
    const dir = copyOf(base);
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
