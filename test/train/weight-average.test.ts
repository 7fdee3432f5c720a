import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeMlpTrainer } from '../../src/kernels/mlp-native';
import { Rng } from '../../src/random';
import { loadSplit } from '../../src/data/splits';
import { initState, loadStateIntoTrainer } from '../../src/train/state';
import { loadCheckpointState } from '../../src/train/checkpoint-io';
import { TRAIN_DEFAULTS, trainOnSplit, type TrainOptions } from '../../src/train/trainer';
import { WeightAverage } from '../../src/train/weight-average';

const din = 8, dint = 16, dout = 4;

function trainer(seed: number): NativeMlpTrainer {
  const t = new NativeMlpTrainer(din, dint, dout);
  loadStateIntoTrainer(t, initState({ din, dint, dout }, seed));
  return t;
}

test('recomputeBatchnorm sets layer 1 statistics to the mean of the batch statistics', async () => {
  const rng = new Rng(3);
  const rows = 60, batch = 5; // four passes of three groups of 5
  const x = Float32Array.from({ length: rows * din }, () => rng.uniform(-2, 2));
  const t = trainer(9);
  const order = rng.permutation(rows);
  await t.recomputeBatchnorm(x, order, batch);
  const w = t.getParam('0.weight'), b = t.getParam('0.bias');
  const mean = new Float64Array(dint), vars = new Float64Array(dint);
  const groups = rows / batch;
  for (let g = 0; g < groups; g++) {
    const z: number[][] = [];
    for (let r = 0; r < batch; r++) {
      const xi = order[g * batch + r];
      z.push(Array.from({ length: dint }, (_, j) => b[j] + Array.from({ length: din }, (_, k) => w[j * din + k] * x[xi * din + k]).reduce((p, q) => p + q, 0)));
    }
    for (let j = 0; j < dint; j++) {
      const m = z.reduce((s, row) => s + row[j], 0) / batch;
      mean[j] += m / groups;
      vars[j] += z.reduce((s, row) => s + (row[j] - m) ** 2, 0) / (batch - 1) / groups;
    }
  }
  const rm = t.getParam('1.running_mean'), rv = t.getParam('1.running_var');
  for (let j = 0; j < dint; j++) {
    assert.ok(Math.abs(rm[j] - mean[j]) < 1e-4 * (1 + Math.abs(mean[j])), `running_mean[${j}] ${rm[j]} vs ${mean[j]}`);
    assert.ok(Math.abs(rv[j] - vars[j]) < 1e-4 * (1 + vars[j]), `running_var[${j}] ${rv[j]} vs ${vars[j]}`);
  }
  assert.deepEqual(t.getNumBatchesTracked(), [0, 0], 'num_batches_tracked is left as it was');
  assert.throws(() => t.recomputeBatchnorm(x, Int32Array.of(0, 1, 2, 3, 4, rows), batch), /holds row 60 outside \[0, 60\)/);
  assert.throws(() => t.recomputeBatchnorm(x, Int32Array.of(0, 1, 2), batch), /at least 6 rows/);
});

test('WeightAverage holds the mean of the learned tensors, not the running statistics', async () => {
  const a = trainer(1), b = trainer(2), target = trainer(3);
  const avg = new WeightAverage();
  avg.add(a);
  avg.add(b);
  const rng = new Rng(4);
  const x = Float32Array.from({ length: 30 * din }, () => rng.uniform(-1, 1));
  await avg.applyTo(target, x, 5, rng);
  for (const name of ['0.weight', '3.weight', '6.bias', '1.weight']) {
    const pa = a.getParam(name), pb = b.getParam(name), pt = target.getParam(name);
    for (let i = 0; i < pt.length; i++) assert.equal(pt[i], Math.fround((pa[i] + pb[i]) / 2), `${name}[${i}]`);
  }
  // The statistics come from the pass over x, not from a or b (both start at 0 / 1).
  assert.ok(target.getParam('1.running_mean').some((v) => v !== 0));
  assert.ok(target.getParam('4.running_var').some((v) => v !== 1));
  await assert.rejects(new WeightAverage().applyTo(target, x, 5, rng), /no network was added/);
});

test('training with swaEpochs validates the average, writes checkpoint.pth.swa, and refuses more epochs than it trains', async () => {
  const split = await loadSplit('sift-debian-small', { split: 'train', sizeBase: 2000, numQueries: 200, numLearn: 3000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-swa-'));
  const opts: TrainOptions = {
    ...TRAIN_DEFAULTS, database: 'sift-debian-small', dint: 64, dout: 24, epochs: 3, valFreq: 3, lambdaUniform: 0.02,
    lrSchedule: '0.1,0.01', checkpointDir: dir, swaEpochs: 2, seed: 5,
  };
  const lines: string[] = [];
  const res = await trainOnSplit(split, opts, { log: (l) => lines.push(l) });
  assert.ok(res.average, lines.join('\n'));
  assert.equal(res.average.epochs, 2);
  assert.ok(res.average.score > 0 && res.average.score <= 1);
  assert.ok(res.bestScore >= res.average.score);
  assert.ok(lines.some((l) => /^weight average of the last 2 epochs/.test(l)));
  const saved = loadCheckpointState(path.join(dir, 'checkpoint.pth.swa'));
  assert.deepEqual(saved['0.weight'].data, res.average.state['0.weight'].data);
  // The average differs from the last SGD network.
  assert.notDeepEqual(res.average.state['3.weight'].data, res.state['3.weight'].data);
  await assert.rejects(trainOnSplit(split, { ...opts, swaEpochs: 4 }, { log: () => {} }), /--swa_epochs must be an integer in \[0, epochs = 3\], got 4/);
  fs.rmSync(dir, { recursive: true, force: true });
});
