/**
 * The store alone (storage/index-store.ts), without an Index: each commit returns
 * the change it made (an ArenaUpdate) and writes no memory of its caller's;
 * readUpdate gives the change from any held generation to the committed one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { IndexStore, IndexFormatError, type AddBatch, type ArenaUpdate } from '../../storage/index-store';
import type { IndexConfig, ModelConfig } from '../../storage/layout';
import { CodeArena } from '../../src/index/code-arena';
import { ZnCodec } from '../../src/lattice/zn-codec';
import { TestEncoder, randomRows } from '../helpers/test-encoder';

const DIN = 8;
const DOUT = 12;
const R2 = 8;
const codec = new ZnCodec(DOUT, R2);
const config: IndexConfig = { din: DIN, metric: 'l2', dtype: 'float32', storeVectors: false };
const model: ModelConfig = { dout: DOUT, quantizer: `zn_${R2}`, r2: R2, nbit: codec.nbit, codeBytes: codec.codeBytes };

/** A batch of codes only (this store keeps no vectors). */
function batch(codes: Uint8Array): AddBatch {
  return { n: codes.byteLength / model.codeBytes, codes, vectors: null };
}
const enc = new TestEncoder(DIN, DOUT, 5);

function codesOf(n: number, seed: number): Uint8Array {
  return codec.quantizeEncodeBatch(enc.encodeSync(randomRows(n, DIN, seed)));
}

async function fresh(): Promise<IndexStore> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-store-')), 'idx');
  return IndexStore.create(dir, config, { model, checkpoint: new TextEncoder().encode('checkpoint') });
}

/** A copy of `a` made through apply alone. */
function clone(a: CodeArena): CodeArena {
  const c = new CodeArena(a.codeBytes);
  c.apply({ generation: a.generation, nslots: a.count, live: a.live, rows: 'codes', reset: true, codes: [{ from: 0, bytes: Uint8Array.from(a.codes) }], removedSlots: [], removedBitmap: [{ byteOffset: 0, bytes: Uint8Array.from(a.removed) }] });
  return c;
}

function bitsOf(arena: CodeArena): number[] {
  const out: number[] = [];
  for (let s = 0; s < arena.count; s++) if (arena.isRemoved(s)) out.push(s);
  return out;
}

test('commitAdd returns the ids and the change; the caller\'s codes are left as given', async () => {
  const store = await fresh();
  const codes = codesOf(5, 1);
  const before = Uint8Array.from(codes);
  const { ids, update } = store.commitAdd(0, batch(codes), null);
  assert.deepEqual(ids, [0n, 1n, 2n, 3n, 4n]);
  assert.deepEqual(update, { generation: 1, nslots: 5, live: 5, rows: 'codes', reset: false, codes: [{ from: 0, bytes: codes }], removedSlots: [], removedBitmap: null } satisfies ArenaUpdate);
  assert.deepEqual(codes, before);
  // A re-added id moves to a new slot; its old slot is removed; within the batch the last wins.
  const again = store.commitAdd(1, batch(codesOf(3, 2)), [3n, 9n, 9n]);
  assert.deepEqual(again.ids, [3n, 9n, 9n]);
  assert.equal(again.update.generation, 2);
  assert.equal(again.update.nslots, 8);
  assert.equal(again.update.live, 6);
  assert.deepEqual([...again.update.removedSlots].sort((a, b) => a - b), [3, 6]);
  assert.equal(again.update.codes[0].from, 5);
  assert.deepEqual(store.readState(), { generation: 2, nslots: 8, live: 6, nextId: 10n });
  await store.close();
});

test('commitRemove returns the slots it removed; absent ids change nothing, not even the generation', async () => {
  const store = await fresh();
  store.commitAdd(0, batch(codesOf(4, 3)), [10n, 11n, 12n, 13n]);
  const r = store.commitRemove(1, [11n, 13n, 11n, 99n]);
  assert.equal(r.removed, 2);
  assert.deepEqual(r.update, { generation: 2, nslots: 4, live: 2, rows: 'codes', reset: false, codes: [], removedSlots: [1, 3], removedBitmap: null } satisfies ArenaUpdate);
  const none = store.commitRemove(2, [99n]);
  assert.equal(none.removed, 0);
  assert.equal(none.update.generation, 2);
  assert.equal(store.readState().generation, 2);
  await store.close();
});

