/**
 * The decode-and-scan over a decoded cache (ScanInput.decoded: the int8 lattice
 * points of the codes): rows read from it give exactly the scan of the codes —
 * slots, distances and ties, flat or ranged, on every ISA, sync and async — and any
 * bytes in it are memory-safe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { detectedIsa, setIsa } from '../../src/kernels/addon';
import { decode, quantizeEncode } from '../../src/lattice/zn-native';
import { decodeScan, decodeScanSync, type ScanInput, type ScanResult } from '../../src/kernels/scan-native';
import { isas, normalizeRows, rangedCase } from '../helpers/scan-compare';
import { randomRows } from '../helpers/test-encoder';

function sortedTies(r: ScanResult, q: number): number[] {
  return [...r.tieSlots.subarray(r.tieOffsets[q], r.tieOffsets[q + 1])].sort((a, b) => a - b);
}

function assertSame(got: ScanResult, want: ScanResult, nq: number, label: string): void {
  assert.deepEqual(got.slots, want.slots, `${label}: slots`);
  assert.deepEqual(got.distances, want.distances, `${label}: distances`);
  for (let q = 0; q < nq; q++) assert.deepEqual(sortedTies(got, q), sortedTies(want, q), `${label}: ties of query ${q}`);
}

for (const isa of isas) {
  test(`a scan of the decoded cache (${isa}) equals the scan of the codes exactly, ranged and flat, sync and async`, async () => {
    assert.equal(setIsa(isa), true);
    try {
      await fc.assert(
        fc.asyncProperty(rangedCase, fc.boolean(), async (input, ranged) => {
          const scan: ScanInput = ranged ? input : { ...input, ranges: undefined, rangeOffsets: undefined };
          const decoded = decode(input.dim, input.r2, input.codes, 'int8');
          const nq = input.queries.length / input.dim;
          const want = decodeScanSync(scan);
          assertSame(decodeScanSync({ ...scan, decoded }), want, nq, 'sync');
          assertSame(await decodeScan({ ...scan, decoded }), want, nq, 'async');
        }),
        { numRuns: 60 },
      );
    } finally {
      setIsa(detectedIsa());
    }
  });
}

test('a decoded cache at r2 79 (zn_79, the 64-bit default) and 2 threads: the same answers as the codes', () => {
  const dim = 24, r2 = 79, n = 3000;
  const codes = quantizeEncode(dim, r2, normalizeRows(randomRows(n, dim, 3), dim));
  const queries = normalizeRows(randomRows(7, dim, 4), dim);
  const decoded = decode(dim, r2, codes, 'int8');
  const input: ScanInput = { codes, n, removed: null, dim, r2, queries, k: 20, threads: 2 };
  assertSame(decodeScanSync({ ...input, decoded }), decodeScanSync(input), 7, 'zn_79');
});

test('any bytes in a decoded cache are memory-safe, and a short or mistyped one is refused by name', () => {
  const dim = 8, r2 = 10, n = 50;
  const codes = quantizeEncode(dim, r2, normalizeRows(randomRows(n, dim, 5), dim));
  const queries = normalizeRows(randomRows(2, dim, 6), dim);
  const input: ScanInput = { codes, n, removed: null, dim, r2, queries, k: 5 };
  const garbage = Int8Array.from({ length: n * dim }, (_, i) => ((i * 97) % 256) - 128);
  const r = decodeScanSync({ ...input, decoded: garbage });
  assert.equal(r.slots.length, 10);
  for (const d of r.distances) assert.ok(Number.isFinite(d));
  assert.throws(() => decodeScanSync({ ...input, decoded: new Int8Array(n * dim - 1) }), /decoded holds 399 values, fewer than n × dim = 400/);
  assert.throws(() => decodeScanSync({ ...input, decoded: new Uint8Array(n * dim) as unknown as Int8Array }), /decoded must be an Int8Array or null/);
});
