/**
 * The Index: an embedded, persistent vector index. Vectors go through the catalyzer
 * (onto the unit sphere), are coded by the spherical Zn lattice (`zn_<r2>`), stored in
 * LMDB (storage/), and searched by the native decode-and-scan kernel over the
 * in-memory code arena this class owns (./code-arena.ts); the store returns what each
 * commit changed and the arena applies it.
 *
 * Memory per vector: the code itself (codeBytes) plus one bit of removed-slot bitmap.
 * Ids are not kept in memory: the k winners of each query are resolved slot → id by
 * LMDB lookups in the same read snapshot as the arena (k × nq point reads per search).
 *
 * Calls take effect in call order (./call-order.ts): each write commits once every
 * earlier call is done, each search scans once every earlier write is done; the
 * catalyzer and the quantizer run at once, concurrently with other calls. Equal
 * distances rank by smaller id (./tie-rule.ts); inputs are checked in ./input.ts.
 */
import { IndexStore, type VerifyReport } from '../../storage/index-store';
import type { IndexConfig } from '../../storage/layout';
import { ClosedError, DimensionMismatchError, ReadOnlyError } from '../errors';
import { quantizeEncodeAsync } from '../lattice/zn-native';
import { decodeScan } from '../kernels/scan-native';
import { CallOrder } from './call-order';
import { CodeArena } from './code-arena';
import { checkCreateArgs, checkOpenArgs, checkSearchArgs, checkSearchSize, parseIds, parseQuantizer, parseRows } from './input';
import { COMPACT_MIN_SLOTS, DEFAULT_COMPACT_AT, type CompactAt, type IdsInput, type IndexCreateOptions, type IndexEncoder, type IndexOpenOptions, type SearchOptions, type SearchResult, type VectorsInput } from './options';
import { topKByDistanceThenId } from './tie-rule';

export type {
  CompactAt,
  EncoderLoader,
  IdsInput,
  IndexCreateOptions,
  IndexEncoder,
  IndexOpenOptions,
  SearchOptions,
  SearchResult,
  VectorsInput,
} from './options';
export { COMPACT_MIN_SLOTS, DEFAULT_COMPACT_AT, MAX_SEARCH_RESULTS } from './options';

async function defaultLoader(source: string | Uint8Array): Promise<IndexEncoder> {
  // Loaded lazily: an index whose caller passes its own encoder never needs the
  // catalyzer's modules (its backends, its worker pool).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('../catalyzer/catalyzer') as typeof import('../catalyzer/catalyzer');
  const encoder: IndexEncoder = await mod.Catalyzer.load(source);
  return encoder;
}

type ReadTxn = ReturnType<IndexStore['beginRead']>;

export class Index {
  private store: IndexStore | null;
  private readonly encoder: IndexEncoder;
  private readonly ownsEncoder: boolean;
  private readonly arena: CodeArena;
  private readonly config: IndexConfig;
  private readonly threads: number | undefined;
  private readonly compactAt: CompactAt;
  private readonly order = new CallOrder();
  /** Set by close(): new operations are refused, earlier ones finish first. */
  private closing: Promise<void> | null = null;
  /** Scans reading the arena now; the arena changes only when there are none. */
  private activeScans = 0;
  /** Kernel scans run so far (tests check that a search takes one, ties or not). */
  private scans = 0;
  private scansIdleWaiters: (() => void)[] = [];

  private constructor(store: IndexStore, encoder: IndexEncoder, ownsEncoder: boolean, threads?: number, compactAt: CompactAt = DEFAULT_COMPACT_AT) {
    this.store = store;
    this.encoder = encoder;
    this.ownsEncoder = ownsEncoder;
    this.config = store.config;
    this.arena = new CodeArena(store.config.codeBytes);
    this.threads = threads;
    this.compactAt = compactAt;
    this.refresh(store);
  }

