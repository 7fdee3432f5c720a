import type { Command } from 'commander';
import { runTraining } from '../../train/run';
import { TRAIN_DEFAULTS, type TrainOptions } from '../../train/trainer';
import { integerOption, numberOption, parseNumber } from '../options';
import { progressBars } from '../../eval/progress-bars';
import { parseZnSpec } from '../../lattice/zn-spec';
import { trainPreset, TRAIN_PRESETS, type TrainPreset } from '../../train/presets';

/** Default checkpoint folder of the command line (the library writes none unless asked). */
export const DEFAULT_CHECKPOINT_DIR = './checkpoint';

/** Adds the paper's train.py options (shared by `train` and `crossvalidate`). */
export function addTrainOptions(cmd: Command, skip: string[] = []): Command {
  const d = TRAIN_DEFAULTS;
  const int = (name: string, min = 1) => integerOption(name, { min });
  const opts: [string, string, unknown, ((v: string) => unknown)?][] = [
    ['--database <dir>', 'dataset: a folder (layout detected: bigann, deep1b or npy files) or a registry name (docs/data.md)', undefined],
    ['--num_learn <n>', 'number of training vectors', d.numLearn, int('num_learn', 2)],
    ['--size_base <n>', 'validation base size, taken from the learn set', d.sizeBase, int('size_base')],
    ['--query_size <n>', 'validation queries, taken after the base', d.querySize, int('query_size')],
    ['--dint <n>', 'hidden size', d.dint, int('dint')],
    ['--dout <n>', "output dimension (default 24, as the paper's README runs; its train.py defaults to 16)", d.dout, integerOption('dout', { min: 1, max: 4096 })],
    ['--lambda_uniform <x>', 'weight of the KoLeo (uniformity) loss, ≥ 0', d.lambdaUniform, numberOption('lambda_uniform', { min: 0 })],
    ['--batch_size <n>', 'batch size (≥ 2)', d.batchSize, int('batch_size', 2)],
    ['--epochs <n>', 'epochs', d.epochs, int('epochs')],
    ['--momentum <x>', 'SGD momentum in [0, 1)', d.momentum, numberOption('momentum', { min: 0, max: 0.999999 })],
    ['--rank_positive <n>', 'positives among this many input-space neighbours', d.rankPositive, int('rank_positive')],
    ['--rank_negative <n>', 'negative = this-th neighbour in output space', d.rankNegative, int('rank_negative')],
    ['--lr_schedule <list>', 'learning rates, stretched over the epochs', d.lrSchedule, lrSchedule],
    ['--val_freq <n>', 'validate every n epochs (and always at the last epoch)', d.valFreq, int('val_freq')],
    ['--validation_quantizers <list>', 'quantizers for validation (default: zn at 16/32/64 bits for dout)', d.validationQuantizers],
    ['--save_best_criterion <key>', 'e.g. zn_79,rank=10 (default: the 64-bit zn at rank 10)', d.saveBestCriterion],
    ['--checkpoint_dir <dir>', 'where checkpoint.pth and checkpoint.pth.best are written', DEFAULT_CHECKPOINT_DIR],
    ['--init_name <file>', 'checkpoint to start from', d.initName],
    ['--seed <n>', 'random seed', d.seed, integerOption('seed', { min: 0, max: 2 ** 32 - 1 })],
    ['--quantizer_train <zn_r2>', 'fine-tune through this Zn quantizer with the straight-through estimator (e.g. zn_79, from --init_name)', d.quantizerTrain, quantizerTrain],
    ['--swa_epochs <n>', 'average the weights of the last n epochs (stochastic weight averaging; 0: off); the average is validated and kept as best when better', d.swaEpochs, int('swa_epochs', 0)],
    ['--preset <name>', `named option set (${Object.keys(TRAIN_PRESETS).join(', ')}); options given explicitly win over it`, undefined, presetName],
  ];
  for (const [flag, desc, def, parse] of opts) {
    if (skip.some((s) => flag.startsWith(`--${s} `))) continue;
    if (parse) cmd.option(flag, desc, parse, def);
    else if (def !== undefined) cmd.option(flag, desc, def as string);
    else cmd.option(flag, desc);
  }
  return cmd;
}

