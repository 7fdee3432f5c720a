/**
 * Partitioned (IVF) scan benchmark, at the kernel level: the coarse quantizer of
 * src/ivf over the catalyzer's sphere, the list layout, and the ranged decode-and-scan,
 * against the exhaustive scan of the same codes, in one run with Faiss IVF<nlist>,PQ8
 * and IndexPQ (python3-faiss, when present), usearch and hnswlib-node (HNSW on the raw
 * vectors).
 *
 *   npx tsx bench/latency.ts [--data DIR] [--catalyzer ckpt.pth] [--nprobes 1,2,4,...]
 *     [--single 500] [--single-flat 50] [--synthetic-n 1000000] [--no-sift] [--no-synthetic] [--no-faiss]
 *     [--no-hnsw] [--no-index | --index-only] [--store-vectors] [--plot docs/latency-recall.svg] [--flat-sizes 5000,10000,...]
 *
 * Parts: (1) the SIFT base (sift-debian-small: 329,945 base vectors, 5,000 queries,
 * true neighbours from gnd/idx_1M.ivecs) encoded by the paper's catalyzer (zn_79, 8
 * bytes per vector); (2) 1M synthetic codes (uniform unit vectors in d = 24: the
 * hardest case for a partition, no cluster structure), truth = exact k-NN of the
 * unquantized vectors; (3) the flat threshold: single-query p50 of the flat scan and
 * of the partition at growing prefixes of the SIFT base.
 * Per nprobe: 1-recall@1/10/100, single-query p50/p95/p99 (k = 10, probe + ranges +
 * scan on the calling thread, the scan split over `--threads` threads), and the time
 * of one 1000-query batch (k = 100, off the main thread).
 * (4) The same through the public API (`--no-index` skips it): an Index of the SIFT
 * base with the paper's catalyzer (no stored vectors), built by add + partition(),
 * searched by `index.search` at the default nprobe and at `'all'`: single-query
 * latency, queries/s for 1 and 32 concurrent callers, the 1000-query batch, recall,
 * memoryBytes per vector and build time.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Catalyzer } from '../src/catalyzer/catalyzer';
import { DEFAULT_NPROBE, Index, type SearchOptions } from '../src/index/vector-index';
import { readBvecs, readIvecs } from '../src/data/vecs';
import { assignLists, defaultNlist, probeLists, trainCoarse } from '../src/ivf/coarse';
import { groupOrder, rangesFor, type ListLayout } from '../src/ivf/layout';
import { activeIsa } from '../src/kernels/addon';
import { decodeScan, decodeScanSync, type ScanResult } from '../src/kernels/scan-native';
import { knnNative } from '../src/knn/knn-native';
import { quantizeEncode } from '../src/lattice/zn-native';
import { recallTimeSvg, type RecallTimePoint } from './pq-plot';
import { buildUsearch, numberArg as arg, stringArg, timeSingles, unitRows } from './util';

const DATA = stringArg('data') ?? '/work/shared/data/sift-debian-small';
const CKPT = stringArg('catalyzer') ?? path.join(__dirname, '../test/fixtures/pth/paper_zip.pth');
const NPROBES = (stringArg('nprobes') ?? '1,2,4,8,16,32,64,128,256,512').split(',').map(Number);
const NSINGLE = arg('single', 500);
/** Single queries of the exhaustive scan (each decodes every code: hundreds of ms at 1M). */
const NSINGLE_FLAT = arg('single-flat', 50);
const SYNTH_N = arg('synthetic-n', 1_000_000);
const THREADS = arg('threads', 2);
const PLOT = stringArg('plot');
const FLAT_SIZES = (stringArg('flat-sizes') ?? '5000,10000,20000,50000,100000').split(',').map(Number);
const has = (flag: string) => process.argv.includes(`--${flag}`);
const DIM = 24;
const R2 = 79;
const CODE_BYTES = 8;
const BATCH = 1000;

