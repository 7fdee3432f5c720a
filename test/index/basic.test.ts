import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index } from '../../src/index/vector-index';
import { ZnCodec } from '../../src/lattice/zn-codec';
import { decodeScanReference } from '../reference/scan';
import { TestEncoder, loadTestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 12;
const DOUT = 16;
const QUANTIZER = 'zn_10';
const R2 = 10;

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-index-')), 'idx');
}

async function create(dir = tmpDir(), seed = 1): Promise<{ index: Index; enc: TestEncoder; dir: string }> {
  const enc = new TestEncoder(DIN, DOUT, seed);
  const index = await Index.create(dir, { catalyzer: enc, quantizer: QUANTIZER, loadCatalyzer: loadTestEncoder });
  return { index, enc, dir };
}

/** Expected results: brute force over the TS codec's codes of what is live. */
function expected(enc: TestEncoder, live: Map<bigint, Float32Array>, queries: Float32Array, k: number) {
  const ids = [...live.keys()];
  const x = new Float32Array(ids.length * DIN);
  ids.forEach((id, i) => x.set(live.get(id)!, i * DIN));
  const codes = new ZnCodec(DOUT, R2).quantizeEncodeBatch(enc.encodeSync(x));
  const q = enc.encodeSync(queries);
  const r = decodeScanReference({ codes, n: ids.length, removed: null, dim: DOUT, r2: R2, queries: q, k });
  // The reference ties by slot; order ties by id, as the Index promises.
  const nq = queries.length / DIN;
  const rows: { id: bigint; d: number }[][] = [];
  for (let i = 0; i < nq; i++) {
    const row = [];
    for (let j = 0; j < k; j++) {
      const s = r.slots[i * k + j];
      row.push({ id: s < 0 ? -1n : ids[s], d: r.distances[i * k + j] });
    }
    rows.push(row);
  }
  return rows;
}

