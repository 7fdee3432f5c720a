/**
 * The Index: an embedded, persistent vector index. Vectors go through the catalyzer
 * (onto the unit sphere), are coded by the spherical Zn lattice (`zn_<r2>`), stored in
 * LMDB (storage/), and searched by the native decode-and-scan kernel over an
 * in-memory code arena.
 *
 * Memory per vector: the code itself (codeBytes) plus one bit of removed-slot bitmap.
 * Ids are not kept in memory: the k winners of each query are resolved slot → id by
 * LMDB lookups in the same read snapshot as the arena (k × nq point reads per search).
 */
import { CodeArena } from '../storage/code-arena';
import { IndexStore, type VerifyReport } from '../storage/index-store';
import { MAX_ID, type IndexConfig } from '../storage/layout';
import { quantizeEncodeAsync } from './kernels/codec-native';
import { decodeScan } from './kernels/scan-native';
import { ZnCodec } from './lattice/zn-codec';
import { assertFinite, assertInteger } from './validate';

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
  /** Search threads (default SPREADVEC_THREADS or the core count). */
  threads?: number;
}

export interface IndexOpenOptions {
  /** Open for searching only (several processes may read while one writes). */
  readOnly?: boolean;
  loadCatalyzer?: EncoderLoader;
  threads?: number;
}

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

