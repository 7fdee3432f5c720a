/**
 * `train` end to end: load the training split, train, report. Shared by the CLI
 * and the cross-validation workers.
 */
import { loadTrainingSplit } from './dataset-shim';
import { trainOnSplit, type TrainOptions, type TrainReporter, type TrainResult } from './trainer';

export async function runTraining(opts: TrainOptions, reporter: TrainReporter, threads?: number): Promise<TrainResult> {
  reporter.log(`load dataset ${opts.database}`);
  const split = await loadTrainingSplit(opts.database, opts.sizeBase, opts.numLearn, opts.querySize);
  reporter.log(`keeping ${split.xt.length / split.d} training vectors (base ${split.xb.length / split.d}, queries ${split.xq.length / split.d})`);
  return trainOnSplit(split, opts, reporter, threads);
}
