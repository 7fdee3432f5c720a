import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { detectedIsa, setIsa } from '../../src/kernels/addon';
import { flatScan, flatScanSync, type FlatScanInput } from '../../src/kernels/flat-scan-native';
import { flatScanReference } from '../reference/flat-scan';
import { lcgUint32 } from '../helpers/random';
import { isas } from '../helpers/scan-compare';


/**
 * A case on the integer grid {-4..4}^dim: every distance is a small integer, which
 * float32 and the double reference compute exactly, so native and reference must
 * agree bit for bit — slots, distances and tie lists — and ties are frequent.
 * Some rows are copies of others (exact duplicates), some slots removed.
 */
const gridCase = fc
  .record({
    dim: fc.integer({ min: 1, max: 70 }),
    // Small arenas (n = 0 and n < k included) split the queries over the threads;
    // above 4 blocks of 1024 rows, two threads split the slots and merge.
    n: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 4097, max: 4700 })),
    nq: fc.integer({ min: 1, max: 4 }),
    k: fc.integer({ min: 1, max: 45 }),
    spread: fc.constantFrom(1, 4),
    removedShare: fc.constantFrom(0, 0.2, 1),
    dupShare: fc.constantFrom(0, 0.3),
    metric: fc.constantFrom('l2' as const, 'ip' as const),
    threads: fc.constantFrom(1, 2),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map((c): FlatScanInput => {
    const next = lcgUint32(c.seed);
    const val = () => (next() % (2 * c.spread + 1)) - c.spread;
    const base = new Float32Array(c.n * c.dim).map(val);
    for (let i = 1; i < c.n; i++) {
      if (next() / 2 ** 32 >= c.dupShare) continue;
      const src = next() % i;
      base.copyWithin(i * c.dim, src * c.dim, src * c.dim + c.dim);
    }
    let removed: Uint8Array | null = null;
    if (c.removedShare > 0) {
      removed = new Uint8Array(Math.ceil(c.n / 8));
      for (let s = 0; s < c.n; s++) if (next() / 2 ** 32 < c.removedShare) removed[s >> 3] |= 1 << (s & 7);
    }
    const queries = new Float32Array(c.nq * c.dim).map(val);
    return { base, n: c.n, removed, dim: c.dim, queries, k: c.k, metric: c.metric, threads: c.threads };
  });

function tiesOf(r: { tieSlots: Int32Array; tieOffsets: Int32Array }, q: number): number[] {
  return Array.from(r.tieSlots.subarray(r.tieOffsets[q], r.tieOffsets[q + 1])).sort((a, b) => a - b);
}

function assertSameAsReference(input: FlatScanInput, got: ReturnType<typeof flatScanSync>): void {
  const want = flatScanReference(input);
  const nq = input.queries.length / input.dim;
  assert.deepEqual(Array.from(got.slots), Array.from(want.slots));
  assert.deepEqual(Array.from(got.distances), Array.from(want.distances));
  assert.equal(got.tieOffsets.length, nq + 1);
  for (let q = 0; q < nq; q++) assert.deepEqual(tiesOf(got, q), tiesOf(want, q), `query ${q}: ties`);
}

test('flatScanSync equals the TS reference exactly on grid data (ties, duplicates, removed, both metrics, every ISA)', () => {
  for (const isa of isas) {
    assert.ok(setIsa(isa));
    try {
      fc.assert(
        fc.property(gridCase, (input) => assertSameAsReference(input, flatScanSync(input))),
        { numRuns: 60, seed: 20261202 },
      );
    } finally {
      setIsa(detectedIsa());
    }
  }
});

test('flatScan (async) agrees with the sync form and reads a SharedArrayBuffer arena in place', async () => {
  await fc.assert(
    fc.asyncProperty(gridCase, async (input) => {
      const shared = new Float32Array(new SharedArrayBuffer(input.base.byteLength));
      shared.set(input.base);
      const fromShared = await flatScan({ ...input, base: shared });
      assertSameAsReference(input, fromShared);
    }),
    { numRuns: 15, seed: 7 },
  );
});

test('real-valued vectors: distances match the reference to float32 rounding; ip is the negated inner product', () => {
  fc.assert(
    fc.property(
      fc.record({
        dim: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 300 }), k: fc.integer({ min: 1, max: 12 }),
        metric: fc.constantFrom('l2' as const, 'ip' as const), seed: fc.integer({ min: 1, max: 1 << 30 }),
      }),
      ({ dim, n, k, metric, seed }) => {
        const next = lcgUint32(seed);
        const real = () => (next() / 2 ** 32) * 2 - 1;
        const input: FlatScanInput = { base: new Float32Array(n * dim).map(real), n, removed: null, dim, queries: new Float32Array(3 * dim).map(real), k, metric, threads: 1 };
        const got = flatScanSync(input);
        const want = flatScanReference(input);
        for (let i = 0; i < got.distances.length; i++) {
          if (want.slots[i] < 0) {
            assert.equal(got.slots[i], -1);
            continue;
          }
          // |q|² + |b|² − 2⟨q, b⟩ in float32 loses up to a few ulps of the norms (≤ 2·dim).
          assert.ok(Math.abs(got.distances[i] - want.distances[i]) <= 1e-5 * (2 * dim + 1), `place ${i}: ${got.distances[i]} vs ${want.distances[i]}`);
        }
      },
    ),
    { numRuns: 60, seed: 3 },
  );
});

