/**
 * Transactions on an index's LMDB environment (layout in ./layout.ts). Each add or
 * remove is one synchronous LMDB write transaction: after a crash either all of it
 * is there or none. Readers (this process or others) bring a CodeArena up to the
 * latest committed generation with refresh(), which reads the new code chunks and
 * the removed bitmap inside one read snapshot, so they only ever see whole batches.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { open, type Database, type RootDatabase, type Transaction } from 'lmdb';

import { CodeArena } from './code-arena';
import {
  BLOB_KEY,
  CODES_PER_CHUNK,
  DATA_FILE,
  DB,
  FORMAT_NAME,
  FORMAT_VERSION,
  META_KEY,
  MAX_ID,
  MAX_SLOTS,
  REMOVED_CHUNK_BYTES,
  SLOTS_PER_REMOVED_CHUNK,
  decodeId,
  decodeSlot,
  encodeId,
  encodeSlot,
  idKey,
  type IndexConfig,
  type IndexState,
} from './layout';

/** Error for a directory or file that is not a (readable) spreadvec index. */
export class IndexFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexFormatError';
  }
}

interface StoredState {
  generation: number;
  nslots: number;
  live: number;
  nextId: string;
}

/** LMDB's first meta page holds the magic 0xBEEFC0DE at byte 24 (after the page header). */
const LMDB_MAGIC = 0xbeefc0de;
const LMDB_MAGIC_OFFSET = 24;

function hasLmdbMagic(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(LMDB_MAGIC_OFFSET + 4);
    const got = fs.readSync(fd, head, 0, head.length, 0);
    return got === head.length && head.readUInt32LE(LMDB_MAGIC_OFFSET) === LMDB_MAGIC;
  } finally {
    fs.closeSync(fd);
  }
}

function corrupt(record: string, what: string): never {
  throw new IndexFormatError(`corrupt meta record '${record}': ${what}`);
}

function checkInt(record: string, obj: Record<string, unknown>, key: string, min: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    corrupt(record, `${key} must be an integer ≥ ${min}, found ${JSON.stringify(v)}`);
  }
  return v;
}

function parseConfig(raw: unknown): IndexConfig {
  if (raw === undefined) corrupt(META_KEY.config, 'missing');
  if (typeof raw !== 'object' || raw === null) corrupt(META_KEY.config, `not a record (${typeof raw})`);
  const o = raw as Record<string, unknown>;
  const din = checkInt(META_KEY.config, o, 'din', 1);
  const dout = checkInt(META_KEY.config, o, 'dout', 1);
  const r2 = checkInt(META_KEY.config, o, 'r2', 1);
  const nbit = checkInt(META_KEY.config, o, 'nbit', 0);
  const codeBytes = checkInt(META_KEY.config, o, 'codeBytes', 1);
  if (o.quantizer !== `zn_${r2}`) corrupt(META_KEY.config, `quantizer ${JSON.stringify(o.quantizer)} does not match r2 ${r2}`);
  if (codeBytes !== Math.max(1, Math.ceil(nbit / 8))) corrupt(META_KEY.config, `codeBytes ${codeBytes} does not match nbit ${nbit}`);
  return { din, dout, quantizer: `zn_${r2}`, r2, nbit, codeBytes };
}

function parseState(raw: unknown): IndexState {
  if (raw === undefined) corrupt(META_KEY.state, 'missing');
  if (typeof raw !== 'object' || raw === null) corrupt(META_KEY.state, `not a record (${typeof raw})`);
  const o = raw as Record<string, unknown>;
  const generation = checkInt(META_KEY.state, o, 'generation', 0);
  const nslots = checkInt(META_KEY.state, o, 'nslots', 0);
  const live = checkInt(META_KEY.state, o, 'live', 0);
  if (live > nslots) corrupt(META_KEY.state, `live ${live} exceeds nslots ${nslots}`);
  if (typeof o.nextId !== 'string' || !/^\d+$/.test(o.nextId)) corrupt(META_KEY.state, `nextId must be a decimal string, found ${JSON.stringify(o.nextId)}`);
  return { generation, nslots, live, nextId: BigInt(o.nextId) };
}

