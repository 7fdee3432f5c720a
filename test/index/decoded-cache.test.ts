/**
 * The decoded cache (`cache: 'int8'`): an Index with it answers exactly as the same
 * index without it — flat and partitioned, after removes, replaced ids, adds to the
 * tail, compaction, reopen and training — and memoryBytes counts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Index, type SearchOptions, type SearchResult } from '../../src/index/vector-index';
import { TestEncoder, loadTestEncoder, randomRows, rng } from '../helpers/test-encoder';

const DIN = 10;
const DOUT = 12;
const opts = { loadCatalyzer: loadTestEncoder, compactAt: false as const };

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-cache-')), 'idx');
}

function plain(r: SearchResult): { ids: bigint[]; distances: number[] } {
  return { ids: [...r.ids], distances: [...r.distances] };
}

function cacheOf(index: Index): { count: number; bytesAllocated: number } | null {
  return (index as unknown as { decoded: { count: number; bytesAllocated: number } | null }).decoded;
}

/** The same searches of both indexes give the same ids and distances (single queries and a batch). */
async function assertSameAnswers(cached: Index, plainIndex: Index, label: string, options: SearchOptions = {}): Promise<void> {
  const q = randomRows(30, DIN, 77);
  for (const k of [1, 10, 40]) {
    assert.deepEqual(plain(await cached.search(q, k, options)), plain(await plainIndex.search(q, k, options)), `${label}, batch, k ${k}`);
  }
  for (let i = 0; i < 5; i++) {
    const one = q.subarray(i * DIN, (i + 1) * DIN);
    assert.deepEqual(plain(await cached.search(one, 10, options)), plain(await plainIndex.search(one, 10, options)), `${label}, query ${i}`);
  }
}

test("cache: 'int8' answers exactly as without it: flat, partitioned, removes, replaced ids, the tail, compaction, reopen", async () => {
  const dirs = [tmpDir(), tmpDir()];
  const [withCache, without] = await Promise.all(
    dirs.map((dir, i) => Index.create(dir, { catalyzer: new TestEncoder(DIN, DOUT, 3), quantizer: 'zn_8', ...opts, ...(i === 0 ? { cache: 'int8' as const } : {}) })),
  );
  const both = async (fn: (index: Index) => Promise<unknown>) => {
    await fn(withCache);
    await fn(without);
  };
  const x = randomRows(7000, DIN, 1);
  await both((index) => index.add(x));
  assert.equal(cacheOf(withCache)!.count, 7000);
  assert.equal(cacheOf(without), null);
  // The cache is dout bytes per slot held, on top of the arena.
  assert.ok(withCache.memoryBytes - without.memoryBytes >= 7000 * DOUT, `${withCache.memoryBytes} vs ${without.memoryBytes}`);
  await assertSameAnswers(withCache, without, 'flat');

  const r = rng(4);
  const gone = Array.from({ length: 500 }, () => BigInt(Math.floor(r() * 7000)));
  await both((index) => index.remove(gone));
  const replaced = Array.from({ length: 300 }, () => BigInt(Math.floor(r() * 7000)));
  const y = randomRows(replaced.length, DIN, 2);
  await both((index) => index.add(y, replaced));
  await assertSameAnswers(withCache, without, 'removes and replaced ids');

  await both((index) => index.partition({ nlist: 50 }));
  await both((index) => index.add(randomRows(400, DIN, 5))); // a tail
  await assertSameAnswers(withCache, without, 'partitioned with a tail', { nprobe: 4 });
  await assertSameAnswers(withCache, without, "nprobe 'all'", { nprobe: 'all' });

  await both((index) => index.compact());
  assert.equal(cacheOf(withCache)!.count, withCache.size, 'compaction leaves the cache at the live slots');
  await assertSameAnswers(withCache, without, 'after compaction', { nprobe: 4 });

  await withCache.close();
  const reopened = await Index.open(dirs[0], { ...opts, cache: 'int8' });
  assert.equal(cacheOf(reopened)!.count, reopened.size, 'rebuilt at open');
  await assertSameAnswers(reopened, without, 'reopened', { nprobe: 4 });
  await reopened.close();
  await without.close();
});

test("a cached untrained index starts caching at train(); the trained answers equal the index's own reopened without the cache", async () => {
  const dir = tmpDir();
  const index = await Index.create(dir, { dim: DIN, cache: 'int8' });
  await index.add(randomRows(3000, DIN, 9));
  assert.equal(cacheOf(index), null, 'untrained: float rows, nothing to decode');
  await index.train({ epochs: 1, dint: 32, sampleSize: 3000, seed: 1 });
  assert.equal(cacheOf(index)!.count, 3000);
  const again = await Index.open(dir, { readOnly: true });
  assert.equal(cacheOf(again), null);
  await assertSameAnswers(index, again, 'trained');
  await again.close();
  await index.close();
});

test('the cache option is checked by name', async () => {
  await assert.rejects(Index.create(tmpDir(), { dim: 4, cache: 'float32' as never }), /options.cache must be 'none' or 'int8', got 'float32'/);
  const dir = tmpDir();
  const index = await Index.create(dir, { dim: 4, cache: 'none' });
  await index.close();
  await assert.rejects(Index.open(dir, { cache: 8 as never }), /options.cache must be 'none' or 'int8', got 8/);
});
