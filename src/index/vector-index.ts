/**
 * The Index: an embedded, persistent vector index. It starts from the app's own
 * vectors (`dim` and a metric) or from a catalyzer checkpoint:
 * - untrained, it stores the vectors in LMDB (storage/) and searches them exactly
 *   (a flat scan of an in-memory float32 copy);
 * - trained (a checkpoint at creation, or `train()` on the stored vectors), vectors
 *   go through the catalyzer onto the unit sphere, are coded by the spherical Zn
 *   lattice (`zn_<r2>`) and searched by the native decode-and-scan kernel over the
 *   in-memory code arena (./code-arena.ts); the stored vectors, when kept, are read
 *   from LMDB's memory map for `refine`, `get` and retraining.
 * The store returns what each commit changed and the arena applies it.
 *
 * A trained index may be partitioned (partition(): IVF lists over the catalyzer's
 * sphere, ./partition-view.ts beside the arena): a search then scans the slot
 * ranges of each query's nprobe nearest lists in the same one kernel call.
 *
 * Memory per vector when trained: the code itself (codeBytes) plus one bit of
 * removed-slot bitmap. Ids are not kept in memory: the winners of each query are
 * resolved slot → id by LMDB lookups in the same read snapshot as the arena.
 *
 * Calls take effect in call order (./call-order.ts): each write commits once every
 * earlier call is done, each search scans once every earlier write is done; the
 * catalyzer and the quantizer of an add run at once, concurrently with other calls.
 * `train()` is the exception: it fits off the call order (other calls go on) and
 * switches the index to the new model as a write taken when the fit is done.
 * Equal distances rank by smaller id (./tie-rule.ts); inputs are checked in ./input.ts.
 */
import { IndexStore, type ArenaUpdate, type VerifyReport } from '../../storage/index-store';
import type { IndexConfig, ModelConfig } from '../../storage/layout';
import { ClosedError, DimensionMismatchError, ReadOnlyError } from '../errors';
import { decodeAsync, quantizeEncodeAsync } from '../lattice/zn-native';
import { assignLists, defaultNlist, DEFAULT_NPROBE, FLAT_BELOW, trainCoarse } from '../ivf/coarse';
import { coveredSlots, groupOrder, type ScanRanges } from '../ivf/layout';
import { radiusForBits } from '../lattice/sphere-count';
import { decodeScan, decodeScanSync } from '../kernels/scan-native';
import { flatScan } from '../kernels/flat-scan-native';
import { CallOrder } from './call-order';
import { CodeArena } from './code-arena';
import { DecodedCache, type CacheKind } from './decoded-cache';
import { PartitionView } from './partition-view';
import {
  checkCreateArgs,
  checkOpenArgs,
  checkPartitionArgs,
  checkRefine,
  checkSearchArgs,
  checkSearchSize,
  checkTrainArgs,
  parseIds,
  parseMetadata,
  parsePatch,
  parseQuantizer,
  parseRows,
  prepareRows,
} from './input';
import {
  COMPACT_MIN_SLOTS,
  DEFAULT_COMPACT_AT,
  type CompactAt,
  type IdsInput,
  type IndexCreateOptions,
  type IndexEncoder,
  type IndexOpenOptions,
  type IndexTrainOptions,
  type MetadataInput,
  type MetadataPatch,
  type Metric,
  type PartitionOptions,
  type PartitionReport,
  type SearchOptions,
  type SearchResult,
  type TrainReport,
  type VectorsInput,
} from './options';
import { exactDistances, rankCandidates } from './refine';
import { topKByDistanceThenId, type Scan } from './tie-rule';
import { checkSchema, compileWhere, type CompiledWhere, type Metadata, type Schema } from '../filter';
import { popcount } from '../bitmap';

export type {
  CacheKind,
  CompactAt,
  EncoderLoader,
  IdsInput,
  IndexCreateOptions,
  IndexEncoder,
  IndexOpenOptions,
  IndexTrainOptions,
  MetadataInput,
  MetadataPatch,
  Metric,
  PartitionOptions,
  PartitionReport,
  SearchOptions,
  SearchResult,
  TrainProgress,
  TrainReport,
  VectorType,
  VectorsInput,
} from './options';
export { COMPACT_MIN_SLOTS, DEFAULT_COMPACT_AT, MAX_SEARCH_RESULTS } from './options';
export { DEFAULT_NPROBE, FLAT_BELOW } from '../ivf/coarse';

async function defaultLoader(source: string | Uint8Array): Promise<IndexEncoder> {
  // Loaded lazily: an untrained index, or one whose caller passes its own encoder,
  // never needs the catalyzer's modules (its backends, its worker pool).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('../catalyzer/catalyzer') as typeof import('../catalyzer/catalyzer');
  const encoder: IndexEncoder = await mod.Catalyzer.load(source);
  return encoder;
}

type ReadTxn = ReturnType<IndexStore['beginRead']>;

/** The catalyzer and lattice the index codes with, and the training that made them. */
interface Model {
  encoder: IndexEncoder;
  ownsEncoder: boolean;
  config: ModelConfig;
  /** Generation of the training that committed it (0: given at creation or a format-1/2 index). */
  trainedAt: number;
}

/** Ids per page of `ids()`. */
const IDS_PAGE = 1024;

/** A clustering partition() did off the call order: the snapshot it read and what it found. */
interface PartitionPlan {
  model: Model;
  /** The arena generation of the snapshot. */
  generation: number;
  /** The live slots of the snapshot, ascending, and the list of each. */
  slots: Int32Array;
  lists: Int32Array;
  centroids: Float32Array;
}

/** The stored vectors of some slots were removed or moved while partition() read them off the call order. */
class StaleSlotsError extends RangeError {}

/**
 * Slots a single query's scan may cover and still run on the calling thread when the
 * index is otherwise idle: 2.6 ms of decoding at the measured 0.32 µs per code per
 * core, about 1.9 ms split over this VM's two cores (×1.4); nprobe 16 on 1M codes is
 * about 4,000 slots. Beyond it the scan goes to a libuv worker.
 */
const INLINE_SCAN_MAX = 8192;