function storedState(s: IndexState): StoredState {
  return { generation: s.generation, nslots: s.nslots, live: s.live, nextId: s.nextId.toString() };
}

/** What an add committed: the ids stored (in input order) and how the arena changed. */
export interface AddCommit {
  ids: bigint[];
  firstSlot: number;
  removedSlots: number[];
  state: IndexState;
}

export interface RemoveCommit {
  removed: number;
  removedSlots: number[];
  state: IndexState;
}

export class IndexStore {
  readonly dir: string;
  readonly config: IndexConfig;
  readonly readOnly: boolean;
  private readonly env: RootDatabase;
  private readonly meta: Database<unknown, string>;
  private readonly blobs: Database<Buffer, string>;
  private readonly codes: Database<Buffer, number>;
  private readonly removed: Database<Buffer, number>;
  private readonly ids: Database<Buffer, Buffer>;
  private readonly slots: Database<Buffer, number>;

  private constructor(dir: string, env: RootDatabase, readOnly: boolean, config?: IndexConfig) {
    this.dir = dir;
    this.env = env;
    this.readOnly = readOnly;
    this.meta = env.openDB<unknown, string>({ name: DB.meta });
    this.blobs = env.openDB<Buffer, string>({ name: DB.blobs, encoding: 'binary' });
    this.codes = env.openDB<Buffer, number>({ name: DB.codes, encoding: 'binary', keyEncoding: 'uint32' });
    this.removed = env.openDB<Buffer, number>({ name: DB.removed, encoding: 'binary', keyEncoding: 'uint32' });
    this.ids = env.openDB<Buffer, Buffer>({ name: DB.ids, encoding: 'binary', keyEncoding: 'binary' });
    this.slots = env.openDB<Buffer, number>({ name: DB.slots, encoding: 'binary', keyEncoding: 'uint32' });
    this.config = config ?? this.readConfig();
  }

  private static openEnv(file: string, readOnly: boolean): RootDatabase {
    return open({ path: file, noSubdir: true, maxDbs: 8, readOnly });
  }

