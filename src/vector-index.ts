/**
 * The Index: an embedded, persistent vector index. Vectors go through the catalyzer
 * (onto the unit sphere), are coded by the spherical Zn lattice (`zn_<r2>`), stored in
 * LMDB (storage/), and searched by the native decode-and-scan kernel over an
 * in-memory code arena.
 *
 * Memory per vector: the code itself (codeBytes) plus one bit of removed-slot bitmap.
 * Ids are not kept in memory: the k winners of each query are resolved slot → id by
 * LMDB lookups in the same read snapshot as the arena (k × nq point reads per search).
 *
 * Calls take effect in call order (CallOrder below): each write commits once every
 * earlier call is done, each search scans once every earlier write is done; the
 * catalyzer and the quantizer run at once, concurrently with other calls.
 */
import { CodeArena } from '../storage/code-arena';
import { IndexStore, type VerifyReport } from '../storage/index-store';
import { MAX_ID, type IndexConfig } from '../storage/layout';
import { quantizeEncodeAsync } from './lattice/zn-native';
import { decodeScan } from './kernels/scan-native';
import { ZnCodec } from './lattice/zn-codec';
import { assertFinite, assertInteger, assertKnownOptions } from './validate';

/**
 * What the Index needs of a catalyzer: the Catalyzer class (src/catalyzer) fits;
 * so does any encoder that maps din-dimensional rows to dout-dimensional unit rows
 * and serializes itself into checkpoint bytes that `loadCatalyzer` reads back.
 */
export interface IndexEncoder {
  readonly din: number;
  readonly dout: number;
  /** n × din rows → n × dout unit rows. */
  encode(x: Float32Array | Uint8Array): Promise<Float32Array>;
  /** Bytes from which the encoder is rebuilt when the index is reopened. */
  toCheckpoint(): Uint8Array;
  close(): Promise<void>;
}

/** Rebuilds an encoder from checkpoint bytes (default: Catalyzer.load). */
export type EncoderLoader = (checkpoint: Uint8Array) => Promise<IndexEncoder>;

export interface IndexCreateOptions {
  /** Path of a catalyzer checkpoint (.pth), its bytes, or a loaded catalyzer/encoder. */
  catalyzer: string | Uint8Array | IndexEncoder;
  /** `zn_<r2>` (default `zn_79`: 64-bit codes at dout 24). */
  quantizer?: string;
  /** How to rebuild the encoder from stored checkpoint bytes (default Catalyzer.load). */
  loadCatalyzer?: EncoderLoader;
  /** Search threads, 1 to 1024 (default SPREADVEC_THREADS or the core count). */
  threads?: number;
}

export interface IndexOpenOptions {
  /** Open for searching only (several processes may read while one writes). */
  readOnly?: boolean;
  loadCatalyzer?: EncoderLoader;
  threads?: number;
}

/**
 * Options of one search. None yet: the argument exists so that unknown names are
 * refused now (a TypeError), rather than silently ignored, before options such as
 * `nprobe` arrive.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SearchOptions {}

const CREATE_OPTIONS: readonly (keyof IndexCreateOptions)[] = ['catalyzer', 'quantizer', 'loadCatalyzer', 'threads'];
const OPEN_OPTIONS: readonly (keyof IndexOpenOptions)[] = ['readOnly', 'loadCatalyzer', 'threads'];
const SEARCH_OPTIONS: readonly (keyof SearchOptions)[] = [];

/**
 * Most entries (nq × k) one search returns: 2^24, about 200 MB of ids and distances.
 * A larger request is refused at once with a RangeError rather than allocating for
 * minutes: split the queries into batches.
 */
export const MAX_SEARCH_RESULTS = 1 << 24;

/** Most search threads (the native kernels' own bound). */
const MAX_THREADS = 1024;

