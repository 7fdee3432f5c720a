/**
 * An index made from `dim` alone: it stores the vectors and searches them exactly
 * under its metric until trained; get/has/ids read the stored vectors; bad input is
 * refused clearly and changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';

import { Index } from '../../src/index/vector-index';
import { DimensionMismatchError } from '../../src/errors';
import { exactSearch, distance, type Metric } from '../reference/exact-search';
import { lcgSigned } from '../helpers/random';

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-untrained-')), 'idx');
}

function rows(n: number, dim: number, seed: number): Float32Array {
  const r = lcgSigned(seed);
  return Float32Array.from({ length: n * dim }, () => r());
}

function rowOf(x: Float32Array, i: number, dim: number): number[] {
  return Array.from(x.subarray(i * dim, (i + 1) * dim));
}

/**
 * The Index's answer against the oracle: distances rank by rank within float32
 * rounding, and each returned id's true distance is the one reported (near-ties
 * may swap ids, never distances).
 */
function assertMatches(metric: Metric, live: Map<bigint, number[]>, q: number[], got: { ids: BigInt64Array; distances: Float32Array }, row: number, k: number): void {
  const want = exactSearch(metric, live, q, k);
  for (let j = 0; j < k; j++) {
    const id = got.ids[row * k + j];
    const d = got.distances[row * k + j];
    if (j >= want.length) {
      assert.equal(id, -1n);
      assert.equal(d, Infinity);
      continue;
    }
    const tol = 1e-4 * (1 + Math.abs(want[j].d));
    assert.ok(Math.abs(d - want[j].d) <= tol, `rank ${j}: distance ${d}, expected ${want[j].d}`);
    assert.ok(live.has(id), `rank ${j}: id ${id} is not live`);
    assert.ok(Math.abs(distance(metric, q, live.get(id)!) - d) <= tol, `rank ${j}: id ${id} is not at distance ${d}`);
  }
}

for (const metric of ['l2', 'cosine', 'ip'] as const) {
  test(`untrained ${metric}: search is exact (brute force) over random data, ids, removes and k`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 1000 }),
        async (dim, n, k, seed) => {
          const index = await Index.create(tmpDir(), { dim, metric });
          const x = rows(n, dim, seed);
          for (let i = 0; i < n * dim; i += dim) if (x.subarray(i, i + dim).every((v) => v === 0)) x[i] = 1;
          const ids = Array.from({ length: n }, (_, i) => BigInt((i * 7919 + seed) % 100000));
          const stored = await index.add(x, ids);
          const live = new Map<bigint, number[]>();
          stored.forEach((id, i) => live.set(id, rowOf(x, i, dim)));
          const gone = [...live.keys()].filter((_, i) => i % 3 === 1);
          await index.remove(gone);
          for (const id of gone) live.delete(id);
          assert.equal(index.size, live.size);
          const nq = 3;
          const q = rows(nq, dim, seed + 1);
          q[0] = q[0] === 0 ? 1 : q[0];
          const got = await index.search(q, k);
          for (let r = 0; r < nq; r++) assertMatches(metric, live, rowOf(q, r, dim), got, r, k);
          await index.close();
        },
      ),
      { numRuns: 25, seed: 4242 },
    );
  });
}

test('untrained: get returns the stored vectors (normalized under cosine), has and ids see the live ids', async () => {
  const dim = 5;
  const x = rows(10, dim, 3);
  for (const metric of ['l2', 'cosine'] as const) {
    const dir = tmpDir();
    const index = await Index.create(dir, { dim, metric });
    assert.equal(index.trained, false);
    assert.equal(index.metric, metric);
    assert.equal(index.quantizer, null);
    await index.add(x, [10n, 11n, 12n, 13n, 14n, 15n, 16n, 17n, 18n, 19n]);
    await index.remove([12n]);
    const got = (await index.get([17n, 10n])) as Float32Array;
    for (const [j, i] of [7, 0].entries()) {
      const want = rowOf(x, i, dim);
      const norm = metric === 'cosine' ? Math.sqrt(want.reduce((s, v) => s + v * v, 0)) : 1;
      for (let d = 0; d < dim; d++) assert.ok(Math.abs(got[j * dim + d] - want[d] / norm) < 1e-6);
    }
    assert.equal(await index.has(11n), true);
    assert.equal(await index.has(12n), false);
    await assert.rejects(index.get([11n, 12n]), (e: Error) => e instanceof RangeError && /ids\[1\] = 12 is not in the index/.test(e.message));
    const seen: bigint[] = [];
    for await (const id of index.ids()) seen.push(id);
    assert.deepEqual(seen, [10n, 11n, 13n, 14n, 15n, 16n, 17n, 18n, 19n]);
    const before = await index.search(x.subarray(0, 2 * dim), 4);
    await index.close();
    // Reopened: still untrained, same answers, same vectors.
    const again = await Index.open(dir);
    assert.equal(again.trained, false);
    assert.equal(again.metric, metric);
    assert.deepEqual(await again.search(x.subarray(0, 2 * dim), 4), before);
    assert.deepEqual(await again.get([17n, 10n]), got);
    assert.equal((await again.verify()).vectors, 9);
    await again.close();
  }
});

