/**
 * Lattice-versus-PQ benchmark: `npx tsx bench/pq.ts [options]` (see src/eval/pq-bench.ts).
 * Options: --n 1000000 --nq 1000 --single 100 --threads 1 --no-faiss --no-lance
 * --lance-queries 100 --no-speed --no-recall --catalyzer ckpt.pth --train-size 65536
 * --recall-queries N --no-raw --plot docs/img/pq-recall-time.svg
 */
import { parseArgs } from 'node:util';
import { runPqBenchmark } from '../src/eval/pq-bench';

const { values } = parseArgs({
  options: {
    n: { type: 'string' }, nq: { type: 'string' }, single: { type: 'string' }, threads: { type: 'string' },
    'no-faiss': { type: 'boolean' }, 'no-lance': { type: 'boolean' }, 'lance-queries': { type: 'string' },
    'no-speed': { type: 'boolean' }, 'no-raw': { type: 'boolean' }, 'no-recall': { type: 'boolean' }, catalyzer: { type: 'string' },
    'train-size': { type: 'string' }, 'recall-queries': { type: 'string' }, plot: { type: 'string' }, database: { type: 'string' },
  },
});
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

runPqBenchmark({
  n: num(values.n), nq: num(values.nq), single: num(values.single), threads: num(values.threads),
  faiss: !values['no-faiss'], lance: !values['no-lance'], lanceQueries: num(values['lance-queries']),
  speed: !values['no-speed'], raw: !values['no-raw'], recall: !values['no-recall'], catalyzer: values.catalyzer,
  trainSize: num(values['train-size']), recallQueries: num(values['recall-queries']), plot: values.plot, database: values.database,
}).catch((err: unknown) => {
  process.stderr.write(`bench/pq: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
