/**
 * The comparison of a native decode-and-scan against its TS reference
 * (test/reference/scan.ts), shared by the flat and the ranged scan tests, and the
 * ISA list, unit-row helper and random ranged case every scan property test uses.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';
import { decodeScanSync, type ScanInput } from '../../src/kernels/scan-native';
import { quantizeEncode } from '../../src/lattice/zn-native';
import { decodeScanReference } from '../reference/scan';
import { lcgUint32 } from './random';
import { randomRows } from './test-encoder';

/**
 * Native and reference agree: distances to 1e-6 place by place, and the same slots
 * except where two candidates are within 1e-6 of each other (float32 vs float64
 * rounding may order such near-ties differently; exact ties agree by slot).
 */
export function assertSameScan(input: ScanInput): void {
  const got = decodeScanSync(input);
  const want = decodeScanReference(input);
  const all = decodeScanReference({ ...input, k: Math.max(input.n, 1) });
  const nq = input.queries.length / input.dim;
  assert.equal(got.slots.length, nq * input.k);
  for (let q = 0; q < nq; q++) {
    const distOf = new Map<number, number>();
    for (let j = 0; j < Math.max(input.n, 1); j++) {
      const s = all.slots[q * Math.max(input.n, 1) + j];
      if (s >= 0) distOf.set(s, all.distances[q * Math.max(input.n, 1) + j]);
    }
    const seen = new Set<number>();
    for (let j = 0; j < input.k; j++) {
      const i = q * input.k + j;
      const [gs, ws, gd, wd] = [got.slots[i], want.slots[i], got.distances[i], want.distances[i]];
      if (ws < 0) {
        assert.equal(gs, -1, `query ${q} place ${j}: padding`);
        assert.equal(gd, Infinity);
        continue;
      }
      assert.ok(Math.abs(gd - wd) <= 1e-6, `query ${q} place ${j}: distance ${gd} vs ${wd}`);
      assert.ok(!seen.has(gs), `query ${q}: slot ${gs} twice`);
      seen.add(gs);
      if (gs !== ws) {
        const d = distOf.get(gs);
        assert.ok(d !== undefined, `query ${q} place ${j}: slot ${gs} is removed or out of range`);
        assert.ok(Math.abs(d - wd) <= 1e-6, `query ${q} place ${j}: slot ${gs} (dist ${d}) instead of ${ws} (dist ${wd})`);
      }
    }
  }
}


/** The SIMD levels this machine can run (each scan property runs on every one). */
export const isas: Isa[] = (['scalar', 'avx2', 'avx512'] as Isa[]).filter((isa) => {
  const ok = setIsa(isa);
  setIsa(detectedIsa());
  return ok;
});

/** Rows of x scaled to unit length, in place. */
export function normalizeRows(x: Float32Array, dim: number): Float32Array {
  for (let i = 0; i < x.length / dim; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < dim; d++) x[i * dim + d] *= inv;
  }
  return x;
}

/** What a random scan case scans, from its parameters. */
export interface ScanDataCase {
  n: number;
  nq: number;
  dim: number;
  r2: number;
  /** Share of rows that copy row 0 (exact distance ties, broken by smaller slot). */
  dupShare: number;
  /** Share of slots marked removed. */
  removedShare: number;
  seed: number;
}

/** Codes of n random unit rows (some duplicated), a removed bitmap and nq unit queries. */
export function scanData(c: ScanDataCase): { codes: Uint8Array; removed: Uint8Array; queries: Float32Array } {
  const points = normalizeRows(randomRows(c.n, c.dim, c.seed), c.dim);
  for (let i = 1; i < c.n; i++) {
    if ((i * 7919 + c.seed) % 100 < c.dupShare * 100) points.copyWithin(i * c.dim, 0, c.dim);
  }
  const codes = quantizeEncode(c.dim, c.r2, points);
  const removed = new Uint8Array((c.n + 7) >> 3);
  for (let i = 0; i < c.n; i++) if (((i * 2654435761 + c.seed) >>> 0) % 1000 < c.removedShare * 1000) removed[i >> 3] |= 1 << (i & 7);
  return { codes, removed, queries: normalizeRows(randomRows(c.nq, c.dim, c.seed + 1), c.dim) };
}

/**
 * Per query: cut [0, n) at random points (repeated cuts give empty ranges, neighbours
 * are adjacent), keep a random share of the pieces, shuffle their order.
 */
export function randomRanges(n: number, nq: number, keep: number, seed: number): { ranges: Int32Array; rangeOffsets: Int32Array } {
  const next = lcgUint32(seed);
  const pairs: number[] = [];
  const rangeOffsets = new Int32Array(nq + 1);
  for (let q = 0; q < nq; q++) {
    const ncuts = next() % 12;
    const cuts = [0, n];
    for (let i = 0; i < ncuts; i++) cuts.push(next() % (n + 1));
    cuts.sort((a, b) => a - b);
    const mine: [number, number][] = [];
    for (let i = 0; i + 1 < cuts.length; i++) if (next() % 1000 < keep * 1000) mine.push([cuts[i], cuts[i + 1]]);
    for (let i = mine.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      [mine[i], mine[j]] = [mine[j], mine[i]];
    }
    for (const [b, e] of mine) pairs.push(b, e);
    rangeOffsets[q + 1] = pairs.length / 2;
  }
  return { ranges: Int32Array.from(pairs), rangeOffsets };
}

export const rangedCase = fc
  .record({
    dim: fc.integer({ min: 4, max: 24 }),
    r2: fc.integer({ min: 1, max: 40 }),
    n: fc.integer({ min: 0, max: 1500 }),
    nq: fc.constantFrom(1, 1, 2, 5, 17),
    k: fc.constantFrom(1, 3, 10, 50, 2000),
    keep: fc.constantFrom(0, 0.3, 0.7, 1),
    removedShare: fc.constantFrom(0, 0.1, 0.5, 1),
    dupShare: fc.constantFrom(0, 0.3, 0.9),
    threads: fc.constantFrom(1, 2),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map((c) => {
    const input: ScanInput = {
      ...scanData(c), n: c.n, dim: c.dim, r2: c.r2, k: c.k, threads: c.threads,
      ...randomRanges(c.n, c.nq, c.keep, c.seed + 2),
    };
    return input;
  });
