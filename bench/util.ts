/** What the benchmark scripts share: their `--name value` options, a seeded generator, timing and baseline helpers. */
import * as os from 'node:os';
import * as path from 'node:path';

/** The number after `--name` on the command line, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The string after `--name` on the command line, if given. */
export function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Uniform [0, 1) numbers from a 32-bit seed (mulberry32): the same data every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n random unit vectors (Gaussian directions), the same for the same seed. */
export function unitRows(n: number, dim: number, seed: number): Float32Array {
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

/**
 * One caller's single queries, awaited one after another: each one's milliseconds and
 * the queries per second; then, with `callers`, the same `count` queries shared by
 * that many concurrent callers (queries per second).
 */
export async function timeSingles(count: number, run: (i: number) => Promise<unknown>, callers = 0): Promise<{ ms: number[]; qps1: number; qpsMany?: number }> {
  const ms: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await run(i);
    ms.push(performance.now() - t);
  }
  const qps1 = count / ((performance.now() - t0) / 1000);
  if (callers === 0) return { ms, qps1 };
  let next = 0;
  const tc = performance.now();
  await Promise.all(Array.from({ length: callers }, async () => {
    while (next < count) await run(next++);
  }));
  return { ms, qps1, qpsMany: count / ((performance.now() - tc) / 1000) };
}

/**
 * usearch HNSW (f32, M 16, expansion_add 64) over n rows of `base`, keys 0..n−1, built
 * on `threads` threads and saved to a temporary file, which each expansion_search is
 * then viewed from (`open`). The caller removes `file`.
 */
export async function buildUsearch(base: Float32Array, n: number, d: number, threads: number, tag: string) {
  const usearch = await import('usearch');
  const cfg = { dimensions: d, metric: usearch.MetricKind.L2sq, quantization: usearch.ScalarKind.F32, connectivity: 16, expansion_add: 64, multi: false };
  const t = performance.now();
  const u = new usearch.Index({ ...cfg, expansion_search: 64 });
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  u.add(keys, base, threads);
  const file = path.join(os.tmpdir(), `spreadvec-${tag}-usearch-${process.pid}.usearch`);
  u.save(file);
  const buildS = (performance.now() - t) / 1000;
  const open = (ef: number) => {
    const v = new usearch.Index({ ...cfg, expansion_search: ef });
    v.load(file);
    return v;
  };
  return { file, buildS, open };
}