function assertResults(got: { ids: BigInt64Array; distances: Float32Array }, want: { id: bigint; d: number }[][], k: number) {
  want.forEach((row, q) => {
    const gotDist = [...got.distances.subarray(q * k, (q + 1) * k)];
    row.forEach((w, j) => assert.ok(Math.abs(gotDist[j] - w.d) <= 1e-6 || (w.d === Infinity && gotDist[j] === Infinity), `query ${q} place ${j}: ${gotDist[j]} vs ${w.d}`));
    // Same ids; within a run of (near-)equal distances the order may differ.
    const gotIds = [...got.ids.subarray(q * k, (q + 1) * k)];
    for (let i = 0; i < k; ) {
      let j = i + 1;
      while (j < k && Math.abs(row[j].d - row[j - 1].d) <= 1e-6) j++;
      const sorted = (xs: bigint[]) => [...xs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      assert.deepEqual(sorted(gotIds.slice(i, j)), sorted(row.slice(i, j).map((w) => w.id)), `query ${q} places ${i}..${j - 1}`);
      i = j;
    }
  });
}

test('add, search, remove, reopen: results match a brute-force scan of the live vectors', async () => {
  const { index, enc, dir } = await create();
  assert.equal(index.dim, DIN);
  assert.equal(index.size, 0);
  assert.equal(index.quantizer, QUANTIZER);
  const live = new Map<bigint, Float32Array>();
  const a = randomRows(300, DIN, 11);
  const idsA = await index.add(a);
  assert.deepEqual([...idsA], Array.from({ length: 300 }, (_, i) => BigInt(i)));
  idsA.forEach((id, i) => live.set(id, a.subarray(i * DIN, (i + 1) * DIN)));
  // Explicit ids, one of which replaces an auto id (5) and one repeated in the batch (1000).
  const b = randomRows(4, DIN, 12);
  const idsB = [1000n, 5n, 1000n, 77777n];
  assert.deepEqual([...(await index.add(b, idsB))], idsB);
  live.set(5n, b.subarray(DIN, 2 * DIN));
  live.set(1000n, b.subarray(2 * DIN, 3 * DIN));
  live.set(77777n, b.subarray(3 * DIN, 4 * DIN));
  assert.equal(index.size, live.size);
  // Auto ids continue after the largest id ever used.
  const c = randomRows(2, DIN, 13);
  assert.deepEqual([...(await index.add(c))], [77778n, 77779n]);
  live.set(77778n, c.subarray(0, DIN));
  live.set(77779n, c.subarray(DIN));
  assert.equal(await index.remove([3, 77778, 123456789]), 2);
  live.delete(3n);
  live.delete(77778n);
  assert.equal(index.size, live.size);

  const queries = randomRows(9, DIN, 14);
  const k = 7;
  const got = await index.search(queries, k);
  assert.equal(got.nq, 9);
  assertResults(got, expected(enc, live, queries, k), k);
  for (let q = 0; q < 9; q++) {
    const d = got.distances.subarray(q * k, (q + 1) * k);
    for (let j = 1; j < k; j++) assert.ok(d[j - 1] <= d[j], 'ascending');
  }
  await index.close();

  const again = await Index.open(dir, { loadCatalyzer: loadTestEncoder });
  assert.equal(again.size, live.size);
  assert.deepEqual(await again.search(queries, k), got);
  await again.close();
});

test('k larger than the index pads with id -1 and distance Infinity; number[][] input', async () => {
  const { index } = await create();
  const rows = [Array.from(randomRows(1, DIN, 1)), Array.from(randomRows(1, DIN, 2))];
  await index.add(rows, [10, 20]);
  const { ids, distances } = await index.search([rows[0]], 4);
  assert.equal(ids[0], 10n);
  assert.equal(ids[1], 20n);
  assert.deepEqual([...ids.subarray(2)], [-1n, -1n]);
  assert.deepEqual([...distances.subarray(2)], [Infinity, Infinity]);
  assert.ok(distances[0] < 1e-2 || distances[0] <= distances[1]);
  await index.close();
});

test('ties are ordered by smaller id, whatever the insertion order, also across the k-th place', async () => {
  const { index } = await create();
  const v = randomRows(1, DIN, 21);
  // 30 copies of one vector under ids in scrambled order, among other vectors.
  const ids = Array.from({ length: 30 }, (_, i) => BigInt(((i * 17) % 30) * 10 + 5));
  const x = new Float32Array(30 * DIN);
  for (let i = 0; i < 30; i++) x.set(v, i * DIN);
  await index.add(randomRows(50, DIN, 22), Array.from({ length: 50 }, (_, i) => 1000 + i));
  await index.add(x, ids);
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : 1));
  for (const k of [1, 2, 4, 30, 31]) {
    const got = await index.search(v, k);
    assert.deepEqual([...got.ids.subarray(0, Math.min(k, 30))], sorted.slice(0, k), `k=${k}`);
    assert.ok(got.distances.subarray(0, Math.min(k, 30)).every((d) => d === got.distances[0]));
    if (k > 30) assert.ok(got.distances[30] > got.distances[0]);
  }
  // Two queries in one batch: one with a straddling tie, one without.
  const two = new Float32Array(2 * DIN);
  two.set(v, 0);
  two.set(randomRows(1, DIN, 23), DIN);
  const both = await index.search(two, 3);
  assert.deepEqual([...both.ids.subarray(0, 3)], sorted.slice(0, 3));
  const alone = await index.search(two.subarray(DIN), 3);
  assert.deepEqual([...both.ids.subarray(3)], [...alone.ids]);
  await index.close();
});

test('Uint8Array input (e.g. SIFT bytes) is accepted', async () => {
  const { index, enc } = await create();
  const x = new Uint8Array(DIN * 20).map((_, i) => (i * 37) % 256);
  await index.add(x);
  const { ids } = await index.search(x.subarray(5 * DIN, 6 * DIN), 1);
  // The nearest code of row 5 is row 5's own code (or an identical code).
  const self = enc.encodeSync(x.subarray(5 * DIN, 6 * DIN));
  const codec = new ZnCodec(DOUT, R2);
  const want = codec.quantizeEncodeBatch(self);
  const gotCode = codec.quantizeEncodeBatch(enc.encodeSync(x.subarray(Number(ids[0]) * DIN, (Number(ids[0]) + 1) * DIN)));
  assert.deepEqual(gotCode, want);
  await index.close();
});

test('a reader opened read-only sees each committed batch, and refuses writes', async () => {
  const { index, dir } = await create();
  await index.add(randomRows(10, DIN, 31));
  const reader = await Index.open(dir, { readOnly: true, loadCatalyzer: loadTestEncoder });
  const q = randomRows(2, DIN, 32);
  assert.equal((await reader.search(q, 20)).ids.filter((id) => id >= 0n).length / 2, 10);
  await index.add(randomRows(5, DIN, 33));
  assert.equal((await reader.search(q, 20)).ids.filter((id) => id >= 0n).length / 2, 15);
  assert.equal(reader.size, 15);
  await index.remove([0n, 1n]);
  const after = await reader.search(q, 20);
  assert.equal(after.ids.filter((id) => id >= 0n).length / 2, 13);
  assert.ok(!after.ids.includes(0n) && !after.ids.includes(1n));
  await assert.rejects(reader.add(randomRows(1, DIN, 34)), /read-only/);
  await reader.close();
  await index.close();
});
