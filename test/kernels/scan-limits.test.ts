/**
 * The exported decode-and-scan kernel bounds its work by its output: a call whose
 * nq × k places exceed 2^26 is refused at once (it allocated 8 GB for k = 1e9 on a
 * tiny arena), and a k above the number of codes is padded, as documented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { quantizeEncode } from '../../src/lattice/zn-native';
import { decodeScan, decodeScanSync } from '../../src/kernels/scan-native';

const DIM = 8;
const R2 = 4;

function unit(n: number, seed: number): Float32Array {
  const x = new Float32Array(n * DIM);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(seed * 1000 + i * 7.1);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < DIM; d++) s += x[i * DIM + d] ** 2;
    for (let d = 0; d < DIM; d++) x[i * DIM + d] /= Math.sqrt(s);
  }
  return x;
}

test('decodeScan refuses nq × k over 2^26 with a RangeError, and pads a k above n', async () => {
  const codes = quantizeEncode(DIM, R2, unit(5, 1));
  const input = { codes, n: 5, removed: null, dim: DIM, r2: R2, queries: unit(2, 2) };
  assert.throws(() => decodeScanSync({ ...input, k: 2 ** 25 + 1 }), (e: Error) => e instanceof RangeError && /nq × k = 2 × 33554433 results exceed 2\^26/.test(e.message));
  assert.throws(() => decodeScan({ ...input, k: 1e9 }), /results exceed 2\^26 per call/);
  const r = await decodeScan({ ...input, k: 9 });
  assert.equal(r.slots.length, 18);
  for (let q = 0; q < 2; q++) {
    assert.deepEqual([...r.slots.subarray(q * 9, q * 9 + 9)].filter((s) => s >= 0).sort(), [0, 1, 2, 3, 4]);
    assert.ok(r.distances.subarray(q * 9 + 5, q * 9 + 9).every((d) => d === Infinity));
  }
});
