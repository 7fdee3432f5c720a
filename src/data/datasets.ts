/**
 * The dataset registry: names → folders with a known file layout.
 *
 * A dataset is named by
 * - a folder path (`--database /data/sift`, `./sift`): its layout (bigann, deep1b,
 *   npy) is detected from the file names it holds;
 * - a registry name: the registry is a JSON file (path from `SPREADVEC_DATASETS`,
 *   default `./datasets.json`) of the form
 *   `{ "mydata": { "folder": "/data/mine", "layout": "npy" }, "bigann": "/data/bigann" }`:
 *   an entry is `{ folder, layout?, files?, gtBaseSize? }` or, as the paper's
 *   `getBasedir`, a plain folder string (layout from the name when it is one, else
 *   detected from the files). A relative folder is resolved against the JSON file's
 *   own folder. A bad entry is reported when it is used, not before;
 * - the built-in `sift-debian-small`: `$SPREADVEC_DATA_DIR/sift-debian-small`, else
 *   `../shared/data/sift-debian-small` next to the package root (a development
 *   checkout). See docs/data.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNpy } from './npy';
import { readVecs, vecsFormatOf, vecsInfo, type Matrix, type RowRange } from './vecs';

/** File layouts the registry understands. */
export type DatasetLayout = 'bigann' | 'deep1b' | 'npy';

/** The four files of a dataset, relative to its folder. */
export interface DatasetFiles {
  learn: string;
  base: string;
  query: string;
  /** Ground truth: exact L2 neighbours of each query in base, nearest first. */
  gt: string;
}

/** One registry entry, resolved. */
export interface DatasetEntry {
  name: string;
  /** Absolute folder. */
  folder: string;
  layout: DatasetLayout;
  files: DatasetFiles;
  /**
   * Number of leading base vectors the ground-truth file was computed on
   * (BigANN's idx_1M / Deep1B's deep1M: 1,000,000), or undefined for the whole base.
   */
  gtBaseSize?: number;
}

/** The files of each layout, as the paper's lib/data.py names them. */
export const LAYOUTS: Record<DatasetLayout, { files: DatasetFiles; gtBaseSize?: number }> = {
  bigann: {
    files: { learn: 'bigann_learn.bvecs', base: 'bigann_base.bvecs', query: 'bigann_query.bvecs', gt: 'gnd/idx_1M.ivecs' },
    gtBaseSize: 1_000_000,
  },
  deep1b: {
    files: { learn: 'learn.fvecs', base: 'base.fvecs', query: 'deep1B_queries.fvecs', gt: 'deep1M_groundtruth.ivecs' },
    gtBaseSize: 1_000_000,
  },
  npy: { files: { learn: 'learn.npy', base: 'base.npy', query: 'query.npy', gt: 'gt.npy' } },
};

/** Registry file in use: `$SPREADVEC_DATASETS`, else `./datasets.json`. */
export function datasetsFile(): string {
  return path.resolve(process.env.SPREADVEC_DATASETS || 'datasets.json');
}

/** The package root (the folder holding package.json and binding.gyp). */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** Name of the built-in dataset. */
export const BUILTIN_DATASET = 'sift-debian-small';

/** Where the built-in dataset is looked for, and why there. */
export function builtinFolder(): { folder: string; why: string } {
  const base = process.env.SPREADVEC_DATA_DIR;
  if (base) return { folder: path.resolve(base, BUILTIN_DATASET), why: `SPREADVEC_DATA_DIR=${base}` };
  return { folder: path.resolve(packageRoot(), '../shared/data', BUILTIN_DATASET), why: 'next to the package root' };
}

function builtIn(): DatasetEntry {
  const { folder, why } = builtinFolder();
  if (!fs.existsSync(folder)) {
    throw new Error(
      `dataset '${BUILTIN_DATASET}': no data at ${folder} (looked ${why}); set SPREADVEC_DATA_DIR to the folder holding ${BUILTIN_DATASET}/, pass --database <folder>, or register it in ${datasetsFile()} (docs/data.md)`,
    );
  }
  return { name: BUILTIN_DATASET, folder, layout: 'bigann', ...LAYOUTS.bigann };
}

/**
 * The layout of a folder, from the files it holds: the first layout whose base
 * and query files are both present. Throws naming the files looked for.
 */
export function detectLayout(folder: string): DatasetLayout {
  for (const [layout, def] of Object.entries(LAYOUTS) as [DatasetLayout, (typeof LAYOUTS)[DatasetLayout]][]) {
    if (fs.existsSync(path.join(folder, def.files.base)) && fs.existsSync(path.join(folder, def.files.query))) return layout;
  }
  const expected = Object.entries(LAYOUTS).map(([l, d]) => `${l}: ${d.files.base} + ${d.files.query}`).join('; ');
  throw new RangeError(`${folder}: no known dataset layout (expected ${expected})`);
}

