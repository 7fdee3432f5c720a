import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSplit } from '../../src/data/splits';
import { Catalyzer } from '../../src/catalyzer/catalyzer';
import { readStateDictCheckpoint } from '../../src/pth/checkpoint';
import { NativeMlpTrainer } from '../../src/kernels/mlp-native';
import { initState, loadStateIntoTrainer } from '../../src/train/state';
import { epochLine, lrPerEpoch, TRAIN_DEFAULTS, trainOnSplit, validateTrainer, type TrainOptions } from '../../src/train/trainer';
import { formatG } from '../../src/train/format';

test('the learning-rate schedule is stretched over the epochs', () => {
  assert.deepEqual(lrPerEpoch('0.1,0.1,0.05,0.01', 8), [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.01, 0.01]);
  assert.deepEqual(lrPerEpoch('0.1,0.05', 3), [0.1, 0.1, 0.05]);
  assert.throws(() => lrPerEpoch('0.1,x', 4), /lr_schedule/);
});

test("log lines use the paper's %g / %f formats", () => {
  assert.equal(formatG(0.002), '0.002');
  assert.equal(formatG(-2.93), '-2.93');
  assert.equal(formatG(1e-5), '1e-05');
  assert.equal(formatG(-0.0037654321), '-0.00376543');
  assert.equal(
    epochLine({ epoch: 8, loss: -0.0038, loss_triplet: 0.002, loss_uniform: -2.93, offending: 75412, lr: 0.1, times: [4.04, 55.1, 0] }),
    'epoch 8, times: [hn 4.04 s epoch 55.10 s val 0.00 s] lr = 0.100000 loss = -0.0038 = 0.002 + lam * -2.93, offending 75412',
  );
});

test('a short training on SIFT improves validation recall; its checkpoint reloads and encodes identically', async () => {
  const split = await loadSplit('sift-debian-small', { split: 'train', sizeBase: 3000, numQueries: 300, numLearn: 4000 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-train-'));
  const opts: TrainOptions = {
    ...TRAIN_DEFAULTS, database: 'sift-debian-small', dint: 128, dout: 24, epochs: 4, valFreq: 2,
    lambdaUniform: 0.02, checkpointDir: dir, seed: 5,
  };
  // The untrained network (same seed → same initial weights as the trainer's).
  const untrained = new NativeMlpTrainer(split.dim, opts.dint, opts.dout);
  loadStateIntoTrainer(untrained, initState({ din: split.dim, dint: opts.dint, dout: opts.dout }, opts.seed));
  const before = await validateTrainer(untrained, split, ['zn_79'], 'zn_79,rank=10');

  const lines: string[] = [];
  const res = await trainOnSplit(split, opts, { log: (l) => lines.push(l) });
  assert.equal(res.logs.length, 4);
  assert.ok(lines.some((l) => /^epoch 3, times: \[hn [\d.]+ s epoch [\d.]+ s val [\d.]+ s\] lr = 0\.010000 loss = /.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^zn_79\t nbit= 64:  [\d.]+ [\d.]+ [\d.]+ $/.test(l)));
  assert.ok(res.bestScore > before.score + 0.02, `recall@10 ${res.bestScore} vs untrained ${before.score}`);

  // checkpoint.pth.best: the paper's keys, and Catalyzer.load encodes like the trainer.
  const file = path.join(dir, 'checkpoint.pth.best');
  const ckpt = readStateDictCheckpoint(fs.readFileSync(file));
  assert.equal(typeof ckpt.epoch, 'number');
  assert.equal((ckpt.args as Record<string, unknown>).lambda_uniform, 0.02);
  assert.equal((ckpt.logs as unknown[]).length, (ckpt.epoch as number) + 1);
  const cat = await Catalyzer.load(file);
  try {
    const ref = new NativeMlpTrainer(split.dim, opts.dint, opts.dout);
    loadStateIntoTrainer(ref, res.bestState!);
    const want = ref.forwardEvalSync(split.queries);
    const got = await cat.encode(split.queries);
    assert.equal(got.length, want.length);
    let maxErr = 0;
    for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    assert.ok(maxErr < 1e-4, `max |Catalyzer.encode - trainer| = ${maxErr}`);
    // --init_name starts from the checkpoint (0 epochs: the network is the checkpoint's).
    const resumed = await trainOnSplit(split, { ...opts, initName: file, epochs: 0, checkpointDir: '' }, { log: () => {} });
    for (const k of Object.keys(res.bestState!)) {
      assert.deepEqual(Array.from(resumed.state[k].data as ArrayLike<number | bigint>), Array.from(res.bestState![k].data as ArrayLike<number | bigint>), k);
    }
  } finally {
    await cat.close?.();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
