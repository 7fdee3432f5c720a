import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { Index } from '../../src/index/vector-index';
import { DATA_FILE } from '../../storage/layout';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 10;
const DOUT = 16;
const BATCH = 20000;
const TRIALS = 5;
const opts = { loadCatalyzer: loadTestEncoder, compactAt: false as const };

/** A copy of the index directory at `dir` (the data file only; LMDB makes a new lock file). */
function copyOf(dir: string): string {
  const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-compact-crash-')), 'idx');
  fs.mkdirSync(to);
  fs.copyFileSync(path.join(dir, DATA_FILE), path.join(to, DATA_FILE));
  return to;
}

/** Runs the compacting child on `dir` and SIGKILLs it `delayMs` after it is ready; resolves to whether it reported the compaction. */
function killDuringCompact(dir: string, delayMs: number): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'crash-compactor.ts'), dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let reported = false;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), delayMs);
    if (line.startsWith('compacted ')) reported = true;
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(reported);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
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
  const probe = await Index.open(copyOf(base), opts);
  const t0 = performance.now();
  assert.equal(await probe.compact(), old.removed);
  const compactMs = performance.now() - t0;
  await probe.close();

  const outcomes: string[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const dir = copyOf(base);
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
