/**
 * PyTorch checkpoints (`torch.save` files) in pure TypeScript.
 *
 * Reading handles both serializations: the zip archive of PyTorch ≥ 1.6
 * (`<name>/data.pkl` + one record per storage under `<name>/data/`) and the legacy
 * stream (magic number, protocol version, sys info, the pickle, the sorted storage
 * keys, then each storage as an int64 element count and its raw bytes), which the
 * paper's published models use. Writing produces the zip format.
 *
 * The unpickled object uses pickle.ts's mapping (dicts and OrderedDicts as plain
 * objects, class instances such as argparse.Namespace as plain records) and every
 * tensor as a TorchTensor (contiguous copy of its view).
 */
import { crc32 } from 'node:zlib';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { CheckpointError } from './checkpoint-error';
import { PickleWriter } from './pickle-writer';
import { PyGlobal, unpickle, type Callable } from './pickle';
import { DTYPES, dtypeOfStorage, numelOf, type TorchDtype, type TorchTensor } from './tensor';

export { CheckpointError } from './checkpoint-error';

/** What the paper's trainer stores, and what writeCheckpoint writes. */
export interface CheckpointData {
  state_dict: Record<string, TorchTensor>;
  epoch?: number;
  /** Written as an argparse.Namespace. */
  args?: Record<string, unknown>;
  logs?: Record<string, unknown>[];
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const MAX_DIMS = 64;

/** A storage named by a persistent id; its bytes may arrive later (legacy format). */
interface StorageRef {
  key: string;
  dtype: TorchDtype;
  numel: number;
  data?: TorchTensor['data'];
}

interface PendingView {
  tensor: TorchTensor;
  storage: StorageRef;
  offset: number;
  stride: number[];
}

function isTensor(v: unknown): v is TorchTensor {
  return typeof v === 'object' && v !== null && tensorObjects.has(v);
}
const tensorObjects = new WeakSet<object>();

function asIntArray(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || v.length > MAX_DIMS) throw new CheckpointError(`${what} is not a tuple of at most ${MAX_DIMS} ints`);
  for (const x of v) if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new CheckpointError(`${what} holds ${String(x)}`);
  return v as number[];
}

/** Everything one read needs: the storage table, pending views, an allocation budget. */
class Reader {
  readonly storages = new Map<string, StorageRef>();
  readonly pending: PendingView[] = [];
  /** Bytes we may still allocate for non-contiguous views (storages themselves come from the file). */
  budget: number;

  constructor(fileSize: number) {
    this.budget = 2 * fileSize + (1 << 20);
  }

  persistentLoad = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new CheckpointError('unsupported persistent id');
    const [, type, key, , numel] = pid as unknown[];
    if (pid.length > 5 && pid[5] !== null) throw new CheckpointError('legacy storage views are not supported');
    if (!(type instanceof PyGlobal) || type.module !== 'torch') throw new CheckpointError('persistent id without a torch storage type');
    const dtype = dtypeOfStorage(type.name);
    if (!dtype) throw new CheckpointError(`unsupported storage type torch.${type.name}`);
    if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
      throw new CheckpointError('malformed storage persistent id');
    }
    const known = this.storages.get(key);
    if (known) {
      if (known.dtype !== dtype || known.numel !== numel) throw new CheckpointError(`storage ${key} declared twice differently`);
      return known;
    }
    const ref: StorageRef = { key, dtype, numel };
    this.storages.set(key, ref);
    return ref;
  };

  private rebuild(storage: unknown, offset: unknown, size: unknown, stride: unknown): TorchTensor {
    // Only a StorageRef this reader made (a look-alike dict from the pickle is refused).
    if (typeof storage !== 'object' || storage === null || this.storages.get((storage as StorageRef).key) !== storage) {
      throw new CheckpointError('tensor without a storage');
    }
    const ref = storage as StorageRef;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new CheckpointError('bad storage offset');
    const shape = asIntArray(size, 'tensor size');
    const strides = asIntArray(stride, 'tensor stride');
    if (shape.length !== strides.length) throw new CheckpointError('size and stride differ in length');
    const numel = numelOf(shape);
    if (numel > 0) {
      let last = offset;
      for (let i = 0; i < shape.length; i++) last += (shape[i] - 1) * strides[i];
      if (!(last < ref.numel)) throw new CheckpointError(`tensor view reaches element ${last} of a storage of ${ref.numel}`);
      if (numel > ref.numel) throw new CheckpointError('overlapping tensor views are not supported');
    }
    const tensor: TorchTensor = { dtype: ref.dtype, shape: [...shape], data: new DTYPES[ref.dtype].array(0) };
    tensorObjects.add(tensor);
    this.pending.push({ tensor, storage: ref, offset, stride: [...strides] });
    return tensor;
  }

  readonly callables = new Map<string, Callable>([
    ['torch._utils._rebuild_tensor_v2', (a) => this.rebuild(a[0], a[1], a[2], a[3])],
    ['torch._utils._rebuild_tensor', (a) => this.rebuild(a[0], a[1], a[2], a[3])],
    ['torch._utils._rebuild_parameter', (a) => this.param(a[0])],
    ['torch._utils._rebuild_parameter_with_state', (a) => this.param(a[0])],
    ['torch.Size', (a) => (Array.isArray(a[0]) ? [...a[0]] : [])],
  ]);

  private param(t: unknown): unknown {
    if (!isTensor(t)) throw new CheckpointError('Parameter without a tensor');
    return t;
  }

  /** Fills every tensor once all storages have bytes. */
  resolve(): void {
    for (const { tensor, storage, offset, stride } of this.pending) {
      const data = storage.data;
      if (!data) throw new CheckpointError(`storage ${storage.key} has no data`);
      const numel = numelOf(tensor.shape);
      let contiguous = true;
      for (let i = tensor.shape.length - 1, s = 1; i >= 0; i--) {
        if (tensor.shape[i] !== 1 && stride[i] !== s) contiguous = false;
        s *= tensor.shape[i];
      }
      if (contiguous) {
        tensor.data = data.subarray(offset, offset + numel);
        continue;
      }
      const bytes = numel * DTYPES[tensor.dtype].bytes;
      if (bytes > this.budget) throw new CheckpointError('strided views need more memory than the file justifies');
      this.budget -= bytes;
      const out = new (DTYPES[tensor.dtype].array)(numel) as TorchTensor['data'];
      gather(data, out, tensor.shape, stride, offset);
      tensor.data = out;
    }
  }
}

