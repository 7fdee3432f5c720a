/**
 * How a partitioned index lays its codes out (pure functions; the Index owns the
 * arena). The codes stay in one arena. partition() regroups the live slots by list,
 * like a compaction: list 0's slots first, in their old slot order, then list 1's,
 * and so on; `listStart` (nlist + 1 offsets) records that grouped prefix, which ends
 * at `listStart[nlist]` (groupedEnd). Slots appended later (the tail, slot ≥
 * groupedEnd) carry their list id (one Int32 per tail slot) and are regrouped at the
 * next compaction or partition. A query then scans the grouped ranges of its probed
 * lists and the runs of tail slots that belong to them.
 */

/** The grouped prefix of the arena: list l holds slots [listStart[l], listStart[l + 1]). */
export interface ListLayout {
  /** Number of lists. */
  nlist: number;
  /** nlist + 1 non-decreasing offsets from 0; listStart[nlist] = groupedEnd. */
  listStart: Int32Array;
}

/** What {@link groupOrder} returns. */
export interface GroupOrder {
  /** New slot j holds old slot order[j] (old slots with list −1 are dropped). */
  order: Int32Array;
  /** The layout of the regrouped arena. */
  layout: ListLayout;
}

/**
 * The regrouping of a partition or compaction: `lists[s]` is old slot s's list in
 * [0, nlist), or −1 for a slot to drop (removed or replaced). A stable counting sort:
 * list by list, old slot order inside a list.
 */
export function groupOrder(lists: Int32Array, nlist: number): GroupOrder {
  if (!Number.isSafeInteger(nlist) || nlist < 1) throw new RangeError(`nlist must be an integer ≥ 1, got ${nlist}`);
  const listStart = new Int32Array(nlist + 1);
  for (let s = 0; s < lists.length; s++) {
    const l = lists[s];
    if (l === -1) continue;
    if (!(l >= 0 && l < nlist)) throw new RangeError(`lists[${s}] = ${l} is not a list in [0, ${nlist}) nor −1`);
    listStart[l + 1]++;
  }
  for (let l = 0; l < nlist; l++) listStart[l + 1] += listStart[l];
  const fill = listStart.slice(0, nlist);
  const order = new Int32Array(listStart[nlist]);
  for (let s = 0; s < lists.length; s++) if (lists[s] !== -1) order[fill[lists[s]]++] = s;
  return { order, layout: { nlist, listStart } };
}

/** Ranges for the ranged decode-and-scan (ScanInput.ranges / rangeOffsets). */
export interface ScanRanges {
  /** Half-open (start, end) slot pairs, concatenated. */
  ranges: Int32Array;
  /** nq + 1 offsets into the pairs: query i's are pairs [rangeOffsets[i], rangeOffsets[i + 1]). */
  rangeOffsets: Int32Array;
}

/**
 * The slot ranges each query scans: for each of its probed lists (nq × nprobe ids in
 * `probes`; a repeated id counts once) the grouped range, then the tail slots
 * (groupedEnd + i, list tailLists[i]) of its probed lists merged into runs of
 * consecutive slots. Every slot of a probed list is covered exactly once.
 */
export function rangesFor(probes: Int32Array, nprobe: number, layout: ListLayout, tailLists: Int32Array): ScanRanges {
  const { nlist, listStart } = layout;
  if (!Number.isSafeInteger(nprobe) || nprobe < 1) throw new RangeError(`nprobe must be an integer ≥ 1, got ${nprobe}`);
  if (probes.length % nprobe !== 0) throw new RangeError(`probes has ${probes.length} values, not a multiple of nprobe ${nprobe}`);
  if (listStart.length !== nlist + 1) throw new RangeError(`layout.listStart has ${listStart.length} values, expected nlist + 1 = ${nlist + 1}`);
  const nq = probes.length / nprobe;
  const groupedEnd = listStart[nlist];
  // The tail slots of each list, ascending (a counting sort of the tail by list).
  const tailStart = new Int32Array(nlist + 1);
  for (let i = 0; i < tailLists.length; i++) {
    const l = tailLists[i];
    if (!(l >= 0 && l < nlist)) throw new RangeError(`tailLists[${i}] = ${l} is not a list in [0, ${nlist})`);
    tailStart[l + 1]++;
  }
  for (let l = 0; l < nlist; l++) tailStart[l + 1] += tailStart[l];
  const tailByList = new Int32Array(tailLists.length);
  const fill = tailStart.slice(0, nlist);
  for (let i = 0; i < tailLists.length; i++) tailByList[fill[tailLists[i]]++] = groupedEnd + i;

  const pairs: number[] = [];
  const rangeOffsets = new Int32Array(nq + 1);
  const seen = new Uint8Array(nlist);
  const tail: number[] = [];
  for (let q = 0; q < nq; q++) {
    const mine = probes.subarray(q * nprobe, (q + 1) * nprobe);
    tail.length = 0;
    for (const l of mine) {
      if (!(l >= 0 && l < nlist)) throw new RangeError(`probes[${q * nprobe}..] holds ${l}, not a list in [0, ${nlist})`);
      if (seen[l]) continue;
      seen[l] = 1;
      if (listStart[l] < listStart[l + 1]) pairs.push(listStart[l], listStart[l + 1]);
      for (let j = tailStart[l]; j < tailStart[l + 1]; j++) tail.push(tailByList[j]);
    }
    for (const l of mine) seen[l] = 0;
    tail.sort((a, b) => a - b);
    for (let j = 0; j < tail.length; ) {
      let e = j + 1;
      while (e < tail.length && tail[e] === tail[e - 1] + 1) e++;
      pairs.push(tail[j], tail[e - 1] + 1);
      j = e;
    }
    rangeOffsets[q + 1] = pairs.length / 2;
  }
  return { ranges: Int32Array.from(pairs), rangeOffsets };
}

/** Slots the ranges cover, all queries together (the work of a ranged scan). */
export function coveredSlots(r: ScanRanges): number {
  let n = 0;
  for (let j = 0; j < r.ranges.length; j += 2) n += r.ranges[j + 1] - r.ranges[j];
  return n;
}
