import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NativeMlpTrainer } from '../../src/kernels/mlp-native';
import { Rng } from '../../src/random';
import { FLOAT_PARAMS, initState, loadStateIntoTrainer } from '../../src/train/state';

// Big enough that every hidden product splits (96 × 256 × 256 multiply-adds > 2^18).
const din = 32, dint = 256, dout = 16, batch = 32, rows = 500;

function trained(threads: number, straightThrough: number): NativeMlpTrainer {
  const rng = new Rng(5);
  const x = Float32Array.from({ length: rows * din }, () => Math.floor(rng.uniform(0, 1) ** 3 * 100));
  const t = new NativeMlpTrainer(din, dint, dout);
  loadStateIntoTrainer(t, initState({ din, dint, dout }, 77));
  t.setThreads(threads);
  if (straightThrough) t.setStraightThrough(straightThrough);
  const pick = () => Int32Array.from({ length: batch }, () => rng.int(rows));
  for (let s = 0; s < 12; s++) t.step(x, pick(), pick(), pick(), 0.1, 0.9, 0.05);
  return t;
}

test('SGD steps on 2, 3 or 4 threads give bit for bit the weights of one thread', () => {
  for (const ste of [0, 18]) {
    const one = trained(1, ste);
    for (const threads of [2, 3, 4]) {
      const many = trained(threads, ste);
      for (const name of FLOAT_PARAMS) {
        const a = one.getParam(name), b = many.getParam(name);
        const at = a.findIndex((v, i) => !Object.is(v, b[i]));
        assert.equal(at, -1, `${name} at ${threads} threads (straight-through ${ste}): element ${at} ${b[at]} ≠ ${a[at]}`);
      }
      assert.deepEqual(many.getNumBatchesTracked(), one.getNumBatchesTracked());
    }
  }
});

test('setThreads refuses a count outside [0, 1024]', () => {
  const t = new NativeMlpTrainer(4, 8, 2);
  for (const bad of [-1, 1.5, 2000, Number.NaN]) assert.throws(() => t.setThreads(bad), /threads must be an integer in \[0, 1024\]/);
  t.setThreads(0);
  t.setThreads();
});