/** A dataset given as a folder path: its layout detected from its files. */
export function folderDataset(folder: string, name: string = folder): DatasetEntry {
  const abs = path.resolve(folder);
  if (!fs.existsSync(abs)) throw new Error(`dataset folder ${abs} does not exist`);
  if (!fs.statSync(abs).isDirectory()) throw new RangeError(`dataset ${abs} is not a folder`);
  const layout = detectLayout(abs);
  return { name, folder: abs, layout, ...LAYOUTS[layout] };
}

/** A registry entry as written in the JSON file. */
interface RawEntry {
  folder?: unknown;
  layout?: unknown;
  files?: Partial<Record<keyof DatasetFiles, unknown>>;
  gtBaseSize?: unknown;
}

/** Validates one raw registry entry; throws naming the file and the entry. */
function parseEntry(file: string, name: string, value: unknown): DatasetEntry {
  const where = `${file}: dataset '${name}'`;
  if (typeof value === 'string') {
    // The paper's getBasedir style: a folder; the layout from the name, else from the files.
    const folder = path.resolve(path.dirname(file), value);
    if (name in LAYOUTS) return { name, folder, layout: name as DatasetLayout, ...LAYOUTS[name as DatasetLayout] };
    if (!fs.existsSync(folder)) throw new Error(`${where}: folder ${folder} does not exist`);
    return { ...folderDataset(folder), name };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be a folder string or an object { folder, layout }`);
  }
  const raw = value as RawEntry;
  if (typeof raw.folder !== 'string') throw new TypeError(`${where}: folder must be a string`);
  const folder = path.resolve(path.dirname(file), raw.folder);
  let layout: DatasetLayout;
  if (raw.layout === undefined) {
    if (!fs.existsSync(folder)) throw new Error(`${where}: folder ${folder} does not exist`);
    layout = detectLayout(folder);
  } else if (typeof raw.layout !== 'string' || !(raw.layout in LAYOUTS)) {
    throw new RangeError(`${where}: layout must be one of ${Object.keys(LAYOUTS).join(', ')}, got ${String(raw.layout)}`);
  } else {
    layout = raw.layout as DatasetLayout;
  }
  const def = LAYOUTS[layout];
  const files = { ...def.files };
  if (raw.files !== undefined && (typeof raw.files !== 'object' || raw.files === null)) {
    throw new TypeError(`${where}: files must be an object`);
  }
  for (const [role, f] of Object.entries(raw.files ?? {})) {
    if (!(role in files)) throw new RangeError(`${where}: unknown file role '${role}' (learn, base, query, gt)`);
    if (typeof f !== 'string') throw new TypeError(`${where}: files.${role} must be a string`);
    files[role as keyof DatasetFiles] = f;
  }
  let gtBaseSize = def.gtBaseSize;
  if (raw.gtBaseSize !== undefined) {
    if (typeof raw.gtBaseSize !== 'number' || !Number.isSafeInteger(raw.gtBaseSize) || raw.gtBaseSize < 1) {
      throw new RangeError(`${where}: gtBaseSize must be a positive integer`);
    }
    gtBaseSize = raw.gtBaseSize;
  }
  return { name, folder, layout, files, gtBaseSize };
}

/** The registry file's raw entries (none when the file is absent). */
function readRegistryFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError(`${file}: expected an object mapping dataset names to folders or { folder, layout }`);
  }
  return json as Record<string, unknown>;
}

/**
 * All datasets of the registry file that are valid, plus the built-in one when its
 * data is present; `errors` holds the entries that are not (each error names its
 * entry). A missing registry file is not an error.
 */
export function loadRegistry(file: string = datasetsFile()): Map<string, DatasetEntry> & { errors: Map<string, Error> } {
  const out = new Map<string, DatasetEntry>() as Map<string, DatasetEntry> & { errors: Map<string, Error> };
  out.errors = new Map();
  const raw = readRegistryFile(file);
  if (!(BUILTIN_DATASET in raw)) {
    try {
      out.set(BUILTIN_DATASET, builtIn());
    } catch (e) {
      out.errors.set(BUILTIN_DATASET, e as Error);
    }
  }
  for (const [name, value] of Object.entries(raw)) {
    try {
      out.set(name, parseEntry(file, name, value));
    } catch (e) {
      out.errors.set(name, e as Error);
    }
  }
  return out;
}

/** Whether `s` reads as a path rather than a registry name. */
function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes(path.sep) || s.startsWith('.') || s.startsWith('~');
}

/**
 * The dataset named `nameOrFolder`: a registry name (only that entry is checked),
 * else an existing folder (layout detected). Throws saying what was tried.
 */
export function resolveDataset(nameOrFolder: string, registryFile: string = datasetsFile()): DatasetEntry {
  if (looksLikePath(nameOrFolder)) return folderDataset(nameOrFolder);
  const raw = readRegistryFile(registryFile);
  if (nameOrFolder in raw) return parseEntry(registryFile, nameOrFolder, raw[nameOrFolder]);
  if (nameOrFolder === BUILTIN_DATASET) return builtIn();
  if (fs.existsSync(nameOrFolder) && fs.statSync(nameOrFolder).isDirectory()) return folderDataset(nameOrFolder);
  const known = [BUILTIN_DATASET, ...Object.keys(raw)];
  throw new RangeError(
    `unknown dataset '${nameOrFolder}': not a folder, and not in the registry (known: ${known.join(', ')}; add it to ${registryFile}, see docs/data.md)`,
  );
}

/** Vectors as stored (uint8 for bvecs, float32 for fvecs/npy float32, …). */
export type VectorMatrix = Matrix<Float32Array | Uint8Array>;

/** Reads the files of one dataset, each file or a row range of it. */
export class Dataset {
  /** `.npy` files are read whole (no row ranges in the format's reader): once each. */
  private readonly npyCache = new Map<string, Matrix>();

  constructor(readonly entry: DatasetEntry) {}

  /** Absolute path of one of the dataset's files. */
  file(role: keyof DatasetFiles): string {
    return path.join(this.entry.folder, this.entry.files[role]);
  }

  /** Whether the file exists (the npy layout's gt is optional). */
  has(role: keyof DatasetFiles): boolean {
    return fs.existsSync(this.file(role));
  }

  /** Rows and dimension of a file, from its header only. */
  shape(role: keyof DatasetFiles): { rows: number; dim: number } {
    const f = this.mustExist(role);
    if (this.entry.layout === 'npy') {
      const m = this.npy(f);
      return { rows: m.rows, dim: m.dim };
    }
    const info = vecsInfo(f);
    return { rows: info.rows, dim: info.dim };
  }

  learn(range?: RowRange): VectorMatrix {
    return this.vectors('learn', range);
  }

  base(range?: RowRange): VectorMatrix {
    return this.vectors('base', range);
  }

  queries(range?: RowRange): VectorMatrix {
    return this.vectors('query', range);
  }

  /** Ground-truth neighbour ids (rows = queries), or undefined when the file is absent. */
  groundTruth(range?: RowRange): Matrix<Int32Array> | undefined {
    if (!this.has('gt')) return undefined;
    const m = this.read('gt', range);
    if (!(m.data instanceof Int32Array)) {
      throw new TypeError(`${this.file('gt')}: ground truth must hold int32 (or int64) ids`);
    }
    return m as Matrix<Int32Array>;
  }

  private vectors(role: keyof DatasetFiles, range?: RowRange): VectorMatrix {
    const m = this.read(role, range);
    if (m.data instanceof Int32Array) throw new TypeError(`${this.file(role)}: vectors must be float32 or uint8, not int32`);
    return m as VectorMatrix;
  }

  private npy(file: string): Matrix {
    let m = this.npyCache.get(file);
    if (!m) this.npyCache.set(file, (m = readNpyMatrix(file)));
    return m;
  }

  private mustExist(role: keyof DatasetFiles): string {
    const f = this.file(role);
    if (!fs.existsSync(f)) {
      throw new Error(`dataset '${this.entry.name}' (${this.entry.layout} layout): missing ${role} file ${f}`);
    }
    return f;
  }

  private read(role: keyof DatasetFiles, range?: RowRange): Matrix {
    const f = this.mustExist(role);
    if (this.entry.layout !== 'npy') return readVecs(f, range, vecsFormatOf(f));
    const m = this.npy(f);
    const start = Math.min(range?.start ?? 0, m.rows);
    const end = Math.min(m.rows, range?.count === undefined ? m.rows : start + range.count);
    return { data: m.data.subarray(start * m.dim, end * m.dim), rows: end - start, dim: m.dim };
  }
}

/** Opens a dataset by registry name or folder path. */
export function openDataset(name: string, registryFile?: string): Dataset {
  return new Dataset(resolveDataset(name, registryFile));
}

/**
 * Reads a 2-d `.npy` file as a matrix: float64 becomes float32, int64 ids int32
 * (checked to fit).
 */
export function readNpyMatrix(file: string): Matrix<Float32Array | Uint8Array | Int32Array> {
  const { data, shape } = readNpy(file);
  if (shape.length !== 2) throw new RangeError(`${file}: expected a 2-d array, got shape (${shape.join(', ')})`);
  const [rows, dim] = shape;
  if (data instanceof Float32Array || data instanceof Uint8Array || data instanceof Int32Array) return { data, rows, dim };
  if (data instanceof Float64Array) return { data: Float32Array.from(data), rows, dim };
  if (data instanceof BigInt64Array) {
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < -2147483648n || v > 2147483647n) throw new RangeError(`${file}: int64 value ${v} at ${i} does not fit int32`);
      out[i] = Number(v);
    }
    return { data: out, rows, dim };
  }
  throw new TypeError(`${file}: unsupported dtype for a dataset (float32, float64, uint8, int32 or int64)`);
}