  /**
   * Creates a new index directory at `path` (absent or empty). The catalyzer's
   * checkpoint is stored inside, so the directory is self-contained.
   */
  static async create(path: string, options: IndexCreateOptions): Promise<Index> {
    checkCreateArgs(path, options);
    const src = options.catalyzer;
    const owns = typeof src === 'string' || src instanceof Uint8Array;
    let encoder: IndexEncoder;
    if (typeof src === 'string') encoder = await defaultLoader(src);
    else if (src instanceof Uint8Array) encoder = await (options.loadCatalyzer ?? defaultLoader)(src);
    else encoder = src;
    try {
      const quantizer = options.quantizer ?? 'zn_79';
      const { r2, codec } = parseQuantizer(quantizer, encoder.dout);
      const config: IndexConfig = {
        din: encoder.din,
        dout: encoder.dout,
        quantizer,
        r2,
        nbit: codec.nbit,
        codeBytes: codec.codeBytes,
      };
      const store = await IndexStore.create(path, config, encoder.toCheckpoint());
      try {
        return new Index(store, encoder, owns, options.threads, options.compactAt);
      } catch (e) {
        await store.close();
        throw e;
      }
    } catch (e) {
      if (owns) await encoder.close();
      throw e;
    }
  }

  /** Opens an index created by Index.create (its catalyzer is rebuilt from the stored checkpoint). */
  static async open(path: string, options: IndexOpenOptions = {}): Promise<Index> {
    checkOpenArgs(path, options);
    const store = IndexStore.open(path, { readOnly: options.readOnly });
    let encoder: IndexEncoder | undefined;
    try {
      encoder = await (options.loadCatalyzer ?? defaultLoader)(store.checkpoint());
      if (encoder.din !== store.config.din || encoder.dout !== store.config.dout) {
        throw new DimensionMismatchError(
          `the catalyzer stored in ${path} maps ${encoder.din} → ${encoder.dout}, but the index was built for ${store.config.din} → ${store.config.dout}`,
        );
      }
      return new Index(store, encoder, true, options.threads, options.compactAt);
    } catch (e) {
      await encoder?.close();
      await store.close();
      throw e;
    }
  }

  private live(): IndexStore {
    if (!this.store || this.closing) throw new ClosedError('the index is closed');
    return this.store;
  }

  /** The store while an operation that started before close() runs. */
  private storeOf(): IndexStore {
    if (!this.store) throw new ClosedError('the index is closed');
    return this.store;
  }

  /** The writable store, or throws (closed, read-only). */
  private writable(): IndexStore {
    const store = this.live();
    if (store.readOnly) throw new ReadOnlyError(`the index at ${store.dir} is open read-only`);
    return store;
  }

  /** Input dimension (the catalyzer's din). */
  get dim(): number {
    this.live();
    return this.config.din;
  }

  /** Live vectors (as of this process's last operation). */
  get size(): number {
    this.live();
    return this.arena.live;
  }

  /** Quantizer name, e.g. `zn_79`. */
  get quantizer(): string {
    return this.config.quantizer;
  }

  /** Bytes per stored code. */
  get codeBytes(): number {
    return this.config.codeBytes;
  }

  /**
   * Bytes the in-memory arena holds (codes and removed bitmap, spare capacity
   * included). Removed and replaced slots count until compact() reclaims them.
   */
  get memoryBytes(): number {
    return this.arena.bytesAllocated;
  }

  /** Catalyzer output for n rows, checked: n × dout finite values. */
  private async encode(x: Float32Array | Uint8Array, n: number, name: string): Promise<Float32Array> {
    const y = await this.encoder.encode(x);
    if (y.length !== n * this.config.dout) {
      throw new DimensionMismatchError(`the catalyzer returned ${y.length} values for ${n} ${name}, expected ${n * this.config.dout}`);
    }
    for (let i = 0; i < y.length; i++) {
      if (!Number.isFinite(y[i])) {
        throw new RangeError(`${name} row ${Math.floor(i / this.config.dout)} maps to a non-finite point (a zero vector?)`);
      }
    }
    return y;
  }