/** `--quantizer_train`: empty or a `zn_<r2>` name (its sphere at dout is checked before training). */
function quantizerTrain(v: string): string {
  if (v !== '' && parseZnSpec(v) === undefined) throw new RangeError(`--quantizer_train must be 'zn_<r2>' (e.g. zn_79), got '${v}'`);
  return v;
}

/** `--preset`: a name of TRAIN_PRESETS. */
function presetName(v: string): string {
  trainPreset(v);
  return v;
}

/** commander's option names (snake case) of each TrainOptions field a preset sets. */
const PRESET_FLAGS: Record<keyof TrainPreset, string> = {
  numLearn: 'num_learn', sizeBase: 'size_base', querySize: 'query_size', dint: 'dint', dout: 'dout',
  lambdaUniform: 'lambda_uniform', batchSize: 'batch_size', epochs: 'epochs', momentum: 'momentum',
  rankPositive: 'rank_positive', rankNegative: 'rank_negative', lrSchedule: 'lr_schedule', valFreq: 'val_freq',
  validationQuantizers: 'validation_quantizers', saveBestCriterion: 'save_best_criterion', seed: 'seed',
  quantizerTrain: 'quantizer_train', swaEpochs: 'swa_epochs',
};

/**
 * The option record with `--preset` applied: each preset value replaces the one
 * whose source is not the command line (`isExplicit(flag)` false).
 */
export function applyPreset(o: Record<string, unknown>, isExplicit: (flag: string) => boolean): Record<string, unknown> {
  if (o.preset === undefined) return o;
  const out = { ...o };
  for (const [key, value] of Object.entries(trainPreset(String(o.preset)))) {
    const flag = PRESET_FLAGS[key as keyof TrainPreset];
    if (!isExplicit(flag)) out[flag] = value;
  }
  return out;
}

/** `--lr_schedule`: comma-separated finite decimal numbers ≥ 0. */
function lrSchedule(v: string): string {
  const parts = v.split(',');
  if (parts.length === 0) throw new RangeError(`--lr_schedule must list learning rates, got '${v}'`);
  return parts.map((p) => String(parseNumber('lr_schedule', p, { min: 0 }))).join(',');
}

/** commander's option record → TrainOptions (values already parsed and range-checked). */
export function toTrainOptions(o: Record<string, unknown>): TrainOptions {
  if (!o.database) throw new Error('--database is required (a dataset folder or a registry name)');
  return {
    database: String(o.database), numLearn: o.num_learn as number, sizeBase: o.size_base as number, querySize: o.query_size as number,
    dint: o.dint as number, dout: o.dout as number, lambdaUniform: o.lambda_uniform as number, batchSize: o.batch_size as number,
    epochs: o.epochs as number, momentum: o.momentum as number, rankPositive: o.rank_positive as number, rankNegative: o.rank_negative as number,
    lrSchedule: o.lr_schedule as string, valFreq: o.val_freq as number, validationQuantizers: o.validation_quantizers as string,
    saveBestCriterion: o.save_best_criterion as string, checkpointDir: o.checkpoint_dir as string, initName: o.init_name as string,
    seed: o.seed as number, quantizerTrain: (o.quantizer_train as string | undefined) ?? '',
    swaEpochs: (o.swa_epochs as number | undefined) ?? 0,
  };
}

/** `spreadvec train`: the paper's train.py. */
export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description("train a catalyzer with the paper's triplet + KoLeo loss (native C++ step); writes <checkpoint_dir>/checkpoint.pth(.best), ./checkpoint by default");
  addTrainOptions(cmd).action(async (raw: Record<string, unknown>, self: Command) => {
    const o = applyPreset(raw, (flag) => self.getOptionValueSource(flag) === 'cli');
    const opts = toTrainOptions(o);
    process.stdout.write(`${JSON.stringify(opts)}\n`);
    const bars = progressBars();
    const res = await runTraining(opts, { log: (l) => process.stdout.write(`${l}\n`), progress: true }, undefined, bars).finally(() => bars.stop());
    process.stdout.write(`best ${opts.saveBestCriterion || 'score'}: ${res.bestScore}\n`);
  });
}
