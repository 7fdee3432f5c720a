// Progress reports of the long steps (eval's encoding, quantizer steps, ground
// truth) and the stderr bars drawn from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateAll } from '../../src/eval/evaluate';
import type { Progress } from '../../src/progress';
import { loadSplit } from '../../src/data/splits';
import { writeNpy } from '../../src/data/npy';
import { progressBars } from '../../src/eval/progress-bars';
import { lcgCentered } from '../helpers/random';

function recorder(): { progress: Progress; calls: [string, number, number][] } {
  const calls: [string, number, number][] = [];
  return { progress: (t, d, n) => void calls.push([t, d, n]), calls };
}

const rnd = lcgCentered(3);

test('evaluateAll reports encoding in chunks and each quantizer step; results do not depend on chunking', async () => {
  const dim = 8, nb = 40_000, nq = 30, nt = 400;
  const base = Float32Array.from({ length: nb * dim }, rnd);
  const queries = Float32Array.from({ length: nq * dim }, rnd);
  const train = Float32Array.from({ length: nt * dim }, rnd);
  const gt = new Int32Array(nq); // only column 0 is used
  const double = async (x: Float32Array) => x.map((v) => 2 * v);
  const split = { dim, base, queries, gt, gtK: 1, train };
  const { progress, calls } = recorder();
  const withBars = await evaluateAll({ encode: double, split, quantizers: ['none', 'pq_8'], trainSize: 300, progress, log: () => {} });
  const plain = await evaluateAll({ encode: double, split, quantizers: ['none', 'pq_8'], trainSize: 300, log: () => {} });
  assert.deepEqual(withBars.results.map((r) => r.line), plain.results.map((r) => r.line));
  const tasks = [...new Set(calls.map((c) => c[0]))];
  assert.deepEqual(tasks, ['encoding queries', 'encoding base', 'encoding training vectors', 'none: train, compress, search', 'pq_8: train, compress, search']);
  const baseCalls = calls.filter((c) => c[0] === 'encoding base');
  assert.ok(baseCalls.length >= 4, `base encoded in chunks (${baseCalls.length} reports)`);
  assert.deepEqual(baseCalls[baseCalls.length - 1], ['encoding base', nb, nb]);
  assert.deepEqual(calls.filter((c) => c[0].startsWith('pq_8')).map((c) => c[1]), [0, 1, 2, 3]);
});

test('loadSplit reports ground-truth progress by chunks of queries, same neighbours', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-progress-'));
  try {
    const dim = 4;
    writeNpy(path.join(dir, 'learn.npy'), { shape: [10, dim], data: Float32Array.from({ length: 10 * dim }, rnd) });
    writeNpy(path.join(dir, 'base.npy'), { shape: [200, dim], data: Float32Array.from({ length: 200 * dim }, rnd) });
    writeNpy(path.join(dir, 'query.npy'), { shape: [2500, dim], data: Float32Array.from({ length: 2500 * dim }, rnd) });
    const { progress, calls } = recorder();
    const a = await loadSplit(dir, { gtK: 5, progress });
    const b = await loadSplit(dir, { gtK: 5 });
    assert.deepEqual(a.gt, b.gt);
    assert.deepEqual(calls, [['ground truth', 0, 2500], ['ground truth', 1024, 2500], ['ground truth', 2048, 2500], ['ground truth', 2500, 2500]]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('progressBars draws a labelled bar on a terminal stream and nothing elsewhere', async () => {
  let tty = '';
  const fake = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, {
    isTTY: true, columns: 100,
    write: (s: string) => ((tty += s), true),
    cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true,
  });
  const bars = progressBars(fake);
  bars('encoding base', 0, 10);
  bars('encoding base', 5, 10);
  bars.stop();
  assert.match(tty, /encoding base \[/);
  let piped = '';
  const pipe = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, { isTTY: false, write: (s: string) => ((piped += s), true) });
  const quiet = progressBars(pipe);
  quiet('ground truth', 0, 3);
  quiet('ground truth', 3, 3);
  assert.equal(piped, '');
});
