/**
 * Named option sets of `spreadvec train --preset`: a preset fills the options the
 * user did not give; any option given explicitly wins over it.
 */
import type { TrainOptions } from './trainer';

/** The options a preset may set. */
export type TrainPreset = Readonly<Partial<Omit<TrainOptions, 'database' | 'checkpointDir' | 'initName'>>>;

/**
 * The presets, by name.
 * - `paper`: the paper's recipe as the project reproduces it (docs/BENCHMARKS.md):
 *   150,000 learn vectors, dint 1024, dout 24, λ 0.02, 8 epochs, validation on a
 *   50,000-vector base with 50,000 queries taken from the learn set.
 * - `best`: the best recipe measured on sift-debian-small within an hour of training
 *   on the 2-core machine (docs/BENCHMARKS.md, "Beyond the paper's recall at 64
 *   bits"): the paper's with 40 epochs, test 1-recall@10 0.862 against 0.837, 37
 *   CPU-minutes. The curve behind it: epochs 8/12/20/40/80 (80: 0.864, noise
 *   over 40 at twice the time), 50k/150k/238k vectors (238k at 30 epochs: 0.855),
 *   λ 0.02/0.05/0.1, dout 24/32/40, straight-through fine-tuning, weight
 *   averaging (--swa_epochs: no gain).
 */
export const TRAIN_PRESETS: Readonly<Record<string, TrainPreset>> = {
  paper: { numLearn: 150_000, sizeBase: 50_000, querySize: 50_000, dint: 1024, dout: 24, lambdaUniform: 0.02, epochs: 8 },
  best: { numLearn: 150_000, sizeBase: 50_000, querySize: 50_000, dint: 1024, dout: 24, lambdaUniform: 0.02, epochs: 40 },
};

/** The preset called `name`; the RangeError lists the known names. */
export function trainPreset(name: string): TrainPreset {
  const p = Object.prototype.hasOwnProperty.call(TRAIN_PRESETS, name) ? TRAIN_PRESETS[name] : undefined;
  if (!p) throw new RangeError(`--preset must be one of ${Object.keys(TRAIN_PRESETS).join(', ')}, got '${name}'`);
  return p;
}
