import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';
import { NativeMlpTrainer } from '../../src/kernels/mlp-native';
import { Rng } from '../../src/random';
import { FLOAT_PARAMS, initState, loadStateIntoTrainer, stateFromTrainer, type CatalyzerState } from '../../src/train/state';
import { TfjsMlpTrainer } from '../../src/train/tfjs-trainer';

const dims = { din: 8, dint: 16, dout: 4 };

function batch(rng: Rng, rows: number, n: number) {
  const pick = () => Int32Array.from({ length: n }, () => rng.int(rows));
  return { a: pick(), p: pick(), n: pick() };
}

function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])) / (1 + Math.abs(Number(y[i]))));
  return m;
}

function compareStates(a: CatalyzerState, b: CatalyzerState, tol: number, what: string) {
  for (const k of FLOAT_PARAMS) {
    const d = maxDiff(a[k].data as Float32Array, b[k].data as Float32Array);
    assert.ok(d < tol, `${what}: ${k} differs by ${d}`);
  }
  assert.equal(a['1.num_batches_tracked'].data[0], b['1.num_batches_tracked'].data[0]);
  assert.equal(a['4.num_batches_tracked'].data[0], b['4.num_batches_tracked'].data[0]);
}

test('native training steps match TensorFlow.js autograd steps (every ISA)', async () => {
  await tf.setBackend('cpu');
  const best = detectedIsa();
  const levels: Isa[] = best === 'avx512' ? ['scalar', 'avx2', 'avx512'] : best === 'avx2' ? ['scalar', 'avx2'] : ['scalar'];
  try {
    for (const isa of levels) {
      setIsa(isa);
      const rng = new Rng(7);
      const rows = 40;
      const x = Float32Array.from({ length: rows * dims.din }, () => rng.uniform(0, 50)); // SIFT-like scale
      const init = initState(dims, 3);
      const native = new NativeMlpTrainer(dims.din, dims.dint, dims.dout);
      loadStateIntoTrainer(native, init);
      const tfjs = new TfjsMlpTrainer(init);
      for (let s = 0; s < 4; s++) {
        const b = batch(rng, rows, s === 3 ? 5 : 12); // the last batch is smaller, as an epoch's tail
        const lr = 0.05, lambda = 0.02;
        const sn = native.step(x, b.a, b.p, b.n, lr, 0.9, lambda);
        const st = tfjs.step(x, b.a, b.p, b.n, lr, 0.9, lambda);
        assert.ok(Math.abs(sn.loss - st.loss) < 1e-4, `${isa} step ${s}: loss ${sn.loss} vs ${st.loss}`);
        assert.ok(Math.abs(sn.uniform - st.uniform) < 1e-4);
        assert.equal(sn.offending, st.offending);
        compareStates(stateFromTrainer(native), tfjs.state(), 2e-4, `${isa} step ${s}`);
      }
      // The parameters did move (the comparison is not between two idle nets).
      assert.ok(maxDiff(stateFromTrainer(native)['3.weight'].data as Float32Array, init['3.weight'].data as Float32Array) > 1e-3);
      tfjs.dispose();
    }
  } finally {
    setIsa(best);
  }
});

test('eval-mode forward uses running statistics and returns unit vectors', () => {
  const rng = new Rng(11);
  const init = initState(dims, 5);
  // Non-trivial BatchNorm statistics.
  for (const k of ['1.running_mean', '4.running_mean', '1.bias', '4.weight']) {
    const d = init[k].data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = rng.uniform(-0.5, 0.5) + (k === '4.weight' ? 1 : 0);
  }
  for (const k of ['1.running_var', '4.running_var']) {
    const d = init[k].data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = rng.uniform(0.2, 3);
  }
  const native = new NativeMlpTrainer(dims.din, dims.dint, dims.dout);
  loadStateIntoTrainer(native, init);
  const rows = 300; // more than one 256-row chunk
  const x = Float32Array.from({ length: rows * dims.din }, () => rng.uniform(-2, 2));
  const out = native.forwardEvalSync(x, 2);
  // Plain TS evaluation of the same network.
  const P = (k: string) => init[k].data as Float32Array;
  const layer = (h: Float32Array, w: Float32Array, b: Float32Array, nin: number, nout: number) => {
    const o = new Float32Array(nout);
    for (let j = 0; j < nout; j++) {
      let s = b[j];
      for (let k = 0; k < nin; k++) s += w[j * nin + k] * h[k];
      o[j] = s;
    }
    return o;
  };
  const bn = (h: Float32Array, p: string) => h.map((v, j) => Math.max(0, ((v - P(`${p}.running_mean`)[j]) / Math.sqrt(P(`${p}.running_var`)[j] + 1e-5)) * P(`${p}.weight`)[j] + P(`${p}.bias`)[j]));
  for (let i = 0; i < rows; i++) {
    const h1 = bn(layer(x.subarray(i * 8, i * 8 + 8), P('0.weight'), P('0.bias'), 8, 16), '1');
    const h2 = bn(layer(h1, P('3.weight'), P('3.bias'), 16, 16), '4');
    const o = layer(h2, P('6.weight'), P('6.bias'), 16, 4);
    const r = Math.hypot(...o);
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(out[i * 4 + k] - o[k] / r) < 1e-5, `row ${i}`);
  }
});

test('the native trainer rejects bad arguments by name', () => {
  const t = new NativeMlpTrainer(4, 8, 2);
  const x = new Float32Array(40);
  const idx = Int32Array.of(0, 1, 2);
  assert.throws(() => t.setParam('0.weight', new Float32Array(3)), /must hold 32 values/);
  assert.throws(() => t.getParam('7.weight'), /unknown parameter '7.weight'/);
  assert.throws(() => t.step(x, idx, idx, Int32Array.of(0, 1, 10), 0.1, 0.9, 0), /negatives holds row 10 outside \[0, 10\)/);
  assert.throws(() => t.step(x.subarray(1), idx, idx, idx, 0.1, 0.9, 0), /x must hold rows of din = 4/);
});
