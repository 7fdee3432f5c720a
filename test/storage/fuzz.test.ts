/**
 * Byte-flip fuzz over a small index file: every flip must be detected (an
 * IndexFormatError with a code) or harmless (search results equal the undamaged
 * index's), and none may crash. The cases run in child processes
 * (test/helpers/store-probe.ts), in batches; a crash names its flip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { DATA_FILE } from '../../storage/layout';
import { TestEncoder, loadTestEncoder, randomRows, rng } from '../helpers/test-encoder';

const PROBE = path.join(__dirname, '..', 'helpers', 'store-probe.ts');
const FLIPS = 480;
const BATCH = 160;

interface Line {
  i: number;
  start?: boolean;
  outcome?: 'same' | 'detected' | 'wrong' | 'error';
  code?: string;
  [k: string]: unknown;
}

function runBatch(pristine: string, flips: [number, number][], root: string, b: number): Promise<{ lines: Line[]; signal: string | null; stderr: string }> {
  const file = path.join(root, `flips-${b}.json`);
  fs.writeFileSync(file, JSON.stringify(flips));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROBE, 'fuzz', pristine, file], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (_code, signal) => {
      const lines = out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Line);
      resolve({ lines, signal, stderr });
    });
  });
}

test(`${FLIPS} random byte flips in a small index: each detected or harmless, none crashes`, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-fuzz-'));
  const pristine = path.join(root, 'pristine');
  const index = await Index.create(pristine, { catalyzer: new TestEncoder(10, 12, 3), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await index.add(randomRows(60, 10, 1));
  await index.remove([3, 17, 42]);
  await index.add(randomRows(5, 10, 2), [7, 100, 101, 102, 103]);
  await index.close();
  const size = fs.statSync(path.join(pristine, DATA_FILE)).size;
  const r = rng(2024);
  const flips: [number, number][] = Array.from({ length: FLIPS }, () => [Math.floor(r() * size), 1 << Math.floor(r() * 8)]);
  const counts = { same: 0, detected: 0 };
  for (let b = 0; b * BATCH < FLIPS; b++) {
    const batch = flips.slice(b * BATCH, (b + 1) * BATCH);
    const { lines, signal, stderr } = await runBatch(pristine, batch, root, b);
    const started = lines.filter((l) => l.start).map((l) => l.i);
    const done = new Map(lines.filter((l) => !l.start).map((l) => [l.i, l]));
    const crashed = started.find((i) => !done.has(i));
    if (crashed !== undefined || signal) {
      const [offset, xor] = batch[crashed ?? 0];
      assert.fail(`flip of byte ${offset} (xor 0x${xor.toString(16)}, page ${Math.floor(offset / 4096)}) crashed the child (${signal}): ${stderr.slice(-400)}`);
    }
    assert.equal(done.size, batch.length, stderr);
    for (const [i, line] of done) {
      const [offset, xor] = batch[i];
      const where = `flip of byte ${offset} (xor 0x${xor.toString(16)}, page ${Math.floor(offset / 4096)})`;
      assert.ok(line.outcome === 'same' || line.outcome === 'detected', `${where}: ${JSON.stringify(line)}`);
      counts[line.outcome]++;
    }
  }
  // Most bytes of a small file are free space or padding; the rest must be caught.
  assert.equal(counts.same + counts.detected, FLIPS);
  assert.ok(counts.detected > 0);
});
