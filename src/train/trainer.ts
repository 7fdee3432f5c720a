/**
 * The paper's train.py (triplet_optimize) on the native trainer: each epoch mines
 * hard negatives in output space, then runs SGD over the training set in a random
 * order, and every `valFreq` epochs (and at the last) validates with Zn quantizers, writes
 * `checkpoint.pth` and keeps the best as `checkpoint.pth.best`.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import cliProgress from 'cli-progress';
import { NativeMlpTrainer } from '../kernels/mlp-native';
import { knnL2 } from '../knn/knn-native';
import { knn } from '../knn/knn';
import { evaluateAll, type QuantizerRecalls } from '../eval/evaluate';
import type { Progress } from '../progress';
import { progressBars } from '../eval/progress-bars';
import type { Split } from '../data/splits';
import { formatF, formatG } from './format';
import { Rng } from '../random';
import { dimsOfState, initState, loadStateIntoTrainer, stateFromTrainer, type CatalyzerState } from './state';
import { loadCheckpointState, saveCheckpoint } from './checkpoint-io';
import { prepareCheckpointDir } from './checkpoint-dir';
import { checkQuantizerSpec, quantizerSyntax } from '../quantizers';
import { radiusForBits } from '../lattice/sphere-count';
import { parseZnSpec } from '../lattice/zn-spec';
import { MAX_DIM } from '../lattice/limits';
import { quantize as znQuantize } from '../lattice/zn-native';
import { WeightAverage } from './weight-average';

/** 1-recall at ranks 1, 10, 100 per validation quantizer (the paper's `logs[i].val`). */
export type ValidationResult = Record<string, [number, number, number]>;

/** What training reads from a split: train vectors, and base/queries/gt for validation. */
export type TrainingSplit = Pick<Split, 'dim' | 'train' | 'base' | 'queries' | 'gt' | 'gtK'>;

/** Options of `spreadvec train`; names and defaults follow the paper's train.py. */
export interface TrainOptions {
  /** A dataset folder or a name of the registry (src/data/datasets.ts), e.g. sift-debian-small. */
  database: string;
  /** Training vectors kept (default 500000). */
  numLearn: number;
  /** Size of the validation base taken from the learn set (default 1000000). */
  sizeBase: number;
  /** Validation queries taken after the base (the paper's qsize, 100000). */
  querySize: number;
  dint: number;
  /** Output dimension (default 24, as every command of the paper's README passes; its train.py defaults to 16). */
  dout: number;
  /** λ, weight of the KoLeo term (default 0.05). */
  lambdaUniform: number;
  batchSize: number;
  epochs: number;
  momentum: number;
  /** Positives are drawn among this many input-space neighbours (self included, as in the paper). */
  rankPositive: number;
  /** The negative is this-th neighbour in output space (self included). */
  rankNegative: number;
  /** Comma-separated learning rates, stretched over the epochs. */
  lrSchedule: string;
  valFreq: number;
  /** Comma-separated quantizers for validation; default zn at 16/32/64 bits for dout. */
  validationQuantizers: string;
  /** "<quantizer>,rank=<R>"; default "zn_<r2 of 64 bits>,rank=10". */
  saveBestCriterion: string;
  /** Where checkpoint.pth(.best) go; none written when empty (the CLI defaults to ./checkpoint). */
  checkpointDir: string;
  /** Checkpoint to start from. */
  initName: string;
  seed: number;
  /**
   * `zn_<r2>`: train through that lattice quantizer with the straight-through
   * estimator (the paper's --quantizer_train; meant for fine-tuning a trained
   * checkpoint given by `initName`). Empty or absent: plain training.
   */
  quantizerTrain?: string;
  /**
   * Stochastic weight averaging over the last `swaEpochs` epochs (0 or absent: off;
   * src/train/weight-average.ts): the networks at the end of each of them are
   * averaged, the BatchNorm statistics recomputed on the training vectors, and the
   * average is validated after the last epoch, written as `checkpoint.pth.swa` and
   * kept as best when it scores higher.
   */
  swaEpochs?: number;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  database: '', numLearn: 500000, sizeBase: 1000000, querySize: 100000, dint: 1024, dout: 24,
  lambdaUniform: 0.05, batchSize: 64, epochs: 160, momentum: 0.9, rankPositive: 10, rankNegative: 50,
  lrSchedule: '0.1,0.1,0.05,0.01', valFreq: 10, validationQuantizers: '', saveBestCriterion: '',
  checkpointDir: '', initName: '', seed: 1234, quantizerTrain: '', swaEpochs: 0,
};