interface Row {
  method: string;
  recall: [number, number, number];
  p50: number;
  p95: number;
  p99: number;
  batchS: number;
}

function percentiles(ms: number[]): [number, number, number] {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return [at(0.5), at(0.95), at(0.99)];
}

/** 1-recall at 1, 10, 100: share of queries whose true nearest row is in the first r ids (k = 100 rows per query). */
function recalls(ids: Int32Array | ArrayLike<number>, k: number, truth: Int32Array): [number, number, number] {
  const nq = truth.length;
  const out: [number, number, number] = [0, 0, 0];
  [1, 10, 100].forEach((r, j) => {
    let hit = 0;
    for (let q = 0; q < nq; q++) {
      for (let i = 0; i < Math.min(r, k); i++) if (ids[q * k + i] === truth[q]) { hit++; break; }
    }
    out[j] = hit / nq;
  });
  return out;
}

function fmtRow(r: Row): string {
  const rc = r.recall.map((v) => v.toFixed(3)).join(' / ');
  return `| ${r.method} | ${rc} | ${r.p50.toFixed(3)} | ${r.p95.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.batchS.toFixed(3)} |`;
}

const header = '| method | 1-R@1 / @10 / @100 | p50 ms | p95 ms | p99 ms | 1000-query batch s |\n|---|---|---|---|---|---|';

/** A partitioned code arena: codes grouped by list, and the row id of each slot. */
interface Partitioned {
  codes: Uint8Array;
  rowOf: Int32Array;
  layout: ListLayout;
  centroids: Float32Array;
  buildS: number;
}

async function partition(units: Float32Array, codes: Uint8Array, n: number, nlist: number): Promise<Partitioned> {
  const t = performance.now();
  const centroids = await trainCoarse(units, n, DIM, nlist, { threads: THREADS });
  const lists = await assignLists(units, n, DIM, centroids, THREADS);
  const { order, layout } = groupOrder(lists, nlist);
  const grouped = new Uint8Array(n * CODE_BYTES);
  for (let s = 0; s < n; s++) grouped.set(codes.subarray(order[s] * CODE_BYTES, (order[s] + 1) * CODE_BYTES), s * CODE_BYTES);
  return { codes: grouped, rowOf: order, layout, centroids, buildS: (performance.now() - t) / 1000 };
}

const NO_TAIL = new Int32Array(0);

function searchOne(p: Partitioned, n: number, q: Float32Array, nprobe: number, k: number): ScanResult {
  const probes = probeLists(q, 1, DIM, p.centroids, nprobe);
  const r = rangesFor(probes, probes.length, p.layout, NO_TAIL);
  return decodeScanSync({ codes: p.codes, n, removed: null, dim: DIM, r2: R2, queries: q, k, threads: THREADS, ...r });
}

function flatOne(codes: Uint8Array, n: number, q: Float32Array, k: number): ScanResult {
  return decodeScanSync({ codes, n, removed: null, dim: DIM, r2: R2, queries: q, k, threads: THREADS });
}

function singleLatency(nq: number, queries: Float32Array, run: (q: Float32Array) => unknown, count = NSINGLE): [number, number, number] {
  const ms: number[] = [];
  const m = Math.min(count, nq);
  for (let i = 0; i < Math.min(20, m); i++) run(queries.subarray((i % nq) * DIM, (i % nq + 1) * DIM)); // warm-up
  for (let i = 0; i < m; i++) {
    const q = queries.subarray(i * DIM, (i + 1) * DIM);
    const t = performance.now();
    run(q);
    ms.push(performance.now() - t);
  }
  return percentiles(ms);
}

async function ivfBatch(p: Partitioned, n: number, queries: Float32Array, nq: number, nprobe: number, k: number): Promise<ScanResult> {
  const probes = probeLists(queries, nq, DIM, p.centroids, nprobe, THREADS);
  const r = rangesFor(probes, Math.min(nprobe, p.layout.nlist), p.layout, NO_TAIL);
  return decodeScan({ codes: p.codes, n, removed: null, dim: DIM, r2: R2, queries, k, threads: THREADS, ...r });
}

