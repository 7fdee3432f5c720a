import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { detectedIsa, setIsa } from '../../src/kernels/addon';
import { quantizeEncode } from '../../src/lattice/zn-native';
import { decodeScan, decodeScanSync, type ScanInput } from '../../src/kernels/scan-native';
import { assertSameScan, isas, normalizeRows, scanData } from '../helpers/scan-compare';
import { randomRows } from '../helpers/test-encoder';



const scanCase = fc
  .record({
    dim: fc.integer({ min: 4, max: 24 }),
    r2: fc.integer({ min: 1, max: 40 }),
    n: fc.integer({ min: 0, max: 700 }),
    nq: fc.integer({ min: 1, max: 9 }),
    kExtra: fc.integer({ min: -5, max: 8 }),
    removedShare: fc.constantFrom(0, 0.1, 0.5, 1),
    dupShare: fc.constantFrom(0, 0.3),
    threads: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map((c) => {
    const { codes, removed, queries } = scanData(c);
    const k = Math.max(1, c.n + c.kExtra > 0 && c.kExtra < 0 ? Math.min(c.n, 1 - c.kExtra) : c.n + c.kExtra);
    return { input: { codes, n: c.n, removed, dim: c.dim, r2: c.r2, queries, k, threads: c.threads } as ScanInput, c };
  });

for (const isa of isas) {
  test(`native decode-scan (${isa}) = TS reference for random d, r2, n, k, removed slots`, () => {
    assert.equal(setIsa(isa), true);
    try {
      fc.assert(fc.property(scanCase, ({ input }) => assertSameScan(input)), { numRuns: 60 });
    } finally {
      setIsa(detectedIsa());
    }
  });
}

test('exact ties: equal codes come back by increasing slot, removed ones skipped, k > n padded', () => {
  const dim = 24;
  const r2 = 79;
  const one = normalizeRows(randomRows(1, dim, 5), dim);
  const n = 600; // spans three blocks, and both threads
  const points = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) points.set(one, i * dim);
  const codes = quantizeEncode(dim, r2, points);
  const removed = new Uint8Array((n + 7) >> 3);
  for (const s of [0, 2, 3, 300]) removed[s >> 3] |= 1 << (s & 7);
  for (const isa of isas) {
    setIsa(isa);
    const { slots, distances } = decodeScanSync({ codes, n, removed, dim, r2, queries: one, k: 5, threads: 2 });
    assert.deepEqual([...slots], [1, 4, 5, 6, 7], isa);
    assert.ok(distances.every((d) => d === distances[0]));
    const all = decodeScanSync({ codes, n: 6, removed, dim, r2, queries: one, k: 4 });
    assert.deepEqual([...all.slots], [1, 4, 5, -1], isa);
    assert.equal(all.distances[3], Infinity);
  }
  setIsa(detectedIsa());
});

test('decodeScan runs off the main thread and matches the sync form', async () => {
  const dim = 24;
  const r2 = 79;
  const n = 5000;
  const codes = quantizeEncode(dim, r2, normalizeRows(randomRows(n, dim, 9), dim));
  const queries = normalizeRows(randomRows(7, dim, 10), dim);
  const input: ScanInput = { codes, n, removed: null, dim, r2, queries, k: 10, threads: 2 };
  let ticked = false;
  const tick = new Promise<void>((r) => setImmediate(() => { ticked = true; r(); }));
  const asyncResult = await decodeScan(input);
  await tick;
  assert.ok(ticked);
  assert.deepEqual(asyncResult, decodeScanSync(input));
});

test('decodeScan names bad arguments', () => {
  const dim = 8;
  const r2 = 4;
  const codes = quantizeEncode(dim, r2, normalizeRows(randomRows(4, dim, 3), dim));
  const q = normalizeRows(randomRows(1, dim, 4), dim);
  const base: ScanInput = { codes, n: 4, removed: null, dim, r2, queries: q, k: 2 };
  assert.throws(() => decodeScanSync({ ...base, k: 0 }), /k must be in \[1/);
  assert.throws(() => decodeScanSync({ ...base, k: 1.5 }), /k must be an integer/);
  assert.throws(() => decodeScanSync({ ...base, n: 1000 }), /fewer than n × codeBytes/);
  assert.throws(() => decodeScanSync({ ...base, queries: new Float32Array(7) }), /not a multiple of dim/);
  assert.throws(() => decodeScanSync({ ...base, queries: new Float32Array(8).fill(NaN) }), /non-finite/);
  assert.throws(() => decodeScanSync({ ...base, removed: new Uint8Array(0) }), /removed holds 0 bytes/);
  assert.throws(() => decodeScanSync({ ...base, dim: 1, r2: 2, queries: new Float32Array(1) }), /no spherical Zn codec/);
  assert.throws(() => decodeScanSync({ ...base, codes: [1, 2] as unknown as Uint8Array }), /codes must be a Uint8Array/);
});
