/**
 * One query on a million codes, through the public API, as an app gets it: an Index
 * created from `dim`, 1M vectors added, `train()` at the defaults (a catalyzer fitted
 * to these vectors, zn_79 codes, the partition), then single queries.
 *
 *   npx tsx bench/million.ts [--n 1000000] [--dim 96] [--clusters 1000] [--intrinsic 16]
 *     [--queries 1000] [--single 500] [--nprobes 8,16,24,32,48,64] [--threads 2]
 *     [--source generated|sift] [--no-faiss] [--no-usearch] [--json out.json] [--dir DIR]
 *     [--plot out.svg]   (or: --plot out.svg --from run.json, to draw a saved run only)
 *
 * --dir keeps the trained index and its truth in DIR; a later run with the same
 * --dir (and data options) skips the build and only measures.
 *
 * Data: `generated` (the default) is clusteredVectors (src/data/synthetic.ts: Gaussian
 * clusters of a low intrinsic dimension, as embeddings have); `sift` is the 579,945 real
 * SIFT vectors of ../shared/data (base + learn, the largest real set here), queries from
 * the query file. Truth: the untrained index's exact search (the same vectors, before
 * `train()`), k = 100.
 * Per nprobe: 1-recall@1/10/100 of the codes (1000-query batch, k = 100), single-query
 * p50/p95/p99 (k = 10, one caller, awaited one after another), and the time of the
 * 1000-query batch at k = 10; at
 * the default nprobe, queries/s for 1 and 32 concurrent callers. Beside it in the same
 * run: Faiss IVF<nlist>,PQ8 (same nlist and nprobes) and IndexPQ from python3-faiss
 * when present, and usearch HNSW (f32) at growing expansion. Then the same index
 * reopened with `cache: 'int8'` (the decoded cache), swept again.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { clusteredVectors } from '../src/data/synthetic';
import { readVecs } from '../src/data/vecs';
import { DEFAULT_NPROBE, Index, type SearchOptions, type SearchResult } from '../src/index/vector-index';
import { recallTimeSvg, type RecallTimePoint } from './pq-plot';
import { buildUsearch, numberArg, stringArg, timeSingles } from './util';

const N = numberArg('n', 1_000_000);
const DIM = numberArg('dim', 96);
const CLUSTERS = numberArg('clusters', 1000);
const INTRINSIC = numberArg('intrinsic', 16);
const NQ = numberArg('queries', 1000);
const NSINGLE = numberArg('single', 500);
const THREADS = numberArg('threads', 2);
const SOURCE = stringArg('source') ?? 'generated';
const NPROBES = (stringArg('nprobes') ?? '8,16,24,32,48,64').split(',').map(Number);
const JSON_OUT = stringArg('json');
const KEEP = stringArg('dir');
const PLOT = stringArg('plot');
const FROM = stringArg('from');
const has = (flag: string) => process.argv.includes(`--${flag}`);
const SIFT = path.join(__dirname, '..', '..', 'shared', 'data', 'sift-debian-small');
const K = 100;

interface Data {
  label: string;
  base: Float32Array;
  n: number;
  queries: Float32Array;
  nq: number;
  d: number;
}

function loadData(): Data {
  if (SOURCE === 'sift') {
    const b = readVecs(path.join(SIFT, 'bigann_base.bvecs'), {}, 'bvecs');
    const l = readVecs(path.join(SIFT, 'bigann_learn.bvecs'), {}, 'bvecs');
    const q = readVecs(path.join(SIFT, 'bigann_query.bvecs'), { start: 0, count: NQ }, 'bvecs');
    const n = b.rows + l.rows;
    const base = new Float32Array(n * 128);
    base.set(b.data);
    base.set(l.data, b.rows * 128);
    return { label: `SIFT base + learn (${n} real vectors, d 128)`, base, n, queries: Float32Array.from(q.data), nq: q.rows, d: 128 };
  }
  if (SOURCE !== 'generated') throw new RangeError(`--source must be generated or sift, got ${SOURCE}`);
  const all = clusteredVectors({ n: N + NQ, dim: DIM, clusters: CLUSTERS, intrinsicDim: INTRINSIC, seed: 11 });
  return {
    label: `clusteredVectors (${N} vectors, d ${DIM}, ${CLUSTERS} clusters of intrinsic dimension ${INTRINSIC}; ${NQ} queries drawn with them)`,
    base: all.subarray(0, N * DIM), n: N, queries: all.subarray(N * DIM), nq: NQ, d: DIM,
  };
}

/** 1-recall at 1, 10, 100 of `ids` (nq × k) against the true nearest `truth[q * K]`. */
function recalls(ids: ArrayLike<bigint | number>, k: number, truth: BigInt64Array, nq: number): number[] {
  return [1, 10, 100].map((at) => {
    let hit = 0;
    for (let q = 0; q < nq; q++) {
      const want = truth[q * K];
      for (let j = 0; j < Math.min(at, k); j++) if (BigInt(ids[q * k + j]) === want) hit++;
    }
    return hit / nq;
  });
}