/** One epoch's record, as the paper's trainer keeps it in `logs`. */
export interface EpochLog {
  epoch: number;
  loss_triplet: number;
  loss_uniform: number;
  loss: number;
  offending: number;
  lr: number;
  val?: ValidationResult;
  /** [hard-negative mining, training, validation] seconds */
  times?: [number, number, number];
}

/** How the run reports: log lines (stdout in the CLI) and whether to draw progress bars. */
export interface TrainReporter {
  log(line: string): void;
  progress?: boolean;
}

export interface TrainResult {
  state: CatalyzerState;
  logs: EpochLog[];
  bestScore: number;
  bestState?: CatalyzerState;
  /** The weight average (with `swaEpochs`) and its validation score. */
  average?: { state: CatalyzerState; score: number; epochs: number };
  /** Threads used by the parallel phases (forward passes, k-NN). */
  threads?: number;
}

/** The learning rate of each epoch: the schedule stretched over `epochs`. */
export function lrPerEpoch(schedule: string, epochs: number): number[] {
  const lrs = schedule.split(',').map((s) => Number(s.trim()));
  if (lrs.length === 0 || lrs.some((x) => !Number.isFinite(x) || x < 0)) throw new RangeError(`lr_schedule '${schedule}' is not a list of learning rates`);
  return Array.from({ length: epochs }, (_, e) => lrs[Math.floor((e * lrs.length) / epochs)]);
}

/**
 * The Zn radii at 16, 32 and 64 bits for `dout`: the largest r2 whose codes fit
 * (src/lattice/sphere-count.ts; d = 24 gives the paper's 3, 10, 79).
 */
function radiiFor(dout: number): number[] {
  return [16, 32, 64].map((b) => radiusForBits(dout, b)).filter((r) => r > 0);
}

/** Fills the dout-dependent defaults (validation quantizers, best criterion). */
export function resolveOptions(opts: TrainOptions): TrainOptions & { quantizers: string[] } {
  const radii = opts.dout <= MAX_DIM ? radiiFor(opts.dout) : [];
  const quantizers = opts.validationQuantizers
    ? opts.validationQuantizers.split(',').map((s) => s.trim())
    : radii.length > 0 ? radii.map((r) => `zn_${r}`) : ['none'];
  const saveBestCriterion = opts.saveBestCriterion || (radii.length > 0 ? `zn_${radii[radii.length - 1]},rank=10` : 'none,rank=10');
  return { ...opts, saveBestCriterion, quantizers };
}

/**
 * Checks, before any data is loaded, that every validation quantizer is valid at
 * `dout` and that `save_best_criterion` names one of them at rank 1, 10 or 100;
 * the RangeError lists the valid names.
 */
export function checkValidationSetup(options: TrainOptions): void {
  const opts = resolveOptions(options);
  straightThroughRadius(opts);
  const swa = opts.swaEpochs ?? 0;
  if (!Number.isInteger(swa) || swa < 0 || swa > opts.epochs) throw new RangeError(`--swa_epochs must be an integer in [0, epochs = ${opts.epochs}], got ${swa}`);
  for (const q of opts.quantizers) {
    try {
      checkQuantizerSpec(q, opts.dout);
    } catch (e) {
      const zn = radiiFor(opts.dout).map((r) => `zn_${r}`).join(', ');
      throw new RangeError(
        `--validation_quantizers: ${(e as Error).message} (valid at dout ${opts.dout}: ${quantizerSyntax().join(', ')}; e.g. ${zn} at 16/32/64 bits)`,
      );
    }
  }
  const criteria = opts.quantizers.flatMap((q) => [1, 10, 100].map((r) => `${q},rank=${r}`));
  if (!criteria.includes(opts.saveBestCriterion)) {
    throw new RangeError(
      `--save_best_criterion '${opts.saveBestCriterion}' names no validation quantizer at dout ${opts.dout} (valid: ${criteria.join(' ')})`,
    );
  }
}

