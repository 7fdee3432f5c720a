/**
 * Compaction (Index.compact and the automatic compactAt): dead slots are reclaimed,
 * answers and ids stay exactly as they were, the stored index verifies, and memory
 * returns to what a fresh index of the live vectors holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { COMPACT_MIN_SLOTS, Index, type SearchResult } from '../../src/index/vector-index';
import { DATA_FILE } from '../../storage/layout';
import { TestEncoder, loadTestEncoder, randomRows, rng } from '../helpers/test-encoder';

const DIN = 10;
const DOUT = 12;
const opts = { loadCatalyzer: loadTestEncoder };

function tmpDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-compact-')), 'idx');
}

async function created(compactAt?: number | false): Promise<Index> {
  return Index.create(tmpDir(), { catalyzer: new TestEncoder(DIN, DOUT, 3), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder, compactAt });
}

/** Results as plain arrays (deepEqual on typed arrays compares contents, but messages are clearer). */
function plain(r: SearchResult): { ids: bigint[]; distances: number[] } {
  return { ids: [...r.ids], distances: [...r.distances] };
}

test('compact keeps every answer, the ids, the size and the next automatic id; the index verifies and reopens the same', async () => {
  // zn_8 at dimension 12 has few codes, so many vectors tie: the tie rule (smaller
  // id first) is exercised across moved slots.
  for (const seed of [1, 2, 3]) {
    const index = await created(false);
    const dir = (index as unknown as { store: { dir: string } }).store.dir;
    const r = rng(seed);
    let nextRows = 100;
    for (let round = 0; round < 6; round++) {
      const n = 200 + Math.floor(r() * 300);
      await index.add(randomRows(n, DIN, nextRows++));
      // Replace some ids (explicit ids, some of them repeated) and remove others.
      const replace = Array.from({ length: 80 }, () => Math.floor(r() * index.size));
      await index.add(randomRows(replace.length, DIN, nextRows++), replace);
      await index.remove(Array.from({ length: 60 }, () => Math.floor(r() * index.size * 1.2)));
    }
    const q = randomRows(25, DIN, 999);
    const before = plain(await index.search(q, 50));
    const all = plain(await index.search(q, index.size + 10));
    const size = index.size;
    const report = await index.verify();
    assert.ok(report.removed > 0);
    const mem = index.memoryBytes;

    const reclaimed = await index.compact();
    assert.equal(reclaimed, report.removed);
    assert.equal(index.size, size);
    assert.deepEqual(plain(await index.search(q, 50)), before);
    assert.deepEqual(plain(await index.search(q, size + 10)), all);
    const after = await index.verify();
    assert.deepEqual([after.live, after.slots, after.removed, after.removedChunks], [size, size, 0, 0]);
    assert.ok(index.memoryBytes < mem, `memory ${index.memoryBytes} not below ${mem}`);
    // Nothing left to reclaim: a second compaction changes nothing.
    assert.equal(await index.compact(), 0);
    // Automatic ids continue after the largest ever used, as before.
    const [id] = await index.add(randomRows(1, DIN, 5));
    const maxBefore = await index.add(randomRows(1, DIN, 6));
    assert.equal(maxBefore[0], id + 1n);
    await index.remove([id, maxBefore[0]]);
    await index.close();

    const reopened = await Index.open(dir, opts);
    assert.deepEqual(plain(await reopened.search(q, 50)), before);
    await reopened.verify();
    await reopened.close();
  }
});

test('8 rounds of upserting the same vectors end within 1.2× the memory of a fresh index (automatic compaction, and compact())', async () => {
  const N = 5000;
  const rows = randomRows(N, DIN, 42);
  const ids = Array.from({ length: N }, (_, i) => i);
  const fresh = await created();
  await fresh.add(rows, ids);
  const freshBytes = fresh.memoryBytes;
  const q = randomRows(10, DIN, 7);
  const expected = plain(await fresh.search(q, 20));

  const auto = await created(); // default compactAt
  const manual = await created(false);
  for (let round = 0; round < 8; round++) {
    await auto.add(rows, ids);
    await manual.add(rows, ids);
  }
  assert.equal(auto.size, N);
  assert.ok(auto.memoryBytes <= 1.2 * freshBytes, `automatic: ${auto.memoryBytes} B vs fresh ${freshBytes} B`);
  // Without compaction the dead slots stay: 8 × the codes.
  assert.ok(manual.memoryBytes > 6 * freshBytes, `uncompacted: ${manual.memoryBytes} B vs fresh ${freshBytes} B`);
  assert.equal(await manual.compact(), 7 * N);
  assert.ok(manual.memoryBytes <= 1.2 * freshBytes, `compact(): ${manual.memoryBytes} B vs fresh ${freshBytes} B`);
  for (const index of [auto, manual]) {
    assert.deepEqual(plain(await index.search(q, 20)), expected);
    const report = await index.verify();
    assert.ok(report.slots <= N * 1.2, `${report.slots} slots for ${N} live`);
    await index.close();
  }
  await fresh.close();
});