test('readUpdate from any held state reproduces what applying every commit gives', async () => {
  const store = await fresh();
  const live = new CodeArena(model.codeBytes);
  // Enough slots for several code chunks and removed-bitmap chunks' worth of work.
  const steps: (() => ArenaUpdate)[] = [
    () => store.commitAdd(live.generation, batch(codesOf(700, 4)), null).update,
    () => store.commitRemove(live.generation, [1n, 5n, 699n]).update,
    () => store.commitAdd(live.generation, batch(codesOf(900, 5)), [5n, ...Array.from({ length: 899 }, (_, i) => BigInt(1000 + i))]).update,
    () => store.commitRemove(live.generation, [0n, 1000n]).update,
  ];
  const start = store.beginRead();
  live.apply(store.readUpdate(live, start)!);
  start.done();
  const held = [clone(live)];
  for (const step of steps) {
    live.apply(step());
    held.push(clone(live));
  }
  const txn = store.beginRead();
  try {
    assert.equal(store.readUpdate(held[held.length - 1], txn), null, 'nothing newer than the latest');
    for (const arena of held.slice(0, -1)) {
      const h = { generation: arena.generation, count: arena.count };
      const u = store.readUpdate(h, txn)!;
      assert.ok(u.codes.every((run) => run.from >= h.count), 'only codes past what is held');
      arena.apply(u);
      assert.equal(arena.generation, live.generation);
      assert.equal(arena.count, live.count);
      assert.equal(arena.live, live.live);
      assert.deepEqual(arena.codes, live.codes);
      assert.deepEqual(bitsOf(arena), bitsOf(live));
    }
    assert.deepEqual(bitsOf(live), [0, 1, 5, 699, 701]); // id 5 came back at slot 700, id 1000 took 701
    assert.throws(
      () => store.readUpdate({ generation: 0, count: live.count + 1 }, txn),
      (e: unknown) => e instanceof IndexFormatError && e.code === 'ECORRUPT' && /shrank/.test(e.message),
    );
  } finally {
    txn.done();
  }
  await store.close();
});

test('commitCompact moves live codes to slots 0..live−1 in order; readUpdate from before it reloads whole, from after it reads new slots only', async () => {
  const store = await fresh();
  const live = new CodeArena(model.codeBytes);
  const first = codesOf(5000, 6); // two code chunks
  const start = store.beginRead();
  live.apply(store.readUpdate(live, start)!);
  start.done();
  const held = [clone(live)];
  const commit = (u: ArenaUpdate) => {
    live.apply(u);
    held.push(clone(live));
  };
  commit(store.commitAdd(live.generation, batch(first), null).update);
  commit(store.commitRemove(live.generation, Array.from({ length: 2000 }, (_, i) => BigInt(2 * i + 1))).update);
  commit(store.commitAdd(live.generation, batch(codesOf(3, 7)), [0n, 2n, 7000n]).update);
  const compacting = held.length; // held[compacting] is the first state after the compaction
  const slotsBefore = live.count;
  const liveCodes: number[][] = [];
  for (let s = 0; s < live.count; s++) if (!live.isRemoved(s)) liveCodes.push([...live.codes.subarray(s * model.codeBytes, (s + 1) * model.codeBytes)]);
  const c = store.commitCompact(live.generation);
  assert.equal(c.reclaimed, slotsBefore - live.live);
  assert.equal(c.update.reset, true);
  commit(c.update);
  assert.equal(live.count, live.live);
  assert.deepEqual(bitsOf(live), []);
  const after: number[][] = [];
  for (let s = 0; s < live.count; s++) after.push([...live.codes.subarray(s * model.codeBytes, (s + 1) * model.codeBytes)]);
  assert.deepEqual(after, liveCodes, 'live codes in their old order');
  assert.deepEqual(store.readState().compactedAt, live.generation);
  commit(store.commitAdd(live.generation, batch(codesOf(5000, 8)), null).update); // slots grow past what was held before
  commit(store.commitRemove(live.generation, [7000n]).update);
  assert.ok(live.count > slotsBefore);

  const txn = store.beginRead();
  try {
    for (const [i, arena] of held.slice(0, -1).entries()) {
      const h = { generation: arena.generation, count: arena.count };
      const u = store.readUpdate(h, txn)!;
      assert.equal(u.reset, i < compacting, `held state ${i}: reset`);
      if (!u.reset) assert.ok(u.codes.every((run) => run.from >= h.count), 'only codes past what is held');
      arena.apply(u);
      assert.deepEqual([arena.generation, arena.count, arena.live], [live.generation, live.count, live.live]);
      assert.deepEqual(arena.codes, live.codes);
      assert.deepEqual(bitsOf(arena), bitsOf(live));
    }
    // The ids followed their codes: ids 0 and 2 were replaced (their new codes came
    // last), odd ids below 4000 removed: slots 0.. hold ids 4, 6, …, 3998, 4000, …,
    // 4999 (2998 of them), then 0, 2 and 7000 (removed since: slot 3000 has no id).
    const ids = store.idsOfSlots(Int32Array.from([0, 1, 2, 2997, 2998, 2999, 3001]), txn);
    assert.deepEqual([...ids], [4n, 6n, 8n, 4999n, 0n, 2n, 7001n]); // auto ids continue after 7000
  } finally {
    txn.done();
  }
  assert.equal(store.verify().removed, 1);
  await store.close();
});
