/**
 * Cross-validation of λ (the paper's crossvalidate.sh): one catalyzer per λ,
 * trained concurrently on a piscina pool sized to the cores, each validated on the
 * training split; the best validation score wins and is evaluated on the test split.
 */
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import { loadSplit, type Split } from '../data/splits';
import { evaluateAll, type QuantizerRecalls } from '../eval/evaluate';
import { NativeMlpTrainer } from '../kernels/mlp-native';
import type { CrossValidateOutcome, CrossValidateTask } from './crossvalidate-worker';
import { dimsOfState, loadStateIntoTrainer } from './state';
import { resolveOptions, type TrainOptions, type TrainReporter } from './trainer';

/** The paper's λ grid. */
export const DEFAULT_LAMBDAS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05];

export interface CrossValidateOptions extends TrainOptions {
  lambdas: number[];
  /** Concurrent trainings (default: the cores, at most one per λ). */
  workers?: number;
}

export interface CrossValidateResult {
  /** Per λ: its best validation score (save_best_criterion). */
  scores: { lambda: number; score: number }[];
  bestLambda: number;
  /** The best network's recalls on the test split, one entry per quantizer. */
  test: QuantizerRecalls[];
}

function shared<T extends Float32Array | Int32Array>(a: T): T {
  const C = a.constructor as { new (b: SharedArrayBuffer): T };
  const out = new C(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** Trains one catalyzer per λ in parallel and evaluates the best on the test split. */
export async function crossValidate(o: CrossValidateOptions, reporter: TrainReporter): Promise<CrossValidateResult> {
  if (o.lambdas.length === 0) throw new RangeError('lambdas must name at least one value');
  const opts = resolveOptions(o);
  reporter.log(`load dataset ${o.database} (train split)`);
  const split: Split = await loadSplit(o.database, { split: 'train', sizeBase: o.sizeBase, numQueries: o.querySize, numLearn: o.numLearn, log: reporter.log });
  const sharedSplit = {
    dim: split.dim, train: shared(split.train), base: shared(split.base), queries: shared(split.queries), gt: shared(split.gt), gtK: split.gtK,
  };
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), o.lambdas.length));
  reporter.log(`training ${o.lambdas.length} catalyzers on ${workers} workers`);
  const pool = new Piscina({ filename: join(__dirname, `crossvalidate-worker${extname(__filename)}`), minThreads: workers, maxThreads: workers });
  let outcomes: CrossValidateOutcome[];
  try {
    outcomes = await Promise.all(
      o.lambdas.map(async (lambda) => {
        const task: CrossValidateTask = {
          opts: { ...o, lambdaUniform: lambda, checkpointDir: o.checkpointDir ? join(o.checkpointDir, `lambda_${lambda}`) : '' },
          split: sharedSplit,
        };
        const out = (await pool.run(task)) as CrossValidateOutcome;
        for (const l of out.lines) reporter.log(`[lambda ${lambda}] ${l}`);
        reporter.log(`lambda ${lambda}: best ${opts.saveBestCriterion} = ${out.bestScore.toFixed(4)}`);
        return out;
      }),
    );
  } finally {
    await pool.destroy();
  }
  const best = outcomes.reduce((a, b) => (b.bestScore > a.bestScore ? b : a));
  if (!best.bestState) throw new Error('no λ produced a validated network (is val_freq larger than epochs?)');

  reporter.log(`evaluating lambda ${best.lambda} on the test split`);
  const test = await loadSplit(o.database, { split: 'test', sizeBase: o.sizeBase, log: reporter.log });
  const dims = dimsOfState(best.bestState);
  const net = new NativeMlpTrainer(dims.din, dims.dint, dims.dout);
  loadStateIntoTrainer(net, best.bestState);
  const { results } = await evaluateAll({ encode: (x) => net.forwardEval(x), split: test, trainSize: 0, quantizers: opts.quantizers, log: reporter.log });
  reporter.log(`best lambda = ${best.lambda}`);
  return { scores: outcomes.map((x) => ({ lambda: x.lambda, score: x.bestScore })), bestLambda: best.lambda, test: results };
}
