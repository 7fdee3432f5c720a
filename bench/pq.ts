/**
 * The lattice-versus-PQ benchmark: `npx tsx bench/pq.ts [options]` from a source
 * checkout (speed at 1M × 64-bit codes against Faiss IndexPQ and LanceDB IVF_PQ,
 * recall at equal bits, optional plot; bench/pq-bench.ts). Not part of the installed
 * `spreadvec` command: it needs devDependencies and bench/faiss_pq.py. Options in
 * either spelling, e.g. --train_size or --train-size, --no-speed, --catalyzer
 * ckpt.pth, --plot file.svg.
 */
import { Command } from 'commander';
import { runPqBenchmark } from './pq-bench';
import { integerOption, normalizeArgv, oneLine } from '../src/cli/options';

interface BenchOptions {
  n: number;
  nq: number;
  single: number;
  threads: number;
  faiss: boolean;
  lance: boolean;
  lance_queries: number;
  speed: boolean;
  recall: boolean;
  raw: boolean;
  database: string;
  catalyzer?: string;
  train_size?: number;
  recall_queries?: number;
  plot?: string;
}

const int = (name: string) => integerOption(name, { min: 1 });
const program = new Command();
program
  .name('bench/pq.ts')
  .description('zn_79 decode-and-scan vs PQ ADC vs Faiss IndexPQ vs LanceDB IVF_PQ; recall of PQ/OPQ/catalyzer at 64 bits')
  .option('--n <n>', 'database size of the speed part', int('n'), 1_000_000)
  .option('--nq <n>', 'queries per batch', int('nq'), 1000)
  .option('--single <n>', 'queries timed one at a time', int('single'), 100)
  .option('--threads <n>', 'threads for every method', integerOption('threads', { min: 1, max: 1024 }), 1)
  .option('--no-faiss', 'skip Faiss IndexPQ (python3-faiss)')
  .option('--no-lance', 'skip LanceDB IVF_PQ')
  .option('--lance_queries <n>', 'queries given to LanceDB', int('lance_queries'), 100)
  .option('--no-speed', 'skip the speed part')
  .option('--no-recall', 'skip the recall part')
  .option('--no-raw', 'skip the raw-vector PQ/OPQ rows of the recall part')
  .option('--database <dir>', 'dataset of the recall part (folder or registry name)', 'sift-debian-small')
  .option('--catalyzer <ckpt>', 'catalyzer checkpoint for the catalyzer + OPQ / zn_79 rows')
  .option('--train_size <n>', "learn vectors PQ/OPQ are trained on (default: max(65536, the catalyzer's num_learn))", int('train_size'))
  .option('--recall_queries <n>', 'queries of the recall part (default all)', int('recall_queries'))
  .option('--plot <file.svg>', 'write the recall-versus-time plot (SVG)')
  .action(async (o: BenchOptions) => {
    await runPqBenchmark({
      n: o.n, nq: o.nq, single: o.single, threads: o.threads,
      faiss: o.faiss, lance: o.lance, lanceQueries: o.lance_queries, speed: o.speed, recall: o.recall, raw: o.raw,
      database: o.database, catalyzer: o.catalyzer, trainSize: o.train_size, recallQueries: o.recall_queries, plot: o.plot,
    });
  });

program.parseAsync(normalizeArgv(process.argv)).catch((err: unknown) => {
  process.stderr.write(`bench/pq.ts: ${oneLine(err)}\n`);
  process.exit(1);
});
