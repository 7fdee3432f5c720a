import type { Command } from 'commander';
import { crossValidate, DEFAULT_LAMBDAS } from '../../train/crossvalidate';
import { checkValidationSetup } from '../../train/trainer';
import { resolveDataset } from '../../data/datasets';
import { addTrainOptions, toTrainOptions } from './train';
import { integerOption, parseNumber } from '../options';

function lambdaList(v: string): number[] {
  return v.split(',').map((s) => parseNumber('lambdas', s, { min: 0 }));
}

/** `spreadvec crossvalidate`: one catalyzer per λ in parallel, best on validation, evaluated on the test split. */
export function registerCrossvalidate(program: Command): void {
  const cmd = program
    .command('crossvalidate')
    .description('train one catalyzer per lambda concurrently, keep the best validation score, evaluate it on the test split; checkpoints in <checkpoint_dir>/lambda_<λ>/')
    .option('--lambdas <list>', 'values of lambda_uniform to try', lambdaList, DEFAULT_LAMBDAS)
    .option('--workers <n>', 'concurrent trainings (default: the cores)', integerOption('workers', { min: 1, max: 1024 }));
  addTrainOptions(cmd, ['lambda_uniform', 'preset']).action(async (o: Record<string, unknown>) => {
    const opts = { ...toTrainOptions({ ...o, lambda_uniform: 0 }), lambdas: o.lambdas as number[], workers: o.workers as number | undefined };
    checkValidationSetup(opts); // before the data is loaded
    resolveDataset(opts.database);
    const res = await crossValidate(opts, { log: (l) => process.stdout.write(`${l}\n`) });
    process.stdout.write(`${res.scores.map((s) => `lambda=${s.lambda} score=${s.score.toFixed(4)}`).join('\n')}\n`);
  });
}
