/**
 * Transactions on an index's LMDB environment (layout in ./layout.ts). Each add or
 * remove is one synchronous LMDB write transaction: after a crash either all of it
 * is there or none. The store never writes a caller's memory: each commit returns
 * an ArenaUpdate (what changed), and readers (this process or others) ask
 * readUpdate() for the change from the generation they hold to the one committed in
 * a read snapshot (new code chunks and the whole removed bitmap, read inside that
 * one snapshot), so they only ever see whole batches. The Index's code arena
 * (src/index/code-arena.ts) applies them.
 *
 * Damage is kept away from LMDB: open() checks the file's type and every LMDB page
 * (./lmdb-check.ts) before LMDB maps it; format-2 values carry checksums that are
 * checked as they are read (./layout.ts); verify() checks everything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { open, type Database, type RootDatabase, type Transaction } from 'lmdb';

import { ConcurrentWriterError, ReadOnlyError } from '../src/errors';
import { ZnCodec } from '../src/lattice/zn-codec';
import { corruptError, IndexFormatError, storeIoError } from './errors';
import { checkLmdbFile } from './lmdb-check';
import { MetadataTables, type ResolveIdSlot } from './metadata';
import { checkSchema, type CompiledWhere, type Metadata } from '../src/filter';
import {
  BLOB_KEY,
  CODES_PER_CHUNK,
  DATA_FILE,
  DB,
  FORMAT_NAME,
  FORMAT_VERSION,
  LOCK_FILE,
  META_KEY,
  MAX_ID,
  MAX_SLOTS,
  OLDEST_FORMAT_VERSION,
  REMOVED_CHUNK_BYTES,
  SLOTS_PER_REMOVED_CHUNK,
  configFields,
  decodeListOf,
  encodeListOf,
  legacyConfigFields,
  partitionFields,
  modelFields,
  vectorBytes,
  idKey,
  recordChecksum,
  stateFields,
  valueCodec,
  METRICS,
  VECTOR_TYPES,
  VECTORS_FORMAT,
  type IndexConfig,
  type IndexState,
  type Metric,
  type ModelConfig,
  type PartitionRecord,
  type VectorType,
  type ValueCodec,
} from './layout';

export { IndexFormatError } from './errors';
export type { IndexErrorCode } from './errors';

interface StoredState {
  generation: number;
  nslots: number;
  live: number;
  nextId: string;
  compactedAt?: number;
  trainedAt?: number;
  partitionedAt?: number;
  crc?: number;
}

function corrupt(record: string, what: string): never {
  throw new IndexFormatError(`corrupt meta record '${record}': ${what}`, 'ECORRUPT');
}

function checkInt(record: string, obj: Record<string, unknown>, key: string, min: number): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    corrupt(record, `${key} must be an integer ≥ ${min}, found ${JSON.stringify(v)}`);
  }
  return v;
}

function checkCrc(record: string, o: Record<string, unknown>, fields: unknown[]): void {
  if (o.crc !== recordChecksum(fields)) corrupt(record, `checksum mismatch (stored ${JSON.stringify(o.crc)}, computed ${recordChecksum(fields)})`);
}

function asRecord(record: string, raw: unknown): Record<string, unknown> {
  if (raw === undefined) corrupt(record, 'missing');
  if (typeof raw !== 'object' || raw === null) corrupt(record, `not a record (${typeof raw})`);
  return raw as Record<string, unknown>;
}

/**
 * The model fields of `o` (a format-3 `model` record, or a format-1/2 `config`),
 * checked against the codec: a record that disagrees would make add write codes of
 * the wrong width.
 */
function parseModelFields(record: string, o: Record<string, unknown>, version: number): ModelConfig {
  const dout = checkInt(record, o, 'dout', 1);
  const r2 = checkInt(record, o, 'r2', 1);
  const nbit = checkInt(record, o, 'nbit', 0);
  const codeBytes = checkInt(record, o, 'codeBytes', 1);
  if (o.quantizer !== `zn_${r2}`) corrupt(record, `quantizer ${JSON.stringify(o.quantizer)} does not match r2 ${r2}`);
  if (codeBytes !== Math.max(1, Math.ceil(nbit / 8))) corrupt(record, `codeBytes ${codeBytes} does not match nbit ${nbit}`);
  const model: ModelConfig = { dout, quantizer: `zn_${r2}`, r2, nbit, codeBytes };
  if (version >= 2) {
    model.catalyzerBytes = checkInt(record, o, 'catalyzerBytes', 0);
    model.catalyzerCrc = checkInt(record, o, 'catalyzerCrc', 0);
  }
  let codec: ZnCodec;
  try {
    codec = new ZnCodec(dout, r2);
  } catch (e) {
    corrupt(record, `quantizer zn_${r2} is not usable at dimension ${dout} (${(e as Error).message})`);
  }
  if (codec.nbit !== nbit || Math.max(1, codec.codeBytes) !== codeBytes) {
    corrupt(record, `zn_${r2} at dimension ${dout} has ${codec.nbit}-bit codes of ${codec.codeBytes} bytes, the record says ${nbit} bits in ${codeBytes} bytes`);
  }
  return model;
}

/** The config record; for formats 1–2 also the model it holds. */
function parseConfig(raw: unknown, version: number): { config: IndexConfig; legacyModel: ModelConfig | null } {
  const o = asRecord(META_KEY.config, raw);
  const din = checkInt(META_KEY.config, o, 'din', 1);
  if (version < VECTORS_FORMAT) {
    const model = parseModelFields(META_KEY.config, o, version);
    if (version >= 2) checkCrc(META_KEY.config, o, legacyConfigFields(din, model));
    return { config: { din, metric: 'l2', dtype: 'float32', storeVectors: false }, legacyModel: model };
  }
  if (!METRICS.includes(o.metric as Metric)) corrupt(META_KEY.config, `metric must be one of ${METRICS.join(', ')}, found ${JSON.stringify(o.metric)}`);
  if (!VECTOR_TYPES.includes(o.dtype as VectorType)) corrupt(META_KEY.config, `dtype must be one of ${VECTOR_TYPES.join(', ')}, found ${JSON.stringify(o.dtype)}`);
  if (typeof o.storeVectors !== 'boolean') corrupt(META_KEY.config, `storeVectors must be a boolean, found ${JSON.stringify(o.storeVectors)}`);
  const config: IndexConfig = { din, metric: o.metric as Metric, dtype: o.dtype as VectorType, storeVectors: o.storeVectors };
  if (o.quantizer !== undefined && o.quantizer !== null) {
    if (typeof o.quantizer !== 'string' || !/^zn_\d+$/.test(o.quantizer)) corrupt(META_KEY.config, `quantizer must be 'zn_<r2>', found ${JSON.stringify(o.quantizer)}`);
    config.quantizer = o.quantizer;
  }
  if (o.fields !== undefined && o.fields !== null) {
    try {
      config.fields = checkSchema(o.fields, 'fields');
    } catch (e) {
      corrupt(META_KEY.config, (e as Error).message);
    }
  }
  checkCrc(META_KEY.config, o, configFields(config));
  return { config, legacyModel: null };
}

/** A format-3 `model` record (undefined: untrained). */
function parseModel(raw: unknown, version: number): ModelConfig | null {
  if (raw === undefined) return null;
  const o = asRecord(META_KEY.model, raw);
  const model = parseModelFields(META_KEY.model, o, version);
  checkCrc(META_KEY.model, o, modelFields(model));
  return model;
}

function parseState(raw: unknown, version: number): IndexState {
  if (raw === undefined) corrupt(META_KEY.state, 'missing');
  if (typeof raw !== 'object' || raw === null) corrupt(META_KEY.state, `not a record (${typeof raw})`);
  const o = raw as Record<string, unknown>;
  const generation = checkInt(META_KEY.state, o, 'generation', 0);
  const nslots = checkInt(META_KEY.state, o, 'nslots', 0);
  const live = checkInt(META_KEY.state, o, 'live', 0);
  if (live > nslots) corrupt(META_KEY.state, `live ${live} exceeds nslots ${nslots}`);
  if (nslots > MAX_SLOTS) corrupt(META_KEY.state, `nslots ${nslots} exceeds ${MAX_SLOTS}`);
  if (typeof o.nextId !== 'string' || !/^\d{1,19}$/.test(o.nextId)) corrupt(META_KEY.state, `nextId must be a decimal string, found ${JSON.stringify(o.nextId)}`);
  const state: IndexState = { generation, nslots, live, nextId: BigInt(o.nextId) };
  if (o.compactedAt !== undefined) {
    state.compactedAt = checkInt(META_KEY.state, o, 'compactedAt', 1);
    if (state.compactedAt > generation) corrupt(META_KEY.state, `compactedAt ${state.compactedAt} lies past generation ${generation}`);
  }
  if (o.trainedAt !== undefined) {
    state.trainedAt = checkInt(META_KEY.state, o, 'trainedAt', 1);
    if (state.trainedAt > generation) corrupt(META_KEY.state, `trainedAt ${state.trainedAt} lies past generation ${generation}`);
  }
  if (o.partitionedAt !== undefined) {
    state.partitionedAt = checkInt(META_KEY.state, o, 'partitionedAt', 1);
    if (state.partitionedAt > generation) corrupt(META_KEY.state, `partitionedAt ${state.partitionedAt} lies past generation ${generation}`);
  }
  if (version >= 2) checkCrc(META_KEY.state, o, stateFields(state));
  return state;
}

