/**
 * fitCatalyzer: train a catalyzer on an application's own vectors, with no dataset
 * split (no base, queries or ground truth): what `index.train()` calls. It runs the
 * paper's epoch (trainEpoch, shared with the `spreadvec train` recipe) on a sample of
 * the vectors for a few epochs, skips validation, and returns the final network as
 * checkpoint bytes that Catalyzer.load reads. The defaults were chosen by measurement
 * (bench/fit.ts, docs/BENCHMARKS.md "Fitting a catalyzer").
 */
import { writeCheckpoint } from '../pth/checkpoint';
import { NativeMlpTrainer } from '../kernels/mlp-native';
import { knn } from '../knn/knn';
import { Rng } from '../random';
import { assertInteger, assertKnownOptions } from '../validate';
import { initState, loadStateIntoTrainer, stateFromTrainer } from './state';
import { lrPerEpoch, trainEpoch, type EpochLog } from './trainer';

/** Options of {@link fitCatalyzer}; every one has a measured default. */
export interface FitOptions {
  /** Metric of the input space, whose exact neighbours are the positives (default 'l2'; cosine: normalize and pass 'l2'). */
  metric?: 'l2' | 'ip';
  /** Output dimension, the lattice's (default 24: zn_79 codes fit 64 bits). */
  dout?: number;
  /** Hidden width of the MLP (default {@link FIT_DEFAULTS}.dint). */
  dint?: number;
  /** Passes over the sample (default {@link FIT_DEFAULTS}.epochs); the paper's lr schedule is stretched over them. */
  epochs?: number;
  /** Vectors trained on when n is larger, drawn from `seed` (default {@link defaultSampleSize}(dim): 100,000 up to 128-d). */
  sampleSize?: number;
  /** λ, weight of the KoLeo spreading term (default {@link FIT_DEFAULTS}.lambda). */
  lambda?: number;
  /** Seed of the sample, the initial weights, positives and batch order (default 1234). */
  seed?: number;
  /** Native threads (default: SPREADVEC_THREADS or all cores). */
  threads?: number;
  /** Progress: the neighbour search (done/total queries), then each epoch (done/total batches). */
  onProgress?: (p: FitProgress) => void;
}

/** One progress report of {@link fitCatalyzer}. */
export interface FitProgress {
  phase: 'neighbours' | 'epoch';
  /** The epoch (0-based; 0 during 'neighbours'). */
  epoch: number;
  epochs: number;
  done: number;
  total: number;
}

/** What {@link fitCatalyzer} returns. */
export interface FitResult {
  /** A PyTorch zip checkpoint ({state_dict, epoch, args, logs}) that Catalyzer.load reads. */
  checkpoint: Uint8Array;
  din: number;
  dout: number;
  /** Vectors trained on (the sample). */
  trainSize: number;
  epochs: number;
  /** Wall-clock seconds of the whole fit. */
  seconds: number;
  logs: EpochLog[];
}

/**
 * Fewest vectors fitCatalyzer accepts. The hard floor is the paper's rank_negative
 * (the 50th output-space neighbour is the negative); 1000 is asked for because below
 * it the 50th neighbour is a twentieth of the set, no longer a hard negative, and an
 * exact scan of so few vectors is instantaneous anyway: a catalyzer would only lose
 * recall there.
 */
export const MIN_FIT_VECTORS = 1000;

/**
 * The measured defaults (docs/BENCHMARKS.md, "Fitting a catalyzer"): on 100,000 SIFT
 * vectors they lose 0.023 of zn_79 1-R@10 against the paper's 8-epoch recipe in a
 * fifth of its time. `sampleSize` is the sample at dimension ≤ 128; see
 * {@link defaultSampleSize} for higher dimensions.
 */
export const FIT_DEFAULTS = { dout: 24, dint: 512, epochs: 8, sampleSize: 100_000, lambda: 0.02, seed: 1234 } as const;

/**
 * The default sample at dimension `dim`: FIT_DEFAULTS.sampleSize up to 128, then
 * shrinking as √(128 / dim), so that the exact neighbour search (cost m² · dim)
 * stays that of 100,000 × 128 and a fit of 1024-d vectors keeps within the same
 * time (35,355 rows at 1024).
 */