test('ids() pages through more ids than one page, in order', async () => {
  const index = await Index.create(tmpDir(), { dim: 2 });
  const n = 2500;
  const x = rows(n, 2, 8);
  for (let i = 0; i < n * 2; i += 2) if (x[i] === 0 && x[i + 1] === 0) x[i] = 1;
  await index.add(x, Array.from({ length: n }, (_, i) => BigInt(n - i) * 3n));
  let prev = -1n;
  let count = 0;
  for await (const id of index.ids()) {
    assert.ok(id > prev);
    prev = id;
    count++;
  }
  assert.equal(count, n);
  await index.close();
});

test('a uint8 index stores bytes and gives them back; values that are not bytes are refused', async () => {
  const dim = 4;
  const index = await Index.create(tmpDir(), { dim, dtype: 'uint8' });
  const x = Uint8Array.from([1, 2, 3, 4, 200, 100, 0, 255, 9, 9, 9, 9]);
  await index.add(x);
  const got = await index.get([1n, 0n]);
  assert.ok(got instanceof Uint8Array);
  assert.deepEqual([...got], [200, 100, 0, 255, 1, 2, 3, 4]);
  const r = await index.search(Float32Array.from([200, 100, 0, 250]), 2);
  assert.deepEqual([...r.ids], [1n, 2n]);
  assert.deepEqual([...r.distances], [25, 191 ** 2 + 91 ** 2 + 9 ** 2 + 241 ** 2]);
  await assert.rejects(index.add(Float32Array.from([1, 2, 3, 4.5])), /holds 4.5 at dimension 3: this index stores uint8 vectors/);
  await assert.rejects(index.add(Float32Array.from([1, 2, 3, 256])), /holds 256/);
  assert.equal(index.size, 3);
  await index.close();
  await assert.rejects(Index.create(tmpDir(), { dim, dtype: 'uint8', metric: 'cosine' }), /dtype 'uint8' cannot hold cosine/);
});

test('bad input to an untrained index: clear errors, the index unchanged', async () => {
  const dim = 3;
  await assert.rejects(Index.create(tmpDir(), {}), /give options.dim/);
  await assert.rejects(Index.create(tmpDir(), { dim: 0 }), RangeError);
  await assert.rejects(Index.create(tmpDir(), { dim, metric: 'cos' as never }), /options.metric must be one of 'l2', 'cosine', 'ip', got "cos"/);
  await assert.rejects(Index.create(tmpDir(), { dim, storeVectors: false }), /storeVectors: false needs options.catalyzer/);
  await assert.rejects(Index.create(tmpDir(), { dim, metrc: 'l2' } as never), /unknown option 'metrc'/);
  const index = await Index.create(tmpDir(), { dim, metric: 'cosine' });
  await index.add(Float32Array.from([1, 0, 0, 0, 1, 0]));
  await assert.rejects(index.add(Float32Array.from([1, 2])), DimensionMismatchError);
  await assert.rejects(index.add(Float32Array.from([1, NaN, 0])), /non-finite/);
  await assert.rejects(index.add(Float32Array.from([0, 0, 0])), /zero vector/);
  await assert.rejects(index.search(Float32Array.from([0, 0, 0]), 1), /zero vector/);
  for (const refine of [0, 1.5, -2, '3']) {
    await assert.rejects(index.search(Float32Array.from([1, 0, 0]), 1, { refine: refine as never }), refine === '3' || refine === 1.5 ? TypeError : RangeError);
  }
  await assert.rejects(index.search(Float32Array.from([1, 0, 0]), 1, { nprobes: 3 } as never), /unknown option 'nprobes'/);
  await assert.rejects(index.train({ epoch: 3 } as never), /unknown option 'epoch'/);
  assert.equal(index.size, 2);
  const r = await index.search(Float32Array.from([1, 1, 0]), 2, { refine: 4 });
  assert.deepEqual([...r.ids], [0n, 1n]);
  assert.ok(Math.abs(r.distances[0] - (1 - Math.SQRT1_2)) < 1e-6);
  await index.close();
});

test('float64 rows (a NumPy-written .npy read by readNpy) are taken as their float32 values; a value beyond float32 is refused', async () => {
  const { readNpy } = await import('../../src/data/npy');
  const m = readNpy(path.join(__dirname, '..', 'fixtures', 'npy', 'vectors_float64.npy'));
  assert.ok(m.data instanceof Float64Array);
  const [n, dim] = m.shape;
  const x64 = m.data as Float64Array;
  const a = await Index.create(tmpDir(), { dim });
  const b = await Index.create(tmpDir(), { dim });
  await a.add(x64);
  await b.add(Float32Array.from(x64));
  assert.deepEqual(await a.get([0n, BigInt(n - 1)]), await b.get([0n, BigInt(n - 1)]));
  assert.deepEqual(await a.search(x64.subarray(0, 3 * dim), 5), await b.search(Float32Array.from(x64.subarray(0, 3 * dim)), 5));
  const huge = Float64Array.from({ length: dim }, (_, i) => (i === 2 ? 1e300 : 1));
  await assert.rejects(a.add(huge), /non-finite value \(Infinity\) at index 2/);
  assert.equal(a.size, n);
  await a.close();
  await b.close();
});
