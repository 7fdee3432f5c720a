/**
 * `train` end to end: check the options, prepare the checkpoint folder, load the
 * training split, train, report. Shared by the CLI and the cross-validation
 * workers. Everything that can be checked without the data is checked before the
 * data is loaded (a bad quantizer name must not cost a minute of loading).
 */
import { loadSplit } from '../data/splits';
import { resolveDataset } from '../data/datasets';
import { prepareCheckpointDir } from './checkpoint-dir';
import type { Progress } from '../progress';
import { checkValidationSetup, trainOnSplit, type TrainOptions, type TrainReporter, type TrainResult } from './trainer';

/** The checks of {@link runTraining} that need no data; returns the checkpoint folder (absolute) or undefined. */
export function checkTraining(opts: TrainOptions): string | undefined {
  checkValidationSetup(opts);
  resolveDataset(opts.database); // a name, or a folder whose layout is detected
  return opts.checkpointDir ? prepareCheckpointDir(opts.checkpointDir) : undefined;
}

/**
 * Trains as `spreadvec train` does. `progress`, when given, receives the progress
 * of the validation ground truth (the CLI draws it as a bar).
 */
export async function runTraining(opts: TrainOptions, reporter: TrainReporter, threads?: number, progress?: Progress): Promise<TrainResult> {
  const dir = checkTraining(opts);
  const swa = opts.swaEpochs ? ', weight average: checkpoint.pth.swa' : '';
  reporter.log(dir ? `checkpoints go to ${dir}/checkpoint.pth (best: checkpoint.pth.best${swa})` : 'no checkpoint_dir: the network is not written');
  reporter.log(`load dataset ${opts.database}`);
  const split = await loadSplit(opts.database, { split: 'train', sizeBase: opts.sizeBase, numQueries: opts.querySize, numLearn: opts.numLearn, log: reporter.log, progress });
  reporter.log(`keeping ${split.nt} training vectors (base ${split.nb}, queries ${split.nq})`);
  return trainOnSplit(split, opts, reporter, threads);
}
