/**
 * The comparison of a native decode-and-scan against its TS reference
 * (test/reference/scan.ts), shared by the flat and the ranged scan tests, and the
 * ISA list and unit-row helper every scan property test uses.
 */
import assert from 'node:assert/strict';

import { detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';
import { decodeScanSync, type ScanInput } from '../../src/kernels/scan-native';
import { decodeScanReference } from '../reference/scan';

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
