import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NativeMlpTrainer } from '../../src/kernels/mlp-native';
import { ZnCodec } from '../../src/lattice/zn-codec';
import { Rng } from '../../src/random';
import { loadSplit } from '../../src/data/splits';
import { readStateDictCheckpoint } from '../../src/pth/checkpoint';
import { saveCheckpoint } from '../../src/train/checkpoint-io';
import { FLOAT_PARAMS, initState, loadStateIntoTrainer, STATE_KEYS, stateFromTrainer, type CatalyzerState } from '../../src/train/state';
import { straightThrough, TfjsMlpTrainer } from '../../src/train/tfjs-trainer';
import { quantizeToSphere, straightThroughRadius, TRAIN_DEFAULTS, trainOnSplit, type TrainOptions } from '../../src/train/trainer';

const dims = { din: 8, dint: 16, dout: 4 };

function maxRelDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])) / (1 + Math.abs(Number(y[i]))));
  return m;
}

function unitRows(rng: Rng, rows: number, d: number): Float32Array {
  const x = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += (x[i * d + k] = rng.uniform(-1, 1)) ** 2;
    for (let k = 0; k < d; k++) x[i * d + k] /= Math.sqrt(s);
  }
  return x;
}

test('the straight-through op: forward is the lattice point z/|z|, gradient passes unchanged', async () => {
  await tf.setBackend('cpu');
  const codec = new ZnCodec(dims.dout, 3);
  const rng = new Rng(3);
  const rows = 6;
  const x = unitRows(rng, rows, dims.dout);
  const ste = straightThrough(codec);
  const got = ste(tf.tensor2d(x, [rows, dims.dout])).dataSync();
  for (let i = 0; i < rows; i++) {
    const z = codec.quantize(x.subarray(i * dims.dout, (i + 1) * dims.dout));
    for (let k = 0; k < dims.dout; k++) assert.ok(Math.abs(got[i * dims.dout + k] - z[k] / Math.sqrt(3)) < 1e-6, `row ${i}`);
    // The output is a point of the sphere, not the input.
    assert.ok(maxRelDiff(got.subarray(i * dims.dout, (i + 1) * dims.dout), x.subarray(i * dims.dout, (i + 1) * dims.dout)) > 1e-3);
  }
  // d/dx Σ w·ste(x) = w: the quantizer's Jacobian is taken as the identity.
  const w = Float32Array.from({ length: rows * dims.dout }, () => rng.uniform(-2, 2));
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(ste(t as tf.Tensor2D), tf.tensor2d(w, [rows, dims.dout]))))(tf.tensor2d(x, [rows, dims.dout]));
  assert.deepEqual(Array.from(g.dataSync()), Array.from(w));
});

test('native steps through the straight-through quantizer match the TensorFlow.js reference', async () => {
  await tf.setBackend('cpu');
  const rng = new Rng(7);
  const rows = 40;
  const x = Float32Array.from({ length: rows * dims.din }, () => rng.uniform(0, 50));
  const init = initState(dims, 3);
  const r2 = 3;
  const native = new NativeMlpTrainer(dims.din, dims.dint, dims.dout);
  loadStateIntoTrainer(native, init);
  native.setStraightThrough(r2);
  const plain = new NativeMlpTrainer(dims.din, dims.dint, dims.dout);
  loadStateIntoTrainer(plain, init);
  const ref = new TfjsMlpTrainer(init, new ZnCodec(dims.dout, r2));
  let lossesDiffer = false;
  try {
    for (let s = 0; s < 4; s++) {
      const n = s === 3 ? 5 : 12;
      const pick = () => Int32Array.from({ length: n }, () => rng.int(rows));
      const a = pick(), p = pick(), ng = pick();
      const sn = native.step(x, a, p, ng, 0.05, 0.9, 0.02);
      const st = ref.step(x, a, p, ng, 0.05, 0.9, 0.02);
      const sp = plain.step(x, a, p, ng, 0.05, 0.9, 0.02);
      // Forward: the loss is the one on quantized positives and negatives.
      assert.ok(Math.abs(sn.loss - st.loss) < 1e-4, `step ${s}: loss ${sn.loss} vs reference ${st.loss}`);
      assert.ok(Math.abs(sn.triplet - st.triplet) < 1e-4);
      assert.equal(sn.offending, st.offending);
      if (Math.abs(sn.triplet - sp.triplet) > 1e-3) lossesDiffer = true;
      // Backward: the parameters after the step agree with autograd through the STE.
      const got = stateFromTrainer(native), want: CatalyzerState = ref.state();
      for (const k of FLOAT_PARAMS) {
        const d = maxRelDiff(got[k].data as Float32Array, want[k].data as Float32Array);
        assert.ok(d < 2e-4, `step ${s}: ${k} differs by ${d}`);
      }
    }
    assert.ok(lossesDiffer, 'the quantizer changed the loss (the comparison is not of two plain steps)');
    // r2 = 0 turns it off: the next step equals a plain trainer's from the same state.
    native.setStraightThrough(0);
    loadStateIntoTrainer(plain, stateFromTrainer(native));
    plain.resetMomentum();
    native.resetMomentum();
    const idx = Int32Array.from({ length: 10 }, (_, i) => i);
    const rev = Int32Array.from({ length: 10 }, (_, i) => 39 - i);
    assert.deepEqual(native.step(x, idx, rev, idx.map((i) => i + 10), 0.05, 0.9, 0.02), plain.step(x, idx, rev, idx.map((i) => i + 10), 0.05, 0.9, 0.02));
  } finally {
    ref.dispose();
  }
});

