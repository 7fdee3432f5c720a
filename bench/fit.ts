/**
 * fitCatalyzer benchmark: 1-recall of zn_79 (64-bit codes) against training time,
 * for catalyzers fitted on an application's vectors (the first --n learn vectors of
 * sift-debian-small), each against the paper's 8-epoch recipe (dint 1024, 150k
 * learn vectors, λ 0.02, 8 epochs) fitted in the same way when --baseline is given.
 * Evaluation: the test split (base 329,945, 5,000 queries, exact ground truth),
 * asymmetric search, the evaluation module's recalls. --synthetic-dim D times a fit
 * of --n clustered vectors of dimension D instead (no recall: timing only).
 *
 *   npx tsx bench/fit.ts [--n 100000] [--configs dint:epochs:sampleSize:lambda,...]
 *     [--baseline] [--threads 2] [--synthetic-dim 1024]
 */
import * as os from 'node:os';
import { loadSplit } from '../src/data/splits';
import { clusteredVectors } from '../src/data/synthetic';
import { Catalyzer } from '../src/catalyzer/catalyzer';
import { evaluateAll } from '../src/eval/evaluate';
import { activeIsa } from '../src/kernels/addon';
import { defaultSampleSize, FIT_DEFAULTS, fitCatalyzer, type FitOptions } from '../src/train/fit';
import { numberArg, stringArg } from './util';

interface Row {
  label: string;
  n: number;
  opts: FitOptions;
}

const n = numberArg('n', 100_000);
const threads = numberArg('threads', 2);
const syntheticDim = numberArg('synthetic-dim', 0);
const d = FIT_DEFAULTS;
const configs = (stringArg('configs') ?? `${d.dint}:${d.epochs}:${defaultSampleSize(syntheticDim || 128)}:${d.lambda}`).split(',').map((c) => {
  const [dint, epochs, sampleSize, lambda] = c.split(':').map(Number);
  return { label: `dint ${dint}, ${epochs} ep, sample ${sampleSize}, λ ${lambda}`, n, opts: { dint, epochs, sampleSize, lambda } };
});
const rows: Row[] = process.argv.includes('--baseline')
  ? [{ label: 'paper recipe: dint 1024, 8 ep, 150k, λ 0.02', n: 150_000, opts: { dint: 1024, epochs: 8, sampleSize: 150_000, lambda: 0.02 } }, ...configs]
  : configs;

function load(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  console.log(`isa=${activeIsa()} threads=${threads} load average at start ${load()}`);
  if (syntheticDim > 0) {
    const x = clusteredVectors({ n, dim: syntheticDim, seed: 1 });
    for (const r of configs) {
      const fit = await fitCatalyzer(x, n, syntheticDim, { ...r.opts, threads });
      const epochs = fit.logs.map((l) => (l.times![0] + l.times![1]).toFixed(1)).join(' ');
      console.log(`| synthetic ${n} × ${syntheticDim} | ${r.label} | ${fit.seconds.toFixed(1)} s | epochs ${epochs} s | load ${load()} |`);
    }
    return;
  }
  const maxN = Math.max(...rows.map((r) => r.n));
  const split = await loadSplit('sift-debian-small', { split: 'test', numLearn: maxN });
  console.log(`test split: base ${split.nb}, queries ${split.nq}, learn ${split.nt}`);
  console.log('| fit | vectors | trained on | fit time | 1-R@1 | 1-R@10 | 1-R@100 | load avg (1, 5, 15 min) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  let baseR10: number | undefined;
  for (const r of rows) {
    const fit = await fitCatalyzer(split.train.subarray(0, r.n * split.dim), r.n, split.dim, { ...r.opts, threads });
    const cat = await Catalyzer.load(fit.checkpoint, { workers: threads });
    try {
      const { results } = await evaluateAll({ encode: (x) => cat.encode(x), split, trainSize: 0, quantizers: ['zn_79'], log: () => {} });
      const z = results[0];
      baseR10 ??= z.r10;
      const delta = r === rows[0] ? '' : ` (${(z.r10 - baseR10 >= 0 ? '+' : '')}${(z.r10 - baseR10).toFixed(4)})`;
      console.log(`| ${r.label} | ${r.n} | ${fit.trainSize} | ${fit.seconds.toFixed(1)} s | ${z.r1.toFixed(4)} | ${z.r10.toFixed(4)}${delta} | ${z.r100.toFixed(4)} | ${load()} |`);
    } finally {
      await cat.close();
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
