import * as fs from 'node:fs';
import type { Command } from 'commander';
import { loadSplit } from '../../data/splits';
import { loadEncoder } from '../../eval/encoders';
import { evaluateAll } from '../../eval/evaluate';

interface EvalOptions {
  ckpt: string;
  database: string;
  quantizer: string;
  size_base: string;
  num_queries?: string;
  split: string;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

/**
 * `spreadvec eval`: the paper's eval.py. Encodes queries and base (catalyzer
 * checkpoint, `pca-<d>` or `none`), compresses the base with each quantizer and
 * prints the 1-recall at ranks 1, 10, 100 in eval.py's format.
 */
export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('1-recall@1/10/100 of a catalyzer (or PCA / raw vectors) with a quantizer, as the paper\'s eval.py')
    .requiredOption('--ckpt <ckpt>', 'catalyzer checkpoint (.pth), pca-<d>, or none (raw vectors)')
    .requiredOption('--database <name>', 'dataset name from the registry (SPREADVEC_DATASETS, ./datasets.json, or sift-debian-small)')
    .requiredOption('--quantizer <specs>', 'quantizer(s), comma-separated: zn_<r2>, binary, none, pq_<bits>, opq_<bits>')
    .option('--size_base <n>', 'database size (clipped to the data)', '1000000')
    .option('--num_queries <n>', 'use only the first n queries')
    .option('--split <split>', 'test (base/query/gt files) or train (validation split carved from learn)', 'test')
    .action(async (o: EvalOptions) => {
      if (o.split !== 'test' && o.split !== 'train') throw new RangeError(`--split must be test or train, got '${o.split}'`);
      const quantizers = o.quantizer.split(',').map((s) => s.trim()).filter(Boolean);
      const isPath = o.ckpt !== 'none' && !/^pca-\d+$/.test(o.ckpt);
      if (isPath && !fs.existsSync(o.ckpt)) {
        throw new Error(`--ckpt ${o.ckpt}: no such file (expected a .pth checkpoint, pca-<d> or none)`);
      }
      const t0 = Date.now();
      const note = (m: string) => process.stderr.write(`${m}\n`);
      const split = await loadSplit(o.database, {
        split: o.split,
        sizeBase: positive('size_base', o.size_base),
        numQueries: positive('num_queries', o.num_queries),
        numLearn: 10_000, // eval.py trains quantizers on the first 10,000 learn vectors
        log: note,
      });
      note(`database ${o.database} (${o.split}): nb=${split.nb} nq=${split.nq} d=${split.dim}, loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (isPath) process.stdout.write('Loading net\n');
      const t1 = Date.now();
      const encoder = await loadEncoder(o.ckpt, split);
      note(`encoder: ${encoder.description}, ready in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
      try {
        await evaluateAll({ encode: encoder.encode, split, quantizers });
      } finally {
        await encoder.close();
      }
      note(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
}