function percentiles(ms: number[]): number[] {
  const s = [...ms].sort((a, b) => a - b);
  return [0.5, 0.95, 0.99].map((p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]);
}

interface Point {
  method: string;
  nprobe?: number | 'all';
  recall: number[];
  p50: number;
  p95: number;
  p99: number;
  batchS: number;
  qps1?: number;
  qps32?: number;
}

const fmt = (p: Point) =>
  `| ${p.method} | ${p.recall.map((r) => r.toFixed(3)).join(' / ')} | ${p.p50.toFixed(3)} | ${p.p95.toFixed(3)} | ${p.p99.toFixed(3)} | ${p.batchS.toFixed(3)} |` +
  (p.qps1 ? ` ${p.qps1.toFixed(0)} → ${p.qps32!.toFixed(0)} (×${(p.qps32! / p.qps1).toFixed(2)}) |` : ' |');

async function indexPoints(data: Data, truth: BigInt64Array, index: Index, label = 'spreadvec Index'): Promise<Point[]> {
  const { queries, nq, d } = data;
  const one = (i: number) => queries.subarray((i % nq) * d, ((i % nq) + 1) * d);
  const out: Point[] = [];
  const probes: (number | 'all')[] = [...new Set([...NPROBES, DEFAULT_NPROBE])].sort((a, b) => a - b);
  for (const np of [...probes, 'all' as const]) {
    const opt: SearchOptions = { nprobe: np };
    const count = np === 'all' ? Math.min(50, NSINGLE) : NSINGLE;
    for (let i = 0; i < 30; i++) await index.search(one(i), 10, opt);
    const { ms, qps1, qpsMany: qps32 } = await timeSingles(count, (i) => index.search(one(i), 10, opt), np === DEFAULT_NPROBE ? 32 : 0);
    const tb = performance.now();
    await index.search(queries, 10, opt);
    const batchS = (performance.now() - tb) / 1000;
    const r: SearchResult = await index.search(queries, K, opt);
    const [p50, p95, p99] = percentiles(ms);
    const p: Point = { method: `${label}, nprobe ${np}${np === DEFAULT_NPROBE ? ' (default)' : ''}`, nprobe: np, recall: recalls(r.ids, K, truth, nq), p50, p95, p99, batchS, ...(qps32 ? { qps1, qps32 } : {}) };
    console.log(fmt(p));
    out.push(p);
  }
  return out;
}