  /**
   * Adds n vectors (n × din). Without `ids`, assigns increasing ids after the largest
   * ever used (refused with a RangeError, changing nothing, once they would pass
   * 2^63 − 1); an id already present is replaced. One LMDB transaction: all or
   * nothing. Returns the ids stored, in input order. Takes effect after every call
   * made before it (do not modify `vectors` until the promise settles).
   */
  add(vectors: VectorsInput, ids?: IdsInput): Promise<BigInt64Array> {
    let x: Float32Array | Uint8Array, n: number, parsed: bigint[] | null;
    try {
      this.writable();
      ({ x, n } = parseRows('vectors', vectors, this.config.din));
      parsed = ids === undefined ? null : parseIds(ids, n);
    } catch (e) {
      return Promise.reject(e);
    }
    const prepared = n === 0 ? Promise.resolve(null) : this.encodeCodes(x, n);
    return this.order.write(prepared, (codes) => {
      if (!codes) return new BigInt64Array(0);
      const store = this.storeOf();
      this.refresh(store);
      const commit = store.commitAdd(this.arena.generation, codes, parsed);
      this.arena.apply(commit.update);
      this.compactIfDue(store);
      return BigInt64Array.from(commit.ids);
    });
  }

  /** The codes of n rows: catalyzer, then the Zn quantizer (both off the turn). */
  private async encodeCodes(x: Float32Array | Uint8Array, n: number): Promise<Uint8Array> {
    const units = await this.encode(x, n, 'vectors');
    return quantizeEncodeAsync(this.config.dout, this.config.r2, units);
  }

