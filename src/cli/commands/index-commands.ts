/**
 * `spreadvec build`, `search` and `stats`: an index directory from the command line.
 * Progress bars go to stderr, results to stdout (one line per query, or JSON lines).
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { Index, type Metric, type TrainProgress, type VectorType } from '../../index/vector-index';
import { readVectorFile } from '../../data/vector-file';
import { progressBars } from '../../eval/progress-bars';
import { integerOption } from '../options';

/** Rows added per transaction by `build` (progress moves per batch). */
const BUILD_BATCH = 10_000;

/** A training progress line for the bars. */
export function trainProgressReporter(bars: ReturnType<typeof progressBars>): (p: TrainProgress) => void {
  return (p) => {
    const task = p.phase === 'neighbours' ? 'training neighbours' : p.phase === 'epoch' ? `training epoch ${p.epoch + 1}/${p.epochs}` : 'coding';
    bars(task, p.done, p.total);
  };
}

function choice<T extends string>(option: string, allowed: readonly T[]): (v: string) => T {
  return (v) => {
    if (!allowed.includes(v as T)) throw new RangeError(`--${option} must be one of ${allowed.join(', ')}, got '${v}'`);
    return v as T;
  };
}

export function registerIndexCommands(program: Command): void {
  program
    .command('build')
    .description('add the vectors of a file to an index directory (created if absent), and train it with --train')
    .argument('<dir>', 'index directory')
    .requiredOption('--input <file>', 'vectors: .fvecs, .bvecs or .npy (ids are 0, 1, … in file order after the largest used)')
    .option('--metric <metric>', "l2, cosine or ip (a new index only; default l2)", choice('metric', ['l2', 'cosine', 'ip'] as const))
    .option('--dtype <dtype>', 'stored element type: float32 or uint8 (a new index only; default: the file\'s, uint8 for .bvecs)', choice('dtype', ['float32', 'uint8'] as const))
    .option('--catalyzer <ckpt>', 'a catalyzer checkpoint (.pth) for a new index: trained from the start')
    .option('--train', 'train the index on its stored vectors after adding (see also --epochs)')
    .option('--epochs <n>', 'training epochs (default: the app defaults of spreadvec/train)', integerOption('epochs'))
    .action(async (dir: string, o: { input: string; metric?: Metric; dtype?: VectorType; catalyzer?: string; train?: boolean; epochs?: number }) => {
      const m = readVectorFile(o.input);
      const exists = fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
      const index = exists
        ? await Index.open(dir)
        : await Index.create(dir, {
            dim: m.dim,
            metric: o.metric,
            dtype: o.dtype ?? (m.data instanceof Uint8Array ? 'uint8' : 'float32'),
            ...(o.catalyzer ? { catalyzer: o.catalyzer } : {}),
          });
      const bars = progressBars();
      try {
        if (exists && (o.metric || o.dtype || o.catalyzer)) throw new RangeError(`${dir} is an index already: --metric, --dtype and --catalyzer apply to a new one`);
        for (let r = 0; r < m.rows; r += BUILD_BATCH) {
          const end = Math.min(m.rows, r + BUILD_BATCH);
          await index.add(m.data.subarray(r * m.dim, end * m.dim));
          bars('adding', end, m.rows);
        }
        bars.stop();
        let trainLine = '';
        if (o.train) {
          const t = await index.train({ epochs: o.epochs, onProgress: trainProgressReporter(bars) });
          bars.stop();
          trainLine = `; trained on ${t.trainSize} vectors in ${t.fitSeconds.toFixed(1)} s (${t.epochs} epochs, ${t.din} → ${t.dout}, ${t.quantizer}), coded ${t.coded} in ${t.codeSeconds.toFixed(1)} s, ${t.nlist ? `partitioned into ${t.nlist} lists` : 'flat'}`;
        }
        process.stdout.write(`${dir}: added ${m.rows} vectors from ${o.input}; ${index.size} live, ${index.trained ? `trained (${index.quantizer})` : 'untrained (exact search)'}${trainLine}\n`);
      } finally {
        bars.stop();
        await index.close();
      }
    });

  program
    .command('search')
    .description('the k nearest stored vectors of each query: one line per query (ids then distances), or JSON lines with --json')
    .argument('<dir>', 'index directory')
    .requiredOption('--queries <file>', 'queries: .fvecs, .bvecs or .npy')
    .option('--k <k>', 'results per query', integerOption('k'), 10)
    .option('--refine <r>', 're-rank the best k × r candidates of the codes exactly', integerOption('refine'))
    .option('--json', 'one JSON object per query: {"query", "ids", "distances"}')
    .action(async (dir: string, o: { queries: string; k: number; refine?: number; json?: boolean }) => {
      const q = readVectorFile(o.queries);
      const index = await Index.open(dir, { readOnly: true });
      try {
        const r = await index.search(q.data, o.k, o.refine === undefined ? undefined : { refine: o.refine });
        const out: string[] = [];
        for (let i = 0; i < r.nq; i++) {
          const ids: string[] = [];
          const ds: number[] = [];
          for (let j = i * r.k; j < (i + 1) * r.k; j++) {
            if (r.ids[j] < 0n) break;
            ids.push(r.ids[j].toString());
            ds.push(r.distances[j]);
          }
          out.push(o.json ? JSON.stringify({ query: i, ids: ids.every((s) => Number.isSafeInteger(Number(s))) ? ids.map(Number) : ids, distances: ds }) : `${ids.join(' ')}\t${ds.map((d) => d.toPrecision(6)).join(' ')}`);
        }
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        await index.close();
      }
    });

  program
    .command('stats')
    .description('what an index directory holds: dimension, metric, state, size, memory')
    .argument('<dir>', 'index directory')
    .option('--json', 'one JSON object')
    .action(async (dir: string, o: { json?: boolean }) => {
      const index = await Index.open(dir, { readOnly: true });
      try {
        const report = await index.verify();
        const onDisk = fs.statSync(`${dir}/index.mdb`).size;
        const stats = {
          dim: index.dim,
          metric: index.metric,
          trained: index.trained,
          quantizer: index.quantizer,
          codeBytes: index.codeBytes,
          nlist: index.nlist,
          size: index.size,
          slots: report.slots,
          storedVectors: report.vectors,
          memoryBytes: index.memoryBytes,
          fileBytes: onDisk,
          formatVersion: report.formatVersion,
        };
        if (o.json) process.stdout.write(`${JSON.stringify(stats)}\n`);
        else for (const [k, v] of Object.entries(stats)) process.stdout.write(`${k}: ${v}\n`);
      } finally {
        await index.close();
      }
    });
}