  /**
   * Creates the index directory `dir` (which must not exist or be empty) with its
   * format, config, empty state and the catalyzer checkpoint, in one transaction.
   */
  static create(dir: string, config: IndexConfig, checkpoint: Uint8Array): IndexStore {
    if (fs.existsSync(dir)) {
      if (!fs.statSync(dir).isDirectory()) throw new Error(`cannot create an index at ${dir}: a file is there`);
      if (fs.readdirSync(dir).length > 0) throw new Error(`cannot create an index at ${dir}: the directory is not empty`);
    }
    fs.mkdirSync(dir, { recursive: true });
    const env = IndexStore.openEnv(path.join(dir, DATA_FILE), false);
    const meta = env.openDB<unknown, string>({ name: DB.meta });
    const blobs = env.openDB<Buffer, string>({ name: DB.blobs, encoding: 'binary' });
    env.transactionSync(() => {
      meta.putSync(META_KEY.format, { format: FORMAT_NAME, version: FORMAT_VERSION });
      meta.putSync(META_KEY.config, { ...config });
      meta.putSync(META_KEY.state, storedState({ generation: 0, nslots: 0, live: 0, nextId: 0n }));
      blobs.putSync(BLOB_KEY.catalyzer, Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength));
    });
    return new IndexStore(dir, env, false, config);
  }

  /** Opens an existing index directory; refuses foreign or newer-format data clearly. */
  static open(dir: string, options: { readOnly?: boolean } = {}): IndexStore {
    const readOnly = options.readOnly ?? false;
    if (!fs.existsSync(dir)) throw new IndexFormatError(`no index at ${dir}: the path does not exist`);
    if (!fs.statSync(dir).isDirectory()) throw new IndexFormatError(`not a spreadvec index: ${dir} is not a directory`);
    const file = path.join(dir, DATA_FILE);
    if (!fs.existsSync(file)) throw new IndexFormatError(`not a spreadvec index: ${dir} has no ${DATA_FILE}`);
    // lmdb crashes the process (SIGSEGV) on some non-LMDB files: check the meta page's
    // magic number ourselves first.
    if (!hasLmdbMagic(file)) throw new IndexFormatError(`not a spreadvec index: ${file} is not an LMDB environment (no LMDB magic number)`);
    let env: RootDatabase;
    try {
      env = IndexStore.openEnv(file, readOnly);
    } catch (e) {
      throw new IndexFormatError(`not a spreadvec index: ${file} is not an LMDB environment (${(e as Error).message})`);
    }
    try {
      let format: unknown;
      try {
        format = env.openDB<unknown, string>({ name: DB.meta }).get(META_KEY.format);
      } catch (e) {
        throw new IndexFormatError(`not a spreadvec index: ${file} has no readable meta database (${(e as Error).message})`);
      }
      if (format === undefined) throw new IndexFormatError(`not a spreadvec index: ${file} has no format record`);
      const f = format as Record<string, unknown>;
      if (typeof f !== 'object' || f === null || f.format !== FORMAT_NAME) {
        throw new IndexFormatError(`not a spreadvec index: ${file} holds a format record of another kind (${JSON.stringify(format)})`);
      }
      if (typeof f.version !== 'number' || !Number.isSafeInteger(f.version) || f.version < 1) {
        corrupt(META_KEY.format, `version must be a positive integer, found ${JSON.stringify(f.version)}`);
      }
      if (f.version > FORMAT_VERSION) {
        throw new IndexFormatError(
          `the index at ${dir} has format version ${f.version}, newer than this spreadvec reads (${FORMAT_VERSION}); upgrade spreadvec`,
        );
      }
      const store = new IndexStore(dir, env, readOnly);
      store.readState(); // validates the state record now rather than at the first search
      return store;
    } catch (e) {
      void env.close();
      throw e;
    }
  }

  private readConfig(): IndexConfig {
    let raw: unknown;
    try {
      raw = this.meta.get(META_KEY.config);
    } catch (e) {
      corrupt(META_KEY.config, `unreadable (${(e as Error).message})`);
    }
    return parseConfig(raw);
  }

  /** The committed state (in `txn` if given). */
  readState(txn?: Transaction): IndexState {
    let raw: unknown;
    try {
      raw = this.meta.get(META_KEY.state, txn ? { transaction: txn } : undefined);
    } catch (e) {
      corrupt(META_KEY.state, `unreadable (${(e as Error).message})`);
    }
    return parseState(raw);
  }

  /** The catalyzer checkpoint stored at creation. */
  checkpoint(): Uint8Array {
    const b = this.blobs.get(BLOB_KEY.catalyzer);
    if (!b) throw new IndexFormatError(`index at ${this.dir} has no catalyzer checkpoint`);
    return new Uint8Array(b);
  }

  /**
   * A read snapshot of the latest commit: refresh() and idsOfSlots() in it agree with
   * each other. lmdb-js otherwise reuses one snapshot for a whole event-loop turn,
   * which would hide a batch another process committed moments ago.
   */
  beginRead(): Transaction {
    (this.env as unknown as { resetReadTxn?: () => void }).resetReadTxn?.();
    return this.env.useReadTransaction();
  }

  /**
   * Brings `arena` to the generation committed in `txn`: reads the code chunks of
   * new slots and the whole removed bitmap (n / 8 bytes). Returns whether it changed.
   */
  refresh(arena: CodeArena, txn: Transaction): boolean {
    const state = this.readState(txn);
    // lmdb-js renews read snapshots once per event-loop turn, so a snapshot may
    // predate what this arena already holds: never go back.
    if (state.generation <= arena.generation) return false;
    if (state.nslots < arena.count) {
      throw new IndexFormatError(`index at ${this.dir} shrank from ${arena.count} to ${state.nslots} slots: it was replaced while open`);
    }
    const cb = this.config.codeBytes;
    arena.reserve(state.nslots);
    for (let c = Math.floor(arena.count / CODES_PER_CHUNK); c * CODES_PER_CHUNK < state.nslots; c++) {
      const first = c * CODES_PER_CHUNK;
      const want = Math.min(CODES_PER_CHUNK, state.nslots - first);
      const chunk = this.codes.get(c, { transaction: txn });
      if (!chunk || chunk.byteLength < want * cb) {
        throw new IndexFormatError(`index at ${this.dir} is missing codes of slots ${first}..${first + want - 1}`);
      }
      const from = Math.max(arena.count, first);
      arena.writeCodes(from, chunk.subarray((from - first) * cb, want * cb));
    }
    arena.count = state.nslots;
    arena.clearRemoved();
    for (const { key, value } of this.removed.getRange({ transaction: txn })) {
      arena.writeRemovedBytes(key * REMOVED_CHUNK_BYTES, value);
    }
    arena.live = state.live;
    arena.generation = state.generation;
    return true;
  }

  /** Ids of `slots` (−1 entries give −1n), read in `txn`. */
  idsOfSlots(slots: Int32Array, txn: Transaction): BigInt64Array {
    const out = new BigInt64Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s < 0) {
        out[i] = -1n;
        continue;
      }
      const v = this.slots.get(s, { transaction: txn });
      if (!v) throw new IndexFormatError(`index at ${this.dir} has no id for live slot ${s}`);
      out[i] = decodeId(v);
    }
    return out;
  }

  private assertWritable(): void {
    if (this.readOnly) throw new Error(`index at ${this.dir} is open read-only`);
  }

  private checkGeneration(state: IndexState, arena: CodeArena): void {
    if (state.generation !== arena.generation) {
      throw new Error(`index at ${this.dir} was modified by another writer since it was read (generation ${state.generation}, expected ${arena.generation}); only one process may write`);
    }
  }

  /** Sets removed bits of `slotsToMark` in the stored bitmap (inside a write txn). */
  private markRemovedStored(slotsToMark: number[]): void {
    const byChunk = new Map<number, number[]>();
    for (const s of slotsToMark) {
      const c = Math.floor(s / SLOTS_PER_REMOVED_CHUNK);
      let list = byChunk.get(c);
      if (!list) byChunk.set(c, (list = []));
      list.push(s);
    }
    for (const [c, list] of byChunk) {
      const old = this.removed.get(c);
      const bits = Buffer.alloc(REMOVED_CHUNK_BYTES);
      if (old) old.copy(bits);
      for (const s of list) {
        const b = s - c * SLOTS_PER_REMOVED_CHUNK;
        bits[b >> 3] |= 1 << (b & 7);
      }
      this.removed.putSync(c, bits);
    }
  }

  /**
   * Stores `codes` (n codes) under `ids` (or the next n auto ids) in one
   * transaction: a re-added id replaces its earlier vector (and within the batch,
   * the last occurrence wins). The arena must be at the latest generation; it is
   * updated after the commit.
   */
  commitAdd(arena: CodeArena, codes: Uint8Array, ids: bigint[] | null): AddCommit {
    this.assertWritable();
    const cb = this.config.codeBytes;
    const n = codes.byteLength / cb;
    const commit = this.env.transactionSync((): AddCommit => {
      const state = this.readState();
      this.checkGeneration(state, arena);
      if (state.nslots + n > MAX_SLOTS) throw new RangeError(`index is full: ${state.nslots} + ${n} slots exceed ${MAX_SLOTS}`);
      const base = state.nslots;
      // Automatic ids must stay ids (≤ MAX_ID): refused here, the transaction aborts.
      if (!ids && state.nextId + BigInt(n) - 1n > MAX_ID) {
        throw new RangeError(
          `cannot assign ${n} automatic id${n === 1 ? '' : 's'}: the next id would be ${state.nextId} and ids end at 2^63 − 1; pass explicit ids`,
        );
      }
      const assigned: bigint[] = ids ?? Array.from({ length: n }, (_, i) => state.nextId + BigInt(i));
      // Last occurrence of each id in the batch wins; earlier ones are born removed.
      const lastIndex = new Map<bigint, number>();
      assigned.forEach((id, i) => lastIndex.set(id, i));
      const removedSlots: number[] = [];
      let maxId = state.nextId - 1n;
      for (let i = 0; i < n; i++) {
        const id = assigned[i];
        if (id > maxId) maxId = id;
        if (lastIndex.get(id) !== i) {
          removedSlots.push(base + i);
          continue;
        }
        const key = idKey(id);
        const old = this.ids.get(key);
        if (old) {
          const oldSlot = decodeSlot(old);
          removedSlots.push(oldSlot);
          this.slots.removeSync(oldSlot);
        }
        this.ids.putSync(key, encodeSlot(base + i));
        this.slots.putSync(base + i, encodeId(id));
      }
      // Append the codes, rewriting the last partial chunk.
      for (let s = base; s < base + n; ) {
        const c = Math.floor(s / CODES_PER_CHUNK);
        const chunkEnd = Math.min((c + 1) * CODES_PER_CHUNK, base + n);
        const head = s > c * CODES_PER_CHUNK ? this.codes.get(c) : undefined;
        const headBytes = (s - c * CODES_PER_CHUNK) * cb;
        const chunk = Buffer.allocUnsafe(headBytes + (chunkEnd - s) * cb);
        if (headBytes > 0) {
          if (!head || head.byteLength < headBytes) throw new IndexFormatError(`index at ${this.dir} is missing codes of chunk ${c}`);
          head.copy(chunk, 0, 0, headBytes);
        }
        chunk.set(codes.subarray((s - base) * cb, (chunkEnd - base) * cb), headBytes);
        this.codes.putSync(c, chunk);
        s = chunkEnd;
      }
      if (removedSlots.length > 0) this.markRemovedStored(removedSlots);
      const next: IndexState = {
        generation: state.generation + 1,
        nslots: base + n,
        live: state.live + n - removedSlots.length,
        nextId: maxId + 1n > state.nextId ? maxId + 1n : state.nextId,
      };
      this.meta.putSync(META_KEY.state, storedState(next));
      return { ids: assigned, firstSlot: base, removedSlots, state: next };
    });
    arena.writeCodes(commit.firstSlot, codes);
    for (const s of commit.removedSlots) arena.markRemoved(s);
    arena.live = commit.state.live;
    arena.generation = commit.state.generation;
    return commit;
  }

  /** Removes the given ids (absent ones are ignored) in one transaction. */
  commitRemove(arena: CodeArena, ids: bigint[]): RemoveCommit {
    this.assertWritable();
    const commit = this.env.transactionSync((): RemoveCommit => {
      const state = this.readState();
      this.checkGeneration(state, arena);
      const removedSlots: number[] = [];
      for (const id of new Set(ids)) {
        const key = idKey(id);
        const old = this.ids.get(key);
        if (!old) continue;
        const slot = decodeSlot(old);
        this.ids.removeSync(key);
        this.slots.removeSync(slot);
        removedSlots.push(slot);
      }
      if (removedSlots.length === 0) return { removed: 0, removedSlots, state };
      this.markRemovedStored(removedSlots);
      const next: IndexState = { ...state, generation: state.generation + 1, live: state.live - removedSlots.length };
      this.meta.putSync(META_KEY.state, storedState(next));
      return { removed: removedSlots.length, removedSlots, state: next };
    });
    for (const s of commit.removedSlots) arena.markRemoved(s);
    arena.live = commit.state.live;
    arena.generation = commit.state.generation;
    return commit;
  }

  /** Whether `id` is live (in the latest committed state). */
  hasId(id: bigint): boolean {
    return this.ids.get(idKey(id)) !== undefined;
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}