test('real-valued duplicates tie exactly wherever they sit (other blocks, other threads, every ISA)', () => {
  const dim = 37, n = 4500;
  const next = lcgUint32(99);
  const real = () => (next() / 2 ** 32) * 2 - 1;
  const base = new Float32Array(n * dim).map(real);
  const queries = new Float32Array(2 * dim).map(real);
  // The query's copies: slot 4400's row copied to 7, 1030 (the next block) and 3900.
  for (const s of [7, 1030, 3900]) base.copyWithin(s * dim, 4400 * dim, 4401 * dim);
  // Make slot 4400 the nearest of query 0 by putting the query next to it.
  for (let d = 0; d < dim; d++) queries[d] = base[4400 * dim + d] + 1e-3 * real();
  for (const isa of isas) {
    assert.ok(setIsa(isa));
    try {
      for (const threads of [1, 2]) {
        const r = flatScanSync({ base, n, removed: null, dim, queries, k: 2, metric: 'l2', threads });
        assert.deepEqual(Array.from(r.slots.subarray(0, 2)), [7, 1030], `${isa} threads ${threads}`);
        assert.equal(r.distances[0], r.distances[1]);
        assert.deepEqual(tiesOf(r, 0), [3900, 4400], `${isa} threads ${threads}: ties`);
      }
    } finally {
      setIsa(detectedIsa());
    }
  }
});

test('a golden case: l2 and ip orders, padding, ties and the removed bitmap', () => {
  // Slots 0..4 in 2-d; slot 3 removed; slots 1 and 4 are equal.
  const base = new Float32Array([0, 0, 1, 0, 2, 0, 0, 5, 1, 0]);
  const removed = new Uint8Array([0b1000]);
  const queries = new Float32Array([1, 0]);
  const l2 = flatScanSync({ base, n: 5, removed, dim: 2, queries, k: 2, metric: 'l2' });
  assert.deepEqual(Array.from(l2.slots), [1, 4]);
  assert.deepEqual(Array.from(l2.distances), [0, 0]);
  assert.deepEqual(Array.from(l2.tieSlots), []);
  const one = flatScanSync({ base, n: 5, removed, dim: 2, queries, k: 1, metric: 'l2' });
  assert.deepEqual(Array.from(one.slots), [1]);
  assert.deepEqual(Array.from(one.tieSlots), [4]);
  assert.deepEqual(Array.from(one.tieOffsets), [0, 1]);
  const ip = flatScanSync({ base, n: 5, removed, dim: 2, queries, k: 6, metric: 'ip' });
  assert.deepEqual(Array.from(ip.slots), [2, 1, 4, 0, -1, -1]);
  assert.deepEqual(Array.from(ip.distances), [-2, -1, -1, 0, Infinity, Infinity]);
});

test('bad arguments are refused with errors that name them', () => {
  const base = new Float32Array(8);
  const ok: FlatScanInput = { base, n: 4, removed: null, dim: 2, queries: new Float32Array(2), k: 1, metric: 'l2' };
  assert.throws(() => flatScanSync({ ...ok, n: 5 }), (e: Error) => e instanceof RangeError && /base holds 8 values, fewer than n × dim = 10/.test(e.message));
  assert.throws(() => flatScanSync({ ...ok, queries: new Float32Array(3) }), (e: Error) => e instanceof RangeError && /queries has 3 values, not a multiple of dim 2/.test(e.message));
  assert.throws(() => flatScanSync({ ...ok, k: 0 }), (e: Error) => e instanceof RangeError && /\bk\b/.test(e.message));
  assert.throws(() => flatScanSync({ ...ok, dim: 0 }), (e: Error) => e instanceof RangeError && /dim/.test(e.message));
  assert.throws(() => flatScanSync({ ...ok, removed: new Uint8Array(0) }), (e: Error) => e instanceof RangeError && /removed holds 0 bytes/.test(e.message));
  assert.throws(() => flatScanSync({ ...ok, metric: 'cos' as 'l2' }), (e: Error) => e instanceof RangeError && /metric must be 'l2' or 'ip', got 'cos'/.test(e.message));
  assert.throws(() => flatScanSync({ ...ok, base: [] as unknown as Float32Array }), (e: Error) => e instanceof TypeError && /base must be a Float32Array/.test(e.message));
  assert.throws(() => flatScanSync({ ...ok, threads: -1 }), (e: Error) => e instanceof RangeError && /threads/.test(e.message));
  assert.equal(flatScanSync({ ...ok, n: 0 }).slots[0], -1);
});