/** The exhaustive scan and the nprobe sweep on one code set; returns the table rows and the chosen nprobe. */
async function sweep(label: string, units: Float32Array, n: number, queries: Float32Array, nq: number, truth: Int32Array, points: RecallTimePoint[]) {
  const tc = performance.now();
  const codes = quantizeEncode(DIM, R2, units);
  console.log(`${label}: ${n} codes encoded in ${((performance.now() - tc) / 1000).toFixed(1)} s`);
  const rows: Row[] = [];
  const nb = Math.min(BATCH, nq);
  const flatIn = { codes, n, removed: null, dim: DIM, r2: R2, k: 100, threads: THREADS };
  let t = performance.now();
  await decodeScan({ ...flatIn, queries: queries.subarray(0, nb * DIM) });
  const flatBatch = (performance.now() - t) / 1000;
  const flatAll = await decodeScan({ ...flatIn, queries });
  const [f50, f95, f99] = singleLatency(nq, queries, (q) => flatOne(codes, n, q, 10), NSINGLE_FLAT);
  const flat: Row = { method: 'spreadvec exhaustive scan', recall: recalls(flatAll.slots, 100, truth), p50: f50, p95: f95, p99: f99, batchS: flatBatch };
  rows.push(flat);
  points.push({ method: `spreadvec exhaustive (${label})`, msPerQuery: f50, recall: flat.recall[1], rank: 10 });
  const nlist = defaultNlist(n);
  const p = await partition(units, codes, n, nlist);
  const sizes = Array.from({ length: nlist }, (_, l) => p.layout.listStart[l + 1] - p.layout.listStart[l]).sort((a, b) => a - b);
  console.log(`${label}: nlist ${nlist}, partition built in ${p.buildS.toFixed(1)} s (train + assign + group), list sizes min ${sizes[0]} median ${sizes[nlist >> 1]} max ${sizes[nlist - 1]}`);
  let chosen = -1;
  for (const nprobe of NPROBES.filter((v) => v <= nlist)) {
    t = performance.now();
    await ivfBatch(p, n, queries.subarray(0, nb * DIM), nb, nprobe, 100);
    const batchS = (performance.now() - t) / 1000;
    const all = await ivfBatch(p, n, queries, nq, nprobe, 100);
    const ids = Int32Array.from(all.slots, (s) => (s < 0 ? -1 : p.rowOf[s]));
    const [a, b, c] = singleLatency(nq, queries, (q) => searchOne(p, n, q, nprobe, 10));
    const row: Row = { method: `spreadvec IVF${nlist}, nprobe ${nprobe}`, recall: recalls(ids, 100, truth), p50: a, p95: b, p99: c, batchS };
    rows.push(row);
    points.push({ method: `spreadvec IVF (${label})`, msPerQuery: a, recall: row.recall[1], rank: 10 });
    if (chosen < 0 && row.recall[1] >= flat.recall[1] - 0.01) chosen = nprobe;
    console.log(fmtRow(row));
  }
  return { rows, chosen, nlist, p, codes };
}

