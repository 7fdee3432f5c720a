/**
 * Search benchmark: the native decode-and-scan kernel on 1M zn_79 codes (d = 24,
 * 64-bit codes), 1000 queries, k = 10, against its baseline the TS reference (on a
 * subset, compared per query × code), plus single-query latency and the resident
 * memory of an Index per vector.
 *
 *   npx tsx bench/search.ts [--n 1000000] [--queries 1000] [--no-index]
 *
 * Faiss 1.7.3 on this kind of machine, same shape (issue #4): IndexPQ (8 bytes, M=8)
 * 2.37 s for 1000 queries on one thread, 2.4 ms for one query; IndexFlatIP on raw
 * floats 1.18 s.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { activeIsa } from '../src/kernels/addon';
import { quantizeEncode } from '../src/kernels/codec-native';
import { decodeScan, type ScanInput } from '../src/kernels/scan-native';
import { decodeScanReference } from '../src/kernels/scan-reference';
import { Index, type IndexEncoder } from '../src/vector-index';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg('n', 1_000_000);
const NQ = arg('queries', 1000);
const K = 10;
const DIM = 24;
const R2 = 79;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n random unit vectors (Gaussian directions). */
function unitRows(n: number, dim: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const g = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
      x[i * dim + d] = g;
      s += g * g;
    }
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < dim; d++) x[i * dim + d] *= inv;
  }
  return x;
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const out = await fn();
  return [(performance.now() - t) / 1000, out];
}

/** Identity "catalyzer" for the memory measurement: rows are already unit vectors. */
const identity: IndexEncoder = {
  din: DIM,
  dout: DIM,
  encode: async (x) => (x instanceof Float32Array ? x : Float32Array.from(x)),
  toCheckpoint: () => new TextEncoder().encode('{"kind":"identity"}'),
  close: async () => undefined,
};

async function main(): Promise<void> {
  console.log(`search bench: n=${N} codes (d=${DIM}, zn_${R2}), ${NQ} queries, k=${K}, ISA ${activeIsa()}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
  const codes = quantizeEncode(DIM, R2, unitRows(N, DIM, 1));
  const queries = unitRows(NQ, DIM, 2);
  const base: ScanInput = { codes, n: N, removed: null, dim: DIM, r2: R2, queries, k: K };

  const rows: string[] = [];
  const batch: Record<number, number> = {};
  for (const threads of [1, 2]) {
    const [s] = await time(() => decodeScan({ ...base, threads }));
    batch[threads] = s;
    rows.push(`native batched, ${threads} thread(s): ${s.toFixed(3)} s for ${NQ} queries = ${(NQ / s).toFixed(0)} queries/s (Faiss IndexPQ 1 thread: 2.37 s → ${(2.37 / s).toFixed(2)}×)`);
  }
  // Baseline: the TS reference on a subset, compared per (query × code) scored.
  const subN = Math.min(N, 20_000);
  const subQ = Math.min(NQ, 10);
  const sub: ScanInput = { ...base, codes: codes.subarray(0, subN * 8), n: subN, queries: queries.subarray(0, subQ * DIM), threads: 1 };
  const [refS] = await time(async () => decodeScanReference(sub));
  const [natSubS] = await time(() => decodeScan(sub));
  const refRate = (subN * subQ) / refS;
  const natRate = (N * NQ) / batch[1];
  rows.push(`TS reference (${subN} codes × ${subQ} queries): ${(refRate / 1e6).toFixed(3)} M pairs/s; native 1 thread ${(natRate / 1e6).toFixed(1)} M pairs/s → ${(natRate / refRate).toFixed(0)}× (same subset: ${(refS / natSubS).toFixed(0)}×)`);
  for (const threads of [1, 2]) {
    const reps = 5;
    const [s] = await time(async () => {
      for (let i = 0; i < reps; i++) await decodeScan({ ...base, queries: queries.subarray(i * DIM, (i + 1) * DIM), threads });
    });
    rows.push(`single query, ${threads} thread(s): ${((s / reps) * 1000).toFixed(1)} ms (Faiss IndexPQ: 2.4 ms)`);
  }
  rows.forEach((r) => console.log(r));

  if (!process.argv.includes('--no-index')) {
    // Resident memory of a reopened Index per vector (its arena is all it keeps per vector).
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-bench-')), 'idx');
    const x = unitRows(N, DIM, 3);
    const [buildS] = await time(async () => {
      const index = await Index.create(dir, { catalyzer: identity, quantizer: `zn_${R2}` });
      const batchN = 100_000;
      for (let i = 0; i < N; i += batchN) await index.add(x.subarray(i * DIM, Math.min(N, i + batchN) * DIM));
      await index.close();
    });
    global.gc?.();
    const before = process.memoryUsage();
    const index = await Index.open(dir, { loadCatalyzer: async () => identity });
    await index.search(queries.subarray(0, DIM), K);
    global.gc?.();
    const after = process.memoryUsage();
    const per = (a: number, b: number) => ((b - a) / N).toFixed(2);
    console.log(`index build (${N} adds in batches of 100000): ${buildS.toFixed(1)} s`);
    console.log(`index memory per vector: arena ${(index.memoryBytes / N).toFixed(2)} B, rss Δ ${per(before.rss, after.rss)} B, arrayBuffers Δ ${per(before.arrayBuffers, after.arrayBuffers)} B (goal < 10 B)`);
    const [s] = await time(() => index.search(queries, K));
    console.log(`Index.search end to end (${NQ} queries, identity catalyzer, ${os.cpus().length} threads): ${s.toFixed(3)} s`);
    await index.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
