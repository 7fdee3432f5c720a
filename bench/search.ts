/**
 * Search benchmark: the native decode-and-scan kernel on 1M zn_79 codes (d = 24,
 * 64-bit codes), 1000 queries, k = 10, against its baseline the TS reference (on a
 * subset, compared per query × code), plus single-query latency and the resident
 * memory of an Index per vector.
 *
 *   npx tsx bench/search.ts [--n 1000000] [--queries 1000] [--no-index] [--catalyzer ckpt.pth] [--catalyzer-n N]
 *
 * The Index part's "1M adds" uses a pass-through encoder (the rows are already
 * unit vectors in d = 24): it measures quantize + rank + LMDB, not the network.
 * With `--catalyzer`, the same adds also go through a real catalyzer (d = 128 →
 * its dout, SIFT-like uint8 values), which is what a user's `add` costs.
 *
 * Faiss 1.7.3 on this kind of machine, same shape (issue #4): IndexPQ (8 bytes, M=8)
 * 2.37 s for 1000 queries on one thread, 2.4 ms for one query; IndexFlatIP on raw
 * floats 1.18 s.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { activeIsa } from '../src/kernels/addon';
import { quantizeEncode } from '../src/lattice/zn-native';
import { decodeScan, type ScanInput } from '../src/kernels/scan-native';
import { decodeScanReference } from '../test/reference/scan';
import { Index, type IndexEncoder } from '../src/index/vector-index';
import { Catalyzer } from '../src/catalyzer/catalyzer';
import { numberArg as arg, rng, stringArg, unitRows } from './util';

const N = arg('n', 1_000_000);
const NQ = arg('queries', 1000);
const K = 10;
const DIM = 24;
const R2 = 79;


async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const out = await fn();
  return [(performance.now() - t) / 1000, out];
}

/** Wall and CPU seconds of fn (CPU time is what a loaded shared machine does not distort). */
async function timeCpu(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  await fn();
  const used = process.cpuUsage(c);
  return { wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/** Identity "catalyzer" for the memory measurement: rows are already unit vectors. */
const identity: IndexEncoder = {
  din: DIM,
  dout: DIM,
  encode: async (x) => (x instanceof Float32Array ? x : Float32Array.from(x)),
  toCheckpoint: () => new TextEncoder().encode('{"kind":"identity"}'),
  close: async () => undefined,
};

/** Child-process mode: open the index at `dir`, search once, print memory deltas as JSON. */
async function probeMemory(dir: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  // Warm up on a tiny index first: the addon, the codec tables, lmdb and the search
  // threads cost a fixed amount that is not per vector.
  const warmDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-warm-')), 'idx');
  const warm = await Index.create(warmDir, { catalyzer: identity, quantizer: `zn_${R2}` });
  await warm.add(unitRows(100, DIM, 8));
  await warm.search(unitRows(1, DIM, 9), K);
  await warm.close();
  fs.rmSync(path.dirname(warmDir), { recursive: true, force: true });
  gc();
  const before = process.memoryUsage();
  const index = await Index.open(dir, { loadCatalyzer: async () => identity });
  await index.search(unitRows(1, DIM, 9), K);
  // The chunk buffers read from LMDB are garbage by now, but V8 frees their backing
  // stores a little later: wait, then collect twice.
  await new Promise((r) => setTimeout(r, 500));
  gc();
  gc();
  const after = process.memoryUsage();
  const delta = (k: 'rss' | 'heapUsed' | 'arrayBuffers') => after[k] - before[k];
  console.log(JSON.stringify({ arena: index.memoryBytes, rss: delta('rss'), heapUsed: delta('heapUsed'), arrayBuffers: delta('arrayBuffers') }));
  await index.close();
}

async function main(): Promise<void> {
  const probe = process.argv.indexOf('--probe');
  if (probe >= 0) return probeMemory(process.argv[probe + 1]);
  console.log(`search bench: n=${N} codes (d=${DIM}, zn_${R2}), ${NQ} queries, k=${K}, ISA ${activeIsa()}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
  const codes = quantizeEncode(DIM, R2, unitRows(N, DIM, 1));
  const queries = unitRows(NQ, DIM, 2);
  const base: ScanInput = { codes, n: N, removed: null, dim: DIM, r2: R2, queries, k: K };

  const rows: string[] = [];
  // Faiss figures are for 1M codes × 1000 queries: scale ours to that shape.
  const scale = (1_000_000 / N) * (1000 / NQ);
  const batch: Record<number, { wall: number; cpu: number }> = {};
  for (const threads of [1, 2]) {
    const t = await timeCpu(() => decodeScan({ ...base, threads }));
    batch[threads] = t;
    rows.push(
      `native batched, ${threads} thread(s): wall ${t.wall.toFixed(3)} s, cpu ${t.cpu.toFixed(3)} s for ${NQ} queries = ${(NQ / t.wall).toFixed(0)} queries/s wall` +
        ` (Faiss IndexPQ 1 thread, 1M × 1000: 2.37 s; ours scaled to that shape: ${(t.wall * scale).toFixed(2)} s wall${threads === 1 ? `, ${(t.cpu * scale).toFixed(2)} s cpu → ${(2.37 / (t.cpu * scale)).toFixed(2)}× Faiss` : ''})`,
    );
  }
  rows.push(`2 threads vs 1: ${(batch[1].wall / batch[2].wall).toFixed(2)}× wall`);
  // Baseline: the TS reference on a subset, compared per (query × code) scored.
  const subN = Math.min(N, 20_000);
  const subQ = Math.min(NQ, 10);
  const sub: ScanInput = { ...base, codes: codes.subarray(0, subN * 8), n: subN, queries: queries.subarray(0, subQ * DIM), threads: 1 };
  const ref = await timeCpu(async () => decodeScanReference(sub));
  const natSub = await timeCpu(() => decodeScan(sub));
  const refRate = (subN * subQ) / ref.cpu;
  const natRate = (N * NQ) / batch[1].cpu;
  rows.push(
    `TS reference (${subN} codes × ${subQ} queries): ${(refRate / 1e6).toFixed(3)} M pairs/cpu-s; native 1 thread batched ${(natRate / 1e6).toFixed(1)} M pairs/cpu-s → ${(natRate / refRate).toFixed(0)}×` +
      ` (on the reference's own subset: ${(ref.cpu / natSub.cpu).toFixed(0)}×)`,
  );
  for (const threads of [1, 2]) {
    const reps = 5;
    const t = await timeCpu(async () => {
      for (let i = 0; i < reps; i++) await decodeScan({ ...base, queries: queries.subarray(i * DIM, (i + 1) * DIM), threads });
    });
    rows.push(`single query, ${threads} thread(s): wall ${((t.wall / reps) * 1000).toFixed(1)} ms, cpu ${((t.cpu / reps) * 1000).toFixed(1)} ms for ${N} codes (Faiss IndexPQ 1M: 2.4 ms)`);
  }
  rows.forEach((r) => console.log(r));

  if (!process.argv.includes('--no-index')) {
    // Resident memory of a reopened Index per vector (its arena is all it keeps per vector).
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-bench-')), 'idx');
    const x = unitRows(N, DIM, 3);
    const [buildS] = await time(async () => {
      const index = await Index.create(dir, { catalyzer: identity, quantizer: `zn_${R2}` });
      const batchN = 100_000;  // pass-through encoder: no network in this figure
      for (let i = 0; i < N; i += batchN) await index.add(x.subarray(i * DIM, Math.min(N, i + batchN) * DIM));
      await index.close();
    });
    // Memory is measured in a fresh child process (no garbage of the build around).
    const probe = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--probe', dir], { encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`memory probe failed: ${probe.stderr}`);
    const m = JSON.parse(probe.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    const per = (bytes: number) => (bytes / N).toFixed(2);
    console.log(`index build (${N} adds in batches of 100000, pass-through encoder: no network): ${buildS.toFixed(1)} s`);
    console.log(
      `index memory per vector (fresh process, Index.open + one search): arena ${per(m.arena)} B, ` +
        `arrayBuffers Δ ${per(m.arrayBuffers)} B, heapUsed Δ ${per(m.heapUsed)} B, rss Δ ${per(m.rss)} B (rss counts the LMDB pages read through its memory map) — goal < 10 B`,
    );
    const index = await Index.open(dir, { loadCatalyzer: async () => identity });
    const [s] = await time(() => index.search(queries, K));
    console.log(`Index.search end to end (${NQ} queries, identity catalyzer, ${os.cpus().length} threads): ${s.toFixed(3)} s`);
    await index.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }

  const ckpt = stringArg('catalyzer');
  if (ckpt) await catalyzerAdds(ckpt, arg('catalyzer-n', N));
}

/** The same adds through a real catalyzer: 128-d SIFT-like rows (uint8 values) → dout, then zn_79. */
async function catalyzerAdds(ckpt: string, n: number): Promise<void> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-bench-cat-')), 'idx');
  const r = rng(11);
  const batchN = 100_000;
  const net = await Catalyzer.load(ckpt);
  const { din, dout } = net;
  const c0 = process.cpuUsage();
  const [buildS] = await time(async () => {
    const index = await Index.create(dir, { catalyzer: net, quantizer: `zn_${R2}` });
    for (let i = 0; i < n; i += batchN) {
      const rows = Math.min(batchN, n - i);
      const x = new Float32Array(rows * din);
      for (let j = 0; j < x.length; j++) x[j] = Math.floor(r() * r() * 256); // SIFT-like: skewed to small values
      await index.add(x);
    }
    await index.close();
  });
  const used = process.cpuUsage(c0);
  await net.close();
  console.log(
    `index build with the catalyzer ${path.basename(ckpt)} (${din} → ${dout}, backend ${process.env.SPREADVEC_BACKEND ?? 'default'}), ` +
      `${n} adds in batches of ${batchN}: ${buildS.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s cpu (this process, all its threads), ${(n / buildS).toFixed(0)} adds/s`,
  );
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