function storedState(s: IndexState, version: number): StoredState {
  const out: StoredState = { generation: s.generation, nslots: s.nslots, live: s.live, nextId: s.nextId.toString() };
  if (s.compactedAt !== undefined) out.compactedAt = s.compactedAt;
  if (s.trainedAt !== undefined) out.trainedAt = s.trainedAt;
  if (s.partitionedAt !== undefined) out.partitionedAt = s.partitionedAt;
  if (version >= 2) out.crc = recordChecksum(stateFields(s));
  return out;
}

function storedConfig(c: IndexConfig): Record<string, unknown> {
  const { fields, ...rest } = c;
  return { ...rest, quantizer: c.quantizer ?? null, ...(fields ? { fields: { ...fields } } : {}), crc: recordChecksum(configFields(c)) };
}

function storedModel(m: ModelConfig): Record<string, unknown> {
  return { ...m, crc: recordChecksum(modelFields(m)) };
}

function storedPartition(p: PartitionRecord): Record<string, unknown> {
  return { nlist: p.nlist, dim: p.dim, listStart: Array.from(p.listStart), centroidsBytes: p.centroidsBytes, centroidsCrc: p.centroidsCrc, crc: recordChecksum(partitionFields(p)) };
}

/** A `partition` record, checked against the state's slot count and the model's dimension. */
function parsePartition(raw: unknown, nslots: number, dout: number): PartitionRecord {
  const rec = META_KEY.partition;
  const o = asRecord(rec, raw);
  const nlist = checkInt(rec, o, 'nlist', 1);
  const dim = checkInt(rec, o, 'dim', 1);
  if (dim !== dout) corrupt(rec, `dim ${dim} is not the model's dout ${dout}`);
  const centroidsBytes = checkInt(rec, o, 'centroidsBytes', 0);
  const centroidsCrc = checkInt(rec, o, 'centroidsCrc', 0);
  if (centroidsBytes !== nlist * dim * 4) corrupt(rec, `centroidsBytes ${centroidsBytes} is not nlist × dim × 4 = ${nlist * dim * 4}`);
  const ls = o.listStart;
  if (!Array.isArray(ls) || ls.length !== nlist + 1) corrupt(rec, `listStart must hold nlist + 1 = ${nlist + 1} offsets`);
  const listStart = new Int32Array(nlist + 1);
  for (let l = 0; l <= nlist; l++) {
    const v: unknown = ls[l];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (l === 0 ? 0 : listStart[l - 1]) || (l === 0 && v !== 0) || v > nslots) {
      corrupt(rec, `listStart[${l}] = ${JSON.stringify(v)} is not a non-decreasing offset in [0, ${nslots}] from 0`);
    }
    listStart[l] = v;
  }
  const p: PartitionRecord = { nlist, dim, listStart, centroidsBytes, centroidsCrc };
  checkCrc(rec, o, partitionFields(p));
  return p;
}

/** A partition as the Index holds it: the record's layout and the centroids. */
export interface StoredPartition {
  /** The state's partitionedAt that committed it. */
  at: number;
  nlist: number;
  listStart: Int32Array;
  /** nlist × dim unit centroids. */
  centroids: Float32Array;
}

/**
 * How a compaction lays the live slots out: new slot j holds old slot order[j]
 * (every live slot once); with `partition` the result is partitioned so (listStart
 * over the new slots, no tail), without it flat (any partition is dropped).
 */
export interface Regroup {
  order: Int32Array;
  partition: { listStart: Int32Array; centroids: Float32Array } | null;
}

/** fs.statSync that reports a missing path as null and other failures as IndexFormatErrors. */
function statOrNull(p: string, doing: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw storeIoError(e, p, doing);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function checkAccess(p: string, readOnly: boolean): void {
  try {
    fs.accessSync(p, readOnly ? fs.constants.R_OK : fs.constants.R_OK | fs.constants.W_OK);
  } catch (e) {
    throw storeIoError(e, p, readOnly ? 'reading' : 'opening for writing');
  }
}

/**
 * Checks an index directory's files before LMDB sees them: the data file is a
 * regular file (a FIFO would block the open), the lock file (if any) a regular
 * file, both accessible, and the data file's LMDB pages sound.
 */
function checkFiles(dir: string, readOnly: boolean): string {
  const dst = statOrNull(dir, 'opening');
  if (!dst) throw new IndexFormatError(`no index at ${dir}: the path does not exist`, 'ENOTINDEX', dir);
  if (!dst.isDirectory()) throw new IndexFormatError(`not a spreadvec index: ${dir} is not a directory`, 'ENOTINDEX', dir);
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK);
  } catch (e) {
    throw storeIoError(e, dir, 'opening');
  }
  const file = path.join(dir, DATA_FILE);
  const fst = statOrNull(file, 'opening');
  if (!fst) throw new IndexFormatError(`not a spreadvec index: ${dir} has no ${DATA_FILE}`, 'ENOTINDEX', dir);
  if (!fst.isFile()) throw new IndexFormatError(`not a spreadvec index: ${file} is ${kindOf(fst)}, not a regular file`, 'ENOTINDEX', file);
  checkAccess(file, readOnly);
  const lock = path.join(dir, LOCK_FILE);
  const lst = statOrNull(lock, 'opening');
  if (lst) {
    if (!lst.isFile()) throw new IndexFormatError(`damaged index ${dir}: its lock file ${lock} is ${kindOf(lst)}, not a regular file`, 'ECORRUPT', lock);
    // LMDB writes the lock file even for readers.
    checkAccess(lock, false);
  } else {
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (e) {
      throw storeIoError(e, dir, `creating the lock file in`);
    }
  }
  try {
    checkLmdbFile(file);
  } catch (e) {
    throw storeIoError(e, file, 'reading');
  }
  return file;
}

/** Leftovers of a create that was killed: `.<name>.creating-<pid>-<random>`. */
function tempPrefix(dir: string): string {
  return `.${path.basename(dir)}.creating-`;
}

