/**
 * The list layout of a partitioned index (src/ivf/layout.ts): groupOrder regroups
 * slots list by list in old slot order; rangesFor covers every slot of a probed list
 * exactly once (grouped prefix and tail), and nprobe = nlist covers every live slot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import { groupOrder, rangesFor, type ListLayout } from '../../src/ivf/layout';

/** An arena: a grouped prefix from groupOrder of random lists (−1 = dropped), then a tail. */
const arenaCase = fc
  .record({
    nlist: fc.integer({ min: 1, max: 12 }),
    old: fc.array(fc.integer({ min: -1, max: 11 }), { maxLength: 120 }),
    tail: fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 60 }),
    nq: fc.integer({ min: 1, max: 6 }),
    nprobe: fc.integer({ min: 1, max: 14 }),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
  })
  .map((c) => {
    const lists = Int32Array.from(c.old, (l) => (l < 0 ? -1 : l % c.nlist));
    const tailLists = Int32Array.from(c.tail, (l) => l % c.nlist);
    let s = c.seed;
    const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
    // Probes may repeat a list (then it counts once).
    const probes = Int32Array.from({ length: c.nq * c.nprobe }, () => next() % c.nlist);
    return { ...c, lists, tailLists, probes };
  });

test('groupOrder: a stable regrouping by list that drops the −1 slots', () => {
  fc.assert(
    fc.property(arenaCase, ({ nlist, lists }) => {
      const { order, layout } = groupOrder(lists, nlist);
      const kept = [...lists.keys()].filter((s) => lists[s] !== -1);
      assert.equal(order.length, kept.length);
      assert.deepEqual([...order].sort((a, b) => a - b), kept);
      assert.equal(layout.listStart[0], 0);
      assert.equal(layout.listStart[nlist], kept.length);
      for (let l = 0; l < nlist; l++) {
        const mine = [...order.subarray(layout.listStart[l], layout.listStart[l + 1])];
        assert.deepEqual(mine, kept.filter((s) => lists[s] === l), `list ${l}: its slots in old order`);
      }
    }),
  );
});

test('rangesFor: every slot of a probed list exactly once, nothing else, ranges disjoint and in bounds', () => {
  fc.assert(
    fc.property(arenaCase, ({ nlist, lists, tailLists, probes, nprobe, nq }) => {
      const { layout } = groupOrder(lists, nlist);
      const groupedEnd = layout.listStart[nlist];
      const listOf = (slot: number) => {
        if (slot >= groupedEnd) return tailLists[slot - groupedEnd];
        let l = 0;
        while (layout.listStart[l + 1] <= slot) l++;
        return l;
      };
      const n = groupedEnd + tailLists.length;
      const { ranges, rangeOffsets } = rangesFor(probes, nprobe, layout, tailLists);
      assert.equal(rangeOffsets.length, nq + 1);
      assert.equal(rangeOffsets[nq] * 2, ranges.length);
      for (let q = 0; q < nq; q++) {
        const count = new Uint8Array(n);
        for (let j = rangeOffsets[q]; j < rangeOffsets[q + 1]; j++) {
          const [b, e] = [ranges[2 * j], ranges[2 * j + 1]];
          assert.ok(0 <= b && b < e && e <= n, `query ${q}: range [${b}, ${e}) in [0, ${n}) and not empty`);
          for (let s = b; s < e; s++) count[s]++;
        }
        const probed = new Set(probes.subarray(q * nprobe, (q + 1) * nprobe));
        for (let s = 0; s < n; s++) assert.equal(count[s], probed.has(listOf(s)) ? 1 : 0, `query ${q}, slot ${s} (list ${listOf(s)})`);
      }
    }),
  );
});

test('rangesFor with nprobe = nlist covers [0, n) exactly, the tail as few runs as its lists allow', () => {
  fc.assert(
    fc.property(arenaCase, ({ nlist, lists, tailLists }) => {
      const { layout } = groupOrder(lists, nlist);
      const all = Int32Array.from({ length: nlist }, (_, l) => nlist - 1 - l);
      const { ranges } = rangesFor(all, nlist, layout, tailLists);
      const covered: number[] = [];
      for (let j = 0; j < ranges.length; j += 2) for (let s = ranges[j]; s < ranges[j + 1]; s++) covered.push(s);
      covered.sort((a, b) => a - b);
      assert.deepEqual(covered, [...Array(layout.listStart[nlist] + tailLists.length).keys()]);
      // The whole tail is probed: one run.
      const tailRuns = [];
      for (let j = 0; j < ranges.length; j += 2) if (ranges[j] >= layout.listStart[nlist]) tailRuns.push(ranges[j]);
      assert.equal(tailRuns.length, tailLists.length ? 1 : 0);
    }),
  );
});

test('groupOrder and rangesFor on a worked example', () => {
  const { order, layout } = groupOrder(Int32Array.of(2, 0, -1, 2, 1, 0), 3);
  assert.deepEqual([...order], [1, 5, 4, 0, 3]);
  assert.deepEqual([...layout.listStart], [0, 2, 3, 5]);
  // Tail slots 5, 6, 7, 8 in lists 2, 2, 0, 2; query 0 probes lists 2 then 1; query 1 probes 0.
  const r = rangesFor(Int32Array.of(2, 1, 0, 0), 2, layout, Int32Array.of(2, 2, 0, 2));
  assert.deepEqual([...r.ranges], [3, 5, 2, 3, 5, 7, 8, 9, 0, 2, 7, 8]);
  assert.deepEqual([...r.rangeOffsets], [0, 4, 6]);
});

test('groupOrder and rangesFor name bad input', () => {
  const layout: ListLayout = { nlist: 2, listStart: Int32Array.of(0, 1, 2) };
  assert.throws(() => groupOrder(Int32Array.of(0, 3), 2), /lists\[1\] = 3 is not a list in \[0, 2\)/);
  assert.throws(() => groupOrder(Int32Array.of(0), 0), /nlist must be an integer ≥ 1/);
  assert.throws(() => rangesFor(Int32Array.of(0, 1, 0), 2, layout, new Int32Array(0)), /probes has 3 values, not a multiple of nprobe 2/);
  assert.throws(() => rangesFor(Int32Array.of(0, 5), 2, layout, new Int32Array(0)), /holds 5, not a list in \[0, 2\)/);
  assert.throws(() => rangesFor(Int32Array.of(0), 1, layout, Int32Array.of(2)), /tailLists\[0\] = 2/);
  assert.throws(() => rangesFor(Int32Array.of(0), 1, { nlist: 3, listStart: Int32Array.of(0, 1) }, new Int32Array(0)), /listStart has 2 values, expected nlist \+ 1 = 4/);
});