test('automatic compaction waits for its threshold and for COMPACT_MIN_SLOTS slots', async () => {
  const small = await created(0.1);
  await small.add(randomRows(100, DIN, 1));
  await small.remove(Array.from({ length: 90 }, (_, i) => i));
  assert.equal((await small.verify()).slots, 100, 'an index below COMPACT_MIN_SLOTS compacted itself');
  await small.close();

  const n = COMPACT_MIN_SLOTS;
  const index = await created(0.25);
  await index.add(randomRows(n, DIN, 2));
  await index.remove(Array.from({ length: n / 4 - 1 }, (_, i) => i));
  assert.equal((await index.verify()).slots, n, 'compacted below the threshold');
  await index.remove([n / 4 - 1]); // now a quarter of the slots are dead
  const r = await index.verify();
  assert.deepEqual([r.slots, r.live, r.removed], [(3 * n) / 4, (3 * n) / 4, 0]);
  await index.close();
});

test('compactAt is checked: false or a fraction in (0, 1]; compact() is refused read-only', async () => {
  for (const bad of [0, -0.5, 1.5, NaN, '0.5', true]) {
    await assert.rejects(
      Index.create(tmpDir(), { catalyzer: new TestEncoder(DIN, DOUT, 3), quantizer: 'zn_8', compactAt: bad as unknown as number }),
      (e: unknown) => e instanceof RangeError && /options\.compactAt/.test(e.message),
    );
  }
  const index = await created(1);
  const dir = (index as unknown as { store: { dir: string } }).store.dir;
  await index.add(randomRows(10, DIN, 1));
  await index.close();
  await assert.rejects(Index.open(dir, { ...opts, compactAt: 2 }), /options\.compactAt must be false or a fraction in \(0, 1\], got 2/);
  const ro = await Index.open(dir, { ...opts, readOnly: true });
  await assert.rejects(ro.compact(), /read-only/);
  await ro.close();
});

test('a format-1 index compacts in its own layout (no migration) and verifies', async () => {
  const v1 = tmpDir();
  fs.mkdirSync(v1);
  fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'index-v1', DATA_FILE), path.join(v1, DATA_FILE));
  const index = await Index.open(v1, { ...opts, compactAt: false });
  await index.add(randomRows(3, DIN, 5), [1, 50, 51]);
  await index.remove([2, 3]);
  const q = randomRows(5, DIN, 9);
  const before = plain(await index.search(q, 45));
  assert.equal(await index.compact(), 3);
  assert.deepEqual(plain(await index.search(q, 45)), before);
  const r = await index.verify();
  assert.deepEqual([r.formatVersion, r.checksums, r.live, r.slots, r.removed], [1, false, 40, 40, 0]);
  await index.close();
  const again = await Index.open(v1, opts);
  assert.deepEqual(plain(await again.search(q, 45)), before);
  await again.close();
});

test('compact takes its turn in call order: searches called before and after it, unawaited, give the same answers', async () => {
  const index = await created(false);
  await index.add(randomRows(3000, DIN, 1));
  await index.remove(Array.from({ length: 1500 }, (_, i) => 2 * i));
  const q = randomRows(8, DIN, 2);
  const expected = plain(await index.search(q, 40));
  const before = index.search(q, 40);
  const compacted = index.compact();
  const after = index.search(q, 40);
  const removed = index.remove([1]);
  const afterRemove = index.search(q, 3000);
  assert.equal(await compacted, 1500);
  assert.deepEqual(plain(await before), expected);
  assert.deepEqual(plain(await after), expected);
  assert.equal(await removed, 1);
  assert.ok(!(await afterRemove).ids.includes(1n));
  assert.equal((await afterRemove).ids.filter((id) => id >= 0n).length, 8 * 1499); // 8 queries × the live vectors
  await index.close();
});