  /**
   * Removes the given ids (unknown ones are ignored); returns how many were removed.
   * One transaction, after every call made before it.
   */
  remove(ids: IdsInput): Promise<number> {
    let parsed: bigint[];
    try {
      this.writable();
      parsed = parseIds(ids, ids?.length ?? 0);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.order.write(Promise.resolve(parsed), (list) => {
      const store = this.storeOf();
      this.refresh(store);
      if (list.length === 0) return 0;
      const commit = store.commitRemove(this.arena.generation, list);
      this.arena.apply(commit.update);
      this.compactIfDue(store);
      return commit.removed;
    });
  }

  /**
   * Reclaims removed and replaced slots: the live codes move to consecutive slots
   * (in their old order), the id maps, bitmap and state are rewritten in one LMDB
   * transaction (a crash leaves the index as before or as after), and this Index's
   * arena is replaced by one of exactly the live codes. Other processes' readers
   * reload their arena whole at their next search. Answers do not change. A write:
   * it takes effect after every call made before it. Resolves to the number of
   * slots reclaimed (0, changing nothing, when none are dead).
   */
  compact(): Promise<number> {
    try {
      this.writable();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.order.write(Promise.resolve(), () => {
      const store = this.storeOf();
      this.refresh(store);
      return this.compactNow(store);
    });
  }

  /** Compacts in the current write turn (no scan runs: writes wait for earlier searches). */
  private compactNow(store: IndexStore): number {
    const commit = store.commitCompact(this.arena.generation);
    if (commit.reclaimed > 0) this.arena.apply(commit.update);
    return commit.reclaimed;
  }

  /**
   * The automatic compaction after a write commits (see CompactAt). The write has
   * committed whatever happens here, so a failed compaction does not fail it: it is
   * reported as a process warning and tried again after the next write.
   */
  private compactIfDue(store: IndexStore): void {
    if (this.compactAt === false) return;
    const slots = this.arena.count;
    const dead = slots - this.arena.live;
    if (slots < COMPACT_MIN_SLOTS || dead < this.compactAt * slots) return;
    try {
      this.compactNow(store);
    } catch (e) {
      process.emitWarning(`spreadvec: automatic compaction of ${store.dir} failed: ${(e as Error).message}`, 'SpreadvecCompactionWarning');
    }
  }

  /** Brings the arena to the latest committed generation. */
  private refresh(store: IndexStore): void {
    const txn = store.beginRead();
    try {
      this.catchUp(store, txn);
    } finally {
      txn.done();
    }
  }

  /** Brings the arena to the generation committed in `txn` (never back). */
  private catchUp(store: IndexStore, txn: ReadTxn): void {
    const update = store.readUpdate(this.arena, txn);
    if (update) this.arena.apply(update);
  }

  /**
   * The k nearest stored vectors of each query (nq × din), by squared L2 distance on
   * the sphere between the query's catalyzer output and the decoded code, ascending,
   * ties by smaller id. Sees every write called before it on this Index and none
   * called after, and every batch other processes committed before it scans.
   * Rows are padded to k with −1n / +Infinity when fewer vectors are live; nq × k
   * may not exceed MAX_SEARCH_RESULTS.
   */
  search(queries: VectorsInput, k: number, options?: SearchOptions): Promise<SearchResult> {
    let x: Float32Array | Uint8Array, nq: number;
    try {
      this.live();
      checkSearchArgs(k, options);
      ({ x, n: nq } = parseRows('queries', queries, this.config.din));
      checkSearchSize(nq, k);
    } catch (e) {
      return Promise.reject(e);
    }
    if (nq === 0) return Promise.resolve({ ids: new BigInt64Array(0), distances: new Float32Array(0), nq: 0, k });
    return this.order.read(this.encode(x, nq, 'queries'), (units) => this.scanTurn(units, nq, k));
  }

  /** Resolves when no scan reads the arena. */
  private scansIdle(): Promise<void> {
    return new Promise((resolve) => this.scansIdleWaiters.push(resolve));
  }

  private async scanTurn(units: Float32Array, nq: number, k: number): Promise<SearchResult> {
    const store = this.storeOf();
    let txn: ReadTxn | undefined = store.beginRead();
    try {
      // Another process committed since the arena was loaded: load it only once the
      // scans still reading the arena (searches run concurrently) are over.
      while (this.activeScans > 0 && store.readState(txn).generation > this.arena.generation) {
        txn.done();
        txn = undefined;
        await this.scansIdle();
        txn = store.beginRead();
      }
      this.catchUp(store, txn);
      const snapshot = txn;
      this.activeScans++;
      try {
        const scan = (q: Float32Array, kk: number) => {
          this.scans++;
          return decodeScan({
            codes: this.arena.codes,
            n: this.arena.count,
            removed: this.arena.removed,
            dim: this.config.dout,
            r2: this.config.r2,
            queries: q,
            k: kk,
            threads: this.threads,
          });
        };
        const { ids, distances } = await topKByDistanceThenId(scan, units, nq, k, this.arena.live, (slots) => store.idsOfSlots(slots, snapshot));
        return { ids, distances, nq, k };
      } finally {
        if (--this.activeScans === 0) {
          const waiters = this.scansIdleWaiters;
          this.scansIdleWaiters = [];
          waiters.forEach((wake) => wake());
        }
      }
    } finally {
      txn?.done();
    }
  }

  /**
   * Refuses new operations, waits for running ones, then closes the store (and the
   * catalyzer if the index loaded it). Closing twice is harmless.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.order.idle();
      const store = this.store;
      if (!store) return;
      this.store = null;
      await store.close();
      if (this.ownsEncoder) await this.encoder.close();
    })();
    return this.closing;
  }

  /**
   * Full check of the stored index (every LMDB page, checksums, both id maps against
   * each other, the bitmap and the state). Resolves to what was checked; rejects
   * with an IndexFormatError (code `ECORRUPT`) at the first fault.
   */
  verify(): Promise<VerifyReport> {
    try {
      this.live();
    } catch (e) {
      return Promise.reject(e);
    }
    // A read: it sees every write called before it; writes called after wait for it.
    return this.order.read(Promise.resolve(), () => this.storeOf().verify());
  }
}
