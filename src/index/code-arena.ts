/**
 * The in-memory copy of an index's codes that search scans: one contiguous buffer
 * of `count` codes (slot i at byte i × codeBytes) and a removed-slot bitmap
 * (bit i of byte i >> 3, least significant bit first; the layout the native scan
 * reads). Nothing else is kept per vector: ids are resolved for the winners only.
 * Capacity grows by 1/4 at a time so that resident memory stays close to the
 * codes themselves (untouched capacity is never paged in).
 *
 * Both buffers live in SharedArrayBuffers: the native scan reads those in place on
 * its worker thread (no one can detach them), where it would copy a plain buffer
 * first (native/napi_args.h, InputView).
 *
 * The store (storage/index-store.ts) never writes here: its commits and reads
 * return an ArenaUpdate, which apply() brings in.
 */
import type { ArenaUpdate } from '../../storage/index-store';

export class CodeArena {
  readonly codeBytes: number;
  /** Slots held (removed ones included). */
  count = 0;
  /** Live slots. */
  live = 0;
  /** Generation of the committed state this arena mirrors (-1: nothing loaded). */
  generation = -1;
  private codeBuf: Buffer;
  private removedBuf: Uint8Array;

  constructor(codeBytes: number) {
    this.codeBytes = codeBytes;
    this.codeBuf = Buffer.alloc(0);
    this.removedBuf = new Uint8Array(0);
  }

  /** Codes of slots [0, count), a view (valid until the arena grows). */
  get codes(): Uint8Array {
    return this.codeBuf.subarray(0, this.count * this.codeBytes);
  }

  /** Removed bitmap covering [0, count), a view (valid until the arena grows). */
  get removed(): Uint8Array {
    return this.removedBuf.subarray(0, (this.count + 7) >> 3);
  }

  /** Bytes held for codes and bitmap (capacity included). */
  get bytesAllocated(): number {
    return this.codeBuf.byteLength + this.removedBuf.byteLength;
  }

  /**
   * Brings in a change the store returned: new codes, removed slots or the whole
   * removed bitmap, and the counts and generation after it. An update older than
   * what the arena holds is refused (the store never goes back).
   */
  apply(update: ArenaUpdate): void {
    if (update.reset) {
      this.replace(update);
      return;
    }
    if (update.nslots < this.count) throw new RangeError(`arena update has ${update.nslots} slots, fewer than the ${this.count} held`);
    this.reserve(update.nslots);
    for (const run of update.codes) this.writeCodes(run.from, run.bytes);
    this.count = update.nslots;
    if (update.removedBitmap) {
      this.clearRemoved();
      for (const part of update.removedBitmap) this.writeRemovedBytes(part.byteOffset, part.bytes);
    }
    for (const s of update.removedSlots) this.markRemoved(s);
    this.live = update.live;
    this.generation = update.generation;
  }

  /**
   * Brings in an update that replaces everything (after a compaction, or a first
   * load): new buffers of exactly nslots, filled, then swapped in, so that memory
   * shrinks to the live codes and a scan still holding the old views reads the old
   * state whole.
   */
  private replace(update: ArenaUpdate): void {
    const codeBuf = Buffer.from(new SharedArrayBuffer(update.nslots * this.codeBytes));
    const removedBuf = new Uint8Array(new SharedArrayBuffer((update.nslots + 7) >> 3));
    for (const run of update.codes) codeBuf.set(run.bytes, run.from * this.codeBytes);
    const bitmapBytes = removedBuf.byteLength;
    for (const part of update.removedBitmap ?? []) {
      const end = Math.min(part.byteOffset + part.bytes.byteLength, bitmapBytes);
      if (end > part.byteOffset) removedBuf.set(part.bytes.subarray(0, end - part.byteOffset), part.byteOffset);
    }
    for (const s of update.removedSlots) removedBuf[s >> 3] |= 1 << (s & 7);
    this.codeBuf = codeBuf;
    this.removedBuf = removedBuf;
    this.count = update.nslots;
    this.live = update.live;
    this.generation = update.generation;
  }

  /** Makes room for `slots` slots without changing count. */
  reserve(slots: number): void {
    const capacity = this.codeBuf.byteLength / this.codeBytes;
    if (slots > capacity) {
      const grown = Math.max(slots, Math.ceil(capacity * 1.25), 1024);
      const codes = Buffer.from(new SharedArrayBuffer(grown * this.codeBytes));
      this.codeBuf.copy(codes, 0, 0, this.count * this.codeBytes);
      this.codeBuf = codes;
    }
    const bytes = (slots + 7) >> 3;
    if (bytes > this.removedBuf.byteLength) {
      const grown = new Uint8Array(new SharedArrayBuffer(Math.max(bytes, Math.ceil(this.removedBuf.byteLength * 1.25), 128)));
      grown.set(this.removedBuf);
      this.removedBuf = grown;
    }
  }

  /** Writes `codes` (whole codes) at slots [from, from + n) and sets count to at least from + n. */
  writeCodes(from: number, codes: Uint8Array): void {
    const n = codes.byteLength / this.codeBytes;
    this.reserve(from + n);
    this.codeBuf.set(codes, from * this.codeBytes);
    if (from + n > this.count) this.count = from + n;
  }

  /**
   * Replaces the bitmap bytes starting at `byteOffset` (slot byteOffset × 8); bytes
   * beyond the slots held are dropped (they can only be zero).
   */
  writeRemovedBytes(byteOffset: number, bytes: Uint8Array): void {
    const end = Math.min(byteOffset + bytes.byteLength, (this.count + 7) >> 3);
    if (end > byteOffset) this.removedBuf.set(bytes.subarray(0, end - byteOffset), byteOffset);
  }

  /** Clears the bitmap of slots [0, count). */
  clearRemoved(): void {
    this.removedBuf.fill(0);
  }

  markRemoved(slot: number): void {
    this.removedBuf[slot >> 3] |= 1 << (slot & 7);
  }

  isRemoved(slot: number): boolean {
    return ((this.removedBuf[slot >> 3] >> (slot & 7)) & 1) === 1;
  }
}
