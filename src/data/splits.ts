/**
 * The paper's two data splits (lib/data.py), as float32 matrices:
 * - `test`: base = base[0:sizeBase], queries = the query file, ground truth from
 *   the gt file (recomputed exactly when the base is cut below what the file covers);
 *   train = the learn file.
 * - `train` (validation while training): base = learn[0:sizeBase],
 *   queries = learn[sizeBase : sizeBase+numQueries], train = the rest, with exact
 *   ground truth computed here. Only the rows needed are read.
 */
import { assertInteger } from '../validate';
import { knn } from '../knn/knn';
import type { Progress } from '../progress';
import { openDataset, type Dataset } from './datasets';
import { toFloat32 } from './vecs';

/** Which split: `test` (base/query/gt files) or `train` (carved out of learn). */
export type SplitName = 'test' | 'train';

/** A split ready for training or evaluation; all matrices are row-major. */
export interface Split {
  /** Dataset name. */
  name: string;
  split: SplitName;
  dim: number;
  /** Training vectors (nt×dim). */
  train: Float32Array;
  /** Database (nb×dim). */
  base: Float32Array;
  /** Queries (nq×dim). */
  queries: Float32Array;
  /** Ground truth: nq×gtK ids into base, nearest first. */
  gt: Int32Array;
  gtK: number;
  nt: number;
  nb: number;
  nq: number;
}

/** Options of {@link loadSplit}. */
export interface SplitOptions {
  /** `test` (default) or `train`. */
  split?: SplitName;
  /** Database size (default 1,000,000, clipped to what the data holds). */
  sizeBase?: number;
  /** Queries (test: first N of the query file, default all; train: default 100,000). */
  numQueries?: number;
  /** Keep at most this many training vectors (default all). */
  numLearn?: number;
  /** Neighbours computed when ground truth must be computed (default 100). */
  gtK?: number;
  /** Registry file (default: SPREADVEC_DATASETS or ./datasets.json). */
  registry?: string;
  /** Progress messages (e.g. "computing ground truth"); default silent. */
  log?: (message: string) => void;
  /** Progress of the ground-truth computation, in queries (a bar in the CLI). */
  progress?: Progress;
}

/** Queries per k-NN call when ground truth is computed with progress. */
const GT_CHUNK = 1024;

/** Exact ground truth, in chunks of queries when progress is reported. */
async function groundTruth(xq: Float32Array, xb: Float32Array, dim: number, k: number, progress?: Progress): Promise<Int32Array> {
  const nq = xq.length / dim;
  if (!progress) return (await knn(xq, xb, dim, k)).indices;
  const out = new Int32Array(nq * k);
  for (let i = 0; i < nq; i += GT_CHUNK) {
    progress('ground truth', i, nq);
    const end = Math.min(nq, i + GT_CHUNK);
    out.set((await knn(xq.subarray(i * dim, end * dim), xb, dim, k)).indices, i * k);
  }
  progress('ground truth', nq, nq);
  return out;
}

/** Loads a split of a registered dataset (see the module comment). */
export async function loadSplit(name: string, options: SplitOptions = {}): Promise<Split> {
  const ds = openDataset(name, options.registry);
  const sizeBase = options.sizeBase ?? 1_000_000;
  assertInteger('sizeBase', sizeBase, 1);
  if (options.numQueries !== undefined) assertInteger('numQueries', options.numQueries, 1);
  if (options.numLearn !== undefined) assertInteger('numLearn', options.numLearn, 0);
  const gtK = options.gtK ?? 100;
  assertInteger('gtK', gtK, 1);
  const split = options.split ?? 'test';
  if (split === 'test') return testSplit(name, ds, sizeBase, gtK, options);
  if (split === 'train') return trainSplit(name, ds, sizeBase, gtK, options);
  throw new RangeError(`split must be 'test' or 'train', got '${String(split)}'`);
}

async function testSplit(name: string, ds: Dataset, sizeBase: number, gtK: number, o: SplitOptions): Promise<Split> {
  const baseShape = ds.shape('base');
  const nb = Math.min(sizeBase, baseShape.rows);
  const base = ds.base({ count: nb });
  const queries = ds.queries({ count: o.numQueries });
  const learn = ds.learn({ count: o.numLearn });
  const dim = checkDims(ds, base.dim, queries.dim, learn.dim);
  const xb = toFloat32(base.data), xq = toFloat32(queries.data);

  // The gt file holds neighbours among the first gtBaseSize base vectors (or all):
  // it is valid when our base is exactly that prefix (clipped to the file).
  const covered = Math.min(ds.entry.gtBaseSize ?? baseShape.rows, baseShape.rows);
  let gt: Int32Array, k: number;
  if (nb === covered && ds.has('gt')) {
    const g = ds.groundTruth({ count: queries.rows })!;
    if (g.rows < queries.rows) throw new RangeError(`${ds.file('gt')}: ${g.rows} rows for ${queries.rows} queries`);
    for (let i = 0; i < g.data.length; i++) {
      if (g.data[i] < 0 || g.data[i] >= nb) {
        throw new RangeError(`${ds.file('gt')}: id ${g.data[i]} (row ${Math.floor(i / g.dim)}) is outside the base of ${nb}`);
      }
    }
    gt = g.data;
    k = g.dim;
  } else {
    o.log?.(`computing exact ground truth of ${queries.rows} queries in ${nb} base vectors`);
    k = Math.min(gtK, nb);
    gt = await groundTruth(xq, xb, dim, k, o.progress);
  }
  return {
    name, split: 'test', dim, train: toFloat32(learn.data), base: xb, queries: xq, gt, gtK: k,
    nt: learn.rows, nb, nq: queries.rows,
  };
}

async function trainSplit(name: string, ds: Dataset, sizeBase: number, gtK: number, o: SplitOptions): Promise<Split> {
  const learnRows = ds.shape('learn').rows;
  const numQueries = o.numQueries ?? 100_000;
  if (sizeBase + numQueries >= learnRows) {
    throw new RangeError(
      `dataset '${name}': the train split needs sizeBase (${sizeBase}) + numQueries (${numQueries}) < ${learnRows} learn vectors`,
    );
  }
  const nt = Math.min(o.numLearn ?? Infinity, learnRows - sizeBase - numQueries);
  // One read of the rows needed; base, queries and train are views into it.
  const learn = ds.learn({ count: sizeBase + numQueries + nt });
  const all = toFloat32(learn.data), dim = learn.dim;
  const xb = all.subarray(0, sizeBase * dim);
  const xq = all.subarray(sizeBase * dim, (sizeBase + numQueries) * dim);
  const xt = all.subarray((sizeBase + numQueries) * dim);
  o.log?.(`computing exact ground truth of ${numQueries} queries in ${sizeBase} base vectors`);
  const k = Math.min(gtK, sizeBase);
  const gt = await groundTruth(xq, xb, dim, k, o.progress);
  return { name, split: 'train', dim, train: xt, base: xb, queries: xq, gt, gtK: k, nt, nb: sizeBase, nq: numQueries };
}

function checkDims(ds: Dataset, base: number, query: number, learn: number): number {
  if (base !== query || base !== learn) {
    throw new RangeError(`dataset '${ds.entry.name}': dimensions differ (learn ${learn}, base ${base}, query ${query})`);
  }
  return base;
}