/** Input vectors: n × din row-major numbers (Float32Array, Uint8Array or rows). */
export type VectorsInput = Float32Array | Uint8Array | readonly (readonly number[])[];
/** Ids: non-negative integers below 2^63. */
export type IdsInput = readonly bigint[] | readonly number[] | BigInt64Array;

/** Results of a batched search: nq × k row-major, best first. */
export interface SearchResult {
  /** Ids; −1n where fewer than k vectors are live. */
  ids: BigInt64Array;
  /** Squared L2 distances on the sphere (2 − 2 cos), ascending; +Infinity pads. */
  distances: Float32Array;
  nq: number;
  k: number;
}

async function defaultLoader(source: string | Uint8Array): Promise<IndexEncoder> {
  // Loaded lazily: the catalyzer pulls in TensorFlow.js, which an index whose caller
  // passes its own encoder never needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('./catalyzer/catalyzer') as typeof import('./catalyzer/catalyzer');
  const encoder: IndexEncoder = await mod.Catalyzer.load(source);
  return encoder;
}

function parseQuantizer(name: string, dout: number): { r2: number; codec: ZnCodec } {
  const m = /^zn_([1-9]\d*)$/.exec(name);
  if (!m) throw new RangeError(`quantizer must be 'zn_<r2>' (e.g. 'zn_79'), got '${name}'`);
  const r2 = Number(m[1]);
  let codec: ZnCodec;
  try {
    codec = new ZnCodec(dout, r2);
  } catch (e) {
    throw new RangeError(`quantizer ${name} cannot be used at dimension ${dout}: ${(e as Error).message}`);
  }
  if (codec.nv === 0n) throw new RangeError(`quantizer ${name} has no lattice points at dimension ${dout}`);
  return { r2, codec };
}

/** Resolves (never rejects) once `p` settles. */
function settled(p: Promise<unknown>): Promise<void> {
  return p.then(
    () => undefined,
    () => undefined,
  );
}

/**
 * The order in which one Index's calls take effect: the order they were made. Each
 * call takes its turn when it is made: a write (add, remove) commits once every
 * earlier call is done; a search scans once every earlier write is done, so it sees
 * each write called before it and none called after, and searches do not wait for
 * each other. The work before the turn (checks, catalyzer, quantizer: `prepared`)
 * runs at once, concurrently. A call whose preparation fails rejects without
 * waiting, and its turn passes all the same: it never blocks or reorders the others.
 */
class CallOrder {
  /** Settles when every write made so far is done. */
  private writes: Promise<void> = Promise.resolve();
  /** Settles when every call made so far is done. */
  private all: Promise<void> = Promise.resolve();

  write<P, T>(prepared: Promise<P>, commit: (p: P) => T | Promise<T>): Promise<T> {
    const before = this.all;
    const result = (async () => {
      const p = await prepared;
      await before;
      return commit(p);
    })();
    // Done only once the earlier calls are: a failed write must not let a later one jump ahead.
    const done = Promise.all([before, settled(result)]).then(() => undefined);
    this.all = done;
    this.writes = done;
    return result;
  }

  read<P, T>(prepared: Promise<P>, run: (p: P) => T | Promise<T>): Promise<T> {
    const before = this.writes;
    const result = (async () => {
      const p = await prepared;
      await before;
      return run(p);
    })();
    this.all = Promise.all([this.all, settled(result)]).then(() => undefined);
    return result;
  }

  /** Settles once every call made so far is done. */
  idle(): Promise<void> {
    return this.all;
  }
}

type ReadTxn = ReturnType<IndexStore['beginRead']>;

export class Index {
  private store: IndexStore | null;
  private readonly encoder: IndexEncoder;
  private readonly ownsEncoder: boolean;
  private readonly arena: CodeArena;
  private readonly config: IndexConfig;
  private readonly threads: number | undefined;
  private readonly order = new CallOrder();
  /** Set by close(): new operations are refused, earlier ones finish first. */
  private closing: Promise<void> | null = null;
  /** Scans reading the arena now; the arena changes only when there are none. */
  private activeScans = 0;
  private scansIdleWaiters: (() => void)[] = [];