/**
 * r2 of `quantizerTrain` (0 when empty), checked against `dout` before any data is
 * loaded: a RangeError names --quantizer_train and what it accepts.
 */
export function straightThroughRadius(opts: Pick<TrainOptions, 'quantizerTrain' | 'dout'>): number {
  const q = opts.quantizerTrain ?? '';
  if (q === '') return 0;
  const r2 = parseZnSpec(q);
  const zn = znExamples(opts.dout);
  if (r2 === undefined) throw new RangeError(`--quantizer_train must be 'zn_<r2>' (e.g. ${zn || 'zn_79'}), got '${q}'`);
  try {
    checkQuantizerSpec(q, opts.dout);
  } catch (e) {
    throw new RangeError(`--quantizer_train: ${(e as Error).message}${zn ? ` (at dout ${opts.dout}: ${zn} are the 16/32/64-bit ones)` : ''}`);
  }
  return r2;
}

/** The 16/32/64-bit zn names at `dout` for messages ('' where they do not exist). */
function znExamples(dout: number): string {
  try {
    return dout <= MAX_DIM ? radiiFor(dout).map((r) => `zn_${r}`).join(', ') : '';
  } catch {
    return ''; // tiny dims: 16 bits need more than the radii scanned
  }
}

/** The paper's per-epoch line. */
export function epochLine(l: EpochLog): string {
  const [hn, ep, val] = l.times ?? [0, 0, 0];
  return `epoch ${l.epoch}, times: [hn ${hn.toFixed(2)} s epoch ${ep.toFixed(2)} s val ${val.toFixed(2)} s] lr = ${formatF(l.lr)} loss = ${formatG(l.loss)} = ${formatG(l.loss_triplet)} + lam * ${formatG(l.loss_uniform)}, offending ${l.offending}`;
}