/** Part (4): the Index path on the SIFT base (ids = base rows). */
async function indexRows(base: Uint8Array, n: number, queries: Uint8Array, nq: number, d: number, truth: Int32Array): Promise<string> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-latency-index-')), 'idx');
  // Without stored vectors the centroids are trained on the decoded codes; with them, on the catalyzer outputs.
  const storeVectors = has('store-vectors');
  const index = await Index.create(dir, { catalyzer: CKPT, storeVectors, dtype: 'uint8', threads: THREADS });
  const t0 = performance.now();
  const step = 50_000;
  for (let i = 0; i < n; i += step) await index.add(base.subarray(i * d, Math.min(n, i + step) * d));
  const addS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const { nlist } = await index.partition();
  const partS = (performance.now() - t1) / 1000;
  const bpv = index.memoryBytes / index.size;
  console.log(`Index: ${n} vectors added in ${addS.toFixed(1)} s, partition() nlist ${nlist} in ${partS.toFixed(1)} s, memoryBytes ${(bpv).toFixed(2)} B/vector`);
  const lines = [
    '| search | 1-R@1 / @10 / @100 | p50 ms | p95 ms | p99 ms | q/s, 1 caller | q/s, 32 callers | 1000-query batch s |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const one = (i: number) => queries.subarray((i % nq) * d, (i % nq + 1) * d);
  const runs: [string, SearchOptions, number][] = [[`nprobe ${DEFAULT_NPROBE} (default)`, {}, NSINGLE], ['nprobe 16', { nprobe: 16 }, NSINGLE], ["nprobe 'all'", { nprobe: 'all' }, NSINGLE_FLAT]];
  for (const [label, opt, count] of runs) {
    for (let i = 0; i < 20; i++) await index.search(one(i), 10, opt); // warm-up
    const { ms, qps1, qpsMany } = await timeSingles(count, (i) => index.search(one(i), 10, opt), 32);
    const qps32 = qpsMany!;
    const nb = Math.min(BATCH, nq);
    const tb = performance.now();
    await index.search(queries.subarray(0, nb * d), 100, opt);
    const batchS = (performance.now() - tb) / 1000;
    const all = await index.search(queries, 100, opt);
    const rc = recalls(Int32Array.from(all.ids, (x) => Number(x)), 100, truth);
    const [p50, p95, p99] = percentiles(ms);
    const line = `| ${label} | ${rc.map((v) => v.toFixed(3)).join(' / ')} | ${p50.toFixed(3)} | ${p95.toFixed(3)} | ${p99.toFixed(3)} | ${qps1.toFixed(0)} | ${qps32.toFixed(0)} | ${batchS.toFixed(3)} |`;
    console.log(line);
    lines.push(line);
  }
  await index.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  return `Index path (\`index.search\`, paper_zip.pth, zn_79, ${storeVectors ? 'stored uint8 vectors (centroids on catalyzer outputs)' : 'no stored vectors (centroids on decoded codes)'}; build: add ${addS.toFixed(1)} s + partition() ${partS.toFixed(1)} s, nlist ${nlist}; memoryBytes ${bpv.toFixed(2)} B/vector; single queries include the catalyzer's forward pass):\n\n${lines.join('\n')}`;
}

function siftUnitsCache(file: string): string {
  const st = fs.statSync(file);
  return path.join(os.tmpdir(), `spreadvec-latency-${path.basename(file)}-${st.size}-${Math.round(st.mtimeMs)}.f32`);
}

async function encodeCached(cat: Catalyzer, file: string, x: Uint8Array): Promise<Float32Array> {
  const cache = siftUnitsCache(file);
  if (fs.existsSync(cache)) return new Float32Array(fs.readFileSync(cache).buffer.slice(0));
  const u = await cat.encode(x);
  fs.writeFileSync(cache, u);
  return u;
}

interface FaissOut {
  version: string;
  ivf_build_s: number;
  pq_build_s: number;
  ivf: { nprobe: number; recall: Record<string, number>; p50_ms: number; p95_ms: number; p99_ms: number; batch1000_s: number }[];
  pq: { recall: Record<string, number>; p50_ms: number; p95_ms: number; p99_ms: number; batch1000_s: number };
}

