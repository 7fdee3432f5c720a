import * as fs from 'node:fs';
import type { Command } from 'commander';
import { loadSplit } from '../../data/splits';
import { openDataset } from '../../data/datasets';
import { loadEncoder } from '../../eval/encoders';
import { evaluateAll } from '../../eval/evaluate';
import { checkQuantizerSpec } from '../../quantizers';
import { loadCheckpointState } from '../../train/checkpoint-io';
import { dimsOfState } from '../../train/state';
import { integerOption } from '../options';
import { progressBars } from '../../eval/progress-bars';

interface EvalOptions {
  ckpt: string;
  database: string;
  quantizer: string;
  size_base: number;
  num_queries?: number;
  train_size: number;
  split: string;
}

/** eval.py trains its PQ/OPQ quantizers on the first 10,000 learn vectors. */
export const EVAL_TRAIN_SIZE = 10_000;

/**
 * The encoder's output dimension, found without loading any data: pca-<d> → d,
 * none → the data's own dimension (from the base file's header), a checkpoint →
 * its dout (read from the state_dict, no network built).
 */
function outputDim(ckpt: string, database: string): number {
  const pca = /^pca-(\d+)$/.exec(ckpt);
  if (pca) return Number(pca[1]);
  if (ckpt === 'none') return openDataset(database).shape('base').dim;
  return dimsOfState(loadCheckpointState(ckpt)).dout;
}

/**
 * `spreadvec eval`: the paper's eval.py. Encodes queries and base (catalyzer
 * checkpoint, `pca-<d>` or `none`), compresses the base with each quantizer and
 * prints the 1-recall at ranks 1, 10, 100 in eval.py's format. The quantizers,
 * the checkpoint and the dataset are checked before any data is loaded.
 */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("1-recall@1/10/100 of a catalyzer (or PCA / raw vectors) with a quantizer, as the paper's eval.py")
    .requiredOption('--ckpt <ckpt>', 'catalyzer checkpoint (.pth), pca-<d>, or none (raw vectors)')
    .requiredOption('--database <dir>', 'dataset: a folder (bigann, deep1b or npy layout) or a registry name (SPREADVEC_DATASETS, ./datasets.json, built-in sift-debian-small)')
    .requiredOption('--quantizer <specs>', 'quantizer(s), comma-separated: zn_<r2>, binary, none, pq_<bits>, opq_<bits>')
    .option('--size_base <n>', 'database size (clipped to the data)', integerOption('size_base'), 1_000_000)
    .option('--num_queries <n>', 'use only the first n queries', integerOption('num_queries'))
    .option('--train_size <n>', "learn vectors the PQ/OPQ quantizers are trained on (eval.py's 10000)", integerOption('train_size'), EVAL_TRAIN_SIZE)
    .option('--split <split>', 'test (base/query/gt files) or train (validation split carved from learn)', 'test')
    .action(async (o: EvalOptions) => {
      if (o.split !== 'test' && o.split !== 'train') throw new RangeError(`--split must be test or train, got '${o.split}'`);
      const quantizers = o.quantizer.split(',').map((s) => s.trim()).filter(Boolean);
      if (quantizers.length === 0) throw new RangeError('--quantizer names no quantizer');
      for (const q of quantizers) checkQuantizerSpec(q);
      const isPath = o.ckpt !== 'none' && !/^pca-\d+$/.test(o.ckpt);
      if (isPath && !fs.existsSync(o.ckpt)) {
        throw new Error(`--ckpt ${o.ckpt}: no such file (expected a .pth checkpoint, pca-<d> or none)`);
      }
      const dim = outputDim(o.ckpt, o.database);
      for (const q of quantizers) checkQuantizerSpec(q, dim);

      const t0 = Date.now();
      const note = (m: string) => process.stderr.write(`${m}\n`);
      const progress = progressBars();
      const split = await loadSplit(o.database, {
        split: o.split,
        sizeBase: o.size_base,
        numQueries: o.num_queries,
        numLearn: o.train_size,
        log: note,
        progress,
      });
      note(`database ${o.database} (${o.split}): nb=${split.nb} nq=${split.nq} d=${split.dim}, quantizers trained on ${split.nt} learn vectors, loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (isPath) process.stdout.write('Loading net\n');
      const t1 = Date.now();
      const encoder = await loadEncoder(o.ckpt, split);
      note(`encoder: ${encoder.description}, ready in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      try {
        const needsTrain = quantizers.some((q) => /^o?pq_/.test(q));
        await evaluateAll({ encode: encoder.encode, split, quantizers, trainSize: needsTrain ? o.train_size : 0, progress });
      } finally {
        progress.stop();
        await encoder.close();
      }
      note(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
}
