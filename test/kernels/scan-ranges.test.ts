/**
 * The ranged decode-and-scan (decodeScan with ranges/rangeOffsets, the partitioned
 * index's kernel): each query scans only its slot ranges. It agrees with the TS
 * reference; it is exactly the flat scan of the same query with every uncovered slot
 * removed; ranges covering [0, n) give exactly the flat scan.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { detectedIsa, setIsa } from '../../src/kernels/addon';
import { quantizeEncode } from '../../src/lattice/zn-native';
import { decodeScan, decodeScanSync, type ScanInput, type ScanResult } from '../../src/kernels/scan-native';
import { assertSameScan, isas, normalizeRows, randomRanges, rangedCase } from '../helpers/scan-compare';
import { randomRows } from '../helpers/test-encoder';

function sortedTies(r: ScanResult, q: number): number[] {
  return [...r.tieSlots.subarray(r.tieOffsets[q], r.tieOffsets[q + 1])].sort((a, b) => a - b);
}

/** The flat scan of query q alone, with every slot outside its ranges removed. */
function maskedFlat(input: ScanInput, q: number): ScanResult {
  const removed = new Uint8Array((input.n + 7) >> 3).fill(0xff);
  const r = input.ranges!;
  const o = input.rangeOffsets!;
  for (let j = o[q]; j < o[q + 1]; j++) for (let s = r[2 * j]; s < r[2 * j + 1]; s++) removed[s >> 3] &= ~(1 << (s & 7));
  if (input.removed) for (let i = 0; i < removed.length; i++) removed[i] |= input.removed[i];
  const { dim } = input;
  return decodeScanSync({
    ...input, ranges: undefined, rangeOffsets: undefined, removed, queries: input.queries.subarray(q * dim, (q + 1) * dim),
  });
}

for (const isa of isas) {
  test(`ranged decode-scan (${isa}) = TS reference, and = the flat scan with uncovered slots removed, exactly`, () => {
    assert.equal(setIsa(isa), true);
    try {
      fc.assert(
        fc.property(rangedCase, (input) => {
          assertSameScan(input);
          const got = decodeScanSync(input);
          const nq = input.queries.length / input.dim;
          for (let q = 0; q < nq; q++) {
            const want = maskedFlat(input, q);
            const { k } = input;
            assert.deepEqual(got.slots.subarray(q * k, (q + 1) * k), want.slots, `query ${q}: slots`);
            assert.deepEqual(got.distances.subarray(q * k, (q + 1) * k), want.distances, `query ${q}: distances`);
            assert.deepEqual(sortedTies(got, q), sortedTies(want, 0), `query ${q}: ties`);
          }
        }),
        { numRuns: 60 },
      );
    } finally {
      setIsa(detectedIsa());
    }
  });
}

test('ranges covering [0, n) (in any cut and order) give exactly the flat scan', () => {
  fc.assert(
    fc.property(rangedCase, (input) => {
      const nq = input.queries.length / input.dim;
      const all = randomRanges(input.n, nq, 1, input.n + 7);
      const ranged = decodeScanSync({ ...input, ...all });
      const flat = decodeScanSync({ ...input, ranges: undefined, rangeOffsets: undefined });
      assert.deepEqual(ranged.slots, flat.slots);
      assert.deepEqual(ranged.distances, flat.distances);
      for (let q = 0; q < nq; q++) assert.deepEqual(sortedTies(ranged, q), sortedTies(flat, q));
    }),
    { numRuns: 60 },
  );
});

test('a single query over many ranges splits over both threads and keeps ties by slot', async () => {
  const dim = 24;
  const r2 = 79;
  const one = normalizeRows(randomRows(1, dim, 5), dim);
  const n = 4000;
  const points = normalizeRows(randomRows(n, dim, 6), dim);
  for (let i = 0; i < n; i += 3) points.set(one, i * dim); // every third slot: the query's own code
  const codes = quantizeEncode(dim, r2, points);
  // Lists of 100 slots, every other one probed, in reverse order.
  const pairs: number[] = [];
  for (let b = 3800; b >= 0; b -= 200) pairs.push(b, b + 100);
  const input: ScanInput = {
    codes, n, removed: null, dim, r2, queries: one, k: 5, threads: 2,
    ranges: Int32Array.from(pairs), rangeOffsets: Int32Array.of(0, pairs.length / 2),
  };
  const got = decodeScanSync(input);
  assert.deepEqual([...got.slots], [0, 3, 6, 9, 12]);
  // Every other probed slot ≡ 0 mod 3 ties at the k-th distance.
  const want: number[] = [];
  for (let s = 15; s < n; s += 3) if (Math.floor(s / 100) % 2 === 0) want.push(s);
  assert.deepEqual(sortedTies(got, 0), want);
  const viaAsync = await decodeScan(input);
  const oneThread = decodeScanSync({ ...input, threads: 1 });
  for (const r of [viaAsync, oneThread]) {
    assert.deepEqual(r.slots, got.slots);
    assert.deepEqual(r.distances, got.distances);
    assert.deepEqual(sortedTies(r, 0), want);
  }
});

test('decodeScan names bad ranges', () => {
  const dim = 8;
  const r2 = 4;
  const codes = quantizeEncode(dim, r2, normalizeRows(randomRows(10, dim, 3), dim));
  const q = normalizeRows(randomRows(2, dim, 4), dim);
  const base: ScanInput = { codes, n: 10, removed: null, dim, r2, queries: q, k: 2 };
  const off = Int32Array.of(0, 1, 2);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(0, 1, 2, 3) }), /ranges and rangeOffsets go together/);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(0, 1, 2), rangeOffsets: off }), /not whole \(start, end\) pairs/);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(0, 1, 2, 3), rangeOffsets: Int32Array.of(0, 2) }), /rangeOffsets has 2 values, expected nq \+ 1 = 3/);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(0, 1, 2, 3), rangeOffsets: Int32Array.of(1, 1, 2) }), /rangeOffsets\[0\] is 1/);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(0, 1, 2, 3), rangeOffsets: Int32Array.of(0, 1, 1) }), /not the pair count 2/);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(0, 1, 2, 3), rangeOffsets: Int32Array.of(0, 3, 2) }), /decreases or overruns at index 1/);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(0, 11, 2, 3), rangeOffsets: off }), /ranges pair 0 \[0, 11\) is not a range inside \[0, n = 10\)/);
  assert.throws(() => decodeScanSync({ ...base, ranges: Int32Array.of(5, 4, 2, 3), rangeOffsets: off }), /ranges pair 0 \[5, 4\)/);
  assert.throws(
    () => decodeScanSync({ ...base, ranges: Int32Array.of(0, 4, 6, 9, 3, 7), rangeOffsets: Int32Array.of(0, 1, 3) }),
    /ranges of query 1 overlap at slot 6/,
  );
  assert.throws(() => decodeScanSync({ ...base, ranges: [0, 1] as unknown as Int32Array, rangeOffsets: off }), /ranges must be an Int32Array/);
});
