/**
 * The Index's code arena (src/index/code-arena.ts) alone: it applies the store's
 * updates (codes by slot, removed slots, whole bitmaps), grows without losing
 * codes, and keeps its buffers shareable with the scan's worker thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CodeArena } from '../../src/index/code-arena';
import type { ArenaUpdate } from '../../storage/index-store';

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);
}

function update(u: Partial<ArenaUpdate> & Pick<ArenaUpdate, 'generation' | 'nslots' | 'live'>): ArenaUpdate {
  return { rows: 'codes', reset: false, codes: [], removedSlots: [], removedBitmap: null, ...u };
}

test('apply writes codes at their slots and grows without losing earlier ones', () => {
  const arena = new CodeArena(3);
  const a = bytes(3 * 1000, 1);
  const b = bytes(3 * 2000, 2);
  arena.apply(update({ generation: 0, nslots: 1000, live: 1000, codes: [{ from: 0, bytes: a }] }));
  const firstAlloc = arena.bytesAllocated;
  arena.apply(update({ generation: 1, nslots: 3000, live: 3000, codes: [{ from: 1000, bytes: b }] }));
  assert.ok(arena.bytesAllocated > firstAlloc);
  assert.equal(arena.count, 3000);
  assert.equal(arena.generation, 1);
  assert.deepEqual(Uint8Array.from(arena.codes), Uint8Array.from([...a, ...b]));
  assert.ok(arena.codes.buffer instanceof SharedArrayBuffer);
  assert.ok(arena.removed.buffer instanceof SharedArrayBuffer);
});

test('removed slots set bits; a whole bitmap replaces them; bytes past the slots are dropped', () => {
  const arena = new CodeArena(1);
  arena.apply(update({ generation: 0, nslots: 20, live: 18, codes: [{ from: 0, bytes: bytes(20, 3) }], removedSlots: [2, 17] }));
  const removed = () => Array.from({ length: arena.count }, (_, s) => s).filter((s) => arena.isRemoved(s));
  assert.deepEqual(removed(), [2, 17]);
  assert.equal(arena.removed.byteLength, 3);
  // A full bitmap: slot 9 and 19 only; the extra byte (slots 24..31) lies past count.
  arena.apply(update({ generation: 1, nslots: 20, live: 18, removedBitmap: [{ byteOffset: 1, bytes: Uint8Array.from([0b10, 0b1000, 0xff]) }] }));
  assert.deepEqual(removed(), [9, 19]);
  assert.equal(arena.live, 18);
  assert.deepEqual(arena.removed, Uint8Array.from([0, 0b10, 0b1000]));
});

test('an update with fewer slots than the arena holds is refused', () => {
  const arena = new CodeArena(2);
  arena.apply(update({ generation: 0, nslots: 4, live: 4, codes: [{ from: 0, bytes: bytes(8, 4) }] }));
  assert.throws(() => arena.apply(update({ generation: 1, nslots: 3, live: 3 })), /arena update has 3 slots, fewer than the 4 held/);
  assert.equal(arena.count, 4);
  assert.equal(arena.generation, 0);
});
