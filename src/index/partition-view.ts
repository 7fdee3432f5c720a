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