/** Copies a strided view into a contiguous array (iterative, no recursion). */
function gather(src: TorchTensor['data'], dst: TorchTensor['data'], shape: number[], stride: number[], offset: number): void {
  const d = shape.length;
  const idx = new Array<number>(d).fill(0);
  const s = src as unknown as ArrayLike<number> & { [i: number]: number };
  const t = dst as unknown as { [i: number]: number };
  for (let i = 0, at = offset; i < dst.length; i++) {
    t[i] = s[at];
    for (let k = d - 1; k >= 0; k--) {
      idx[k]++;
      at += stride[k];
      if (idx[k] < shape[k]) break;
      at -= stride[k] * shape[k];
      idx[k] = 0;
    }
  }
}

/** Typed array over a copy of `bytes` (copied so that it is aligned and owned). */
function storageFromBytes(ref: StorageRef, bytes: Uint8Array): TorchTensor['data'] {
  const size = ref.numel * DTYPES[ref.dtype].bytes;
  if (bytes.length < size) throw new CheckpointError(`storage ${ref.key} holds ${bytes.length} bytes, needs ${size}`);
  const copy = bytes.slice(0, size);
  return new (DTYPES[ref.dtype].array)(copy.buffer, 0, ref.numel) as TorchTensor['data'];
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Reads a `torch.save` file (zip or legacy format). Never imports or calls anything
 * the file names: only tensors, containers and plain records come out.
 * @throws CheckpointError for anything truncated, corrupt, hostile or unsupported.
 */
export function readCheckpoint(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  // A plain view: Buffer#slice would share memory where we want copies.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return isZip(bytes) ? readZip(bytes) : readLegacy(bytes);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

function readZip(bytes: Uint8Array): unknown {
  // Refuse zip bombs before fflate allocates: PyTorch stores records uncompressed.
  let declared = 0;
  const limit = 16 * bytes.length + (1 << 20);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        declared += f.originalSize;
        if (f.compression !== 0 && f.compression !== 8) throw new CheckpointError(`unsupported zip compression ${f.compression}`);
        if (!(declared <= limit)) throw new CheckpointError('zip entries declare more bytes than the file can hold');
        return true;
      },
    });
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`corrupt zip archive (${err instanceof Error ? err.message : String(err)})`);
  }
  // fflate does not check CRCs: a flipped byte in a stored weight would load silently.
  const crcs = centralDirectoryCrcs(bytes);
  for (const [name, data] of Object.entries(files)) {
    const want = crcs.get(name);
    if (want === undefined) throw new CheckpointError(`zip entry ${name} is not in the central directory`);
    const got = crc32(data) >>> 0;
    if (got !== want) throw new CheckpointError(`zip entry ${name} is corrupt (CRC-32 ${hex(got)}, expected ${hex(want)})`);
  }
  const pklName = Object.keys(files).find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pklName) throw new CheckpointError('zip archive without <name>/data.pkl');
  const prefix = pklName.slice(0, -'data.pkl'.length);
  const order = files[`${prefix}byteorder`];
  if (order && new TextDecoder().decode(order) !== 'little') throw new CheckpointError('big-endian checkpoints are not supported');
  const reader = new Reader(bytes.length);
  const { value, end } = unpickle(files[pklName], 0, { callables: reader.callables, persistentLoad: reader.persistentLoad });
  if (end !== files[pklName].length) throw new CheckpointError('trailing bytes after data.pkl');
  for (const ref of reader.storages.values()) {
    const rec = files[`${prefix}data/${ref.key}`];
    if (!rec) throw new CheckpointError(`missing storage record data/${ref.key}`);
    ref.data = storageFromBytes(ref, rec);
  }
  reader.resolve();
  return value;
}