/** Faiss IVF-PQ / IndexPQ on the same raw vectors (bench/faiss_ivf.py), or null without python3-faiss. */
function faissPoints(data: Data, truth: BigInt64Array, nlist: number): Point[] | null {
  const py = '/usr/bin/python3';
  if (has('no-faiss') || !fs.existsSync(py) || spawnSync(py, ['-c', 'import faiss'], { encoding: 'utf8' }).status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-million-faiss-'));
  const write = (name: string, x: Float32Array | Int32Array) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    return f;
  };
  const gt = Int32Array.from(truth, (x) => Number(x));
  const args = [path.join(__dirname, 'faiss_ivf.py'), '--raw', write('base.f32', data.base), write('queries.f32', data.queries), write('gt.i32', gt),
    String(data.d), String(K), String(nlist), NPROBES.join(','), String(THREADS), String(NSINGLE), '10'];
  const r = spawnSync(py, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) {
    console.log(`Faiss run failed: ${r.stderr.trim().split('\n').pop()}`);
    return null;
  }
  const res = JSON.parse(r.stdout) as { version: string; ivf_build_s: number; pq_build_s: number; ivf: FaissRow[]; pq: FaissRow };
  console.log(`Faiss ${res.version}: IVF${nlist},PQ8 built in ${res.ivf_build_s.toFixed(1)} s, IndexPQ in ${res.pq_build_s.toFixed(1)} s`);
  const point = (method: string, x: FaissRow): Point => {
    const p: Point = { method, recall: ['1', '10', '100'].map((k) => x.recall[k]), p50: x.p50_ms, p95: x.p95_ms, p99: x.p99_ms, batchS: x.batch1000_s };
    console.log(fmt(p));
    return p;
  };
  return [...res.ivf.map((x) => point(`Faiss ${res.version} IVF${nlist},PQ8, nprobe ${x.nprobe}`, x)), point(`Faiss ${res.version} IndexPQ (PQ8, exhaustive)`, res.pq)];
}

interface FaissRow {
  nprobe?: number;
  recall: Record<string, number>;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  batch1000_s: number;
}

/** usearch HNSW (f32, M 16) on the raw vectors, single queries on one thread. */
async function usearchPoints(data: Data, truth: BigInt64Array): Promise<Point[] | null> {
  if (has('no-usearch')) return null;
  const { base, n, queries, nq, d } = data;
  const { file, buildS, open } = await buildUsearch(base, n, d, THREADS, 'million');
  console.log(`usearch: ${n} vectors built in ${buildS.toFixed(1)} s (${THREADS} threads), ${(fs.statSync(file).size / n).toFixed(1)} B/vector on disk`);
  const out: Point[] = [];
  for (const ef of [16, 32, 64, 128]) {
    const v = open(ef);
    const r = v.search(queries, K, THREADS);
    const t = performance.now();
    v.search(queries, 10, THREADS);
    const batchS = (performance.now() - t) / 1000;
    const r10 = recalls(v.search(queries, 10, THREADS).keys, 10, truth, nq);
    const ms: number[] = [];
    for (let i = 0; i < NSINGLE; i++) {
      const q = queries.subarray((i % nq) * d, ((i % nq) + 1) * d);
      const t0 = performance.now();
      v.search(q, 10, 1);
      ms.push(performance.now() - t0);
    }
    const [p50, p95, p99] = percentiles(ms);
    const p: Point = { method: `usearch HNSW f32, ef ${ef} (@100 at ef ≥ 100)`, recall: [r10[0], r10[1], recalls(r.keys, K, truth, nq)[2]], p50, p95, p99, batchS };
    console.log(fmt(p));
    out.push(p);
  }
  fs.rmSync(file, { force: true });
  return out;
}

interface Saved {
  data: string;
  points: Point[];
  faiss: Point[] | null;
  usearch: Point[] | null;
}