export function defaultSampleSize(dim: number): number {
  if (dim <= 128) return FIT_DEFAULTS.sampleSize;
  return Math.max(MIN_FIT_VECTORS, Math.round(FIT_DEFAULTS.sampleSize * Math.sqrt(128 / dim)));
}

/** The paper's fixed knobs (train.py's defaults). */
const RANK_POSITIVE = 10;
const RANK_NEGATIVE = 50;
const BATCH_SIZE = 64;
const MOMENTUM = 0.9;
const LR_SCHEDULE = '0.1,0.1,0.05,0.01';

/** Values handled per chunk of a JS loop over the input before yielding to the event loop. */
const YIELD_EVERY = 1 << 20;
/** Queries per neighbour search call (the unit of 'neighbours' progress). */
const NEIGHBOUR_CHUNK = 8192;

const OPTION_NAMES = ['metric', 'dout', 'dint', 'epochs', 'sampleSize', 'lambda', 'seed', 'threads', 'onProgress'] as const;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

type Resolved = Required<Omit<FitOptions, 'onProgress' | 'threads'>> & Pick<FitOptions, 'onProgress' | 'threads'>;

function resolveFitOptions(options: FitOptions | undefined, dim: number): Resolved {
  assertKnownOptions('fitCatalyzer', options, OPTION_NAMES);
  const o = { ...FIT_DEFAULTS, sampleSize: defaultSampleSize(dim), metric: 'l2' as const, ...options } as Resolved;
  if (o.metric !== 'l2' && o.metric !== 'ip') throw new RangeError(`fitCatalyzer: metric must be 'l2' or 'ip', got '${String(o.metric)}'`);
  assertInteger('dout', o.dout, 2, 256);
  assertInteger('dint', o.dint, 1, 8192);
  assertInteger('epochs', o.epochs, 1, 10_000);
  assertInteger('sampleSize', o.sampleSize, MIN_FIT_VECTORS);
  assertInteger('seed', o.seed, 0, 0xffffffff);
  if (o.threads !== undefined) assertInteger('threads', o.threads, 0, 1024);
  if (typeof o.lambda !== 'number' || !Number.isFinite(o.lambda) || o.lambda < 0) throw new RangeError(`lambda must be a finite number ≥ 0, got ${String(o.lambda)}`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError('onProgress must be a function');
  return o;
}

/** Throws a RangeError naming the first non-finite value, in chunks that let the event loop turn. */
async function assertFiniteChunked(x: Float32Array, count: number, dim: number): Promise<void> {
  for (let lo = 0; lo < count; lo += YIELD_EVERY) {
    const hi = Math.min(count, lo + YIELD_EVERY);
    for (let i = lo; i < hi; i++) {
      if (!Number.isFinite(x[i])) {
        throw new RangeError(`vectors holds a non-finite value (${x[i]}) at row ${Math.floor(i / dim)}, column ${i % dim}`);
      }
    }
    if (hi < count) await yieldToLoop();
  }
}

/** `m` distinct rows of n drawn by a partial Fisher–Yates shuffle, in increasing order. */
function sampleRows(n: number, m: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p.subarray(0, m).sort();
}

/**
 * The rows `rows` of x (dim each) in one new array, yielding between chunks. It lives
 * in a SharedArrayBuffer: the native async jobs (k-NN, forward, every chunk of SGD
 * batches) read such memory in place instead of copying the training set each call.
 */
async function gatherRows(x: Float32Array, dim: number, rows: Int32Array): Promise<Float32Array> {
  const out = new Float32Array(new SharedArrayBuffer(rows.length * dim * Float32Array.BYTES_PER_ELEMENT));
  const perChunk = Math.max(1, Math.floor(YIELD_EVERY / dim));
  for (let lo = 0; lo < rows.length; lo += perChunk) {
    const hi = Math.min(rows.length, lo + perChunk);
    for (let i = lo; i < hi; i++) out.set(x.subarray(rows[i] * dim, rows[i] * dim + dim), i * dim);
    if (hi < rows.length) await yieldToLoop();
  }
  return out;
}

/**
 * Trains a catalyzer (din = dim → dout) on n vectors of `vectors` (row-major, n × dim),
 * the paper's way: positives among the 10 exact input-space neighbours under
 * `metric`, negatives the 50th output-space neighbour, triplet + λ·KoLeo loss, SGD
 * with momentum and the paper's lr schedule stretched over `epochs`. When n exceeds
 * `sampleSize`, a sample drawn from `seed` is trained on. No validation: the result
 * is the network after the last epoch. Heavy work runs in native async jobs and JS
 * loops yield between chunks, so the event loop keeps turning.
 *
 * Throws RangeError for n < MIN_FIT_VECTORS, a vectors array shorter than n × dim,
 * a non-finite value or a bad option value; TypeError for an unknown option.
 */
export async function fitCatalyzer(vectors: Float32Array, n: number, dim: number, options?: FitOptions): Promise<FitResult> {
  const started = performance.now();
  if (!(vectors instanceof Float32Array)) throw new TypeError('vectors must be a Float32Array');
  assertInteger('dim', dim, 1, 65536);
  assertInteger('n', n, 0);
  if (n < MIN_FIT_VECTORS) throw new RangeError(`fitCatalyzer needs at least ${MIN_FIT_VECTORS} vectors, got ${n}`);
  if (vectors.length < n * dim) throw new RangeError(`vectors holds ${vectors.length} values, fewer than n × dim = ${n * dim}`);
  const o = resolveFitOptions(options, dim);
  await assertFiniteChunked(vectors, n * dim, dim);

  const rng = new Rng(o.seed);
  const trainSize = Math.min(n, o.sampleSize);
  const rows = trainSize < n ? sampleRows(n, trainSize, rng) : Int32Array.from({ length: n }, (_, i) => i);
  const xt = await gatherRows(vectors, dim, rows);

  // Positives: the exact RANK_POSITIVE neighbours (self included, as in the paper).
  const gtNN = new Int32Array(trainSize * RANK_POSITIVE);
  for (let lo = 0; lo < trainSize; lo += NEIGHBOUR_CHUNK) {
    const hi = Math.min(trainSize, lo + NEIGHBOUR_CHUNK);
    o.onProgress?.({ phase: 'neighbours', epoch: 0, epochs: o.epochs, done: lo, total: trainSize });
    const { indices } = await knn(xt.subarray(lo * dim, hi * dim), xt, dim, RANK_POSITIVE, { metric: o.metric, threads: o.threads });
    gtNN.set(indices, lo * RANK_POSITIVE);
  }
  o.onProgress?.({ phase: 'neighbours', epoch: 0, epochs: o.epochs, done: trainSize, total: trainSize });

  const trainer = new NativeMlpTrainer(dim, o.dint, o.dout);
  loadStateIntoTrainer(trainer, initState({ din: dim, dint: o.dint, dout: o.dout }, o.seed));
  const lrs = lrPerEpoch(LR_SCHEDULE, o.epochs);
  const logs: EpochLog[] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const onBatches = o.onProgress && ((done: number, total: number) => o.onProgress!({ phase: 'epoch', epoch, epochs: o.epochs, done, total }));
    logs.push(await trainEpoch({
      trainer, xt, dout: o.dout, gtNN, rankPositive: RANK_POSITIVE, rankNegative: RANK_NEGATIVE, batchSize: BATCH_SIZE,
      momentum: MOMENTUM, lambda: o.lambda, rng, threads: o.threads, onBatches,
    }, epoch, lrs[epoch]));
  }

  const checkpoint = writeCheckpoint({
    state_dict: stateFromTrainer(trainer),
    epoch: o.epochs - 1,
    args: {
      fit: true, metric: o.metric, num_learn: trainSize, dint: o.dint, dout: o.dout, lambda_uniform: o.lambda, epochs: o.epochs,
      batch_size: BATCH_SIZE, momentum: MOMENTUM, rank_positive: RANK_POSITIVE, rank_negative: RANK_NEGATIVE,
      lr_schedule: LR_SCHEDULE, seed: o.seed,
    },
    logs: logs as unknown as Record<string, unknown>[],
  });
  return { checkpoint, din: dim, dout: o.dout, trainSize, epochs: o.epochs, seconds: (performance.now() - started) / 1000, logs };
}
