/**
 * Ties are ordered inside one scan: the kernel reports every slot at the k-th
 * distance beside its k places (native = TS reference, every ISA, both ways of
 * splitting the work), so the Index orders ties by id without ever scanning twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { detectedIsa, setIsa } from '../../src/kernels/addon';
import { quantizeEncode } from '../../src/lattice/zn-native';
import { decodeScanSync, decodeScan, type ScanInput, type ScanResult } from '../../src/kernels/scan-native';
import { decodeScanReference } from '../reference/scan';
import { TestEncoder, loadTestEncoder, randomRows, rng } from '../helpers/test-encoder';
import { isas } from '../helpers/scan-compare';

const DIM = 16;
const R2 = 10;

function unitRows(n: number, seed: number): Float32Array {
  const x = randomRows(n, DIM, seed);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < DIM; d++) s += x[i * DIM + d] ** 2;
    for (let d = 0; d < DIM; d++) x[i * DIM + d] /= Math.sqrt(s);
  }
  return x;
}

/** Places and ties of each query, as (slot → distance) of the places and the tie set. */
function rowsOf(r: ScanResult, nq: number, k: number) {
  return Array.from({ length: nq }, (_, q) => ({
    places: [...r.slots.subarray(q * k, (q + 1) * k)],
    dists: [...r.distances.subarray(q * k, (q + 1) * k)],
    ties: [...r.tieSlots.subarray(r.tieOffsets[q], r.tieOffsets[q + 1])].sort((a, b) => a - b),
  }));
}


test('decodeScan reports the ties at the k-th distance like the reference, every ISA and split', async () => {
  // 24 distinct codes, each in ~125 slots spread over the arena; some slots removed.
  const distinct = quantizeEncode(DIM, R2, unitRows(24, 1));
  const cb = distinct.length / 24;
  const n = 3000;
  const r = rng(2);
  const codes = new Uint8Array(n * cb);
  for (let s = 0; s < n; s++) {
    const c = Math.floor(r() * 24);
    codes.set(distinct.subarray(c * cb, (c + 1) * cb), s * cb);
  }
  const removed = new Uint8Array((n + 7) >> 3);
  for (let s = 0; s < n; s += 7) removed[s >> 3] |= 1 << (s & 7);
  const queries = unitRows(5, 3);
  try {
    for (const isa of isas) {
      assert.ok(setIsa(isa));
      for (const k of [1, 3, 100, 131, 400, 2999, 3000]) {
        for (const threads of [1, 2, 3]) {
          for (const nn of [n, 200]) {
            const input: ScanInput = { codes, n: nn, removed, dim: DIM, r2: R2, queries, k, threads };
            const want = rowsOf(decodeScanReference(input), 5, k);
            const got = rowsOf(decodeScanSync(input), 5, k);
            got.forEach((g, q) => {
              const what = `${isa} k=${k} threads=${threads} n=${nn} query ${q}`;
              assert.deepEqual(g.places, want[q].places, what);
              g.dists.forEach((d, j) => assert.ok(Math.abs(d - want[q].dists[j]) <= 1e-6 || d === want[q].dists[j], what));
              assert.deepEqual(g.ties, want[q].ties, what);
            });
          }
        }
      }
      const asyncGot = rowsOf(await decodeScan({ codes, n, removed, dim: DIM, r2: R2, queries, k: 131, threads: 2 }), 5, 131);
      assert.deepEqual(asyncGot, rowsOf(decodeScanSync({ codes, n, removed, dim: DIM, r2: R2, queries, k: 131, threads: 2 }), 5, 131));
    }
  } finally {
    setIsa(detectedIsa());
  }
});

test('the Index orders ties by id with one scan per search, also across the k-th place', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-ties-')), 'idx');
  const din = 12;
  const index = await Index.create(dir, { catalyzer: new TestEncoder(din, DIM, 1), quantizer: `zn_${R2}`, loadCatalyzer: loadTestEncoder });
  const scans = () => (index as unknown as { scans: number }).scans;
  const v = randomRows(1, din, 21);
  // 300 copies of one vector under ids in scrambled order, among 500 other vectors.
  const ids = Array.from({ length: 300 }, (_, i) => BigInt(((i * 17) % 300) * 10 + 5));
  const x = new Float32Array(300 * din);
  for (let i = 0; i < 300; i++) x.set(v, i * din);
  await index.add(randomRows(250, din, 22), Array.from({ length: 250 }, (_, i) => 100000 + i));
  await index.add(x, ids);
  await index.add(randomRows(250, din, 23), Array.from({ length: 250 }, (_, i) => 200000 + i));
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : 1));
  for (const k of [1, 2, 10, 299, 300, 301, 2000]) {
    const before = scans();
    const got = await index.search(v, k);
    assert.equal(scans() - before, 1, `k=${k}: one scan`);
    assert.deepEqual([...got.ids.subarray(0, Math.min(k, 300))], sorted.slice(0, k), `k=${k}`);
    assert.ok(got.distances.subarray(0, Math.min(k, 300)).every((d) => d === got.distances[0]));
    if (k > 300) assert.ok(got.distances[300] > got.distances[0]);
  }
  // A batch of queries with and without ties: one scan, same rows as alone.
  const two = new Float32Array(2 * din);
  two.set(v, 0);
  two.set(randomRows(1, din, 24), din);
  const before = scans();
  const both = await index.search(two, 3);
  assert.equal(scans() - before, 1);
  assert.deepEqual([...both.ids.subarray(0, 3)], sorted.slice(0, 3));
  assert.deepEqual([...both.ids.subarray(3)], [...(await index.search(two.subarray(din), 3)).ids]);
  await index.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});
