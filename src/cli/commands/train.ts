import type { Command } from 'commander';
import { runTraining } from '../../train/run';
import { TRAIN_DEFAULTS, type TrainOptions } from '../../train/trainer';

/** Parses a number option, naming it in the error. */
export function num(name: string, integer = false) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || (integer && !Number.isSafeInteger(x))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${v}'`);
    return x;
  };
}

/** Adds the paper's train.py options (shared by `train` and `crossvalidate`). */
export function addTrainOptions(cmd: Command, skip: string[] = []): Command {
  const d = TRAIN_DEFAULTS;
  const opts: [string, string, unknown, ((v: string) => unknown)?][] = [
    ['--database <dir>', 'data set folder (BigANN layout) to train on', undefined],
    ['--num_learn <n>', 'number of training vectors', d.numLearn, num('num_learn', true)],
    ['--size_base <n>', 'validation base size, taken from the learn set', d.sizeBase, num('size_base', true)],
    ['--query_size <n>', 'validation queries, taken after the base', d.querySize, num('query_size', true)],
    ['--dint <n>', 'hidden size', d.dint, num('dint', true)],
    ['--dout <n>', 'output dimension', d.dout, num('dout', true)],
    ['--lambda_uniform <x>', 'weight of the KoLeo (uniformity) loss', d.lambdaUniform, num('lambda_uniform')],
    ['--batch_size <n>', 'batch size', d.batchSize, num('batch_size', true)],
    ['--epochs <n>', 'epochs', d.epochs, num('epochs', true)],
    ['--momentum <x>', 'SGD momentum', d.momentum, num('momentum')],
    ['--rank_positive <n>', 'positives among this many input-space neighbours', d.rankPositive, num('rank_positive', true)],
    ['--rank_negative <n>', 'negative = this-th neighbour in output space', d.rankNegative, num('rank_negative', true)],
    ['--lr_schedule <list>', 'learning rates, stretched over the epochs', d.lrSchedule],
    ['--val_freq <n>', 'validate every n epochs', d.valFreq, num('val_freq', true)],
    ['--validation_quantizers <list>', 'quantizers for validation (default: zn at 16/32/64 bits)', d.validationQuantizers],
    ['--save_best_criterion <key>', 'e.g. zn_79,rank=10 (default: the 64-bit zn at rank 10)', d.saveBestCriterion],
    ['--checkpoint_dir <dir>', 'where checkpoint.pth and checkpoint.pth.best go', d.checkpointDir],
    ['--init_name <file>', 'checkpoint to start from', d.initName],
    ['--seed <n>', 'random seed', d.seed, num('seed', true)],
  ];
  for (const [flag, desc, def, parse] of opts) {
    if (skip.some((s) => flag.startsWith(`--${s} `))) continue;
    if (parse) cmd.option(flag, desc, parse, def);
    else if (def !== undefined) cmd.option(flag, desc, def as string);
    else cmd.option(flag, desc);
  }
  return cmd;
}

/** commander's option record → TrainOptions. */
export function toTrainOptions(o: Record<string, unknown>): TrainOptions {
  if (!o.database) throw new Error('--database is required');
  const positive = ['num_learn', 'size_base', 'query_size', 'dint', 'dout', 'batch_size', 'epochs', 'rank_positive', 'rank_negative', 'val_freq'];
  for (const k of positive) if (o[k] !== undefined && (o[k] as number) < 1) throw new Error(`--${k} must be ≥ 1, got ${String(o[k])}`);
  if ((o.batch_size as number) < 2) throw new Error('--batch_size must be ≥ 2 (KoLeo needs two anchors)');
  return {
    database: String(o.database), numLearn: o.num_learn as number, sizeBase: o.size_base as number, querySize: o.query_size as number,
    dint: o.dint as number, dout: o.dout as number, lambdaUniform: o.lambda_uniform as number, batchSize: o.batch_size as number,
    epochs: o.epochs as number, momentum: o.momentum as number, rankPositive: o.rank_positive as number, rankNegative: o.rank_negative as number,
    lrSchedule: o.lr_schedule as string, valFreq: o.val_freq as number, validationQuantizers: o.validation_quantizers as string,
    saveBestCriterion: o.save_best_criterion as string, checkpointDir: o.checkpoint_dir as string, initName: o.init_name as string,
    seed: o.seed as number,
  };
}

/** `spreadvec train`: the paper's train.py. */
export function registerTrain(program: Command): void {
  const cmd = program.command('train').description("train a catalyzer with the paper's triplet + KoLeo loss (native C++ step)");
  addTrainOptions(cmd).action(async (o: Record<string, unknown>) => {
    const opts = toTrainOptions(o);
    process.stdout.write(`${JSON.stringify(opts)}\n`);
    const res = await runTraining(opts, { log: (l) => process.stdout.write(`${l}\n`), progress: true });
    process.stdout.write(`best ${opts.saveBestCriterion || 'score'}: ${res.bestScore}\n`);
  });
}