const hex = (v: number): string => v.toString(16).padStart(8, '0');

/**
 * The CRC-32 of each entry, by name, from the zip's central directory (zip64 end
 * records included, as PyTorch writes them for large files).
 */
function centralDirectoryCrcs(bytes: Uint8Array): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (): never => {
    throw new CheckpointError('corrupt zip archive (central directory)');
  };
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad();
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const rec = Number(view.getBigUint64(eocd - 12, true));
    if (!(rec + 56 <= bytes.length) || view.getUint32(rec, true) !== 0x06064b50) bad();
    count = Number(view.getBigUint64(rec + 32, true));
    offset = Number(view.getBigUint64(rec + 48, true));
  }
  const crcs = new Map<string, number>();
  const decoder = new TextDecoder();
  for (let k = 0, at = offset; k < count; k++) {
    if (!(at + 46 <= bytes.length) || view.getUint32(at, true) !== 0x02014b50) bad();
    const nameLen = view.getUint16(at + 28, true);
    const next = at + 46 + nameLen + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (next > bytes.length) bad();
    crcs.set(decoder.decode(bytes.subarray(at + 46, at + 46 + nameLen)), view.getUint32(at + 16, true));
    at = next;
  }
  return crcs;
}

function readLegacy(bytes: Uint8Array): unknown {
  if (bytes.length < 2 || bytes[0] !== 0x80) throw new CheckpointError('neither a zip archive nor a legacy torch.save stream');
  let pos = 0;
  const next = (opts = {}): unknown => {
    const r = unpickle(bytes, pos, opts);
    pos = r.end;
    return r.value;
  };
  const magic = next();
  if (magic !== LEGACY_MAGIC) throw new CheckpointError('legacy stream without the torch.save magic number');
  const protocol = next();
  if (protocol !== 1001) throw new CheckpointError(`unsupported legacy protocol version ${String(protocol)}`);
  const sysInfo = next() as Record<string, unknown> | null;
  if (sysInfo && typeof sysInfo === 'object' && sysInfo.little_endian === false) {
    throw new CheckpointError('big-endian checkpoints are not supported');
  }
  const reader = new Reader(bytes.length);
  const value = next({ callables: reader.callables, persistentLoad: reader.persistentLoad });
  const keys = next();
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new CheckpointError('storage key list is not a list of strings');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys as string[]) {
    if (pos + 8 > bytes.length) throw new CheckpointError(`truncated before storage ${key}`);
    const numel = Number(view.getBigInt64(pos, true));
    pos += 8;
    const ref = reader.storages.get(key);
    if (!ref) throw new CheckpointError(`storage ${key} listed but never used`);
    if (numel !== ref.numel) throw new CheckpointError(`storage ${key} holds ${numel} elements, expected ${ref.numel}`);
    const size = numel * DTYPES[ref.dtype].bytes;
    if (pos + size > bytes.length) throw new CheckpointError(`truncated storage ${key}`);
    ref.data = storageFromBytes(ref, bytes.subarray(pos, pos + size));
    pos += size;
  }
  reader.resolve();
  return value;
}

// ---------------------------------------------------------------------------------
// Writing

const ARCHIVE = 'archive';
const ALIGN = 64; // PyTorch aligns records to 64 bytes (needed for torch.load(mmap=True))

function checkTensor(name: string, t: TorchTensor): void {
  const info = DTYPES[t.dtype];
  if (!info) throw new TypeError(`state_dict['${name}'] has unknown dtype ${String(t.dtype)}`);
  if (!(t.data instanceof info.array)) throw new TypeError(`state_dict['${name}'] data does not match dtype ${t.dtype}`);
  if (numelOf(t.shape) !== t.data.length) {
    throw new RangeError(`state_dict['${name}'] has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${numelOf(t.shape)}`);
  }
}