function bar(enabled: boolean | undefined, label: string, total: number) {
  if (!enabled) return undefined;
  const b = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total} {eta_formatted}`, stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic);
  b.start(total, 0);
  return b;
}

/** Rows per k-NN call when a bar shows the progress of a neighbour search. */
const KNN_CHUNK = 8192;

/**
 * Neighbours of every row of `queries` among `base` by `search`, in chunks of
 * KNN_CHUNK queries with a progress bar when `progress` is on, in one call when it
 * is off (queries are independent: the result is the same).
 */
async function neighboursWithBar(
  progress: boolean | undefined, label: string, queries: Float32Array, d: number, k: number,
  search: (q: Float32Array) => Promise<Int32Array>,
): Promise<Int32Array> {
  const n = queries.length / d;
  if (!progress || n <= KNN_CHUNK) return search(queries);
  const out = new Int32Array(n * k);
  const b = bar(progress, label, n);
  try {
    for (let lo = 0; lo < n; lo += KNN_CHUNK) {
      const hi = Math.min(n, lo + KNN_CHUNK);
      out.set(await search(queries.subarray(lo * d, hi * d)), lo * k);
      b?.update(hi);
    }
  } finally {
    b?.stop();
  }
  return out;
}

/**
 * Validates the trainer's current network on a split with the evaluation module
 * (prints eval.py's lines); `score` is the recall named by `criterion`.
 */
export async function validateTrainer(
  trainer: NativeMlpTrainer, split: TrainingSplit, quantizers: string[], criterion: string,
  print: (l: string) => void = () => {}, threads?: number, progress?: Progress,
): Promise<{ res: ValidationResult; score: number }> {
  // Only the learned quantizers (pq, opq) need training vectors.
  const needsTrain = quantizers.some((q) => parseZnSpec(q) === undefined && q !== 'none' && q !== 'binary');
  const { results, score } = await evaluateAll({
    encode: (x) => trainer.forwardEval(x, threads),
    split: { dim: split.dim, base: split.base, queries: split.queries, gt: split.gt, gtK: split.gtK, train: split.train },
    trainSize: needsTrain ? 10_000 : 0,
    quantizers,
    bestKey: criterion,
    log: print,
    progress,
  });
  const res: ValidationResult = {};
  for (const r of results as QuantizerRecalls[]) res[r.quantizer] = [r.r1, r.r10, r.r100];
  return { res, score };
}

/** What one epoch of the paper's loop works on (see {@link trainEpoch}). */
export interface EpochSetup {
  trainer: NativeMlpTrainer;
  /** nt × din training vectors. */
  xt: Float32Array;
  dout: number;
  /** nt × rankPositive input-space neighbours of each training vector (self included). */
  gtNN: Int32Array;
  rankPositive: number;
  rankNegative: number;
  batchSize: number;
  momentum: number;
  lambda: number;
  /** Draws the positives and the batch order (advanced by each epoch). */
  rng: Rng;
  /**
   * r2 of the straight-through quantizer the trainer was set to (0 or absent: none).
   * Hard negatives are then searched among the quantized outputs, as the paper's
   * train.py does with --quantizer_train.
   */
  straightThroughR2?: number;
  threads?: number;
  /** Draw progress bars (the CLI). */
  progress?: boolean;
  /** Called after each chunk of batches with the batches done and their total. */
  onBatches?: (done: number, total: number) => void;
}

/**
 * One epoch of the paper's train.py: positives drawn among the input-space
 * neighbours, hard negatives (the rank_negative-th neighbour in output space,
 * exact), then SGD over the training set in a random order, in chunks of batches
 * (each chunk one native async job, so the event loop keeps turning). The shared
 * core of {@link trainOnSplit} and fitCatalyzer. Returns the epoch's log with
 * times [hard negatives, SGD, 0].
 */
export async function trainEpoch(s: EpochSetup, epoch: number, lr: number): Promise<EpochLog> {
  const { trainer, xt, dout, gtNN, rankPositive: kpos, rankNegative, batchSize, rng, threads } = s;
  const nt = gtNN.length / kpos;
  const chunkBatches = 64;
  const t0 = performance.now();
  const positives = new Int32Array(nt);
  const negatives = new Int32Array(nt);
  for (let i = 0; i < nt; i++) positives[i] = gtNN[i * kpos + rng.int(kpos)];
  // Hard negatives: the rank_negative-th neighbour in output space, exact, by the
  // native exact k-NN kernel (native/knn.cc; knnL2 returns the indices only). When
  // training through the quantizer, the base holds the quantized outputs (what a
  // search would compare the continuous queries with).
  const f = await trainer.forwardEval(xt, threads);
  const base = s.straightThroughR2 ? quantizeToSphere(f, dout, s.straightThroughR2) : f;
  const I = await neighboursWithBar(s.progress, `epoch ${epoch} hard negatives`, f, dout, rankNegative, (q) => knnL2(q, base, dout, rankNegative, threads));
  for (let i = 0; i < nt; i++) negatives[i] = I[i * rankNegative + rankNegative - 1];
  const t1 = performance.now();

  // The SGD steps split their products over the same threads (bit for bit the
  // same weights for any count).
  trainer.setThreads(threads);
  const perm = rng.permutation(nt);
  const pos = new Int32Array(nt);
  const neg = new Int32Array(nt);
  for (let i = 0; i < nt; i++) {
    pos[i] = positives[perm[i]];
    neg[i] = negatives[perm[i]];
  }
  const nbatches = Math.ceil(nt / batchSize);
  const b = bar(s.progress, `epoch ${epoch}`, nbatches);
  let sumLoss = 0, sumTrip = 0, sumUni = 0, offending = 0, batches = 0;
  for (let b0 = 0; b0 < nbatches; b0 += chunkBatches) {
    const lo = b0 * batchSize;
    const hi = Math.min(nt, (b0 + chunkBatches) * batchSize);
    const st = await trainer.trainBatches(xt, perm.subarray(lo, hi), pos.subarray(lo, hi), neg.subarray(lo, hi), batchSize, lr, s.momentum, s.lambda);
    sumLoss += st.loss;
    sumTrip += st.triplet;
    sumUni += st.uniform;
    offending += st.offending;
    batches += st.batches;
    b?.update(Math.min(nbatches, b0 + chunkBatches));
    s.onBatches?.(Math.min(nbatches, b0 + chunkBatches), nbatches);
  }
  b?.stop();
  const t2 = performance.now();
  return {
    epoch, loss_triplet: sumTrip / batches, loss_uniform: sumUni / batches, loss: sumLoss / batches, offending, lr,
    times: [(t1 - t0) / 1000, (t2 - t1) / 1000, 0],
  };
}

/** Rows of unit vectors → their nearest points z/|z| on the zn_<r2> sphere (native codec). */
export function quantizeToSphere(f: Float32Array, dout: number, r2: number): Float32Array {
  const z = znQuantize(dout, r2, f);
  const inv = 1 / Math.sqrt(r2);
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = z[i] * inv;
  return out;
}

/** The paper's training loop on a loaded split. */
export async function trainOnSplit(split: TrainingSplit, options: TrainOptions, reporter: TrainReporter, threads?: number): Promise<TrainResult> {
  checkValidationSetup(options);
  const opts = resolveOptions(options);
  const d = split.dim;
  const xt = split.train;
  const nt = xt.length / d;
  if (nt < 2) throw new RangeError('training needs at least 2 vectors');
  if (opts.rankPositive > nt || opts.rankNegative > nt) throw new RangeError(`rank_positive/rank_negative exceed the ${nt} training vectors`);
  const lrs = lrPerEpoch(opts.lrSchedule, opts.epochs);
  reporter.log(`Lr schedule [${lrs.map((x) => formatG(x)).join(', ')}]`);
  const rng = new Rng(opts.seed);

  // Network: PyTorch's default init from the seed, or a checkpoint.
  let state: CatalyzerState;
  if (opts.initName) {
    reporter.log(`loading state from ${opts.initName}`);
    state = loadCheckpointState(opts.initName);
    const dims = dimsOfState(state);
    if (dims.din !== d) throw new RangeError(`init_name: network input ${dims.din} ≠ data dimension ${d}`);
  } else {
    state = initState({ din: d, dint: opts.dint, dout: opts.dout }, opts.seed);
  }
  const dims = dimsOfState(state);
  const trainer = new NativeMlpTrainer(dims.din, dims.dint, dims.dout);
  loadStateIntoTrainer(trainer, state);
  // With init_name the network's dout may differ from --dout: check the quantizer there.
  const steR2 = straightThroughRadius({ quantizerTrain: opts.quantizerTrain, dout: dims.dout });
  if (steR2 > 0) {
    reporter.log(`training through the straight-through quantizer ${opts.quantizerTrain}`);
    trainer.setStraightThrough(steR2);
  }

  reporter.log('computing training ground truth');
  const kpos = opts.rankPositive;
  const gtNN = await neighboursWithBar(reporter.progress, 'training ground truth', xt, d, kpos, async (q) => (await knn(q, xt, d, kpos, { threads })).indices);

  const args = checkpointArgs(opts);
  const logs: EpochLog[] = [];
  let bestScore = 0;
  let bestState: CatalyzerState | undefined;
  const setup: EpochSetup = {
    trainer, xt, dout: dims.dout, gtNN, rankPositive: kpos, rankNegative: opts.rankNegative, batchSize: opts.batchSize,
    momentum: opts.momentum, lambda: opts.lambdaUniform, rng, threads, progress: reporter.progress, straightThroughR2: steR2,
  };

  /**
   * Validates `net` and, with a checkpoint folder, writes it there as `name` with the
   * logs `logsWith(validation)`; when it beats the best so far, copies it to
   * checkpoint.pth.best and keeps its state. `what` qualifies the log line.
   */
  const validateAndStore = async (
    net: NativeMlpTrainer, name: string, epoch: number, lr: number, what: string, logsWith: (res: ValidationResult) => EpochLog[],
  ): Promise<{ score: number; state: CatalyzerState }> => {
    const bars = reporter.progress ? progressBars() : undefined;
    const { res, score } = await validateTrainer(net, split, opts.quantizers, opts.saveBestCriterion, reporter.log, threads, bars).finally(() => bars?.stop());
    const state = stateFromTrainer(net);
    const better = score > bestScore;
    if (opts.checkpointDir) {
      prepareCheckpointDir(opts.checkpointDir);
      const fname = path.join(opts.checkpointDir, name);
      reporter.log(`storing ${fname}`);
      saveCheckpoint(fname, { state_dict: state, epoch, args: { ...args, lr }, logs: logsWith(res) as unknown as Record<string, unknown>[] });
      if (better) fs.copyFileSync(fname, path.join(opts.checkpointDir, 'checkpoint.pth.best'));
    } else {
      logsWith(res);
    }
    if (better) {
      reporter.log(`${opts.saveBestCriterion} score${what} improves (${formatG(score)} > ${formatG(bestScore)}), keeping as best`);
      bestScore = score;
      bestState = state;
    } else if (what) {
      reporter.log(`${opts.saveBestCriterion} score${what}: ${formatG(score)} (best stays ${formatG(bestScore)})`);
    }
    return { score, state };
  };

  const swaEpochs = opts.swaEpochs ?? 0;
  const average = swaEpochs > 0 ? new WeightAverage() : undefined;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const lr = lrs[epoch];
    // The times go in once the validation is done (the checkpoint written during it
    // holds the epoch's log without them, as before).
    const { times: epochTimes, ...rest } = await trainEpoch(setup, epoch, lr);
    const log: EpochLog = rest;
    const t2 = performance.now();
    logs.push(log);
    if (average && epoch >= opts.epochs - swaEpochs) average.add(trainer);

    // Every val_freq epochs, and always at the last one: a run shorter than
    // val_freq still validates and writes its network.
    if ((epoch + 1) % opts.valFreq === 0 || epoch === opts.epochs - 1) {
      reporter.log(`Validation at epoch ${epoch}`);
      await validateAndStore(trainer, 'checkpoint.pth', epoch, lr, '', (res) => {
        log.val = res;
        return logs;
      });
    }
    const t3 = performance.now();
    log.times = [epochTimes![0], epochTimes![1], (t3 - t2) / 1000];
    reporter.log(epochLine(log));
  }
  let averaged: TrainResult['average'];
  if (average) {
    reporter.log(`weight average of the last ${average.count} epochs: recomputing BatchNorm statistics, validating`);
    const net = new NativeMlpTrainer(dims.din, dims.dint, dims.dout);
    loadStateIntoTrainer(net, stateFromTrainer(trainer));
    await average.applyTo(net, xt, opts.batchSize, rng);
    const last = logs[logs.length - 1];
    const { score, state } = await validateAndStore(net, 'checkpoint.pth.swa', opts.epochs - 1, last.lr, ' of the average',
      (res) => [...logs, { ...last, val: res, swa_epochs: average.count } as EpochLog]);
    averaged = { state, score, epochs: average.count };
  }
  return { state: stateFromTrainer(trainer), logs, bestScore, bestState, average: averaged, threads };
}

/** The argparse.Namespace the paper's checkpoints carry (its attribute names). */
export function checkpointArgs(opts: TrainOptions & { quantizers: string[] }): Record<string, unknown> {
  return {
    database: opts.database, size_base: opts.sizeBase, num_learn: opts.numLearn, dint: opts.dint, dout: opts.dout,
    lambda_uniform: opts.lambdaUniform, batch_size: opts.batchSize, epochs: opts.epochs, momentum: opts.momentum,
    rank_positive: opts.rankPositive, rank_negative: opts.rankNegative, seed: opts.seed, checkpoint_dir: opts.checkpointDir,
    init_name: opts.initName, save_best_criterion: opts.saveBestCriterion, quantizer_train: opts.quantizerTrain ?? '', swa_epochs: opts.swaEpochs ?? 0, lr_schedule: opts.lrSchedule,
    device: 'cpu', val_freq: opts.valFreq, validation_quantizers: opts.quantizers,
  };
}
