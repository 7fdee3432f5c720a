import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addTrainOptions, applyPreset, toTrainOptions } from '../../src/cli/commands/train';
import { TRAIN_PRESETS, trainPreset } from '../../src/train/presets';
import { normalizeArgv } from '../../src/cli/options';

/** The TrainOptions `spreadvec train <args>` would run with (commander parses, the preset applies). */
function parsed(args: string[]) {
  const cmd = addTrainOptions(new Command('train').exitOverride());
  let out: ReturnType<typeof toTrainOptions> | undefined;
  cmd.action((raw: Record<string, unknown>, self: Command) => {
    out = toTrainOptions(applyPreset(raw, (flag) => self.getOptionValueSource(flag) === 'cli'));
  });
  cmd.parse(normalizeArgv(['node', 'train', ...args]));
  return out!;
}

test('--preset paper is the recipe of docs/BENCHMARKS.md; options given explicitly win', () => {
  const p = parsed(['--database', 'sift-debian-small', '--preset', 'paper']);
  assert.equal(p.numLearn, 150_000);
  assert.equal(p.dint, 1024);
  assert.equal(p.dout, 24);
  assert.equal(p.lambdaUniform, 0.02);
  assert.equal(p.epochs, 8);
  assert.equal(p.sizeBase, 50_000);
  assert.equal(p.querySize, 50_000);
  assert.equal(p.lrSchedule, '0.1,0.1,0.05,0.01'); // not in the preset: the default
  const q = parsed(['--database', 'x', '--epochs', '3', '--preset', 'paper', '--lambda-uniform', '0.05']);
  assert.equal(q.epochs, 3);
  assert.equal(q.lambdaUniform, 0.05);
  assert.equal(q.numLearn, 150_000);
  // best: the paper's recipe with the 40 epochs measured best within the hour.
  const b = parsed(['--database', 'sift-debian-small', '--preset', 'best']);
  assert.deepEqual({ ...b, epochs: 8 }, p);
  assert.equal(b.epochs, 40);
  // No preset: the paper's train.py defaults.
  assert.equal(parsed(['--database', 'x']).epochs, 160);
});

test('every preset names only options of spreadvec train, and a bad name is refused with the list', () => {
  for (const name of Object.keys(TRAIN_PRESETS)) {
    const p = parsed(['--database', 'x', '--preset', name]);
    for (const [k, v] of Object.entries(TRAIN_PRESETS[name])) assert.deepEqual(p[k as keyof typeof p], v, `${name}.${k}`);
  }
  assert.throws(() => trainPreset('fast'), /--preset must be one of paper, best, got 'fast'/);
  assert.throws(() => parsed(['--database', 'x', '--preset', 'toString']), /--preset must be one of/);
});

test('--quantizer_train takes zn_<r2> names only', () => {
  assert.equal(parsed(['--database', 'x', '--quantizer_train', 'zn_79']).quantizerTrain, 'zn_79');
  assert.equal(parsed(['--database', 'x']).quantizerTrain, '');
  assert.throws(() => parsed(['--database', 'x', '--quantizer_train', 'zn-79']), /--quantizer_train must be 'zn_<r2>' \(e\.g\. zn_79\), got 'zn-79'/);
});

test('--swa_epochs takes an integer ≥ 0 (0, the default, is off)', () => {
  assert.equal(parsed(['--database', 'x', '--swa_epochs', '20']).swaEpochs, 20);
  assert.equal(parsed(['--database', 'x']).swaEpochs, 0);
  assert.throws(() => parsed(['--database', 'x', '--swa_epochs', '-1']), /swa_epochs/);
  assert.throws(() => parsed(['--database', 'x', '--swa_epochs', '2.5']), /swa_epochs/);
});