function removeStaleTemps(dir: string): void {
  const parent = path.dirname(dir);
  const prefix = tempPrefix(dir);
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    // Another create of the same name may be running (here or in another process).
    if (Number.isSafeInteger(pid) && pid > 0 && (pid === process.pid || processAlive(pid))) continue;
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not every file system lets a directory be synced; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** What verify() found in an intact index. */
export interface VerifyReport {
  /** Format version of the directory (1: no checksums, checked structurally only). */
  formatVersion: number;
  checksums: boolean;
  /** Live vectors, slots allocated and removed slots. */
  live: number;
  slots: number;
  removed: number;
  /** Code chunks and removed-bitmap chunks checked. */
  codeChunks: number;
  removedChunks: number;
  /** Bytes of the stored catalyzer checkpoint (0 while untrained). */
  catalyzerBytes: number;
  /** Stored vectors checked (0 when the index keeps none). */
  vectors: number;
  /** Metadata records and field-index keys checked (format 3; 0 before). */
  metadataRecords: number;
  metadataIndexKeys: number;
  trained: boolean;
  /** LMDB file: page size, pages in the file, pages in use. */
  pageSize: number;
  filePages: number;
  pagesInUse: number;
}

/**
 * How the committed codes changed between two generations, for a holder of an
 * in-memory copy (the Index's code arena) to apply: new codes by slot, slots newly
 * removed, or (from readUpdate) the whole removed bitmap.
 */
export interface ArenaUpdate {
  /** Generation, slot count and live count after the change. */
  generation: number;
  nslots: number;
  live: number;
  /**
   * What the rows are: lattice codes (model codeBytes each), or, in an untrained
   * index, the stored vectors as float32 (din × 4 bytes each) for the exact scan.
   */
  rows: 'codes' | 'vectors';
  /** Runs of whole rows (codes or vectors): `bytes` holds the codes of slots from, from + 1, …. */
  codes: { from: number; bytes: Uint8Array }[];
  /** Slots removed by the change (set their bits). */
  removedSlots: number[];
  /**
   * True when the update replaces everything held (a compaction moved slots, or
   * nothing was held): `codes` then start at slot 0 and cover all nslots.
   */
  reset: boolean;
  /**
   * When not null, the removed bitmap replaces the holder's: bytes at byteOffset
   * (slot byteOffset × 8, least significant bit first); bytes not given are zero.
   */
  removedBitmap: { byteOffset: number; bytes: Uint8Array }[] | null;
}

/** What an add committed: the ids stored (in input order) and the change to apply. */
export interface AddCommit {
  ids: bigint[];
  update: ArenaUpdate;
}

/** What a remove committed: how many ids it removed and the change to apply. */
export interface RemoveCommit {
  removed: number;
  update: ArenaUpdate;
}

/** What a training committed: the change to apply (every code, the new row kind). */
export interface TrainCommit {
  update: ArenaUpdate;
}

/** What a compaction committed: how many slots it reclaimed and the change to apply. */
export interface CompactCommit {
  reclaimed: number;
  update: ArenaUpdate;
}

/** What a holder of committed codes has: its generation and slot count. */
export interface HeldState {
  generation: number;
  count: number;
}

/** The counts of an ArenaUpdate taken from a committed state, and what its rows are. */
function counts(state: IndexState, model: ModelConfig | null): Pick<ArenaUpdate, 'generation' | 'nslots' | 'live' | 'rows'> {
  return { generation: state.generation, nslots: state.nslots, live: state.live, rows: model ? 'codes' : 'vectors' };
}

/** What one add stores: n rows' codes (trained index) and/or their vectors (an index that keeps them). */
export interface AddBatch {
  n: number;
  /** n codes of the committed model; null in an untrained index. */
  codes: Uint8Array | null;
  /** n vectors in the config's dtype (n × vectorBytes); null when the index keeps none. */
  vectors: Uint8Array | null;
  /** n metadata records (checked by the caller; undefined entries: none); absent: none for any row. */
  metadata?: readonly (Metadata | undefined)[] | null;
  /** Partitioned index: the list of each of the n rows (nearest centroid); otherwise absent or null. */
  lists?: Int32Array | null;
}

/** What an update of metadata committed: the change to apply (counts and generation only). */
export interface UpdateCommit {
  update: ArenaUpdate;
}

export class IndexStore {
  readonly dir: string;
  readonly config: IndexConfig;
  readonly readOnly: boolean;
  /** Format version of the directory; writes keep its layout. */
  readonly version: number;
  private readonly file: string;
  private readonly codec: ValueCodec;
  private readonly env: RootDatabase;
  private readonly meta: Database<unknown, string>;
  private readonly blobs: Database<Buffer, string>;
  private readonly codes: Database<Buffer, number>;
  private readonly removed: Database<Buffer, number>;
  private readonly ids: Database<Buffer, Buffer>;
  private readonly slots: Database<Buffer, number>;
  /** Stored vectors by slot (format 3 only). */
  private readonly vectors: Database<Buffer, number> | null;
  /** Tail slots' lists (format 3; opened when first needed: an index made before partitions existed may lack it). */
  private listsDb: Database<Buffer, number> | null = null;
  /** The model as of `modelAt` (the generation of the training that wrote it; 0: created so). */
  private currentModel: ModelConfig | null;
  private modelAt: number;
  /** Formats 1–2: the model in `config`, which never changes. */
  private readonly legacyModel: ModelConfig | null;
  /** Metadata records and the field index (format 3; null before). */
  private readonly metadata: MetadataTables | null;

  private constructor(dir: string, env: RootDatabase, readOnly: boolean, version: number) {
    this.dir = dir;
    this.file = path.join(dir, DATA_FILE);
    this.env = env;
    this.readOnly = readOnly;
    this.version = version;
    this.codec = valueCodec(version);
    this.meta = env.openDB<unknown, string>({ name: DB.meta });
    this.blobs = env.openDB<Buffer, string>({ name: DB.blobs, encoding: 'binary' });
    this.codes = env.openDB<Buffer, number>({ name: DB.codes, encoding: 'binary', keyEncoding: 'uint32' });
    this.removed = env.openDB<Buffer, number>({ name: DB.removed, encoding: 'binary', keyEncoding: 'uint32' });
    this.ids = env.openDB<Buffer, Buffer>({ name: DB.ids, encoding: 'binary', keyEncoding: 'binary' });
    this.slots = env.openDB<Buffer, number>({ name: DB.slots, encoding: 'binary', keyEncoding: 'uint32' });
    this.vectors = version >= VECTORS_FORMAT ? env.openDB<Buffer, number>({ name: DB.vectors, encoding: 'binary', keyEncoding: 'uint32' }) : null;
    let raw: unknown;
    try {
      raw = this.meta.get(META_KEY.config);
    } catch (e) {
      corrupt(META_KEY.config, `unreadable (${(e as Error).message})`);
    }
    const { config, legacyModel } = parseConfig(raw, version);
    this.config = config;
    this.legacyModel = legacyModel;
    this.currentModel = legacyModel;
    this.modelAt = -1;
    // Formats 1–2 get none: opening the tables would add databases to their files.
    this.metadata = version >= VECTORS_FORMAT ? new MetadataTables(env, config.fields, this.file) : null;
    this.openLists();
  }

  private static openEnv(file: string, readOnly: boolean): RootDatabase {
    try {
      return open({ path: file, noSubdir: true, maxDbs: 16, readOnly });
    } catch (e) {
      throw storeIoError(e, file, 'opening');
    }
  }

  /**
   * The model (catalyzer and lattice) committed in `txn`, or null while the index is
   * untrained. Format 3 rereads it only when a training committed since.
   */
  modelIn(txn?: Transaction): ModelConfig | null {
    if (this.version < VECTORS_FORMAT) return this.legacyModel;
    const trainedAt = this.readState(txn).trainedAt ?? 0;
    if (trainedAt !== this.modelAt) {
      let raw: unknown;
      try {
        raw = this.meta.get(META_KEY.model, txn ? { transaction: txn } : undefined);
      } catch (e) {
        corrupt(META_KEY.model, `unreadable (${(e as Error).message})`);
      }
      this.currentModel = parseModel(raw, this.version);
      this.modelAt = trainedAt;
    }
    return this.currentModel;
  }

  /** The latest committed model (see modelIn). */
  get model(): ModelConfig | null {
    return this.modelIn();
  }

  /** Bytes of one stored vector. */
  get vectorBytes(): number {
    return vectorBytes(this.config);
  }

  /**
   * Creates the index directory `dir` (which must not exist or be empty) with its
   * format, config, empty state and the catalyzer checkpoint. Atomic: the index is
   * built in a hidden sibling directory and renamed into place, so a create that
   * fails or is killed leaves `dir` as it was (a leftover sibling from a killed
   * create is removed by the next create).
   */
  static async create(dir: string, config: IndexConfig, model: { model: ModelConfig; checkpoint: Uint8Array } | null): Promise<IndexStore> {
    if (!model && !config.storeVectors) throw new RangeError('an index without a catalyzer must store its vectors');
    const st = statOrNull(dir, 'creating');
    if (st) {
      if (!st.isDirectory()) throw new IndexFormatError(`cannot create an index at ${dir}: a file is there`, 'EEXIST', dir);
      let entries: string[];
      try {
        entries = fs.readdirSync(dir);
      } catch (e) {
        throw storeIoError(e, dir, 'creating');
      }
      if (entries.length > 0) throw new IndexFormatError(`cannot create an index at ${dir}: the directory is not empty`, 'EEXIST', dir);
    }
    const parent = path.dirname(path.resolve(dir));
    let temp: string;
    try {
      fs.mkdirSync(parent, { recursive: true });
      removeStaleTemps(path.resolve(dir));
      temp = path.join(parent, `${tempPrefix(dir)}${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
      fs.mkdirSync(temp);
    } catch (e) {
      throw storeIoError(e, parent, 'creating an index in');
    }
    try {
      const cp = model ? Buffer.from(model.checkpoint.buffer, model.checkpoint.byteOffset, model.checkpoint.byteLength) : null;
      const env = IndexStore.openEnv(path.join(temp, DATA_FILE), false);
      try {
        const meta = env.openDB<unknown, string>({ name: DB.meta });
        const blobs = env.openDB<Buffer, string>({ name: DB.blobs, encoding: 'binary' });
        // Every database is made now: a read-only open cannot create one.
        for (const name of [DB.codes, DB.removed, DB.ids, DB.slots, DB.vectors, DB.lists]) env.openDB({ name, encoding: 'binary', keyEncoding: name === DB.ids ? 'binary' : 'uint32' });
        new MetadataTables(env, config.fields);
        env.transactionSync(() => {
          meta.putSync(META_KEY.format, { format: FORMAT_NAME, version: FORMAT_VERSION });
          meta.putSync(META_KEY.config, storedConfig(config));
          meta.putSync(META_KEY.state, storedState({ generation: 0, nslots: 0, live: 0, nextId: 0n }, FORMAT_VERSION));
          if (model && cp) {
            meta.putSync(META_KEY.model, storedModel({ ...model.model, catalyzerBytes: cp.byteLength, catalyzerCrc: crc32(cp) }));
            blobs.putSync(BLOB_KEY.catalyzer, cp);
          }
        });
      } catch (e) {
        throw storeIoError(e, dir, 'creating');
      } finally {
        await env.close();
      }
      // The builder's lock file (its reader table) is not part of the index; LMDB
      // makes a new one at the first open.
      fs.rmSync(path.join(temp, LOCK_FILE), { force: true });
      try {
        // rename(2) replaces an empty directory atomically; a non-empty one (someone
        // else's create won the race) makes it fail.
        fs.renameSync(temp, dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new IndexFormatError(`cannot create an index at ${dir}: the directory is not empty`, 'EEXIST', dir);
        throw storeIoError(e, dir, 'creating');
      }
      fsyncDir(parent);
    } catch (e) {
      fs.rmSync(temp, { recursive: true, force: true });
      throw e;
    }
    return IndexStore.open(dir);
  }

  /** Opens an existing index directory; refuses foreign, damaged or newer-format data clearly. */
  static open(dir: string, options: { readOnly?: boolean } = {}): IndexStore {
    const readOnly = options.readOnly ?? false;
    const file = checkFiles(dir, readOnly);
    const env = IndexStore.openEnv(file, readOnly);
    try {
      let format: unknown;
      try {
        format = env.openDB<unknown, string>({ name: DB.meta }).get(META_KEY.format);
      } catch (e) {
        throw new IndexFormatError(`not a spreadvec index: ${file} has no readable meta database (${(e as Error).message})`, 'ENOTINDEX', file);
      }
      if (format === undefined) throw new IndexFormatError(`not a spreadvec index: ${file} has no format record`, 'ENOTINDEX', file);
      const f = format as Record<string, unknown>;
      if (typeof f !== 'object' || f === null || f.format !== FORMAT_NAME) {
        throw new IndexFormatError(`not a spreadvec index: ${file} holds a format record of another kind (${JSON.stringify(format)})`, 'ENOTINDEX', file);
      }
      if (typeof f.version !== 'number' || !Number.isSafeInteger(f.version) || f.version < OLDEST_FORMAT_VERSION) {
        corrupt(META_KEY.format, `version must be a positive integer, found ${JSON.stringify(f.version)}`);
      }
      if (f.version > FORMAT_VERSION) {
        throw new IndexFormatError(
          `the index at ${dir} has format version ${f.version}, newer than this spreadvec reads (${FORMAT_VERSION}); upgrade spreadvec`,
          'EVERSION',
          dir,
        );
      }
      const store = new IndexStore(dir, env, readOnly, f.version);
      store.readState(); // validates the state record now rather than at the first search
      return store;
    } catch (e) {
      void env.close();
      throw e;
    }
  }

  private fail(what: string): never {
    throw corruptError(this.dir, what);
  }

  /** The committed state (in `txn` if given). */
  readState(txn?: Transaction): IndexState {
    let raw: unknown;
    try {
      raw = this.meta.get(META_KEY.state, txn ? { transaction: txn } : undefined);
    } catch (e) {
      corrupt(META_KEY.state, `unreadable (${(e as Error).message})`);
    }
    return parseState(raw, this.version);
  }

  /**
   * The catalyzer checkpoint of the model committed in `txn` (format ≥ 2: length and
   * CRC checked); null while the index is untrained.
   */
  checkpoint(txn?: Transaction): Uint8Array | null {
    const model = this.modelIn(txn);
    if (!model) return null;
    const b = this.blobs.get(BLOB_KEY.catalyzer, txn ? { transaction: txn } : undefined);
    if (!b) throw corruptError(this.dir, 'it has no catalyzer checkpoint');
    const { catalyzerBytes, catalyzerCrc } = model;
    if (catalyzerBytes !== undefined && b.byteLength !== catalyzerBytes) this.fail(`the catalyzer checkpoint has ${b.byteLength} bytes, the config says ${catalyzerBytes}`);
    if (catalyzerCrc !== undefined && crc32(b) !== catalyzerCrc) this.fail('the catalyzer checkpoint fails its checksum');
    return new Uint8Array(b);
  }

  /**
   * A read snapshot of the latest commit: refresh() and idsOfSlots() in it agree with
   * each other. lmdb-js otherwise reuses one snapshot for a whole event-loop turn,
   * which would hide a batch another process committed moments ago.
   */
  beginRead(): Transaction {
    (this.env as unknown as { resetReadTxn?: () => void }).resetReadTxn?.();
    this.openLists();
    return this.env.useReadTransaction();
  }

  /** Codes of chunk `c`, which must hold `want` codes; checksum checked (format 2). */
  private chunkCodes(c: number, want: number, txn?: Transaction): Buffer {
    const cb = this.codeBytesIn(txn);
    const value = this.codes.get(c, txn ? { transaction: txn } : undefined);
    const first = c * CODES_PER_CHUNK;
    if (!value) this.fail(`the codes of slots ${first}..${first + want - 1} are missing`);
    const chunk = this.codec.decodeChunk(c, value);
    if (!chunk) this.fail(`codes chunk ${c} fails its checksum`);
    if (chunk.byteLength !== want * cb) this.fail(`codes chunk ${c} holds ${chunk.byteLength} bytes, expected ${want} codes of ${cb} bytes`);
    return chunk;
  }

  /** Bytes per code of the model committed in `txn` (an untrained index has none). */
  private codeBytesIn(txn?: Transaction): number {
    const model = this.modelIn(txn);
    if (!model) this.fail('codes were asked of an untrained index');
    return model.codeBytes;
  }

  /** The stored vector of `slot` (its bytes in the config's dtype), or null when none is stored. */
  private vectorRecord(slot: number, txn?: Transaction): Buffer | null {
    if (!this.vectors) return null;
    const value = this.vectors.get(slot, txn ? { transaction: txn } : undefined);
    if (!value) return null;
    return this.checkedVector(slot, value);
  }

  private checkedVector(slot: number, value: Uint8Array): Buffer {
    const v = this.codec.decodeChunk(slot, value);
    if (!v) this.fail(`the stored vector of slot ${slot} fails its checksum`);
    if (v.byteLength !== this.vectorBytes) this.fail(`the stored vector of slot ${slot} holds ${v.byteLength} bytes, expected ${this.vectorBytes}`);
    return v;
  }

  /** Writes `bytes` (one vector in the config's dtype) as the vector of `slot` (inside a write txn). */
  private putVector(slot: number, bytes: Uint8Array): void {
    this.vectors!.putSync(slot, this.codec.encodeChunk(slot, bytes));
  }

  /** A stored vector's bytes as float32 values, written at out[at…]. */
  private widen(bytes: Buffer, out: Float32Array, at: number): void {
    const din = this.config.din;
    if (this.config.dtype === 'uint8') {
      for (let d = 0; d < din; d++) out[at + d] = bytes[d];
    } else {
      // LMDB values need not be 4-byte aligned: copy bytewise into the float view.
      new Uint8Array(out.buffer, out.byteOffset + at * 4, din * 4).set(bytes);
    }
  }

  /**
   * The stored vectors of `slots` as float32 rows (slots.length × din), read in
   * `txn`; a −1 slot gives a row of NaN. A live slot without a vector is damage.
   */
  vectorsOfSlots(slots: Int32Array, txn: Transaction): Float32Array {
    const din = this.config.din;
    const out = new Float32Array(slots.length * din);
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] < 0) {
        out.fill(NaN, i * din, (i + 1) * din);
        continue;
      }
      const v = this.vectorRecord(slots[i], txn);
      if (!v) this.fail(`live slot ${slots[i]} has no stored vector`);
      this.widen(v, out, i * din);
    }
    return out;
  }

  /** The slot of each id in `txn` (−1: absent). */
  slotsOfIds(ids: readonly bigint[], txn: Transaction): Int32Array {
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = this.slotOfId(ids[i], txn) ?? -1;
    return out;
  }

  /** Live ids in id order from `after` (exclusive; null: from the first), at most `limit`. */
  idsPage(after: bigint | null, limit: number, txn: Transaction): bigint[] {
    const out: bigint[] = [];
    const start = after === null ? undefined : idKey(after + 1n);
    for (const key of this.ids.getKeys({ start, limit, transaction: txn })) {
      const k = key as Uint8Array;
      out.push(Buffer.from(k.buffer, k.byteOffset, 8).readBigUInt64BE(0));
    }
    return out;
  }

  /**
   * Every live slot in [`fromSlot`, `toSlot`) of the snapshot `txn` with its stored
   * vector (float32 rows, in slot order), and the state: what a training learns from
   * and then codes, and what a partition assigns to lists (in pieces).
   */
  liveVectors(txn: Transaction, fromSlot = 0, toSlot?: number): { slots: Int32Array; vectors: Float32Array; state: IndexState } {
    const state = this.readState(txn);
    const din = this.config.din;
    const keys: number[] = [];
    for (const key of this.slots.getKeys({ start: fromSlot, ...(toSlot === undefined ? {} : { end: toSlot }), transaction: txn })) {
      if (keys.length >= state.live) this.fail(`more than the ${state.live} live slots have ids`);
      keys.push(key);
    }
    if (fromSlot === 0 && toSlot === undefined && keys.length !== state.live) this.fail(`${keys.length} slots have ids, the state says ${state.live} live vectors`);
    const slots = Int32Array.from(keys);
    const vectors = new Float32Array(slots.length * din);
    for (let i = 0; i < slots.length; i++) {
      const v = this.vectorRecord(slots[i], txn);
      if (!v) this.fail(`live slot ${slots[i]} has no stored vector`);
      this.widen(v, vectors, i * din);
    }
    return { slots, vectors, state };
  }

  /** Float32 rows of slots [from, to) (removed slots: zeros), for an untrained arena. */
  private vectorRows(from: number, to: number, txn?: Transaction): Uint8Array {
    const din = this.config.din;
    const rows = new Float32Array((to - from) * din);
    if (to > from) {
      for (const { key, value } of this.vectors!.getRange({ start: from, end: to, ...(txn ? { transaction: txn } : {}) })) {
        this.widen(this.checkedVector(key, value), rows, (key - from) * din);
      }
    }
    return new Uint8Array(rows.buffer);
  }

  /** Bitmap of removed chunk `c` (REMOVED_CHUNK_BYTES), checksum checked. */
  private removedChunk(c: number, value: Uint8Array): Buffer {
    const bits = this.codec.decodeChunk(c, value);
    if (!bits) this.fail(`removed-slot chunk ${c} fails its checksum`);
    if (bits.byteLength !== REMOVED_CHUNK_BYTES) this.fail(`removed-slot chunk ${c} holds ${bits.byteLength} bytes`);
    return bits;
  }

  /**
   * The change from `held` to the generation committed in `txn`: the code chunks of
   * slots past held.count and the whole removed bitmap (n / 8 bytes). Null when
   * `txn` holds nothing newer than `held`.
   */
  readUpdate(held: HeldState, txn: Transaction): ArenaUpdate | null {
    const state = this.readState(txn);
    // lmdb-js renews read snapshots once per event-loop turn, so a snapshot may
    // predate what the holder already has: never go back.
    if (state.generation <= held.generation) return null;
    // A compaction after the held generation moved slots, a training changed every
    // code: what is held is stale through and through, so the whole arena is read again.
    const after = (g: number | undefined) => g !== undefined && g > held.generation;
    const reset = held.generation < 0 || after(state.compactedAt) || after(state.trainedAt);
    const heldCount = reset ? 0 : held.count;
    if (state.nslots < heldCount) {
      throw new IndexFormatError(`index at ${this.dir} shrank from ${held.count} to ${state.nslots} slots: it was replaced while open`, 'ECORRUPT', this.dir);
    }
    const model = this.modelIn(txn);
    const codes: ArenaUpdate['codes'] = [];
    if (model) {
      const cb = model.codeBytes;
      for (let c = Math.floor(heldCount / CODES_PER_CHUNK); c * CODES_PER_CHUNK < state.nslots; c++) {
        const first = c * CODES_PER_CHUNK;
        const want = Math.min(CODES_PER_CHUNK, state.nslots - first);
        const chunk = this.chunkCodes(c, want, txn);
        const from = Math.max(heldCount, first);
        codes.push({ from, bytes: chunk.subarray((from - first) * cb, want * cb) });
      }
    } else if (state.nslots > heldCount) {
      codes.push({ from: heldCount, bytes: this.vectorRows(heldCount, state.nslots, txn) });
    }
    const removedBitmap = this.removedBitmap(state, txn);
    return { generation: state.generation, nslots: state.nslots, live: state.live, rows: model ? 'codes' : 'vectors', reset, codes, removedSlots: [], removedBitmap };
  }

  /** The whole stored removed bitmap of `state`, chunk by chunk. */
  private removedBitmap(state: IndexState, txn?: Transaction): NonNullable<ArenaUpdate['removedBitmap']> {
    const removedBitmap: NonNullable<ArenaUpdate['removedBitmap']> = [];
    const chunks = Math.ceil(state.nslots / SLOTS_PER_REMOVED_CHUNK);
    for (const { key, value } of this.removed.getRange(txn ? { transaction: txn } : {})) {
      if (!Number.isSafeInteger(key) || key < 0 || key >= chunks) this.fail(`removed-slot chunk ${String(key)} lies past the ${state.nslots} slots`);
      removedBitmap.push({ byteOffset: key * REMOVED_CHUNK_BYTES, bytes: this.removedChunk(key, value) });
    }
    return removedBitmap;
  }

  /** Id stored for `slot`, or undefined when the slot has none. */
  private idOfSlot(slot: number, txn?: Transaction): bigint | undefined {
    const v = this.slots.get(slot, txn ? { transaction: txn } : undefined);
    if (!v) return undefined;
    const id = this.codec.decodeIdOf(slot, v);
    if (id === null) this.fail(`the id of slot ${slot} fails its checksum`);
    return id;
  }

  /** Slot stored for `id`, or undefined when the id is absent. */
  private slotOfId(id: bigint, txn?: Transaction): number | undefined {
    const v = this.ids.get(idKey(id), txn ? { transaction: txn } : undefined);
    if (!v) return undefined;
    const slot = this.codec.decodeSlotOf(id, v);
    if (slot === null) this.fail(`the slot of id ${id} fails its checksum`);
    return slot;
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
      const id = this.idOfSlot(s, txn);
      if (id === undefined) this.fail(`live slot ${s} has no id`);
      out[i] = id;
    }
    return out;
  }

  private assertWritable(): void {
    if (this.readOnly) throw new ReadOnlyError(`index at ${this.dir} is open read-only`);
  }

  private checkGeneration(state: IndexState, expected: number): void {
    if (state.generation !== expected) {
      throw new ConcurrentWriterError(`index at ${this.dir} was modified by another writer since it was read (generation ${state.generation}, expected ${expected}); only one process may write`);
    }
  }

  /**
   * Runs a write transaction of about `bytes` bytes; file-system failures become
   * one-line IndexFormatErrors.
   */
  private write<T>(bytes: number, fn: () => T): T {
    try {
      return this.env.transactionSync(fn);
    } catch (e) {
      throw this.writeError(e, bytes);
    }
  }

  /**
   * LMDB reports a short write (a full disk) as EIO: when the file system has less
   * room than the transaction needed (with margin), say so.
   */
  private writeError(e: unknown, bytes: number): unknown {
    const mapped = storeIoError(e, this.file, 'writing');
    if (mapped instanceof IndexFormatError && mapped.code === 'EIO') {
      try {
        const fsStat = fs.statfsSync(this.dir);
        if (fsStat.bavail * fsStat.bsize < Math.max(64 * 1024 * 1024, 2 * bytes)) {
          return new IndexFormatError(`no space left on device while writing ${this.file}`, 'ENOSPC', this.file);
        }
      } catch {
        // keep the EIO
      }
    }
    return mapped;
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
      if (old) this.removedChunk(c, old).copy(bits);
      for (const s of list) {
        const b = s - c * SLOTS_PER_REMOVED_CHUNK;
        bits[b >> 3] |= 1 << (b & 7);
      }
      this.removed.putSync(c, this.codec.encodeChunk(c, bits));
    }
  }

  /**
   * Opens the `lists` database if it is not open yet: at open (a writer creates it),
   * and before each read snapshot while a read-only environment lacks it (an index
   * made before partitions existed, until a writer partitions it). A snapshot cannot
   * use a database opened after it began.
   */
  private openLists(): void {
    if (this.listsDb || this.version < VECTORS_FORMAT) return;
    try {
      this.listsDb = this.env.openDB<Buffer, number>({ name: DB.lists, encoding: 'binary', keyEncoding: 'uint32' }) ?? null;
    } catch {
      this.listsDb = null;
    }
  }

  /** The `lists` database (null: this read-only environment does not have it). */
  private lists(): Database<Buffer, number> | null {
    return this.listsDb;
  }

  /** The partition committed in `txn`, or null when the index is flat. */
  partitionIn(txn?: Transaction): StoredPartition | null {
    const state = this.readState(txn);
    if (state.partitionedAt === undefined) return null;
    const model = this.modelIn(txn);
    if (!model) this.fail('an untrained index has a partition');
    const opt = txn ? { transaction: txn } : undefined;
    const p = parsePartition(this.meta.get(META_KEY.partition, opt), state.nslots, model.dout);
    const blob = this.blobs.get(BLOB_KEY.centroids, opt);
    if (!blob) this.fail('it is partitioned but has no centroids');
    if (blob.byteLength !== p.centroidsBytes || crc32(blob) !== p.centroidsCrc) this.fail('the partition centroids fail their checksum');
    const centroids = new Float32Array(p.nlist * p.dim);
    new Uint8Array(centroids.buffer).set(blob);
    return { at: state.partitionedAt, nlist: p.nlist, listStart: p.listStart, centroids };
  }

  /** The lists of tail slots [from, to) in `txn` (each must be stored and < nlist). */
  tailLists(from: number, to: number, nlist: number, txn?: Transaction): Int32Array {
    const out = new Int32Array(Math.max(0, to - from));
    if (to <= from) return out;
    const db = this.lists();
    if (!db) this.fail(`the lists of slots ${from}..${to - 1} are missing`);
    let next = from;
    for (const { key, value } of db.getRange({ start: from, end: to, ...(txn ? { transaction: txn } : {}) })) {
      if (key !== next) this.fail(`slot ${next} of the partition's tail has no list`);
      const l = decodeListOf(this.codec, key, value);
      if (l === null) this.fail(`the list of slot ${key} fails its checksum`);
      if (l < 0 || l >= nlist) this.fail(`slot ${key} is in list ${l}, not one of the ${nlist}`);
      out[key - from] = l;
      next++;
    }
    if (next !== to) this.fail(`slot ${next} of the partition's tail has no list`);
    return out;
  }

  /** Drops the partition (record, centroids, tail lists) inside a write txn; returns the state without it. */
  private dropPartition(state: IndexState): IndexState {
    if (state.partitionedAt === undefined) return state;
    this.meta.removeSync(META_KEY.partition);
    this.blobs.removeSync(BLOB_KEY.centroids);
    const db = this.lists();
    if (db) for (const key of [...db.getKeys()]) db.removeSync(key);
    const next = { ...state };
    delete next.partitionedAt;
    return next;
  }

  /**
   * Stores a batch (codes and/or vectors, see AddBatch) under `ids` (or the next n
   * auto ids) in one transaction: a re-added id replaces its earlier vector (and
   * within the batch, the last occurrence wins). `generation` is the one the caller
   * holds: the commit is refused (ConcurrentWriterError) if another writer committed
   * since, so the codes are always of the committed model. Returns the ids and the
   * change for the caller to apply to its copy.
   */
  commitAdd(generation: number, batch: AddBatch, ids: bigint[] | null): AddCommit {
    this.assertWritable();
    const { n, codes, vectors } = batch;
    const metadata = this.metadataFor(batch.metadata, n);
    const vb = this.vectorBytes;
    if (vectors && vectors.byteLength !== n * vb) throw new RangeError(`vectors has ${vectors.byteLength} bytes, expected ${n} × ${vb}`);
    if (!vectors && this.config.storeVectors) throw new RangeError('this index stores its vectors: the batch must carry them');
    if (vectors && !this.config.storeVectors) throw new RangeError('this index does not store vectors');
    // Codes, vectors, both id maps (key, value, node header) and B-tree overhead.
    return this.write((codes?.byteLength ?? 0) + (vectors?.byteLength ?? 0) + n * 96, (): AddCommit => {
      const state = this.readState();
      this.checkGeneration(state, generation);
      const model = this.modelIn();
      if (model) {
        if (!codes || codes.byteLength !== n * model.codeBytes) throw new RangeError(`codes must hold ${n} codes of ${model.codeBytes} bytes`);
      } else if (codes) {
        throw new RangeError('an untrained index takes no codes');
      }
      if (state.nslots + n > MAX_SLOTS) throw new RangeError(`index is full: ${state.nslots} + ${n} slots exceed ${MAX_SLOTS}`);
      const base = state.nslots;
      this.putTailLists(state, base, batch.lists ?? null, n);
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
        const oldSlot = this.slotOfId(id);
        if (oldSlot !== undefined) {
          removedSlots.push(oldSlot);
          this.slots.removeSync(oldSlot);
          if (this.vectors) this.vectors.removeSync(oldSlot);
          // Metadata: a replaced id keeps only the record given with it (if any).
          this.metadata?.remove(oldSlot);
        }
        this.ids.putSync(idKey(id), this.codec.encodeSlotOf(id, base + i));
        this.slots.putSync(base + i, this.codec.encodeIdOf(base + i, id));
        if (vectors) this.putVector(base + i, vectors.subarray(i * vb, (i + 1) * vb));
        // Metadata: the row's record, in this transaction.
        const record = metadata?.[i];
        if (record) metadata!.tables.put(base + i, record, `metadata[${i}]`);
      }
      if (codes) this.appendCodes(base, codes, model!.codeBytes);
      if (removedSlots.length > 0) this.markRemovedStored(removedSlots);
      const next: IndexState = {
        ...state,
        generation: state.generation + 1,
        nslots: base + n,
        live: state.live + n - removedSlots.length,
        nextId: maxId + 1n > state.nextId ? maxId + 1n : state.nextId,
      };
      this.meta.putSync(META_KEY.state, storedState(next, this.version));
      const rows = codes ?? this.asFloatRows(vectors!, n);
      return { ids: assigned, update: { ...counts(next, model), reset: false, codes: [{ from: base, bytes: rows }], removedSlots, removedBitmap: null } };
    });
  }

  /**
   * Stores the lists of new slots base.. of a partitioned index (inside a write txn);
   * refuses lists a flat index was given, or none for a partitioned one.
   */
  private putTailLists(state: IndexState, base: number, lists: Int32Array | null, n: number): void {
    if (state.partitionedAt === undefined) {
      if (lists) throw new RangeError('the index is not partitioned: an add takes no lists');
      return;
    }
    const nlist = (this.meta.get(META_KEY.partition) as { nlist?: unknown } | undefined)?.nlist;
    if (typeof nlist !== 'number') this.fail('it is partitioned but has no partition record');
    if (!lists || lists.length !== n) throw new RangeError(`the index is partitioned: the batch must carry the list of each of its ${n} rows`);
    const db = this.lists();
    if (!db) this.fail('it is partitioned but has no lists database');
    for (let i = 0; i < n; i++) {
      if (!(lists[i] >= 0 && lists[i] < nlist)) throw new RangeError(`lists[${i}] = ${lists[i]} is not a list in [0, ${nlist})`);
      db.putSync(base + i, encodeListOf(this.codec, base + i, lists[i]));
    }
  }

  /** n vectors in the config's dtype as float32 row bytes (the untrained arena's rows). */
  private asFloatRows(vectors: Uint8Array, n: number): Uint8Array {
    if (this.config.dtype === 'float32') return vectors;
    return new Uint8Array(Float32Array.from(vectors.subarray(0, n * this.config.din)).buffer);
  }

  /** Appends codes of slots base.. (inside a write txn), rewriting the last partial chunk. */
  private appendCodes(base: number, codes: Uint8Array, cb: number): void {
    const n = codes.byteLength / cb;
    for (let s = base; s < base + n; ) {
      const c = Math.floor(s / CODES_PER_CHUNK);
      const chunkEnd = Math.min((c + 1) * CODES_PER_CHUNK, base + n);
      const headSlots = s - c * CODES_PER_CHUNK;
      const chunk = Buffer.allocUnsafe((headSlots + chunkEnd - s) * cb);
      if (headSlots > 0) this.chunkCodes(c, headSlots).copy(chunk, 0, 0, headSlots * cb);
      chunk.set(codes.subarray((s - base) * cb, (chunkEnd - base) * cb), headSlots * cb);
      this.codes.putSync(c, this.codec.encodeChunk(c, chunk));
      s = chunkEnd;
    }
  }

  /** The batch's metadata with the tables to write it to; refuses metadata where there are none. */
  private metadataFor(records: AddBatch['metadata'], n: number): (readonly (Metadata | undefined)[] & { tables: MetadataTables }) | null {
    if (!records || records.every((r) => r === undefined)) return null;
    if (records.length !== n) throw new RangeError(`metadata has ${records.length} records for ${n} vectors`);
    return Object.assign(records.slice(), { tables: this.metadataTables() });
  }

  /** The metadata tables, or a RangeError for a format-1/2 index (which has none). */
  private metadataTables(): MetadataTables {
    if (!this.metadata) throw new RangeError(`the index at ${this.dir} has format ${this.version}, which holds no metadata; rebuild it with this version`);
    return this.metadata;
  }

  /** The declared (indexed) metadata fields, undefined without a schema. */
  get schema(): IndexConfig['fields'] {
    return this.config.fields;
  }

  /**
   * Changes the metadata of live `ids` in one transaction, in order: `set[i]`'s fields
   * take their values, those of `unset[i]` go (MetadataTables.patch). An id not present
   * is a RangeError naming it (`ids[3] = 17 is not in the index`) and nothing is
   * written. Bumps the generation (one writer at a time, as every commit).
   */
  commitUpdate(generation: number, ids: readonly bigint[], set: readonly Metadata[], unset: readonly (readonly string[])[]): UpdateCommit {
    this.assertWritable();
    const tables = this.metadataTables();
    return this.write(ids.length * 256, (): UpdateCommit => {
      const state = this.readState();
      this.checkGeneration(state, generation);
      const model = this.modelIn();
      const slots = ids.map((id, i) => {
        const slot = this.slotOfId(id);
        if (slot === undefined) throw new RangeError(`ids[${i}] = ${id} is not in the index`);
        return slot;
      });
      slots.forEach((slot, i) => tables.patch(slot, set[i], unset[i], `patch`));
      const next: IndexState = { ...state, generation: state.generation + 1 };
      this.meta.putSync(META_KEY.state, storedState(next, this.version));
      return { update: { ...counts(next, model), reset: false, codes: [], removedSlots: [], removedBitmap: null } };
    });
  }

  /** The metadata records of `slots` (−1 or no record: undefined), read in `txn`. */
  metadataOfSlots(slots: Int32Array, txn: Transaction): (Metadata | undefined)[] {
    return Array.from(slots, (s) => (s < 0 || !this.metadata ? undefined : this.metadata.get(s, txn)));
  }

  /**
   * The slots in [0, nslots) whose metadata (none counts as `{}`) matches `compiled`,
   * as a bitmap in the removed bitmap's layout, read in `txn` (MetadataTables.allowedSlots;
   * `id` conditions through the `ids` map of the same snapshot). A format-1/2 index
   * has no metadata tables: a RangeError.
   */
  allowedSlots(compiled: CompiledWhere, nslots: number, txn: Transaction): Uint8Array {
    const resolve: ResolveIdSlot = (id) => this.slotOfId(id, txn);
    return this.metadataTables().allowedSlots(compiled, nslots, txn, resolve);
  }

  /**
   * Removes the given ids (absent ones are ignored) in one transaction; `generation`
   * as for commitAdd.
   */
  commitRemove(generation: number, ids: bigint[]): RemoveCommit {
    this.assertWritable();
    return this.write(ids.length * 64, (): RemoveCommit => {
      const state = this.readState();
      this.checkGeneration(state, generation);
      const model = this.modelIn();
      const removedSlots: number[] = [];
      for (const id of new Set(ids)) {
        const slot = this.slotOfId(id);
        if (slot === undefined) continue;
        this.ids.removeSync(idKey(id));
        this.slots.removeSync(slot);
        if (this.vectors) this.vectors.removeSync(slot);
        this.metadata?.remove(slot); // metadata
        removedSlots.push(slot);
      }
      if (removedSlots.length === 0) return { removed: 0, update: { ...counts(state, model), reset: false, codes: [], removedSlots, removedBitmap: null } };
      this.markRemovedStored(removedSlots);
      const next: IndexState = { ...state, generation: state.generation + 1, live: state.live - removedSlots.length };
      this.meta.putSync(META_KEY.state, storedState(next, this.version));
      return { removed: removedSlots.length, update: { ...counts(next, model), reset: false, codes: [], removedSlots, removedBitmap: null } };
    });
  }

  /**
   * Switches the index to a newly trained model in one transaction: the catalyzer
   * checkpoint, the `model` record and the codes of every slot [0, nslots) (removed
   * ones included, any bytes) are replaced, and the generation is bumped and recorded
   * as `trainedAt` so that other holders reload their model and arena whole. After a
   * crash the index is on its old model or its new one. `generation` as for commitAdd.
   */
  commitTrain(generation: number, model: ModelConfig, checkpoint: Uint8Array, codes: Uint8Array): TrainCommit {
    this.assertWritable();
    if (this.version < VECTORS_FORMAT) throw new RangeError(`the index at ${this.dir} has format ${this.version}, which cannot be retrained; rebuild it with this version`);
    const cp = Buffer.from(checkpoint.buffer, checkpoint.byteOffset, checkpoint.byteLength);
    return this.write(codes.byteLength + cp.byteLength, (): TrainCommit => {
      const state = this.readState();
      this.checkGeneration(state, generation);
      if (codes.byteLength !== state.nslots * model.codeBytes) throw new RangeError(`codes must cover the ${state.nslots} slots (${state.nslots * model.codeBytes} bytes), got ${codes.byteLength}`);
      const stored: ModelConfig = { ...model, catalyzerBytes: cp.byteLength, catalyzerCrc: crc32(cp) };
      this.blobs.putSync(BLOB_KEY.catalyzer, cp);
      this.meta.putSync(META_KEY.model, storedModel(stored));
      const oldChunks = [...this.codes.getKeys()];
      for (const key of oldChunks) this.codes.removeSync(key);
      this.appendCodes(0, codes, model.codeBytes);
      // The centroids lived in the old catalyzer's space: the index is flat after a training.
      const next: IndexState = { ...this.dropPartition(state), generation: state.generation + 1, trainedAt: state.generation + 1 };
      this.meta.putSync(META_KEY.state, storedState(next, this.version));
      const removedBitmap = this.removedBitmap(next);
      return { update: { ...counts(next, stored), reset: true, codes: [{ from: 0, bytes: codes }], removedSlots: [], removedBitmap } };
    });
  }

  /**
   * Moves the live codes to consecutive slots 0..live − 1 and rewrites both id maps,
   * the stored vectors, the removed bitmap (emptied) and the state, all in one
   * transaction: after a crash the index is as before or as after. Without
   * `regroup` the live slots keep their slot order and any partition is dropped;
   * with it they take regroup.order and the index is partitioned as it says (a
   * partition() or the compaction of a partitioned index: the tail merges into the
   * lists). The generation is bumped and recorded as `compactedAt` (and
   * `partitionedAt` when regrouped), so that readers holding an older generation
   * reload their arena whole (readUpdate). Slots that do not move are not
   * rewritten. Works in either format (the values keep the directory's layout).
   * `generation` as for commitAdd.
   */
  commitCompact(generation: number, regroup: Regroup | null = null): CompactCommit {
    this.assertWritable();
    const state0 = this.readState();
    const model0 = this.modelIn();
    if (regroup && (!model0 || this.version < VECTORS_FORMAT)) throw new RangeError('only a trained index of format 3 can be partitioned');
    return this.write(state0.live * ((model0?.codeBytes ?? 0) + (this.config.storeVectors ? this.vectorBytes : 0) + 64), (): CompactCommit => {
      const state = this.readState();
      this.checkGeneration(state, generation);
      const model = this.modelIn();
      if (!regroup && state.live === state.nslots && state.partitionedAt === undefined) {
        return { reclaimed: 0, update: { ...counts(state, model), reset: false, codes: [], removedSlots: [], removedBitmap: null } };
      }
      // Live slots with their ids (the slots map holds live slots only), in slot order.
      const live = state.live;
      const liveSlots = new Int32Array(live);
      const liveIds = new BigInt64Array(live);
      let n = 0;
      for (const { key, value } of this.slots.getRange()) {
        if (n >= live) this.fail(`more than the ${live} live slots have ids`);
        const id = this.codec.decodeIdOf(key, value);
        if (id === null) this.fail(`the id of slot ${key} fails its checksum`);
        liveSlots[n] = key;
        liveIds[n] = id;
        n++;
      }
      if (n !== live) this.fail(`${n} slots have ids, the state says ${live} live vectors`);
      let oldSlots: Int32Array = liveSlots;
      let ids: BigInt64Array = liveIds;
      if (regroup) {
        // The order must name every live slot once.
        const { order } = regroup;
        if (order.length !== live) throw new RangeError(`regroup.order has ${order.length} slots, the index has ${live} live ones`);
        const rank = new Map<number, number>();
        for (let i = 0; i < live; i++) rank.set(liveSlots[i], i);
        ids = new BigInt64Array(live);
        const seen = new Uint8Array(live);
        for (let j = 0; j < live; j++) {
          const i = rank.get(order[j]);
          if (i === undefined || seen[i]) throw new RangeError(`regroup.order[${j}] = ${order[j]} is not a live slot named once`);
          seen[i] = 1;
          ids[j] = liveIds[i];
        }
        oldSlots = order;
        this.checkRegroupPartition(regroup.partition, live, model!.dout);
      }
      let firstMoved = 0;
      while (firstMoved < live && oldSlots[firstMoved] === firstMoved) firstMoved++;
      let codes: Buffer | null = null;
      if (model) {
        const cb = model.codeBytes;
        // Every old code, then the new order gathered from them.
        const old = Buffer.allocUnsafe(state.nslots * cb);
        const oldChunks = Math.ceil(state.nslots / CODES_PER_CHUNK);
        for (let c = 0; c < oldChunks; c++) {
          this.chunkCodes(c, Math.min(CODES_PER_CHUNK, state.nslots - c * CODES_PER_CHUNK)).copy(old, c * CODES_PER_CHUNK * cb);
        }
        codes = Buffer.allocUnsafe(live * cb);
        for (let i = 0; i < live; i++) old.copy(codes, i * cb, oldSlots[i] * cb, (oldSlots[i] + 1) * cb);
        const newChunks = Math.ceil(live / CODES_PER_CHUNK);
        for (let c = Math.floor(firstMoved / CODES_PER_CHUNK); c < newChunks; c++) {
          const payload = codes.subarray(c * CODES_PER_CHUNK * cb, Math.min((c + 1) * CODES_PER_CHUNK, live) * cb);
          this.codes.putSync(c, this.codec.encodeChunk(c, payload));
        }
        for (let c = newChunks; c < oldChunks; c++) this.codes.removeSync(c);
      }
      if (this.vectors && this.config.storeVectors) {
        // Read every moving vector first: in a regrouped order a target slot may still hold one yet to move.
        const moving: Buffer[] = [];
        for (let i = firstMoved; i < live; i++) {
          const v = this.vectorRecord(oldSlots[i]);
          if (!v) this.fail(`live slot ${oldSlots[i]} has no stored vector`);
          moving.push(Buffer.from(v));
        }
        for (let i = firstMoved; i < live; i++) this.putVector(i, moving[i - firstMoved]);
        const beyond = [...this.vectors.getKeys({ start: live })];
        for (const key of beyond) this.vectors.removeSync(key);
      }
      // filter2's metadata records move with the slots here (old slot oldSlots[i] → i).
      // Id maps: slots 0..live − 1 are overwritten, old slots past them dropped.
      for (let i = firstMoved; i < live; i++) {
        this.ids.putSync(idKey(ids[i]), this.codec.encodeSlotOf(ids[i], i));
        this.slots.putSync(i, this.codec.encodeIdOf(i, ids[i]));
      }
      for (let i = firstMoved; i < live; i++) if (oldSlots[i] >= live) this.slots.removeSync(oldSlots[i]);
      // Metadata: records follow their slots (dead slots have none; targets are dead or moved).
      if (this.metadata?.hasRecords()) for (let i = firstMoved; i < live; i++) this.metadata.move(oldSlots[i], i);
      const removedKeys = [...this.removed.getKeys()];
      for (const key of removedKeys) this.removed.removeSync(key);
      const g = state.generation + 1;
      let next: IndexState = { ...this.dropPartition(state), generation: g, nslots: live, live, compactedAt: g };
      if (regroup?.partition) {
        this.putPartition(regroup.partition, model!.dout);
        next = { ...next, partitionedAt: g };
      }
      this.meta.putSync(META_KEY.state, storedState(next, this.version));
      const rows = codes ?? this.vectorRows(0, live);
      return {
        reclaimed: state.nslots - live,
        update: { ...counts(next, model), reset: true, codes: [{ from: 0, bytes: rows }], removedSlots: [], removedBitmap: [] },
      };
    });
  }

  /** Refuses a regroup partition that does not cover exactly the live slots with dim-d centroids. */
  private checkRegroupPartition(p: Regroup['partition'], live: number, dim: number): void {
    if (!p) return;
    const nlist = p.listStart.length - 1;
    if (nlist < 1) throw new RangeError('regroup.partition.listStart must hold nlist + 1 ≥ 2 offsets');
    if (p.listStart[0] !== 0 || p.listStart[nlist] !== live) throw new RangeError(`regroup.partition.listStart must run from 0 to the ${live} live slots`);
    for (let l = 0; l < nlist; l++) if (p.listStart[l + 1] < p.listStart[l]) throw new RangeError(`regroup.partition.listStart decreases at ${l}`);
    if (p.centroids.length !== nlist * dim) throw new RangeError(`regroup.partition.centroids has ${p.centroids.length} values, expected nlist × dout = ${nlist} × ${dim}`);
  }

  /** Writes a partition record and its centroids (inside a write txn; no tail). */
  private putPartition(p: NonNullable<Regroup['partition']>, dim: number): void {
    const blob = Buffer.from(p.centroids.buffer, p.centroids.byteOffset, p.centroids.byteLength);
    const rec: PartitionRecord = { nlist: p.listStart.length - 1, dim, listStart: p.listStart, centroidsBytes: blob.byteLength, centroidsCrc: crc32(blob) };
    this.blobs.putSync(BLOB_KEY.centroids, Buffer.from(blob));
    this.meta.putSync(META_KEY.partition, storedPartition(rec));
  }

  /**
   * Full check of the index: every LMDB page (with key order), the meta records,
   * the catalyzer checkpoint, every code and bitmap chunk, both id maps against each
   * other and against the bitmap and the state. Throws an IndexFormatError
   * (ECORRUPT) at the first fault; returns what it checked otherwise.
   */
  verify(): VerifyReport {
    let lmdb;
    try {
      lmdb = checkLmdbFile(this.file, { deep: true });
    } catch (e) {
      throw storeIoError(e, this.file, 'reading');
    }
    const txn = this.beginRead();
    try {
      const { config } = parseConfig(this.meta.get(META_KEY.config, { transaction: txn }), this.version);
      for (const k of ['din', 'metric', 'dtype', 'storeVectors'] as const) {
        if (config[k] !== this.config[k]) this.fail(`the config changed while the index was open (${k})`);
      }
      const state = this.readState(txn);
      const model = this.modelIn(txn);
      const catalyzer = this.checkpoint(txn);
      // Codes: chunks 0..last, each whole, nothing beyond (none while untrained).
      const chunks = model ? Math.ceil(state.nslots / CODES_PER_CHUNK) : 0;
      let codeChunks = 0;
      for (const key of this.codes.getKeys({ transaction: txn })) {
        if (key !== codeChunks) this.fail(`codes chunk ${String(key)} found where chunk ${codeChunks} belongs`);
        if (key >= chunks) this.fail(`codes chunk ${key} lies past the ${state.nslots} slots`);
        this.chunkCodes(key, Math.min(CODES_PER_CHUNK, state.nslots - key * CODES_PER_CHUNK), txn);
        codeChunks++;
      }
      if (codeChunks !== chunks) this.fail(`${codeChunks} codes chunks for ${state.nslots} slots (expected ${chunks})`);
      // Removed bitmap.
      const removedBits = new Uint8Array(Math.ceil(state.nslots / SLOTS_PER_REMOVED_CHUNK) * REMOVED_CHUNK_BYTES);
      const isRemoved = (slot: number) => ((removedBits[slot >> 3] >> (slot & 7)) & 1) === 1;
      let removedChunks = 0;
      const bitmapChunks = Math.ceil(state.nslots / SLOTS_PER_REMOVED_CHUNK);
      for (const { key, value } of this.removed.getRange({ transaction: txn })) {
        if (!Number.isSafeInteger(key) || key < 0 || key >= bitmapChunks) this.fail(`removed-slot chunk ${String(key)} lies past the ${state.nslots} slots`);
        const bits = this.removedChunk(key, value);
        // Bits past the last slot are never set.
        const lastBit = state.nslots - key * SLOTS_PER_REMOVED_CHUNK;
        for (let b = lastBit; b < SLOTS_PER_REMOVED_CHUNK && b >= 0; b++) {
          if ((bits[b >> 3] >> (b & 7)) & 1) this.fail(`removed-slot chunk ${key} marks slot ${key * SLOTS_PER_REMOVED_CHUNK + b}, past the ${state.nslots} slots`);
        }
        removedBits.set(bits, key * REMOVED_CHUNK_BYTES);
        removedChunks++;
      }
      let removedCount = 0;
      for (let s = 0; s < state.nslots; s++) if (isRemoved(s)) removedCount++;
      if (state.nslots - removedCount !== state.live) this.fail(`the bitmap leaves ${state.nslots - removedCount} live slots, the state says ${state.live}`);
      // slots → ids: every live slot has an id, no removed slot has one. Both maps
      // are read in key order; the cross-check goes through this table, not lookups.
      const idBySlot = new BigInt64Array(state.nslots).fill(-1n);
      let slotEntries = 0;
      for (const { key, value } of this.slots.getRange({ transaction: txn })) {
        const slot = key;
        if (!Number.isSafeInteger(slot) || slot < 0 || slot >= state.nslots) this.fail(`an id is stored for slot ${String(slot)}, past the ${state.nslots} slots`);
        if (isRemoved(slot)) this.fail(`removed slot ${slot} still has an id`);
        const id = this.codec.decodeIdOf(slot, value);
        if (id === null) this.fail(`the id of slot ${slot} fails its checksum`);
        if (id >= state.nextId) this.fail(`slot ${slot} holds id ${id}, not below nextId ${state.nextId}`);
        idBySlot[slot] = id;
        slotEntries++;
      }
      if (slotEntries !== state.live) this.fail(`${slotEntries} slots have ids, the state says ${state.live} live vectors`);
      // ids → slots: each id names a slot that names it back; with equal counts and
      // distinct ids, the two maps are inverse.
      let idEntries = 0;
      for (const { key, value } of this.ids.getRange({ transaction: txn })) {
        if (!(key instanceof Uint8Array) || key.byteLength !== 8) this.fail('an id-map key is not 8 bytes');
        const id = Buffer.from(key.buffer, key.byteOffset, 8).readBigUInt64BE(0);
        const slot = this.codec.decodeSlotOf(id, value);
        if (slot === null) this.fail(`the slot of id ${id} fails its checksum`);
        if (slot >= state.nslots || idBySlot[slot] !== id) this.fail(`id ${id} maps to slot ${slot}, which does not map back`);
        idEntries++;
      }
      if (idEntries !== state.live) this.fail(`${idEntries} ids are stored, the state says ${state.live} live vectors`);
      // Stored vectors: exactly the live slots have one, each of the right length and checksum.
      let vectorRecords = 0;
      if (this.vectors) {
        for (const { key, value } of this.vectors.getRange({ transaction: txn })) {
          if (!Number.isSafeInteger(key) || key < 0 || key >= state.nslots || idBySlot[key] < 0n) this.fail(`a vector is stored for slot ${String(key)}, which is not live`);
          this.checkedVector(key, value);
          vectorRecords++;
        }
        if (this.config.storeVectors && vectorRecords !== state.live) this.fail(`${vectorRecords} vectors are stored, the state says ${state.live} live vectors`);
      }
      // Metadata: records of live slots only, intact, with exactly their index keys.
      const metadata = this.metadata?.verify(txn, (slot) => slot < state.nslots && idBySlot[slot] >= 0n) ?? { records: 0, indexKeys: 0 };
      // Partition: the record and centroids whole, a list for every tail slot and none elsewhere.
      const partition = this.partitionIn(txn);
      const listsDb = this.lists();
      if (partition) {
        const groupedEnd = partition.listStart[partition.nlist];
        this.tailLists(groupedEnd, state.nslots, partition.nlist, txn);
        for (const key of listsDb!.getKeys({ transaction: txn })) {
          if (key < groupedEnd || key >= state.nslots) this.fail(`slot ${key} has a list but is not in the partition's tail [${groupedEnd}, ${state.nslots})`);
        }
      } else if (listsDb) {
        for (const key of listsDb.getKeys({ transaction: txn, limit: 1 })) this.fail(`slot ${key} has a list but the index is not partitioned`);
      }
      return {
        formatVersion: this.version,
        checksums: this.codec.checksums,
        live: state.live,
        slots: state.nslots,
        removed: removedCount,
        codeChunks,
        removedChunks,
        catalyzerBytes: catalyzer?.byteLength ?? 0,
        vectors: vectorRecords,
        metadataRecords: metadata.records,
        metadataIndexKeys: metadata.indexKeys,
        trained: model !== null,
        pageSize: lmdb.pageSize,
        filePages: lmdb.filePages,
        pagesInUse: lmdb.pagesReached,
      };
    } catch (e) {
      throw storeIoError(e, this.file, 'verifying');
    } finally {
      txn.done();
    }
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}