test('setStraightThrough and --quantizer_train name what is wrong', () => {
  const t = new NativeMlpTrainer(4, 8, 1);
  assert.throws(() => t.setStraightThrough(2), (e: Error) => e instanceof RangeError && /setStraightThrough: zn_2 at dout 1/.test(e.message));
  assert.throws(() => t.setStraightThrough(-1), /r2/);
  assert.equal(straightThroughRadius({ quantizerTrain: '', dout: 24 }), 0);
  assert.equal(straightThroughRadius({ quantizerTrain: undefined, dout: 24 }), 0);
  assert.equal(straightThroughRadius({ quantizerTrain: 'zn_79', dout: 24 }), 79);
  assert.throws(() => straightThroughRadius({ quantizerTrain: 'pq_8', dout: 24 }), /--quantizer_train must be 'zn_<r2>' \(e\.g\. zn_3, zn_10, zn_79\), got 'pq_8'/);
  assert.throws(() => straightThroughRadius({ quantizerTrain: 'zn_2', dout: 1 }), /--quantizer_train: /);
});

test('quantizeToSphere gives the codec points z/|z|', () => {
  const codec = new ZnCodec(24, 79);
  const x = unitRows(new Rng(1), 5, 24);
  const q = quantizeToSphere(x, 24, 79);
  for (let i = 0; i < 5; i++) {
    const z = codec.quantize(x.subarray(i * 24, (i + 1) * 24));
    for (let k = 0; k < 24; k++) assert.ok(Math.abs(q[i * 24 + k] - z[k] / Math.sqrt(79)) < 1e-6);
  }
});

test('a short fine-tune through zn_79 from --init_name writes a checkpoint in the paper layout', async () => {
  const split = await loadSplit('sift-debian-small', { split: 'train', sizeBase: 1000, numQueries: 100, numLearn: 2000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-ste-'));
  try {
    const init = initState({ din: split.dim, dint: 64, dout: 24 }, 9);
    const initFile = path.join(dir, 'init.pth');
    saveCheckpoint(initFile, { state_dict: init, epoch: 0, args: {}, logs: [] });
    const opts: TrainOptions = {
      ...TRAIN_DEFAULTS, database: 'sift-debian-small', dint: 64, dout: 24, epochs: 2, valFreq: 2, lambdaUniform: 0.02,
      lrSchedule: '0.01', initName: initFile, quantizerTrain: 'zn_79', checkpointDir: path.join(dir, 'ft'), seed: 5,
    };
    const lines: string[] = [];
    const res = await trainOnSplit(split, opts, { log: (l) => lines.push(l) });
    assert.ok(lines.includes('training through the straight-through quantizer zn_79'), lines.join('\n'));
    assert.equal(res.logs.length, 2);
    assert.ok(Number.isFinite(res.logs[1].loss) && res.bestScore > 0);
    const ckpt = readStateDictCheckpoint(fs.readFileSync(path.join(dir, 'ft', 'checkpoint.pth')));
    assert.equal((ckpt.args as Record<string, unknown>).quantizer_train, 'zn_79');
    assert.equal((ckpt.args as Record<string, unknown>).init_name, initFile);
    assert.deepEqual(Object.keys(ckpt.state_dict as object).sort(), [...STATE_KEYS].sort());
    // It trained (the weights moved), and differently from a plain fine-tune.
    const plain = await trainOnSplit(split, { ...opts, quantizerTrain: '', checkpointDir: '' }, { log: () => {} });
    assert.ok(maxRelDiff(res.state['6.weight'].data as Float32Array, init['6.weight'].data as Float32Array) > 1e-4);
    assert.ok(maxRelDiff(res.state['6.weight'].data as Float32Array, plain.state['6.weight'].data as Float32Array) > 1e-6);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
