/**
 * The decoded cache of an Index (`cache: 'int8'`): the lattice point of every code of
 * the arena as dim int8 coordinates (zn_79 points have coordinates up to 8), kept in
 * step with the arena. A scan reads its rows from here instead of decoding the codes
 * (native/decode_scan.h: the same unit floats bit for bit, so the same answers),
 * and decoding is most of a scan's time. It costs dim bytes per slot of memory and is
 * rebuilt from the codes at open; nothing of it is stored.
 */
import { decode } from '../lattice/zn-native';
import type { CodeArena } from './code-arena';

/** The cache kinds of the `cache` option. */
export type CacheKind = 'none' | 'int8';

export class DecodedCache {
  /** Slots held: [0, count). */
  count = 0;
  private buf: Int8Array;

  constructor(
    readonly dim: number,
    readonly r2: number,
    private readonly threads?: number,
  ) {
    this.buf = new Int8Array(0);
  }

  /** Rows of slots [0, count), a view (valid until the cache grows). */
  get rows(): Int8Array {
    return this.buf.subarray(0, this.count * this.dim);
  }

  /** Bytes held (capacity included). */
  get bytesAllocated(): number {
    return this.buf.byteLength;
  }

  /**
   * Decodes the codes of slots [from, from + n) of `arena` into the cache (and drops
   * slots from arena.count on): what an arena update wrote. `rebuild` decodes every
   * slot into a new buffer of exactly the arena's size (a compaction or first load),
   * so that a scan holding the old view reads the old rows whole.
   */
  follow(arena: CodeArena, runs: readonly { from: number; n: number }[], rebuild: boolean): void {
    const cb = arena.codeBytes;
    if (rebuild) {
      this.buf = new Int8Array(new SharedArrayBuffer(arena.count * this.dim));
      this.count = arena.count;
      if (arena.count > 0) decode(this.dim, this.r2, arena.codes, 'int8', this.threads ?? 0, this.buf);
      return;
    }
    this.reserve(arena.count);
    for (const { from, n } of runs) {
      if (n === 0) continue;
      const codes = arena.codes.subarray(from * cb, (from + n) * cb);
      decode(this.dim, this.r2, codes, 'int8', this.threads ?? 0, this.buf.subarray(from * this.dim, (from + n) * this.dim));
    }
    this.count = arena.count;
  }

  private reserve(slots: number): void {
    const capacity = this.buf.length / this.dim;
    if (slots <= capacity) return;
    const grown = new Int8Array(new SharedArrayBuffer(Math.max(slots, Math.ceil(capacity * 1.25), 1024) * this.dim));
    grown.set(this.buf.subarray(0, this.count * this.dim));
    this.buf = grown;
  }
}
