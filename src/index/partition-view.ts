/**
 * The in-memory side of a partitioned (IVF) index: the coarse centroids, the list
 * offsets of the arena's grouped prefix and the list id of each tail slot (slots
 * appended since the partition was built, one Int32 each). The arena (./code-arena.ts)
 * still holds every code in one buffer; this only says which slot ranges a query's
 * probed lists cover (src/ivf/layout.ts).
 */
import { groupOrder, rangesFor, type GroupOrder, type ListLayout, type ScanRanges } from '../ivf/layout';
import { probeLists } from '../ivf/coarse';

export class PartitionView {
  /** The state's partitionedAt that committed this partition. */
  readonly at: number;
  readonly nlist: number;
  /** nlist × dim unit centroids (catalyzer space). */
  readonly centroids: Float32Array;
  readonly dim: number;
  readonly layout: ListLayout;
  private tailBuf: Int32Array;
  /** Tail slots held: slots [groupedEnd, groupedEnd + tailCount). */
  tailCount = 0;

  constructor(at: number, listStart: Int32Array, centroids: Float32Array, dim: number) {
    this.at = at;
    this.nlist = listStart.length - 1;
    this.layout = { nlist: this.nlist, listStart };
    this.centroids = centroids;
    this.dim = dim;
    this.tailBuf = new Int32Array(0);
  }

  /** First tail slot (= slots grouped by list). */
  get groupedEnd(): number {
    return this.layout.listStart[this.nlist];
  }

  /** The lists of tail slots held, a view (valid until the tail grows). */
  get tail(): Int32Array {
    return this.tailBuf.subarray(0, this.tailCount);
  }

  /** Bytes held: centroids, list offsets and tail list ids (capacity included). */
  get bytesAllocated(): number {
    return this.centroids.byteLength + this.layout.listStart.byteLength + this.tailBuf.byteLength;
  }

  /** Sets the lists of slots from.. (from must be at most the end of the tail held). */
  setTail(from: number, lists: Int32Array): void {
    const at = from - this.groupedEnd;
    if (at < 0 || at > this.tailCount) throw new RangeError(`tail lists from slot ${from} leave a gap after slot ${this.groupedEnd + this.tailCount}`);
    const need = at + lists.length;
    if (need > this.tailBuf.length) {
      const grown = new Int32Array(Math.max(need, Math.ceil(this.tailBuf.length * 1.25), 256));
      grown.set(this.tailBuf.subarray(0, this.tailCount));
      this.tailBuf = grown;
    }
    this.tailBuf.set(lists, at);
    this.tailCount = Math.max(this.tailCount, need);
  }

  /** The slot ranges of each query's `nprobe` nearest lists (queries: nq × dim unit rows). */
  rangesOf(queries: Float32Array, nq: number, nprobe: number): ScanRanges {
    const np = Math.min(nprobe, this.nlist);
    const probes = probeLists(queries, nq, this.dim, this.centroids, np);
    return rangesFor(probes, np, this.layout, this.tail);
  }

  /**
   * Like rangesOf for a filtered search: each query probes its nearest lists in order
   * until they hold at least `want` slots not set in `skip` (removed or filtered out)
   * and at least `nprobe` lists, or every list — so a selective filter still finds
   * `want` matches when they exist.
   */
  rangesOfAllowed(queries: Float32Array, nq: number, nprobe: number, want: number, skip: Uint8Array): ScanRanges {
    const order = probeLists(queries, nq, this.dim, this.centroids, this.nlist);
    const allowed = this.allowedPerList(skip);
    const counts = new Int32Array(nq);
    let widest = 1;
    for (let q = 0; q < nq; q++) {
      let c = 0;
      let found = 0;
      while (c < this.nlist && (c < nprobe || found < want)) found += allowed[order[q * this.nlist + c++]];
      counts[q] = Math.max(1, c);
      widest = Math.max(widest, counts[q]);
    }
    // Rows of `widest` lists: a shorter row repeats its first list (rangesFor counts a list once).
    const probes = new Int32Array(nq * widest);
    for (let q = 0; q < nq; q++) {
      const row = order.subarray(q * this.nlist, q * this.nlist + counts[q]);
      probes.set(row, q * widest);
      probes.fill(row[0], q * widest + counts[q], (q + 1) * widest);
    }
    return rangesFor(probes, widest, this.layout, this.tail);
  }

  /** Slots of each list not set in `skip` (bit s of byte s >> 3). */
  private allowedPerList(skip: Uint8Array): Int32Array {
    const out = new Int32Array(this.nlist);
    const free = (s: number) => ((skip[s >> 3] >> (s & 7)) & 1) === 0;
    const { listStart } = this.layout;
    for (let l = 0; l < this.nlist; l++) {
      let c = 0;
      for (let s = listStart[l]; s < listStart[l + 1]; s++) if (free(s)) c++;
      out[l] = c;
    }
    const tail = this.tail;
    for (let i = 0; i < tail.length; i++) if (free(this.groupedEnd + i)) out[tail[i]]++;
    return out;
  }

  /**
   * The regrouping of a compaction: the list of every slot [0, count) (grouped ones
   * by their range, tail ones by their id), removed slots dropped.
   */
  regroup(count: number, isRemoved: (slot: number) => boolean): GroupOrder {
    const lists = new Int32Array(count);
    const { listStart } = this.layout;
    for (let l = 0; l < this.nlist; l++) lists.fill(l, listStart[l], listStart[l + 1]);
    lists.set(this.tail.subarray(0, count - this.groupedEnd), this.groupedEnd);
    for (let s = 0; s < count; s++) if (isRemoved(s)) lists[s] = -1;
    return groupOrder(lists, this.nlist);
  }
}
