import type { Command } from 'commander';
import { runPqBenchmark } from '../../eval/pq-bench';

interface BenchOptions {
  n: string;
  nq: string;
  single: string;
  threads: string;
  faiss: boolean;
  lance: boolean;
  lanceQueries: string;
  speed: boolean;
  recall: boolean;
  raw: boolean;
  database: string;
  catalyzer?: string;
  trainSize: string;
  recallQueries?: string;
  plot?: string;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

/**
 * `spreadvec bench`: the lattice-versus-PQ benchmark (speed at 1M × 64-bit codes
 * against Faiss IndexPQ and LanceDB IVF_PQ, recall at equal bits, optional plot).
 */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('zn_79 decode-and-scan vs PQ ADC vs Faiss IndexPQ vs LanceDB IVF_PQ; recall of PQ/OPQ/catalyzer at 64 bits')
    .option('--n <n>', 'database size of the speed part', '1000000')
    .option('--nq <n>', 'queries per batch', '1000')
    .option('--single <n>', 'queries timed one at a time', '100')
    .option('--threads <n>', 'threads for every method', '1')
    .option('--no-faiss', 'skip Faiss IndexPQ (python3-faiss)')
    .option('--no-lance', 'skip LanceDB IVF_PQ')
    .option('--lance-queries <n>', 'queries given to LanceDB', '100')
    .option('--no-speed', 'skip the speed part')
    .option('--no-recall', 'skip the recall part')
    .option('--no-raw', 'skip the raw-vector PQ/OPQ rows of the recall part')
    .option('--database <name>', 'dataset of the recall part', 'sift-debian-small')
    .option('--catalyzer <ckpt>', 'catalyzer checkpoint for the catalyzer + OPQ / zn_79 rows')
    .option('--train-size <n>', 'learn vectors given to PQ/OPQ training', '65536')
    .option('--recall-queries <n>', 'queries of the recall part (default all)')
    .option('--plot <file.svg>', 'write the recall-versus-time plot (SVG)')
    .action(async (o: BenchOptions) => {
      await runPqBenchmark({
        n: positive('n', o.n), nq: positive('nq', o.nq), single: positive('single', o.single), threads: positive('threads', o.threads),
        faiss: o.faiss, lance: o.lance, lanceQueries: positive('lance-queries', o.lanceQueries), speed: o.speed, recall: o.recall, raw: o.raw,
        database: o.database, catalyzer: o.catalyzer, trainSize: positive('train-size', o.trainSize),
        recallQueries: positive('recall-queries', o.recallQueries), plot: o.plot,
      });
    });
}
