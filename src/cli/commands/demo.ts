/**
 * `spreadvec demo`: the whole product on a fresh machine, with nothing to fetch. It
 * generates a clustered, deterministic set of vectors (src/data/synthetic.ts), builds
 * an untrained index from `dim`, trains it, and prints recall against exact search,
 * training time, query latency and memory per vector.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Index, type SearchResult } from '../../index/vector-index';
import { clusteredVectors } from '../../data/synthetic';
import { progressBars } from '../../eval/progress-bars';
import { integerOption } from '../options';
import { trainProgressReporter } from './index-commands';

/** Fraction of queries whose exact nearest id is among the first `at` results. */
function recallAt(r: SearchResult, truth: BigInt64Array, at: number): number {
  let hit = 0;
  for (let q = 0; q < r.nq; q++) {
    for (let j = 0; j < Math.min(at, r.k); j++) if (r.ids[q * r.k + j] === truth[q]) hit++;
  }
  return hit / r.nq;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('build, train and measure an index over generated vectors (nothing to download)')
    .option('--n <n>', 'vectors', integerOption('n', { min: 2000 }), 50_000)
    .option('--dim <dim>', 'dimension', integerOption('dim'), 96)
    .option('--clusters <c>', 'clusters in the generated set', integerOption('clusters'), 100)
    .option('--intrinsic <m>', 'intrinsic dimension of each cluster (embeddings have a low one)', integerOption('intrinsic'), 16)
    .option('--queries <q>', 'queries (generated apart from the vectors)', integerOption('queries'), 500)
    .option('--epochs <e>', 'training epochs (default: the app defaults)', integerOption('epochs'))
    .option('--dir <dir>', 'where to build the index (default: a temporary folder, removed after)')
    .action(async (o: { n: number; dim: number; clusters: number; intrinsic: number; queries: number; epochs?: number; dir?: string }) => {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const all = clusteredVectors({ n: o.n + o.queries, dim: o.dim, clusters: o.clusters, intrinsicDim: o.intrinsic, seed: 7 });
      const x = all.subarray(0, o.n * o.dim);
      const q = all.subarray(o.n * o.dim);
      const temp = o.dir ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-demo-'));
      const dir = o.dir ?? path.join(temp!, 'index');
      out(`spreadvec demo: ${o.n} clustered vectors of dimension ${o.dim} (${o.clusters} clusters of intrinsic dimension ${o.intrinsic}), ${o.queries} queries; index at ${dir}`);
      const index = await Index.create(dir, { dim: o.dim });
      const bars = progressBars();
      try {
        let t = performance.now();
        await index.add(x);
        out(`added ${o.n} vectors in ${((performance.now() - t) / 1000).toFixed(2)} s; untrained, exact search; ${(index.memoryBytes / o.n).toFixed(0)} B/vector in memory`);
        t = performance.now();
        const exact = await index.search(q, 100);
        out(`exact search: ${o.queries} queries in ${((performance.now() - t) / 1000).toFixed(2)} s`);
        const truth = BigInt64Array.from({ length: o.queries }, (_, i) => exact.ids[i * 100]);
        const report = await index.train({ epochs: o.epochs, onProgress: trainProgressReporter(bars) });
        bars.stop();
        out(
          `trained on ${report.trainSize} vectors: ${report.epochs} epochs, ${report.din} → ${report.dout}, ${report.quantizer} ` +
            `(${index.codeBytes * 8}-bit codes) in ${report.fitSeconds.toFixed(1)} s, coded${report.nlist ? ` and partitioned into ${report.nlist} lists` : ''} in ${report.codeSeconds.toFixed(1)} s; ${(index.memoryBytes / o.n).toFixed(1)} B/vector in memory`,
        );
        const codes = await index.search(q, 100);
        const refined = await index.search(q, 10, { refine: 10 });
        out(`1-recall@1/10/100 against exact search: codes ${[1, 10, 100].map((a) => recallAt(codes, truth, a).toFixed(3)).join(' / ')}; refine 10: ${[1, 10].map((a) => recallAt(refined, truth, a).toFixed(3)).join(' / ')}`);
        const times: number[] = [];
        for (let i = 0; i < Math.min(o.queries, 200); i++) {
          const t0 = performance.now();
          await index.search(q.subarray(i * o.dim, (i + 1) * o.dim), 10);
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        out(`one query (k 10): p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms over ${times.length} queries`);
      } finally {
        bars.stop();
        await index.close();
        if (temp) fs.rmSync(temp, { recursive: true, force: true });
      }
    });
}