/** Single-query p50 against 1-recall@10, one line per method (the nprobe or ef sweep). */
async function plot(run: Saved, file: string): Promise<void> {
  const family = (m: string) => m.replace(/, (nprobe|ef) .*$/, '').replace(/ \(@100.*$/, '');
  const points: RecallTimePoint[] = [...run.points.filter((p) => p.nprobe !== 'all'), ...(run.faiss ?? []).filter((p) => /IVF/.test(p.method)), ...(run.usearch ?? [])]
    .map((p) => ({ method: family(p.method), msPerQuery: p.p50, recall: p.recall[1], rank: 10 }));
  fs.writeFileSync(file, await recallTimeSvg(points, `1M vectors: single-query p50 vs 1-recall@10 (k = 10)`, 'single-query p50 (ms, log scale)'));
  console.log(`plot: ${file}`);
}

async function main(): Promise<void> {
  if (FROM) {
    if (!PLOT) throw new RangeError('--from needs --plot');
    await plot(JSON.parse(fs.readFileSync(FROM, 'utf8')) as Saved, PLOT);
    return;
  }
  const data = loadData();
  console.log(`${data.label}; threads ${THREADS}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const dir = KEEP ? path.join(KEEP, 'idx') : path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-million-')), 'idx');
  const truthFile = path.join(path.dirname(dir), 'truth.i64');
  let index: Index, truth: BigInt64Array, setup: string;
  if (KEEP && fs.existsSync(truthFile)) {
    index = await Index.open(dir, { threads: THREADS });
    truth = new BigInt64Array(new Uint8Array(fs.readFileSync(truthFile)).buffer);
    setup = fs.readFileSync(path.join(path.dirname(dir), 'setup.txt'), 'utf8');
    console.log(`reusing ${dir}: ${setup}`);
  } else {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    index = await Index.create(dir, { dim: data.d, threads: THREADS });
    let t = performance.now();
    const step = 100_000;
    for (let i = 0; i < data.n; i += step) await index.add(data.base.subarray(i * data.d, Math.min(data.n, i + step) * data.d));
    const addS = (performance.now() - t) / 1000;
    t = performance.now();
    const exact = await index.search(data.queries, K);
    truth = exact.ids;
    console.log(`added ${data.n} in ${addS.toFixed(1)} s; exact truth (untrained search, ${data.nq} queries, k ${K}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    const report = await index.train();
    const trainS = (performance.now() - t) / 1000;
    setup = `train() defaults: ${report.trainSize} training vectors, ${report.epochs} epochs, ${report.din} → ${report.dout}, ${report.quantizer}; ` +
      `fit ${report.fitSeconds.toFixed(1)} s, coding ${report.codeSeconds.toFixed(1)} s, nlist ${report.nlist}; train() ${trainS.toFixed(1)} s in all (load average before ${os.loadavg()[0].toFixed(1)})`;
    fs.writeFileSync(truthFile, new Uint8Array(truth.buffer));
    fs.writeFileSync(path.join(path.dirname(dir), 'setup.txt'), setup);
  }
  const bpv = index.memoryBytes / index.size;
  setup += `; memoryBytes ${bpv.toFixed(2)} B/vector`;
  console.log(setup);
  console.log('| method | 1-R@1 / @10 / @100 | p50 ms | p95 ms | p99 ms | 1000-query batch s | q/s 1 → 32 callers |\n|---|---|---|---|---|---|---|');
  const points = await indexPoints(data, truth, index);
  await index.close();
  // The same index reopened with the decoded cache (24 more bytes per vector at dout 24).
  let t = performance.now();
  const cached = await Index.open(dir, { threads: THREADS, cache: 'int8' });
  const cacheLine = `reopened with cache 'int8' in ${((performance.now() - t) / 1000).toFixed(1)} s: memoryBytes ${(cached.memoryBytes / cached.size).toFixed(2)} B/vector`;
  console.log(cacheLine);
  points.push(...(await indexPoints(data, truth, cached, "spreadvec Index + cache 'int8'")));
  const nlist = cached.nlist;
  await cached.close();
  if (!KEEP) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  const faiss = faissPoints(data, truth, nlist);
  const hnsw = await usearchPoints(data, truth);
  const run = { data: data.label, setup, cache: cacheLine, loadavg: os.loadavg(), points, faiss, usearch: hnsw };
  if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(run, null, 1));
  if (PLOT) await plot(run, PLOT);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
