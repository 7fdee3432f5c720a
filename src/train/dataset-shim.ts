/**
 * TEMPORARY loader until the data helper's src/data lands: reads a BigANN-layout
 * folder (bigann_learn.bvecs) and builds the paper's training split: base =
 * learn[0:sizeBase], queries = learn[sizeBase:sizeBase+querySize], train = the
 * rest (first numLearn), with exact ground truth of the queries in the base.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { knnL2 } from '../kernels/mlp-native';

/** What training needs: train vectors, a validation base, queries and their ground truth. */
export interface TrainingSplit {
  d: number;
  xt: Float32Array;
  xb: Float32Array;
  xq: Float32Array;
  /** nq×gtK exact neighbours of the queries in xb, nearest first. */
  gt: Int32Array;
  gtK: number;
}

function readBvecs(file: string): { d: number; n: number; data: Float32Array } {
  const buf = fs.readFileSync(file);
  if (buf.length < 4) throw new RangeError(`${file}: empty bvecs file`);
  const d = buf.readInt32LE(0);
  const rec = d + 4;
  if (d <= 0 || buf.length % rec !== 0) throw new RangeError(`${file}: not a bvecs file (dim ${d}, ${buf.length} bytes)`);
  const n = buf.length / rec;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) data[i * d + k] = buf[i * rec + 4 + k];
  return { d, n, data };
}

export async function loadTrainingSplit(database: string, sizeBase: number, numLearn: number, querySize: number): Promise<TrainingSplit> {
  const file = path.join(database, 'bigann_learn.bvecs');
  if (!fs.existsSync(file)) throw new RangeError(`database '${database}': no ${file}`);
  const { d, n, data } = readBvecs(file);
  if (sizeBase + querySize >= n) throw new RangeError(`size_base ${sizeBase} + ${querySize} queries leave no training vectors out of ${n}`);
  const xb = data.slice(0, sizeBase * d);
  const xq = data.slice(sizeBase * d, (sizeBase + querySize) * d);
  const rest = n - sizeBase - querySize;
  const nt = Math.min(rest, numLearn);
  const xt = data.slice((sizeBase + querySize) * d, (sizeBase + querySize + nt) * d);
  const gtK = Math.min(100, sizeBase);
  const gt = await knnL2(xq, xb, d, gtK);
  return { d, xt, xb, xq, gt, gtK };
}
