import type { Command } from 'commander';
import { crossValidate, DEFAULT_LAMBDAS } from '../../train/crossvalidate';
import { addTrainOptions, num, toTrainOptions } from './train';

function lambdaList(v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x < 0)) throw new Error(`--lambdas must be a comma-separated list of numbers ≥ 0, got '${v}'`);
  return xs;
}

/** `spreadvec crossvalidate`: one catalyzer per λ in parallel, best on validation, evaluated on test. */
export function registerCrossvalidate(program: Command): void {
  const cmd = program
    .command('crossvalidate')
    .description('train one catalyzer per lambda concurrently, keep the best validation score, evaluate it on the test split')
    .option('--lambdas <list>', 'values of lambda_uniform to try', lambdaList, DEFAULT_LAMBDAS)
    .option('--workers <n>', 'concurrent trainings (default: the cores)', num('workers', true));
  addTrainOptions(cmd, ['lambda_uniform']).action(async (o: Record<string, unknown>) => {
    const opts = { ...toTrainOptions({ ...o, lambda_uniform: 0 }), lambdas: o.lambdas as number[], workers: o.workers as number | undefined };
    const res = await crossValidate(opts, { log: (l) => process.stdout.write(`${l}\n`) });
    process.stdout.write(`${res.scores.map((s) => `lambda=${s.lambda} score=${s.score.toFixed(4)}`).join('\n')}\n`);
  });
}