function runFaiss(nlist: number): FaissOut | null {
  const py = '/usr/bin/python3';
  if (!fs.existsSync(py) || spawnSync(py, ['-c', 'import faiss'], { encoding: 'utf8' }).status !== 0) return null;
  const r = spawnSync(
    py,
    [path.join(__dirname, 'faiss_ivf.py'), path.join(DATA, 'bigann_base.bvecs'), path.join(DATA, 'bigann_query.bvecs'),
      path.join(DATA, 'gnd/idx_1M.ivecs'), String(nlist), NPROBES.join(','), String(THREADS), String(NSINGLE)],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) {
    console.log(`Faiss run failed: ${r.stderr.trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(r.stdout) as FaissOut;
}

async function hnswRows(base: Float32Array, n: number, d: number, queries: Float32Array, nq: number, truth: Int32Array, points: RecallTimePoint[]): Promise<Row[]> {
  const rows: Row[] = [];
  const efs = [16, 32, 64, 128, 256];
  const nb = Math.min(BATCH, nq);
  // usearch: built once (threads), then viewed with each expansion_search.
  const { file, buildS, open } = await buildUsearch(base, n, d, THREADS, 'latency');
  console.log(`usearch ${n} vectors (d ${d}, f32, M 16, ef_add 64) built in ${buildS.toFixed(1)} s`);
  let t: number;
  for (const ef of efs) {
    const v = open(ef);
    t = performance.now();
    v.search(queries.subarray(0, nb * d), 10, THREADS);
    const batchS = (performance.now() - t) / 1000;
    // Recall@1/@10 from k = 10 (at k = 100 the search widens to at least k).
    const r100 = recalls(Int32Array.from(v.search(queries, 100, THREADS).keys, (k) => Number(k)), 100, truth);
    const r10 = recalls(Int32Array.from(v.search(queries, 10, THREADS).keys, (k) => Number(k)), 10, truth);
    const lat = singleLatencyD(nq, d, queries, (q) => v.search(q, 10, 1));
    const row: Row = { method: `usearch HNSW, ef ${ef} (@100 at ef ≥ 100)`, recall: [r10[0], r10[1], r100[2]], p50: lat[0], p95: lat[1], p99: lat[2], batchS };
    rows.push(row);
    points.push({ method: 'usearch HNSW (SIFT)', msPerQuery: lat[0], recall: row.recall[1], rank: 10 });
    console.log(fmtRow(row));
  }
  fs.rmSync(file, { force: true });
  // hnswlib-node: one thread (its addPoint and searchKnn are synchronous).
  // hnswlib-node is CommonJS: under a dynamic import its exports sit on `default`.
  const hnswlib = await import('hnswlib-node');
  const { HierarchicalNSW } = (hnswlib as unknown as { default: typeof hnswlib }).default ?? hnswlib;
  t = performance.now();
  const h = new HierarchicalNSW('l2', d);
  h.initIndex(n, 16, 64, 100);
  for (let i = 0; i < n; i++) h.addPoint(Array.from(base.subarray(i * d, (i + 1) * d)), i);
  console.log(`hnswlib-node ${n} vectors (M 16, efConstruction 64) built in ${((performance.now() - t) / 1000).toFixed(1)} s (one thread)`);
  for (const ef of efs) {
    h.setEf(Math.max(ef, 100));
    const ids = new Int32Array(nq * 100);
    for (let q = 0; q < nq; q++) ids.set(h.searchKnn(Array.from(queries.subarray(q * d, (q + 1) * d)), 100).neighbors, q * 100);
    h.setEf(ef);
    t = performance.now();
    for (let q = 0; q < nb; q++) h.searchKnn(Array.from(queries.subarray(q * d, (q + 1) * d)), 10);
    const batchS = (performance.now() - t) / 1000;
    const lat = singleLatencyD(nq, d, queries, (q) => h.searchKnn(Array.from(q), 10));
    // Recall@10 at this ef (the k = 100 pass above used ef ≥ 100): recompute at k = 10.
    const ids10 = new Int32Array(nq * 10);
    for (let q = 0; q < nq; q++) ids10.set(h.searchKnn(Array.from(queries.subarray(q * d, (q + 1) * d)), 10).neighbors, q * 10);
    const r100 = recalls(ids, 100, truth);
    const r10 = recalls(ids10, 10, truth);
    const row: Row = { method: `hnswlib-node HNSW, ef ${ef} (1 thread; @100 at ef ≥ 100)`, recall: [r10[0], r10[1], r100[2]], p50: lat[0], p95: lat[1], p99: lat[2], batchS };
    rows.push(row);
    points.push({ method: 'hnswlib-node HNSW (SIFT)', msPerQuery: lat[0], recall: row.recall[1], rank: 10 });
    console.log(fmtRow(row));
  }
  return rows;
}

function singleLatencyD(nq: number, d: number, queries: Float32Array, run: (q: Float32Array) => unknown): [number, number, number] {
  const ms: number[] = [];
  const m = Math.min(NSINGLE, nq);
  for (let i = 0; i < 20; i++) run(queries.subarray((i % nq) * d, (i % nq + 1) * d));
  for (let i = 0; i < m; i++) {
    const q = queries.subarray(i * d, (i + 1) * d);
    const t = performance.now();
    run(q);
    ms.push(performance.now() - t);
  }
  return percentiles(ms);
}


async function main(): Promise<void> {
  console.log(`latency bench: ISA ${activeIsa()}, ${os.cpus().length} cores, scan threads ${THREADS}, load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}, nprobes ${NPROBES.join(',')}, ${NSINGLE} single queries`);
  const points: RecallTimePoint[] = [];
  const report: string[] = [];
  if (!has('no-sift')) {
    const base = readBvecs(path.join(DATA, 'bigann_base.bvecs'));
    const query = readBvecs(path.join(DATA, 'bigann_query.bvecs'));
    const gt = readIvecs(path.join(DATA, 'gnd/idx_1M.ivecs'));
    const n = base.rows;
    const nq = query.rows;
    const truth = Int32Array.from({ length: nq }, (_, q) => gt.data[q * gt.dim]);
    const cat = await Catalyzer.load(CKPT);
    let t = performance.now();
    const units = await encodeCached(cat, path.join(DATA, 'bigann_base.bvecs'), base.data);
    const qunits = await cat.encode(query.data);
    console.log(`SIFT: ${n} base, ${nq} queries, catalyzer ${path.basename(CKPT)} (dout ${cat.dout}) encode ${((performance.now() - t) / 1000).toFixed(1)} s (base cached in ${os.tmpdir()})`);
    if (!has('no-index')) report.push(await indexRows(base.data, n, query.data, nq, base.dim, truth));
    if (has('index-only')) {
      console.log(report.join('\n\n'));
      return;
    }
    const s = await sweep('SIFT', units, n, qunits, nq, truth, points);
    report.push(`### SIFT (sift-debian-small: ${n} base, ${nq} queries, paper_zip.pth, zn_79, 8 B/vector)\n\n${header}\n${s.rows.map(fmtRow).join('\n')}`);
    console.log(`SIFT: smallest nprobe with 1-R@10 within 0.01 of the exhaustive scan: ${s.chosen} (of nlist ${s.nlist})`);
    if (!has('no-faiss')) {
      const f = runFaiss(s.nlist);
      if (!f) console.log('python3-faiss not found (or failed): Faiss baselines skipped');
      else {
        const fr: Row[] = f.ivf.map((r) => ({ method: `Faiss ${f.version} IVF${s.nlist},PQ8, nprobe ${r.nprobe}`, recall: [r.recall['1'], r.recall['10'], r.recall['100']], p50: r.p50_ms, p95: r.p95_ms, p99: r.p99_ms, batchS: r.batch1000_s }));
        fr.push({ method: `Faiss ${f.version} IndexPQ (PQ8, exhaustive)`, recall: [f.pq.recall['1'], f.pq.recall['10'], f.pq.recall['100']], p50: f.pq.p50_ms, p95: f.pq.p95_ms, p99: f.pq.p99_ms, batchS: f.pq.batch1000_s });
        for (const r of fr) console.log(fmtRow(r));
        for (const r of f.ivf) points.push({ method: 'Faiss IVF-PQ8 (SIFT)', msPerQuery: r.p50_ms, recall: r.recall['10'], rank: 10 });
        points.push({ method: 'Faiss IndexPQ8 (SIFT)', msPerQuery: f.pq.p50_ms, recall: f.pq.recall['10'], rank: 10 });
        report.push(`Faiss (raw SIFT, 128-d; build: IVF-PQ ${f.ivf_build_s.toFixed(1)} s, IndexPQ ${f.pq_build_s.toFixed(1)} s):\n\n${header}\n${fr.map(fmtRow).join('\n')}`);
      }
    }
    if (!has('no-hnsw')) {
      const hr = await hnswRows(new Float32Array(base.data), n, base.dim, new Float32Array(query.data), nq, truth, points);
      report.push(`HNSW (raw SIFT floats, 128-d, 512 B/vector + graph):\n\n${header}\n${hr.map(fmtRow).join('\n')}`);
    }
    if (!has('no-flat-sizes')) {
      const lines: string[] = ['| n | nlist | flat p50 ms | IVF p50 ms (nprobe ' + s.chosen + ') | 1-R@10 flat / IVF |', '|---|---|---|---|---|'];
      for (const m of FLAT_SIZES.filter((v) => v < n)) {
        const u = units.subarray(0, m * DIM);
        const codes = s.codes.subarray(0, m * CODE_BYTES);
        const qn = Math.min(nq, 1000);
        const exact = await knnNative(qunits.subarray(0, qn * DIM), u, DIM, 1, { metric: 'ip', threads: THREADS });
        const truthM = exact.indices;
        const nl = defaultNlist(m);
        const p = await partition(u, codes, m, nl);
        const np = Math.min(s.chosen > 0 ? s.chosen : 16, nl);
        const fl = singleLatency(qn, qunits, (q) => flatOne(codes, m, q, 10), NSINGLE_FLAT)[0];
        const iv = singleLatency(qn, qunits, (q) => searchOne(p, m, q, np, 10))[0];
        const fa = await decodeScan({ codes, n: m, removed: null, dim: DIM, r2: R2, queries: qunits.subarray(0, qn * DIM), k: 10, threads: THREADS });
        const ia = await ivfBatch(p, m, qunits.subarray(0, qn * DIM), qn, np, 10);
        const rf = recalls(fa.slots, 10, truthM)[1];
        const ri = recalls(Int32Array.from(ia.slots, (x) => (x < 0 ? -1 : p.rowOf[x])), 10, truthM)[1];
        const line = `| ${m} | ${nl} | ${fl.toFixed(3)} | ${iv.toFixed(3)} | ${rf.toFixed(3)} / ${ri.toFixed(3)} |`;
        console.log(line);
        lines.push(line);
      }
      report.push(`Flat threshold (SIFT prefixes; truth here: the exact nearest catalyzer output, 1000 queries):\n\n${lines.join('\n')}`);
    }
  }
  if (!has('no-synthetic')) {
    const n = SYNTH_N;
    const nq = 1000;
    const units = unitRows(n, DIM, 11);
    const queries = unitRows(nq, DIM, 12);
    const exact = await knnNative(queries, units, DIM, 1, { metric: 'ip', threads: THREADS });
    const s = await sweep('synthetic', units, n, queries, nq, exact.indices, points);
    report.push(`### ${n} synthetic codes (uniform unit vectors, d 24, zn_79; truth: exact nearest unquantized vector)\n\n${header}\n${s.rows.map(fmtRow).join('\n')}`);
    console.log(`synthetic: smallest nprobe with 1-R@10 within 0.01 of the exhaustive scan: ${s.chosen} (of nlist ${s.nlist})`);
  }
  console.log(`\nload at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}\n`);
  console.log(report.join('\n\n'));
  if (PLOT && points.length) {
    const svg = await recallTimeSvg(points, 'Single-query latency vs 1-recall@10 (k = 10)', 'single-query p50 (ms, log scale)');
    fs.writeFileSync(PLOT, svg);
    console.log(`plot written to ${PLOT}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