  private constructor(store: IndexStore, encoder: IndexEncoder, ownsEncoder: boolean, threads?: number) {
    this.store = store;
    this.encoder = encoder;
    this.ownsEncoder = ownsEncoder;
    this.config = store.config;
    this.arena = new CodeArena(store.config.codeBytes);
    this.threads = threads;
    const txn = store.beginRead();
    try {
      store.refresh(this.arena, txn);
    } finally {
      txn.done();
    }
  }

  /**
   * Creates a new index directory at `path` (absent or empty). The catalyzer's
   * checkpoint is stored inside, so the directory is self-contained.
   */
  static async create(path: string, options: IndexCreateOptions): Promise<Index> {
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
    if (!options || options.catalyzer === undefined) throw new TypeError('options.catalyzer is required');
    assertKnownOptions('Index.create', options, CREATE_OPTIONS);
    if (options.threads !== undefined) assertInteger('options.threads', options.threads, 1, MAX_THREADS);
    if (options.quantizer !== undefined && typeof options.quantizer !== 'string') {
      throw new TypeError(`options.quantizer must be a string such as 'zn_79', got ${typeof options.quantizer}`);
    }
    if (options.loadCatalyzer !== undefined && typeof options.loadCatalyzer !== 'function') {
      throw new TypeError('options.loadCatalyzer must be a function');
    }
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
        return new Index(store, encoder, owns, options.threads);
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
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
    assertKnownOptions('Index.open', options, OPEN_OPTIONS);
    if (options.threads !== undefined) assertInteger('options.threads', options.threads, 1, MAX_THREADS);
    if (options.readOnly !== undefined && typeof options.readOnly !== 'boolean') {
      throw new TypeError(`options.readOnly must be a boolean, got ${typeof options.readOnly}`);
    }
    if (options.loadCatalyzer !== undefined && typeof options.loadCatalyzer !== 'function') {
      throw new TypeError('options.loadCatalyzer must be a function');
    }
    const store = IndexStore.open(path, { readOnly: options.readOnly });
    let encoder: IndexEncoder | undefined;
    try {
      encoder = await (options.loadCatalyzer ?? defaultLoader)(store.checkpoint());
      if (encoder.din !== store.config.din || encoder.dout !== store.config.dout) {
        throw new Error(
          `the catalyzer stored in ${path} maps ${encoder.din} → ${encoder.dout}, but the index was built for ${store.config.din} → ${store.config.dout}`,
        );
      }
      return new Index(store, encoder, true, options.threads);
    } catch (e) {
      await encoder?.close();
      await store.close();
      throw e;
    }
  }

  private live(): IndexStore {
    if (!this.store || this.closing) throw new Error('the index is closed');
    return this.store;
  }

  /** The store while an operation that started before close() runs. */
  private storeOf(): IndexStore {
    if (!this.store) throw new Error('the index is closed');
    return this.store;
  }