/** One operation at a time per Index: adds, removes and searches share the arena. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class Index {
  private store: IndexStore | null;
  private readonly encoder: IndexEncoder;
  private readonly ownsEncoder: boolean;
  private readonly arena: CodeArena;
  private readonly config: IndexConfig;
  private readonly threads: number | undefined;
  private readonly mutex = new Mutex();
  /** Set by close(): new operations are refused, running ones finish first. */
  private closing: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<unknown>>();

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
    if (options.threads !== undefined) assertInteger('options.threads', options.threads, 1);
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
    if (options.threads !== undefined) assertInteger('options.threads', options.threads, 1);
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

  /** Runs an operation that close() waits for. Throws at once if the index is closed. */
  private track<T>(op: () => Promise<T>): Promise<T> {
    try {
      this.live();
    } catch (e) {
      return Promise.reject(e);
    }
    const p = op();
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
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
    return { x, n: x.length / din };
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
   * ever used; an id already present is replaced. One LMDB transaction: all or nothing.
   * Returns the ids stored, in input order.
   */
  add(vectors: VectorsInput, ids?: IdsInput): Promise<BigInt64Array> {
    return this.track(() => this.addNow(vectors, ids));
  }

  private async addNow(vectors: VectorsInput, ids?: IdsInput): Promise<BigInt64Array> {
    const store = this.storeOf();
    if (store.readOnly) throw new Error(`the index at ${store.dir} is open read-only`);
    const { x, n } = this.rows('vectors', vectors);
    const parsed = ids === undefined ? null : this.parseIds(ids, n);
    if (n === 0) return new BigInt64Array(0);
    const units = await this.encode(x, n, 'vectors');
    const codes = await quantizeEncodeAsync(this.config.dout, this.config.r2, units);
    return this.mutex.run(() => {
      const s = this.storeOf();
      this.refresh(s);
      return BigInt64Array.from(s.commitAdd(this.arena, codes, parsed).ids);
    });
  }

  /** Removes the given ids (unknown ones are ignored); returns how many were removed. One transaction. */
  remove(ids: IdsInput): Promise<number> {
    return this.track(() => this.removeNow(ids));
  }

  private async removeNow(ids: IdsInput): Promise<number> {
    const store = this.storeOf();
    if (store.readOnly) throw new Error(`the index at ${store.dir} is open read-only`);
    const parsed = this.parseIds(ids, ids?.length ?? 0);
    return this.mutex.run(() => {
      const s = this.storeOf();
      this.refresh(s);
      return parsed.length === 0 ? 0 : s.commitRemove(this.arena, parsed).removed;
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
   * ties by smaller id. Sees every batch committed before it starts (in any process).
   */
  search(queries: VectorsInput, k: number): Promise<SearchResult> {
    return this.track(() => this.searchNow(queries, k));
  }

  private async searchNow(queries: VectorsInput, k: number): Promise<SearchResult> {
    if (typeof k !== 'number' || !Number.isInteger(k)) throw new TypeError(`k must be an integer, got ${String(k)}`);
    if (k < 1) throw new RangeError(`k must be ≥ 1, got ${k}`);
    if (k > 0x7ffffffe) throw new RangeError(`k must be < 2^31 − 1, got ${k}`);
    const { x, n: nq } = this.rows('queries', queries);
    if (nq === 0) return { ids: new BigInt64Array(0), distances: new Float32Array(0), nq: 0, k };
    const units = await this.encode(x, nq, 'queries');
    return this.mutex.run(async () => {
      const store = this.storeOf();
      const txn = store.beginRead();
      try {
        store.refresh(this.arena, txn);
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
        const { ids, distances } = await topKByDistanceThenId(scan, units, nq, k, this.config.dout, (slots) => store.idsOfSlots(slots, txn));
        return { ids, distances, nq, k };
      } finally {
        txn.done();
      }
    });
  }

  /**
   * Refuses new operations, waits for running ones, then closes the store (and the
   * catalyzer if the index loaded it). Closing twice is harmless.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inflight]);
      await this.mutex.run(async () => {
        const store = this.store;
        if (!store) return;
        this.store = null;
        await store.close();
        if (this.ownsEncoder) await this.encoder.close();
      });
    })();
    return this.closing;
  }

  /**
   * Full check of the stored index (every LMDB page, checksums, both id maps against
   * each other, the bitmap and the state). Resolves to what was checked; rejects
   * with an IndexFormatError (code `ECORRUPT`) at the first fault.
   */
  verify(): Promise<VerifyReport> {
    return this.track(() => this.mutex.run(() => this.storeOf().verify()));
  }
}

type Scan = (queries: Float32Array, k: number) => Promise<{ slots: Int32Array; distances: Float32Array }>;

/**
 * The kernel orders equal distances by slot (insertion order); the Index promises
 * ties by smaller id. Scanning for k + 1 shows which queries have a tie straddling
 * the k-th place; those few are scanned again with a larger k until every vector at
 * the k-th distance is in hand. Then each row is sorted by (distance, id) and cut to k.
 */
async function topKByDistanceThenId(
  scan: Scan,
  queries: Float32Array,
  nq: number,
  k: number,
  dim: number,
  idsOf: (slots: Int32Array) => BigInt64Array,
): Promise<{ ids: BigInt64Array; distances: Float32Array }> {
  const k1 = k + 1;
  const first = await scan(queries, k1);
  const rows: { ids: BigInt64Array; dist: Float32Array; width: number }[] = [];
  const allIds = idsOf(first.slots);
  for (let q = 0; q < nq; q++) {
    rows.push({ ids: allIds.subarray(q * k1, (q + 1) * k1), dist: first.distances.subarray(q * k1, (q + 1) * k1), width: k1 });
  }
  // A row is complete when its last place is padding or farther than its k-th.
  const open = (r: (typeof rows)[number]) => r.ids[r.width - 1] >= 0n && r.dist[r.width - 1] === r.dist[k - 1];
  let pending = rows.map((_, q) => q).filter((q) => open(rows[q]));
  let width = k1;
  while (pending.length > 0) {
    width = Math.min(width * 4, 0x7fffffff);
    const sub = new Float32Array(pending.length * dim);
    pending.forEach((q, i) => sub.set(queries.subarray(q * dim, (q + 1) * dim), i * dim));
    const more = await scan(sub, width);
    const moreIds = idsOf(more.slots);
    pending.forEach((q, i) => {
      rows[q] = { ids: moreIds.subarray(i * width, (i + 1) * width), dist: more.distances.subarray(i * width, (i + 1) * width), width };
    });
    pending = pending.filter((q) => open(rows[q]));
  }
  const ids = new BigInt64Array(nq * k);
  const distances = new Float32Array(nq * k);
  rows.forEach((r, q) => {
    const order = Array.from({ length: r.width }, (_, j) => j);
    order.sort((a, b) => {
      const d = r.dist[a] - r.dist[b];
      if (d !== 0 && !Number.isNaN(d)) return d;
      if (r.ids[a] < 0n || r.ids[b] < 0n) return r.ids[a] < 0n ? (r.ids[b] < 0n ? 0 : 1) : -1;
      return r.ids[a] < r.ids[b] ? -1 : r.ids[a] > r.ids[b] ? 1 : 0;
    });
    for (let j = 0; j < k; j++) {
      ids[q * k + j] = r.ids[order[j]];
      distances[q * k + j] = r.dist[order[j]];
    }
  });
  return { ids, distances };
}
