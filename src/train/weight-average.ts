/**
 * Stochastic weight averaging (Izmailov, Podoprikhin, Garipov, Vetrov, Wilson,
 * "Averaging Weights Leads to Wider Optima and Better Generalization", UAI 2018):
 * the learned tensors are averaged over the networks SGD passes through at the end
 * of training, and the BatchNorm statistics are then recomputed for the averaged
 * weights (the running ones belong to no single network of the average).
 */
import type { NativeMlpTrainer } from '../kernels/mlp-native';
import type { Rng } from '../random';
import { FLOAT_PARAMS } from './state';

/** The tensors SGD learns (the BatchNorm running statistics are recomputed instead). */
const LEARNED = FLOAT_PARAMS.filter((k) => !k.endsWith('running_mean') && !k.endsWith('running_var'));

/** A running mean of a trainer's learned tensors, in float64. */
export class WeightAverage {
  private readonly sums = new Map<string, Float64Array>();
  /** Networks averaged so far. */
  count = 0;

  /** Adds the trainer's current weights to the average. */
  add(trainer: NativeMlpTrainer): void {
    for (const name of LEARNED) {
      const w = trainer.getParam(name);
      let s = this.sums.get(name);
      if (!s) this.sums.set(name, (s = new Float64Array(w.length)));
      for (let i = 0; i < w.length; i++) s[i] += w[i];
    }
    this.count++;
  }

  /**
   * Loads the average into `target` (same dimensions) and recomputes its BatchNorm
   * statistics over the rows of `x` in a random order, in batches of `batchSize`.
   */
  async applyTo(target: NativeMlpTrainer, x: Float32Array, batchSize: number, rng: Rng): Promise<void> {
    if (this.count === 0) throw new Error('WeightAverage: no network was added');
    for (const name of LEARNED) {
      const s = this.sums.get(name)!;
      const w = new Float32Array(s.length);
      for (let i = 0; i < s.length; i++) w[i] = s[i] / this.count;
      target.setParam(name, w);
    }
    await target.recomputeBatchnorm(x, rng.permutation(x.length / target.din), batchSize);
  }
}
