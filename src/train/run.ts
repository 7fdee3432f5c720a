/**
 * `train` end to end: load the training split, train, report. Shared by the CLI
 * and the cross-validation workers.
 */
import { loadSplit } from '../data/splits';
import { trainOnSplit, type TrainOptions, type TrainReporter, type TrainResult } from './trainer';

export async function runTraining(opts: TrainOptions, reporter: TrainReporter, threads?: number): Promise<TrainResult> {
  reporter.log(`load dataset ${opts.database}`);
  const split = await loadSplit(opts.database, { split: 'train', sizeBase: opts.sizeBase, numQueries: opts.querySize, numLearn: opts.numLearn, log: reporter.log });
  reporter.log(`keeping ${split.nt} training vectors (base ${split.nb}, queries ${split.nq})`);
  return trainOnSplit(split, opts, reporter, threads);
}