  /** The writable store, or throws (closed, read-only). */
  private writable(): IndexStore {
    const store = this.live();
    if (store.readOnly) throw new Error(`the index at ${store.dir} is open read-only`);
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

  /** Bytes the in-memory arena holds (codes and removed bitmap, spare capacity included). */
  get memoryBytes(): number {
    return this.arena.bytesAllocated;
  }

  private rows(name: string, vectors: VectorsInput): { x: Float32Array | Uint8Array; n: number } {
    const din = this.config.din;
    let x: Float32Array | Uint8Array;
    if (vectors instanceof Float32Array || vectors instanceof Uint8Array) {
      x = vectors;
    } else if (Array.isArray(vectors)) {
      x = new Float32Array(vectors.length * din);
      vectors.forEach((row, i) => {
        if (!Array.isArray(row) || row.length !== din) {
          throw new RangeError(`${name}[${i}] must be an array of ${din} numbers, got ${Array.isArray(row) ? `${row.length} values` : typeof row}`);
        }
        for (let d = 0; d < din; d++) {
          if (typeof row[d] !== 'number') throw new TypeError(`${name}[${i}][${d}] must be a number, got ${typeof row[d]}`);
          x[i * din + d] = row[d];
        }
      });
    } else {
      throw new TypeError(`${name} must be a Float32Array, a Uint8Array or an array of rows`);
    }
    if (x.length % din !== 0) {
      throw new RangeError(`${name} has ${x.length} values, not a multiple of the index dimension ${din}`);
    }
    // (Rows given as arrays are checked after their float32 conversion, which may overflow.)
    if (x instanceof Float32Array) assertFinite(name, x);
    const n = x.length / din;
    // A zero vector has no direction: the sphere has no nearest point to give it.
    for (let i = 0; i < n; i++) {
      let zero = true;
      for (let d = i * din; zero && d < (i + 1) * din; d++) zero = x[d] === 0;
      if (zero) throw new RangeError(`${name} row ${i} is a zero vector (it has no direction to code or search by)`);
    }
    return { x, n };
  }

  private parseIds(ids: IdsInput, n: number): bigint[] {
    if (!Array.isArray(ids) && !(ids instanceof BigInt64Array)) {
      throw new TypeError('ids must be an array of bigints or numbers, or a BigInt64Array');
    }
    if (ids.length !== n) throw new RangeError(`ids has ${ids.length} entries for ${n} vectors`);
    const out: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = ids[i] as unknown;
      let id: bigint;
      if (typeof v === 'bigint') id = v;
      else if (typeof v === 'number' && Number.isSafeInteger(v)) id = BigInt(v);
      else throw new TypeError(`ids[${i}] must be an integer (bigint or safe number), got ${String(v)}`);
      if (id < 0n || id > MAX_ID) throw new RangeError(`ids[${i}] must be in [0, 2^63 − 1], got ${id}`);
      out[i] = id;
    }
    return out;
  }