export class Index {
  private store: IndexStore | null;
  private readonly config: IndexConfig;
  /** Null while untrained. */
  private model: Model | null;
  private readonly loader: (checkpoint: Uint8Array) => Promise<IndexEncoder>;
  /** Codes (trained) or float32 vectors (untrained): what search scans. */
  private arena: CodeArena;
  /** The `cache` option, and the decoded cache of the arena's codes it asks for (null: none, or untrained). */
  private readonly cacheKind: CacheKind;
  private decoded: DecodedCache | null = null;
  /** The partition of the arena's slots into lists (null: flat), in step with the arena. */
  private ivf: PartitionView | null = null;
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
  /** The training in progress, if any (one at a time). */
  private training: Promise<TrainReport> | null = null;

  private constructor(store: IndexStore, model: Model | null, loader: (cp: Uint8Array) => Promise<IndexEncoder>, threads?: number, compactAt: CompactAt = DEFAULT_COMPACT_AT, cache: CacheKind = 'none') {
    this.store = store;
    this.config = store.config;
    this.model = model;
    this.loader = loader;
    this.arena = new CodeArena(this.rowBytes(model));
    this.threads = threads;
    this.compactAt = compactAt;
    this.cacheKind = cache;
    this.refresh(store);
  }

  /** Bytes per arena row: a code, or (untrained) a float32 vector. */
  private rowBytes(model: Model | null): number {
    return model ? model.config.codeBytes : this.config.din * 4;
  }

  /**
   * Creates a new index directory at `path` (absent or empty). With `dim` alone the
   * index is untrained: vectors are stored and searched exactly until `train()`.
   * With `catalyzer` it codes from the start; the checkpoint is stored inside, so the
   * directory is self-contained. Unknown option names are refused.
   */
  static async create(path: string, options: IndexCreateOptions): Promise<Index> {
    checkCreateArgs(path, options);
    const src = options.catalyzer;
    const loader = options.loadCatalyzer ?? defaultLoader;
    const owns = typeof src === 'string' || src instanceof Uint8Array;
    let encoder: IndexEncoder | undefined;
    if (typeof src === 'string') encoder = await defaultLoader(src);
    else if (src instanceof Uint8Array) encoder = await loader(src);
    else encoder = src;
    try {
      if (encoder && options.dim !== undefined && options.dim !== encoder.din) {
        throw new DimensionMismatchError(`options.dim is ${options.dim} but the catalyzer takes ${encoder.din}-dimensional vectors`);
      }
      const config: IndexConfig = {
        din: encoder ? encoder.din : options.dim!,
        metric: options.metric ?? 'l2',
        dtype: options.dtype ?? 'float32',
        storeVectors: options.storeVectors ?? true,
      };
      if (options.fields !== undefined) config.fields = checkSchema(options.fields, 'options.fields');
      let model: Model | null = null;
      let stored: { model: ModelConfig; checkpoint: Uint8Array } | null = null;
      if (encoder) {
        const quantizer = options.quantizer ?? defaultQuantizer(encoder.dout);
        const { r2, codec } = parseQuantizer(quantizer, encoder.dout);
        const mc: ModelConfig = { dout: encoder.dout, quantizer, r2, nbit: codec.nbit, codeBytes: codec.codeBytes };
        stored = { model: mc, checkpoint: encoder.toCheckpoint() };
        model = { encoder, ownsEncoder: owns, config: mc, trainedAt: 0 };
      } else if (options.quantizer !== undefined) {
        config.quantizer = options.quantizer;
      }
      const store = await IndexStore.create(path, config, stored);
      try {
        return new Index(store, model, loader, options.threads, options.compactAt, options.cache);
      } catch (e) {
        await store.close();
        throw e;
      }
    } catch (e) {
      if (owns) await encoder?.close();
      throw e;
    }
  }

  /** Opens an index created by Index.create (its catalyzer, if trained, is rebuilt from the stored checkpoint). */
  static async open(path: string, options: IndexOpenOptions = {}): Promise<Index> {
    checkOpenArgs(path, options);
    const store = IndexStore.open(path, { readOnly: options.readOnly });
    const loader = options.loadCatalyzer ?? defaultLoader;
    let model: Model | null = null;
    try {
      const txn = store.beginRead();
      try {
        model = await Index.loadModel(store, loader, txn, path);
      } finally {
        txn.done();
      }
      return new Index(store, model, loader, options.threads, options.compactAt, options.cache);
    } catch (e) {
      if (model?.ownsEncoder) await model.encoder.close();
      await store.close();
      throw e;
    }
  }

