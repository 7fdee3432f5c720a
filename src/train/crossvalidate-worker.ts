/**
 * Piscina worker of the cross-validation: trains one catalyzer (one λ) on a split
 * shared by the parent through SharedArrayBuffers, with single-threaded kernels so
 * that the pool (one worker per core) does not oversubscribe the CPU.
 */
import { trainOnSplit, type TrainOptions, type EpochLog } from './trainer';
import type { CatalyzerState } from './state';

/** One λ to train. Arrays view SharedArrayBuffers owned by the parent. */
export interface CrossValidateTask {
  opts: TrainOptions;
  split: { dim: number; train: Float32Array; base: Float32Array; queries: Float32Array; gt: Int32Array; gtK: number };
}

export interface CrossValidateOutcome {
  lambda: number;
  bestScore: number;
  bestState?: CatalyzerState;
  logs: EpochLog[];
  lines: string[];
}

export default async function trainOneLambda(task: CrossValidateTask): Promise<CrossValidateOutcome> {
  const lines: string[] = [];
  const res = await trainOnSplit(task.split, task.opts, { log: (l) => lines.push(l) }, 1);
  return { lambda: task.opts.lambdaUniform, bestScore: res.bestScore, bestState: res.bestState, logs: res.logs, lines };
}