  /** Catalyzer output for n rows, checked: n × dout finite values. */
  private async encode(x: Float32Array | Uint8Array, n: number, name: string): Promise<Float32Array> {
    const y = await this.encoder.encode(x);
    if (y.length !== n * this.config.dout) {
      throw new Error(`the catalyzer returned ${y.length} values for ${n} ${name}, expected ${n * this.config.dout}`);
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
      ({ x, n } = this.rows('vectors', vectors));
      parsed = ids === undefined ? null : this.parseIds(ids, n);
    } catch (e) {
      return Promise.reject(e);
    }
    const prepared = n === 0 ? Promise.resolve(null) : this.encodeCodes(x, n);
    return this.order.write(prepared, (codes) => {
      if (!codes) return new BigInt64Array(0);
      const store = this.storeOf();
      this.refresh(store);
      return BigInt64Array.from(store.commitAdd(this.arena, codes, parsed).ids);
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
      parsed = this.parseIds(ids, ids?.length ?? 0);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.order.write(Promise.resolve(parsed), (list) => {
      const store = this.storeOf();
      this.refresh(store);
      return list.length === 0 ? 0 : store.commitRemove(this.arena, list).removed;
    });
  }

  private refresh(store: IndexStore): void {
    const txn = store.beginRead();
    try {
      store.refresh(this.arena, txn);
    } finally {
      txn.done();
    }
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
      assertKnownOptions('search', options, SEARCH_OPTIONS);
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new TypeError(`k must be an integer, got ${String(k)}`);
      if (k < 1) throw new RangeError(`k must be ≥ 1, got ${k}`);
      if (k > MAX_SEARCH_RESULTS) throw new RangeError(`k must be ≤ ${MAX_SEARCH_RESULTS} (2^24), got ${k}`);
      ({ x, n: nq } = this.rows('queries', queries));
      if (nq * k > MAX_SEARCH_RESULTS) {
        throw new RangeError(`nq × k = ${nq} × ${k} results exceed the ${MAX_SEARCH_RESULTS} (2^24) one search returns; split the queries`);
      }
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
      store.refresh(this.arena, txn);
      const snapshot = txn;
      this.activeScans++;
      try {
        const scan = (q: Float32Array, kk: number) =>
          decodeScan({
            codes: this.arena.codes,
            n: this.arena.count,
            removed: this.arena.removed,
            dim: this.config.dout,
            r2: this.config.r2,
            queries: q,
            k: kk,
            threads: this.threads,
          });
        const { ids, distances } = await topKByDistanceThenId(scan, units, nq, k, this.arena.live, this.config.dout, (slots) =>
          store.idsOfSlots(slots, snapshot),
        );
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

type Scan = (queries: Float32Array, k: number) => Promise<{ slots: Int32Array; distances: Float32Array }>;

/**
 * The kernel orders equal distances by slot (insertion order); the Index promises
 * ties by smaller id. Scanning for k + 1 shows which queries have a tie straddling
 * the k-th place; those few are scanned again with a larger k until every vector at
 * the k-th distance is in hand. Then each row is sorted by (distance, id) and cut to k.
 * No scan asks for more than the `live` vectors there are: a huge k costs its padded
 * output only.
 */
async function topKByDistanceThenId(
  scan: Scan,
  queries: Float32Array,
  nq: number,
  k: number,
  live: number,
  dim: number,
  idsOf: (slots: Int32Array) => BigInt64Array,
): Promise<{ ids: BigInt64Array; distances: Float32Array }> {
  const ids = new BigInt64Array(nq * k).fill(-1n);
  const distances = new Float32Array(nq * k).fill(Infinity);
  const kk = Math.min(k, live); // places that can hold a live vector
  if (kk === 0) return { ids, distances };
  const k1 = Math.min(kk + 1, live);
  const first = await scan(queries, k1);
  const rows: { ids: BigInt64Array; dist: Float32Array; width: number }[] = [];
  const allIds = idsOf(first.slots);
  for (let q = 0; q < nq; q++) {
    rows.push({ ids: allIds.subarray(q * k1, (q + 1) * k1), dist: first.distances.subarray(q * k1, (q + 1) * k1), width: k1 });
  }
  // A row is complete when it holds every live vector, or its last place is padding
  // or farther than its kk-th.
  const open = (r: (typeof rows)[number]) => r.width > kk && r.width < live && r.ids[r.width - 1] >= 0n && r.dist[r.width - 1] === r.dist[kk - 1];
  let pending = rows.map((_, q) => q).filter((q) => open(rows[q]));
  let width = k1;
  while (pending.length > 0) {
    width = Math.min(width * 4, live);
    const sub = new Float32Array(pending.length * dim);
    pending.forEach((q, i) => sub.set(queries.subarray(q * dim, (q + 1) * dim), i * dim));
    const more = await scan(sub, width);
    const moreIds = idsOf(more.slots);
    pending.forEach((q, i) => {
      rows[q] = { ids: moreIds.subarray(i * width, (i + 1) * width), dist: more.distances.subarray(i * width, (i + 1) * width), width };
    });
    pending = pending.filter((q) => open(rows[q]));
  }
  rows.forEach((r, q) => {
    const order = Array.from({ length: r.width }, (_, j) => j);
    order.sort((a, b) => {
      const d = r.dist[a] - r.dist[b];
      if (d !== 0 && !Number.isNaN(d)) return d;
      if (r.ids[a] < 0n || r.ids[b] < 0n) return r.ids[a] < 0n ? (r.ids[b] < 0n ? 0 : 1) : -1;
      return r.ids[a] < r.ids[b] ? -1 : r.ids[a] > r.ids[b] ? 1 : 0;
    });
    for (let j = 0; j < kk; j++) {
      ids[q * k + j] = r.ids[order[j]];
      distances[q * k + j] = r.dist[order[j]];
    }
  });
  return { ids, distances };
}