  /** The model committed in `txn` with its encoder loaded (null: untrained). */
  private static async loadModel(store: IndexStore, loader: (cp: Uint8Array) => Promise<IndexEncoder>, txn: ReadTxn, path: string): Promise<Model | null> {
    const config = store.modelIn(txn);
    if (!config) return null;
    const checkpoint = store.checkpoint(txn)!;
    const trainedAt = store.readState(txn).trainedAt ?? 0;
    const encoder = await loader(checkpoint);
    if (encoder.din !== store.config.din || encoder.dout !== config.dout) {
      await encoder.close();
      throw new DimensionMismatchError(
        `the catalyzer stored in ${path} maps ${encoder.din} → ${encoder.dout}, but the index was built for ${store.config.din} → ${config.dout}`,
      );
    }
    return { encoder, ownsEncoder: true, config, trainedAt };
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

  /** Input dimension. */
  get dim(): number {
    this.live();
    return this.config.din;
  }

  /** How distances are measured: `'l2'`, `'cosine'` or `'ip'`. */
  get metric(): Metric {
    return this.config.metric;
  }

  /** Whether the index codes with a catalyzer (false: exact search over the stored vectors). */
  get trained(): boolean {
    return this.model !== null;
  }

  /** Whether the input vectors are stored (get, refine and train need them). */
  get storesVectors(): boolean {
    return this.config.storeVectors;
  }

  /** Live vectors (as of this process's last operation). */
  get size(): number {
    this.live();
    return this.arena.live;
  }

  /** Quantizer name, e.g. `zn_79`; null while untrained. */
  get quantizer(): string | null {
    return this.model?.config.quantizer ?? null;
  }

  /** The declared (indexed) metadata fields given at creation; undefined without a schema. */
  get fields(): Schema | undefined {
    return this.config.fields;
  }

  /** Bytes per stored code; 0 while untrained. */
  get codeBytes(): number {
    return this.model?.config.codeBytes ?? 0;
  }

  /**
   * Bytes the in-memory arena holds (codes and removed bitmap, spare capacity
   * included; untrained: the float32 vectors). Removed and replaced slots count until
   * compact() reclaims them. Partitioned: plus the centroids, list offsets and one
   * Int32 list id per tail slot. Stored vectors live in LMDB's memory map, not here.
   */
  get memoryBytes(): number {
    return this.arena.bytesAllocated + (this.ivf?.bytesAllocated ?? 0) + (this.decoded?.bytesAllocated ?? 0);
  }

  /** Whether the codes are partitioned into lists (partition()); false while flat. */
  get partitioned(): boolean {
    this.live();
    return this.ivf !== null;
  }

  /** Number of lists of the partition; 0 while flat. */
  get nlist(): number {
    this.live();
    return this.ivf?.nlist ?? 0;
  }

  /** Catalyzer output for n rows, checked: n × dout finite values. */
  private async encodeWith(model: Model, x: Float32Array | Uint8Array, n: number, name: string, inline = false): Promise<Float32Array> {
    const dout = model.config.dout;
    const y = inline && model.encoder.encodeSync ? model.encoder.encodeSync(x) : await model.encoder.encode(x);
    if (y.length !== n * dout) {
      throw new DimensionMismatchError(`the catalyzer returned ${y.length} values for ${n} ${name}, expected ${n * dout}`);
    }
    for (let i = 0; i < y.length; i++) {
      if (!Number.isFinite(y[i])) {
        throw new RangeError(`${name} row ${Math.floor(i / dout)} maps to a non-finite point (a zero vector?)`);
      }
    }
    return y;
  }

  /** The codes of n rows under `model`: catalyzer, then the Zn quantizer (both off the turn). */
  private async encodeCodes(model: Model, x: Float32Array | Uint8Array, n: number): Promise<Uint8Array> {
    return (await this.encodeRows(model, x, n)).codes;
  }

  /** The catalyzer outputs of n rows under `model` and their codes. */
  private async encodeRows(model: Model, x: Float32Array | Uint8Array, n: number): Promise<{ units: Float32Array; codes: Uint8Array }> {
    const units = await this.encodeWith(model, x, n, 'vectors');
    return { units, codes: await quantizeEncodeAsync(model.config.dout, model.config.r2, units) };
  }

  /** The list of each of n rows (catalyzer outputs) in `partition`: its nearest centroid. */
  private listsOf(partition: PartitionView, units: Float32Array, n: number): Promise<Int32Array> {
    return assignLists(units, n, partition.dim, partition.centroids, this.threads);
  }

  /**
   * Adds n vectors (n × dim). Without `ids`, assigns increasing ids after the largest
   * ever used (refused with a RangeError, changing nothing, once they would pass
   * 2^63 − 1); an id already present is replaced. Under `cosine` the vectors are
   * normalized (a zero vector is a RangeError). One LMDB transaction: all or
   * nothing. Returns the ids stored, in input order. Takes effect after every call
   * made before it (do not modify `vectors` until the promise settles).
   * `metadata`, when given, holds one record per row (`undefined`: none), checked
   * before anything is written (errors name `metadata[i].field`) and written in the
   * same transaction; a replaced id keeps only the record given with it now.
   */
  add(vectors: VectorsInput, ids?: IdsInput, metadata?: MetadataInput): Promise<BigInt64Array> {
    let rows: Float32Array | Uint8Array, stored: Uint8Array, n: number, parsed: bigint[] | null;
    let records: MetadataInput | null;
    try {
      const store = this.writable();
      const p = parseRows('vectors', vectors, this.config.din);
      n = p.n;
      ({ rows, stored } = prepareRows('vectors', p.x, n, this.config.din, this.config.metric, this.config.dtype));
      parsed = ids === undefined ? null : parseIds(ids, n);
      records = parseMetadata(metadata, n, this.config.fields);
      if (records) this.needsMetadata(store, 'metadata');
      // Copied now: the caller may change its records before the write's turn.
      if (records) records = records.map((r) => (r === undefined ? undefined : copyRecord(r)));
    } catch (e) {
      return Promise.reject(e);
    }
    // Coded (and, partitioned, assigned to lists) now with the current model and
    // partition; again in the turn if a training or partition changed them meanwhile.
    const model = this.model;
    const partition = this.ivf;
    const prepared =
      n === 0 || !model
        ? Promise.resolve(null)
        : this.encodeRows(model, rows, n).then(async ({ units, codes }) => ({ model, units, codes, partition, lists: partition ? await this.listsOf(partition, units, n) : null }));
    return this.order.write(prepared, async (p) => {
      if (n === 0) return new BigInt64Array(0);
      const store = this.storeOf();
      this.refresh(store);
      let codes: Uint8Array | null = null;
      let lists: Int32Array | null = null;
      if (this.model) {
        const fresh = p && p.model === this.model ? p : { ...(await this.encodeRows(this.model, rows, n)), partition: null, lists: null };
        codes = fresh.codes;
        const now = this.ivf;
        if (now) lists = fresh.partition === now ? fresh.lists : await this.listsOf(now, fresh.units, n);
      }
      const commit = store.commitAdd(this.arena.generation, { n, codes, vectors: this.config.storeVectors ? stored : null, lists, metadata: records }, parsed);
      this.apply(commit.update);
      if (lists) this.ivf!.setTail(commit.update.nslots - n, lists);
      this.compactIfDue(store);
      return BigInt64Array.from(commit.ids);
    });
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
      this.apply(commit.update);
      this.compactIfDue(store);
      return commit.removed;
    });
  }

  /**
   * Reclaims removed and replaced slots: the live codes (and stored vectors) move to
   * consecutive slots (in their old order), the id maps, bitmap and state are
   * rewritten in one LMDB transaction (a crash leaves the index as before or as
   * after), and this Index's arena is replaced by one of exactly the live rows.
   * Other processes' readers reload their arena whole at their next search. Answers
   * do not change. A write: it takes effect after every call made before it.
   * Resolves to the number of slots reclaimed (0, changing nothing, when none are dead).
   * A partitioned index regroups its live slots by list, the tail merged in (also
   * when none are dead but a tail exists); its answers do not change either.
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
    const p = this.ivf;
    if (!p) {
      const commit = store.commitCompact(this.arena.generation);
      if (commit.reclaimed > 0) this.apply(commit.update);
      return commit.reclaimed;
    }
    // Partitioned: the live slots regroup by list, the tail merged in.
    if (this.arena.live === this.arena.count && p.tailCount === 0) return 0;
    const arena = this.arena;
    const g = p.regroup(arena.count, (s) => arena.isRemoved(s));
    return this.commitRegroup(store, g.order, g.layout.listStart, p.centroids).reclaimed;
  }

  /** Commits a regrouped layout (partition or compaction of a partitioned index) and takes it in. */
  private commitRegroup(store: IndexStore, order: Int32Array, listStart: Int32Array, centroids: Float32Array): { reclaimed: number } {
    const commit = store.commitCompact(this.arena.generation, { order, partition: { listStart, centroids } });
    this.apply(commit.update);
    this.ivf = new PartitionView(commit.update.generation, listStart, centroids, this.model!.config.dout);
    return commit;
  }

  /**
   * Partitions the codes into lists (IVF over the catalyzer's sphere): spherical
   * k-means centroids on the catalyzer outputs of the stored vectors (or on the
   * decoded codes without them), then the live slots regrouped by their nearest
   * centroid (like a compaction, dead slots reclaimed), all committed in one
   * transaction; vectors added later join their nearest list. A search then scans
   * only the `nprobe` lists nearest the query (SearchOptions.nprobe). Below
   * FLAT_BELOW live vectors the index stays (or becomes) flat and this resolves to
   * `{ nlist: 0 }`. Calling it again rebuilds the lists. Needs a trained index
   * (format 3).
   *
   * Like train(), the clustering runs off the call order, on the vectors of every
   * call made before partition(): searches and writes go on meanwhile (searches see
   * the previous layout). One write turn then assigns the vectors added meanwhile to
   * their lists and commits; if a compaction, a training or another partition moved
   * the slots meanwhile, that turn clusters again.
   */
  partition(options: PartitionOptions = {}): Promise<PartitionReport> {
    try {
      const store = this.writable();
      checkPartitionArgs(options);
      if (!this.model) throw new RangeError('partition needs a trained index; call train() first');
      if (store.version < 3) throw new RangeError(`the index at ${store.dir} has format ${store.version}, which cannot be partitioned; rebuild it with this version`);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.partitionRun(options.nlist);
  }

  private async partitionRun(nlistAsked: number | undefined): Promise<PartitionReport> {
    // The live slots as of every call made before partition(), read in its turn.
    const snap = await this.order.read(Promise.resolve(), () => {
      const store = this.storeOf();
      this.refresh(store);
      return { model: this.model, generation: this.arena.generation, slots: this.liveSlots() };
    });
    let pre: PartitionPlan | null = null;
    const n = snap.slots.length;
    const nlist = nlistAsked ?? defaultNlist(n);
    if (snap.model && n >= FLAT_BELOW && nlist <= n) {
      try {
        pre = { ...snap, model: snap.model, ...(await this.clusterSlots(this.storeOf(), snap.model, snap.slots, nlist)) };
      } catch (e) {
        // Removes or a compaction changed the vectors under it: the turn clusters again.
        if (!(e instanceof StaleSlotsError)) throw e;
      }
    }
    return this.order.write(Promise.resolve(), () => this.partitionTurn(nlistAsked, pre));
  }

  /** The live slots of the arena, ascending. */
  private liveSlots(): Int32Array {
    const arena = this.arena;
    const slots = new Int32Array(arena.live);
    for (let s = 0, i = 0; s < arena.count; s++) if (!arena.isRemoved(s)) slots[i++] = s;
    return slots;
  }

  /** Centroids of nlist lists over the catalyzer outputs (or decoded codes) of `slots`, and each slot's list. */
  private async clusterSlots(store: IndexStore, model: Model, slots: Int32Array, nlist: number): Promise<{ centroids: Float32Array; lists: Int32Array }> {
    const units = await this.unitsOfSlots(store, model, slots);
    const centroids = await trainCoarse(units, slots.length, model.config.dout, nlist, { threads: this.threads });
    return { centroids, lists: await assignLists(units, slots.length, model.config.dout, centroids, this.threads) };
  }

  /** What the lists cluster for `slots` (live, ascending): catalyzer outputs of the stored vectors, else the decoded codes. */
  private unitsOfSlots(store: IndexStore, model: Model, slots: Int32Array): Promise<Float32Array> {
    return this.config.storeVectors ? this.unitsOfStored(store, model, slots) : this.unitsOfCodes(model, slots);
  }

  /**
   * partition() inside its write turn: with `pre` (the clustering done off the order)
   * still valid, only the slots added since are assigned; otherwise it clusters here.
   */
  private async partitionTurn(nlistAsked: number | undefined, pre: PartitionPlan | null): Promise<PartitionReport> {
    const store = this.storeOf();
    this.refresh(store);
    const model = this.model;
    if (!model) throw new RangeError('partition needs a trained index; call train() first');
    const arena = this.arena;
    const live = arena.live;
    if (live < FLAT_BELOW) {
      if (this.ivf) {
        this.apply(store.commitCompact(arena.generation).update);
        this.ivf = null;
      }
      return { nlist: 0 };
    }
    const state = store.readState();
    // The plan's slots still mean the same vectors unless the model changed or a
    // compaction (a partition is one) renumbered them since its snapshot.
    const valid = pre !== null && pre.model === model && (state.compactedAt ?? 0) <= pre.generation && (state.trainedAt ?? 0) <= pre.generation;
    const nlist = valid ? pre!.centroids.length / model.config.dout : (nlistAsked ?? defaultNlist(live));
    if (nlist > live) throw new RangeError(`options.nlist = ${nlist} exceeds the ${live} live vectors`);
    const all = new Int32Array(arena.count).fill(-1);
    let centroids: Float32Array;
    if (valid) {
      centroids = pre!.centroids;
      const known = pre!.slots;
      for (let i = 0; i < known.length; i++) if (!arena.isRemoved(known[i])) all[known[i]] = pre!.lists[i];
      // Slots added since the snapshot: their nearest list.
      const from = known.length > 0 ? known[known.length - 1] + 1 : 0;
      const added = this.liveSlots().filter((s) => s >= from);
      if (added.length > 0) {
        const units = await this.unitsOfSlots(store, model, added);
        const lists = await assignLists(units, added.length, model.config.dout, centroids, this.threads);
        for (let i = 0; i < added.length; i++) all[added[i]] = lists[i];
      }
    } else {
      const slots = this.liveSlots();
      const c = await this.clusterSlots(store, model, slots, nlist);
      centroids = c.centroids;
      for (let i = 0; i < slots.length; i++) all[slots[i]] = c.lists[i];
    }
    const g = groupOrder(all, nlist);
    this.commitRegroup(store, g.order, g.layout.listStart, centroids);
    return { nlist };
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

  /** Applies a change the store returned; rows of another kind (a training) bring a new arena. */
  private apply(update: ArenaUpdate): void {
    const rowBytes = update.rows === 'codes' ? (this.model?.config.codeBytes ?? 0) : this.config.din * 4;
    if (rowBytes !== this.arena.codeBytes) {
      if (!update.reset) throw new RangeError(`an update of ${update.rows} reached an arena of other rows without a reset`);
      const arena = new CodeArena(rowBytes);
      arena.apply(update);
      this.arena = arena;
    } else {
      this.arena.apply(update);
    }
    this.followCache(update);
  }

  /** Keeps the decoded cache (`cache: 'int8'`) in step with the arena after `update`. */
  private followCache(update: ArenaUpdate): void {
    const model = this.model;
    if (this.cacheKind !== 'int8' || update.rows !== 'codes' || !model) {
      this.decoded = null;
      return;
    }
    const { dout, r2 } = model.config;
    const fresh = !this.decoded || this.decoded.dim !== dout || this.decoded.r2 !== r2 || update.reset;
    if (fresh) this.decoded = new DecodedCache(dout, r2, this.threads);
    const cb = this.arena.codeBytes;
    this.decoded!.follow(this.arena, update.codes.map((c) => ({ from: c.from, n: c.bytes.byteLength / cb })), fresh);
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

  /** Rows of stored vectors encoded at a time by unitsOfStored (bounds its float32 copy). */
  private static readonly PARTITION_CHUNK = 65_536;

  /**
   * The catalyzer outputs of the stored vectors of `slots` (live, ascending): what the
   * lists cluster when the index keeps its vectors. The same points a query and a
   * later add are assigned by; measured on SIFT, 1-R@10 at nprobe 8 is 0.006 higher
   * than with the decoded codes.
   */
  private async unitsOfStored(store: IndexStore, model: Model, slots: Int32Array): Promise<Float32Array> {
    const dout = model.config.dout;
    const units = new Float32Array(slots.length * dout);
    for (let i = 0; i < slots.length; i += Index.PARTITION_CHUNK) {
      const end = Math.min(slots.length, i + Index.PARTITION_CHUNK);
      const txn = store.beginRead();
      let piece;
      try {
        piece = store.liveVectors(txn, slots[i], slots[end - 1] + 1);
      } finally {
        txn.done();
      }
      if (piece.slots.length !== end - i) throw new StaleSlotsError(`the stored vectors of slots ${slots[i]}..${slots[end - 1]} changed during partition()`);
      units.set(await this.encodeWith(model, piece.vectors, end - i, 'vectors'), i * dout);
    }
    return units;
  }

  /** The codes of `slots` decoded to the sphere (z/|z|, |z|² = r2): what the lists cluster without stored vectors. */
  private async unitsOfCodes(model: Model, slots: Int32Array): Promise<Float32Array> {
    const { dout, r2, codeBytes } = model.config;
    const arena = this.arena;
    const codes = new Uint8Array(slots.length * codeBytes);
    for (let i = 0; i < slots.length; i++) codes.set(arena.codes.subarray(slots[i] * codeBytes, (slots[i] + 1) * codeBytes), i * codeBytes);
    const units = await decodeAsync(dout, r2, codes, 'float32', this.threads ?? 0);
    const scale = 1 / Math.sqrt(r2);
    for (let i = 0; i < units.length; i++) units[i] *= scale;
    return units;
  }

  /** Brings the arena to the generation committed in `txn` (never back). */
  private catchUp(store: IndexStore, txn: ReadTxn): void {
    const update = store.readUpdate(this.arena, txn);
    if (update) this.apply(update);
    this.syncPartition(store, txn);
  }

  /**
   * Brings the partition to the snapshot `txn` once the arena is there: reloaded
   * whole when another process partitioned, compacted or trained, the lists of new
   * tail slots read otherwise (a no-op after this process's own commits).
   */
  private syncPartition(store: IndexStore, txn: ReadTxn): void {
    const state = store.readState(txn);
    if (state.generation !== this.arena.generation) return; // an older snapshot than the arena
    if (state.partitionedAt === undefined || !this.model) {
      this.ivf = null;
      return;
    }
    if (this.ivf?.at !== state.partitionedAt) {
      const p = store.partitionIn(txn)!;
      this.ivf = new PartitionView(p.at, p.listStart, p.centroids, this.model.config.dout);
    }
    const p = this.ivf;
    const held = p.groupedEnd + p.tailCount;
    if (this.arena.count > held) p.setTail(held, store.tailLists(held, this.arena.count, p.nlist, txn));
  }

  /**
   * The k nearest stored vectors of each query (nq × dim), ascending, ties by smaller
   * id (see SearchResult.distances for what the distances are on each path).
   * Untrained: exact. Trained: by the codes, or with `refine` re-ranked exactly among
   * the codes' best k × refine. Sees every write called before it on this Index and
   * none called after, and every batch other processes committed before it scans.
   * Rows are padded to k with −1n / +Infinity when fewer vectors are live; nq × k
   * (× refine) may not exceed MAX_SEARCH_RESULTS.
   */
  search(queries: VectorsInput, k: number, options?: SearchOptions): Promise<SearchResult> {
    let rows: Float32Array | Uint8Array, nq: number;
    const refine = options?.refine;
    let where: CompiledWhere | null = null;
    const nprobe = options?.nprobe;
    try {
      const store = this.live();
      checkSearchArgs(k, options);
      if (options?.where !== undefined) {
        this.needsMetadata(store, 'options.where');
        where = compileWhere(options.where, this.config.fields);
      }
      const p = parseRows('queries', queries, this.config.din);
      nq = p.n;
      checkSearchSize(nq, k);
      checkRefine(refine, k, nq);
      if (refine !== undefined && !this.config.storeVectors) throw new RangeError('options.refine needs stored vectors, and this index was created with storeVectors: false');
      ({ rows } = prepareRows('queries', p.x, nq, this.config.din, this.config.metric, 'float32'));
    } catch (e) {
      return Promise.reject(e);
    }
    if (nq === 0) return Promise.resolve({ ids: new BigInt64Array(0), distances: new Float32Array(0), nq: 0, k });
    return this.order.read(Promise.resolve(), () => this.searchTurn(rows, nq, k, refine, where, nprobe));
  }

  /** Throws a RangeError naming `what` when the index (format 1–2) holds no metadata. */
  private needsMetadata(store: IndexStore, what: string): void {
    if (store.version < 3) throw new RangeError(`${what} needs metadata, and the index at ${store.dir} has format ${store.version}, which holds none; rebuild it with this version`);
  }

  /**
   * What a scan skips and how many slots it may return: the removed bitmap alone, or
   * with `where`, removed | ~allowed where allowed is the slots whose metadata
   * matches in the search's snapshot `txn` (the snapshot the arena was synced to).
   */
  private skipOf(store: IndexStore, arena: CodeArena, where: CompiledWhere | null, txn: ReadTxn): { skip: Uint8Array; live: number } {
    if (!where) return { skip: arena.removed, live: arena.live };
    const allowed = store.allowedSlots(where, arena.count, txn);
    const removed = arena.removed;
    const skip = new Uint8Array(removed.length);
    for (let i = 0; i < skip.length; i++) skip[i] = removed[i] | ~allowed[i];
    // Bits past the last slot stay set: the scan never reads them.
    return { skip, live: arena.count - popcount(skip) + (skip.length * 8 - arena.count) };
  }

  /** Resolves when no scan reads the arena. */
  private scansIdle(): Promise<void> {
    return new Promise((resolve) => this.scansIdleWaiters.push(resolve));
  }

  /**
   * Brings the model and arena to the snapshot `txn` (another process may have
   * trained or compacted): only when no scan reads them. Returns the snapshot to scan.
   */
  private async syncForScan(store: IndexStore, txn: ReadTxn): Promise<ReadTxn> {
    for (;;) {
      const state = store.readState(txn);
      const stale = state.generation > this.arena.generation;
      if (stale && this.activeScans > 0) {
        txn.done();
        await this.scansIdle();
        txn = store.beginRead();
        continue;
      }
      if ((state.trainedAt ?? 0) !== (this.model?.trainedAt ?? 0)) {
        // Another process trained: load its model before the arena's new codes.
        const model = await Index.loadModel(store, this.loader, txn, store.dir);
        if (this.activeScans > 0) {
          if (model?.ownsEncoder) await model.encoder.close();
          continue;
        }
        const old = this.model;
        this.model = model;
        if (old?.ownsEncoder) await old.encoder.close();
      }
      this.catchUp(store, txn);
      return txn;
    }
  }

  private async searchTurn(rows: Float32Array | Uint8Array, nq: number, k: number, refine: number | undefined, where: CompiledWhere | null, nprobe: number | 'all' | undefined): Promise<SearchResult> {
    const store = this.storeOf();
    let txn: ReadTxn | undefined = store.beginRead();
    try {
      txn = await this.syncForScan(store, txn);
      const snapshot = txn;
      this.activeScans++;
      try {
        const model = this.model;
        const arena = this.arena;
        const idsOf = (slots: Int32Array) => store.idsOfSlots(slots, snapshot);
        // Filter: one skip bitmap for every scan of this search (pre-filtering).
        const { skip, live } = this.skipOf(store, arena, where, snapshot);
        if (!model) {
          const { ids, distances } = await topKByDistanceThenId(this.exactScan(arena, skip), Float32Array.from(rows), nq, k, live, idsOf);
          return { ids, distances, nq, k };
        }
        // One query while no other search runs: encode and scan on this thread (the
        // scan still splits over the pool's threads); with others in flight, off it,
        // so that concurrent searches overlap.
        const inline = nq === 1 && this.activeScans === 1;
        const units = await this.encodeWith(model, rows, nq, 'queries', inline);
        // Partitioned: each query scans the slot ranges of its nprobe nearest lists; with
        // a `where` filter, further lists until they hold the k (× refine) matches wanted.
        const partition = this.ivf;
        const np = nprobe === 'all' ? 0 : (nprobe ?? DEFAULT_NPROBE);
        const ranges = !partition || np === 0 ? undefined : where ? partition.rangesOfAllowed(units, nq, np, k * (refine ?? 1), skip) : partition.rangesOf(units, nq, np);
        const scan = this.codeScan(model, arena, skip, ranges, inline);
        if (refine === undefined) {
          const { ids, distances } = await topKByDistanceThenId(scan, units, nq, k, live, idsOf);
          return { ids, distances, nq, k };
        }
        const kk = Math.min(k * refine, live);
        const cand = kk === 0 ? null : await scan(units, kk);
        const q32 = Float32Array.from(rows);
        const scored = cand ? exactDistances(this.config.metric, q32, store.vectorsOfSlots(cand.slots, snapshot), nq, kk, this.config.din) : new Float32Array(0);
        const { ids, distances } = rankCandidates(cand ? idsOf(cand.slots) : new BigInt64Array(0), scored, nq, kk, k);
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

  /** The exact scan of an untrained arena (float32 rows) under the metric, skipping the slots set in `skip`. */
  private exactScan(arena: CodeArena, skip: Uint8Array): Scan {
    const metric = this.config.metric;
    return async (q, kk) => {
      this.scans++;
      const base = new Float32Array(arena.codes.buffer, arena.codes.byteOffset, arena.count * this.config.din);
      const r = await flatScan({ base, n: arena.count, removed: skip, dim: this.config.din, queries: q, k: kk, metric: metric === 'ip' ? 'ip' : 'l2', threads: this.threads });
      // Cosine: rows are unit vectors, ‖q − x‖² = 2 − 2 cos, so 1 − cos is half of it.
      if (metric === 'cosine') for (let i = 0; i < r.distances.length; i++) r.distances[i] *= 0.5;
      return r;
    };
  }

  /** The decode-and-scan of a code arena, skipping the slots set in `skip`, over `ranges` when given. */
  private codeScan(model: Model, arena: CodeArena, skip: Uint8Array, ranges?: ScanRanges, inline = false): Scan {
    return (q, kk) => {
      this.scans++;
      const cache = this.decoded;
      const decoded = cache && cache.count === arena.count ? { decoded: cache.rows } : {};
      const input = { codes: arena.codes, n: arena.count, removed: skip, dim: model.config.dout, r2: model.config.r2, queries: q, k: kk, threads: this.threads, ...ranges, ...decoded };
      if (!inline || !ranges || coveredSlots(ranges) > INLINE_SCAN_MAX) return decodeScan(input);
      try {
        return Promise.resolve(decodeScanSync(input));
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }

  /** A read in call order, in one fresh read snapshot of the store. */
  private snapshotRead<T>(fn: (store: IndexStore, txn: ReadTxn) => T): Promise<T> {
    return this.order.read(Promise.resolve(), () => {
      const store = this.storeOf();
      const txn = store.beginRead();
      try {
        return fn(store, txn);
      } finally {
        txn.done();
      }
    });
  }

  /**
   * The stored vectors of `ids`, ids.length × dim in the index's dtype (Float32Array,
   * or Uint8Array for `uint8`; under `cosine` the normalized vectors). An id not
   * present is a RangeError naming it. A read in call order.
   */
  get(ids: IdsInput): Promise<Float32Array | Uint8Array> {
    let parsed: bigint[];
    try {
      this.live();
      if (!this.config.storeVectors) throw new RangeError('get needs stored vectors, and this index was created with storeVectors: false');
      parsed = parseIds(ids, ids?.length ?? 0);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.snapshotRead((store, txn) => {
      const rows = store.vectorsOfSlots(slotsPresent(store, parsed, txn), txn);
      return this.config.dtype === 'uint8' ? Uint8Array.from(rows) : rows;
    });
  }

  /**
   * Changes the metadata of `ids` without touching their vectors or codes: `patch`
   * is one object for every id, or an array of one per id; each field named takes
   * its value, a field set to `null` is removed, fields not named keep theirs (an id
   * without a record starts from `{}`). One transaction, applied in the order of
   * `ids`; an id not present is a RangeError naming it and nothing is written.
   * A write in call order.
   */
  update(ids: IdsInput, patch: MetadataPatch | readonly MetadataPatch[]): Promise<void> {
    let parsed: bigint[], set: Metadata[], unset: string[][];
    try {
      const store = this.writable();
      this.needsMetadata(store, 'update');
      parsed = parseIds(ids, ids?.length ?? 0);
      ({ set, unset } = parsePatch(patch, parsed.length, this.config.fields));
      set = set.map(copyRecord);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.order.write(Promise.resolve(), () => {
      const store = this.storeOf();
      this.refresh(store);
      if (parsed.length === 0) return;
      const commit = store.commitUpdate(this.arena.generation, parsed, set, unset);
      this.apply(commit.update);
    });
  }

  /**
   * The metadata records of `ids`, in order (`undefined` for a vector added without
   * one). An id not present is a RangeError naming it. A read in call order.
   */
  getMetadata(ids: IdsInput): Promise<(Metadata | undefined)[]> {
    let parsed: bigint[];
    try {
      this.live();
      parsed = parseIds(ids, ids?.length ?? 0);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.snapshotRead((store, txn) => store.metadataOfSlots(slotsPresent(store, parsed, txn), txn));
  }

  /** Whether `id` is in the index. A read in call order. */
  has(id: bigint | number): Promise<boolean> {
    let parsed: bigint[];
    try {
      this.live();
      parsed = parseIds([id] as bigint[], 1);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.snapshotRead((store, txn) => store.slotsOfIds(parsed, txn)[0] >= 0);
  }

  /**
   * The live ids in increasing order. Pages of IDS_PAGE ids are read as the
   * iteration goes, each in call order and in its own snapshot: writes between pages
   * show in later pages.
   */
  async *ids(): AsyncGenerator<bigint, void, undefined> {
    this.live();
    let after: bigint | null = null;
    for (;;) {
      const from: bigint | null = after;
      const page: bigint[] = await this.snapshotRead((store, txn) => store.idsPage(from, IDS_PAGE, txn));
      for (const id of page) yield id;
      if (page.length < IDS_PAGE) return;
      after = page[page.length - 1];
    }
  }

  /**
   * Fits a catalyzer on the stored vectors (a sample of `sampleSize`), with
   * positives from exact neighbours under the index's metric, then codes every
   * stored vector and switches the index to the codes in one transaction: a search
   * sees the old state or the new one, never a mix; a crash leaves the old one.
   * The fit runs off the call order (native kernels on worker threads: the event
   * loop stays free, adds and searches go on); the switch is a write taken when the
   * fit is done, and vectors added meanwhile are coded in it. Calling it again
   * retrains. The catalyzer is stored in the index. One training at a time.
   */
  train(options: IndexTrainOptions = {}): Promise<TrainReport> {
    try {
      const store = this.writable();
      checkTrainArgs(options);
      if (!this.config.storeVectors) throw new RangeError('train needs stored vectors, and this index was created with storeVectors: false');
      if (store.version < 3) throw new RangeError(`the index at ${store.dir} has format ${store.version}, which cannot be retrained; rebuild it with this version`);
      if (this.training) throw new Error('a training of this index is already running; await it first');
    } catch (e) {
      return Promise.reject(e);
    }
    const run = this.trainRun(options).finally(() => {
      this.training = null;
    });
    this.training = run;
    return run;
  }

  private async trainRun(options: IndexTrainOptions): Promise<TrainReport> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fitCatalyzer, MIN_FIT_VECTORS } = require('../train/fit') as typeof import('../train/fit');
    const din = this.config.din;
    // The vectors as of every call made before train().
    const snap = await this.snapshotRead((store, txn) => store.liveVectors(txn));
    const n = snap.slots.length;
    if (n < MIN_FIT_VECTORS) throw new RangeError(`train needs at least ${MIN_FIT_VECTORS} stored vectors, the index has ${n}`);
    const t0 = performance.now();
    const metric = this.config.metric === 'ip' ? 'ip' : 'l2';
    // Only the options given: fitCatalyzer's defaults fill the rest.
    const given = Object.fromEntries(
      Object.entries({ dout: options.dout, dint: options.dint, epochs: options.epochs, sampleSize: options.sampleSize, lambda: options.lambda, seed: options.seed, threads: this.threads }).filter(([, v]) => v !== undefined),
    );
    const fit = await fitCatalyzer(snap.vectors, n, din, { ...given, metric, onProgress: options.onProgress });
    const t1 = performance.now();
    const encoder = await this.loader(fit.checkpoint);
    const quantizer = options.quantizer ?? this.config.quantizer ?? defaultQuantizer(fit.dout);
    let committed = false;
    try {
      const { r2, codec } = parseQuantizer(quantizer, fit.dout);
      const config: ModelConfig = { dout: fit.dout, quantizer, r2, nbit: codec.nbit, codeBytes: codec.codeBytes };
      const model: Model = { encoder, ownsEncoder: true, config, trainedAt: 0 };
      options.onProgress?.({ phase: 'coding', epoch: fit.epochs, epochs: fit.epochs, done: 0, total: n });
      const snapCodes = await this.encodeCodes(model, snap.vectors, n);
      let coded = n;
      const report = await this.order.write(Promise.resolve(), async () => {
        const store = this.storeOf();
        this.refresh(store);
        const state = store.readState();
        const cb = config.codeBytes;
        const all = new Uint8Array(state.nslots * cb);
        const moved = (state.compactedAt ?? 0) > snap.state.generation;
        // Slots the snapshot coded, unless a compaction moved them since; then the rest.
        let from = 0;
        if (!moved) {
          for (let i = 0; i < n; i++) all.set(snapCodes.subarray(i * cb, (i + 1) * cb), snap.slots[i] * cb);
          from = snap.state.nslots;
        }
        if (from < state.nslots) {
          const txn = store.beginRead();
          let rest;
          try {
            rest = store.liveVectors(txn, from);
          } finally {
            txn.done();
          }
          if (rest.slots.length > 0) {
            const codes = await this.encodeCodes(model, rest.vectors, rest.slots.length);
            for (let i = 0; i < rest.slots.length; i++) all.set(codes.subarray(i * cb, (i + 1) * cb), rest.slots[i] * cb);
            coded += rest.slots.length;
          }
        }
        const commit = store.commitTrain(this.arena.generation, config, fit.checkpoint, all);
        const old = this.model;
        model.trainedAt = commit.update.generation;
        this.model = model;
        committed = true;
        this.ivf = null; // the commit dropped it: its centroids were in the old catalyzer's space
        this.apply(commit.update);
        options.onProgress?.({ phase: 'coding', epoch: fit.epochs, epochs: fit.epochs, done: n, total: n });
        if (old?.ownsEncoder) await old.encoder.close();
        return { trainSize: fit.trainSize, coded, epochs: fit.epochs, din, dout: fit.dout, quantizer, fitSeconds: (t1 - t0) / 1000, codeSeconds: 0, nlist: 0 };
      });
      report.codeSeconds = (performance.now() - t1) / 1000;
      // Then partition() (clustering off the order, a second write): a crash before it
      // leaves the index trained and flat, which is valid. Below FLAT_BELOW vectors it stays flat.
      if (options.partition ?? true) report.nlist = (await this.partitionRun(undefined)).nlist;
      return report;
    } finally {
      if (!committed) await encoder.close();
    }
  }

  /**
   * Refuses new operations, waits for running ones (a training included), then
   * closes the store (and the catalyzer if the index loaded it). Closing twice is
   * harmless.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.training?.catch(() => undefined);
      await this.order.idle();
      const store = this.store;
      if (!store) return;
      this.store = null;
      await store.close();
      if (this.model?.ownsEncoder) await this.model.encoder.close();
    })();
    return this.closing;
  }

  /**
   * Full check of the stored index (every LMDB page, checksums, both id maps against
   * each other, the bitmap, the stored vectors and the state). Resolves to what was
   * checked; rejects with an IndexFormatError (code `ECORRUPT`) at the first fault.
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

/** A copy of a record that the caller's later changes do not reach (arrays included). */
function copyRecord(r: Metadata): Metadata {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v])) as Metadata;
}


/** The slots of `ids` in `txn`; an id not present is a RangeError naming it. */
function slotsPresent(store: IndexStore, ids: readonly bigint[], txn: ReadTxn): Int32Array {
  const slots = store.slotsOfIds(ids, txn);
  const missing = slots.findIndex((s) => s < 0);
  if (missing >= 0) throw new RangeError(`ids[${missing}] = ${ids[missing]} is not in the index`);
  return slots;
}

/** The quantizer of 64-bit codes at dimension `dout` (zn_79 at 24). */
function defaultQuantizer(dout: number): string {
  const r2 = radiusForBits(dout, 64);
  if (r2 <= 0) throw new RangeError(`no Zn radius gives codes of at most 64 bits at dimension ${dout}; pass options.quantizer`);
  return `zn_${r2}`;
}