/**
 * Writes `{state_dict, epoch, args, logs}` as a zip checkpoint that `torch.load`
 * reads: state_dict as a collections.OrderedDict of tensors, args as an
 * argparse.Namespace (torch ≥ 2.6 then needs `weights_only=False`, as for the
 * paper's own files), logs as a list of dicts.
 */
export function writeCheckpoint(ckpt: CheckpointData): Uint8Array {
  if (typeof ckpt !== 'object' || ckpt === null || typeof ckpt.state_dict !== 'object' || ckpt.state_dict === null) {
    throw new TypeError('ckpt.state_dict must be an object of tensors');
  }
  const records: [string, Uint8Array][] = [];
  const w = new PickleWriter();
  const writeTensor = (t: TorchTensor): void => {
    const key = String(records.length);
    const d = t.data;
    records.push([key, new Uint8Array(d.buffer, d.byteOffset, d.byteLength)]);
    const strides: number[] = [];
    for (let i = t.shape.length - 1, s = 1; i >= 0; i--) {
      strides[i] = s;
      s *= t.shape[i];
    }
    w.global('torch._utils', '_rebuild_tensor_v2');
    w.mark();
    w.mark();
    w.str('storage');
    w.global('torch', DTYPES[t.dtype].storage);
    w.str(key);
    w.str('cpu');
    w.int(d.length);
    w.tupleFromMark();
    w.binpersid();
    w.int(0);
    w.mark();
    for (const s of t.shape) w.int(s);
    w.tupleFromMark();
    w.mark();
    for (const s of strides) w.int(s);
    w.tupleFromMark();
    w.bool(false);
    w.global('collections', 'OrderedDict');
    w.emptyTuple();
    w.reduce();
    w.tupleFromMark();
    w.reduce();
  };

  w.emptyDict();
  w.mark();
  w.str('state_dict');
  w.global('collections', 'OrderedDict');
  w.emptyTuple();
  w.reduce();
  const entries = Object.entries(ckpt.state_dict);
  if (entries.length) {
    w.mark();
    for (const [name, t] of entries) {
      checkTensor(name, t);
      w.str(name);
      writeTensor(t);
    }
    w.setitems();
  }
  if (ckpt.epoch !== undefined) {
    w.str('epoch');
    w.value(ckpt.epoch);
  }
  if (ckpt.args !== undefined) {
    w.str('args');
    w.global('argparse', 'Namespace');
    w.emptyTuple();
    w.newobj();
    w.dictItems(ckpt.args);
    w.build();
  }
  if (ckpt.logs !== undefined) {
    w.str('logs');
    w.value(ckpt.logs);
  }
  w.setitems();
  const pkl = w.finish();

  // Stored (uncompressed) entries, each record's data padded to 64 bytes with an
  // extra field, as PyTorch's own writer does.
  const files: [string, Uint8Array][] = [
    [`${ARCHIVE}/data.pkl`, pkl],
    [`${ARCHIVE}/byteorder`, new TextEncoder().encode('little')],
    ...records.map(([k, b]): [string, Uint8Array] => [`${ARCHIVE}/data/${k}`, b]),
    [`${ARCHIVE}/version`, new TextEncoder().encode('3\n')],
  ];
  const zippable: Zippable = {};
  let offset = 0;
  for (const [name, data] of files) {
    const base = offset + 30 + name.length;
    let pad = (ALIGN - ((base + 4) % ALIGN)) % ALIGN;
    const extra = { 0x4b46: new Uint8Array(pad) }; // 'FK', the id PyTorch uses
    offset = base + 4 + pad + data.length;
    zippable[name] = [data, { level: 0, mtime: new Date('1980-01-01T00:00:00Z'), extra }];
    pad = 0;
  }
  return zipSync(zippable);
}

/** Reads a checkpoint and checks it is `{state_dict: {name: tensor}, ...}`. */
export function readStateDictCheckpoint(bytes: Uint8Array): CheckpointData & Record<string, unknown> {
  const obj = readCheckpoint(bytes);
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new CheckpointError('checkpoint is not a dict');
  const rec = obj as Record<string, unknown>;
  // A bare state dict (torch.save(model.state_dict())) is accepted too.
  const sd = (isTensorDict(rec.state_dict) ? rec.state_dict : isTensorDict(rec) ? rec : undefined) as
    | Record<string, TorchTensor>
    | undefined;
  if (!sd) throw new CheckpointError('checkpoint has no state_dict of tensors');
  return { ...rec, state_dict: sd } as CheckpointData & Record<string, unknown>;
}

function isTensorDict(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const values = Object.values(v);
  return values.length > 0 && values.every(isTensor);
}

export { isTensor };
