/**
 * Readers and writers of the TEXMEX formats used by BigANN / Deep1B:
 * every record is an int32 dimension d (little-endian) followed by d values —
 * float32 (`.fvecs`), uint8 (`.bvecs`) or int32 (`.ivecs`).
 *
 * A read fills ONE typed array of rows×d values (the per-record headers are
 * dropped while copying), reading the file in bounded chunks, and can read a row
 * range without touching the rest of the file. So a 1M×128 `.bvecs` costs 128 MB
 * once, never a second full copy. Files must be little-endian, as the formats are.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertInteger, rowsOf } from '../validate';

/** The three TEXMEX vector formats. */
export type VecsFormat = 'fvecs' | 'bvecs' | 'ivecs';

/** Element type of each format. */
export interface VecsArray {
  fvecs: Float32Array;
  bvecs: Uint8Array;
  ivecs: Int32Array;
}

/** A dense row-major matrix: `rows` vectors of `dim` values. */
export interface Matrix<T extends Float32Array | Uint8Array | Int32Array = Float32Array | Uint8Array | Int32Array> {
  data: T;
  rows: number;
  dim: number;
}

/** What the first record and the file size tell about a vecs file. */
export interface VecsInfo {
  path: string;
  format: VecsFormat;
  dim: number;
  /** Number of records (vectors). */
  rows: number;
  /** Bytes per record: 4 + dim × element size. */
  recordBytes: number;
}

/** Row range of a read; defaults: the whole file. */
export interface RowRange {
  /** First row (default 0). */
  start?: number;
  /** Number of rows (default: to the end; clipped to the end of the file). */
  count?: number;
}

const elementBytes: Record<VecsFormat, number> = { fvecs: 4, bvecs: 1, ivecs: 4 };
/** Bytes read per chunk: bounds the temporary buffer whatever the file size. */
const CHUNK_BYTES = 8 << 20;
/** Larger dimensions mean the file is not in a vecs format at all. */
const MAX_DIM = 1 << 20;

/** The format named by the file's extension; throws for any other extension. */
export function vecsFormatOf(file: string): VecsFormat {
  const ext = path.extname(file).slice(1).toLowerCase();
  if (ext === 'fvecs' || ext === 'bvecs' || ext === 'ivecs') return ext;
  throw new RangeError(`${file}: unknown vector file extension '.${ext}' (expected .fvecs, .bvecs or .ivecs)`);
}

/** Reads the first record header and checks the file size against it. */
export function vecsInfo(file: string, format: VecsFormat = vecsFormatOf(file)): VecsInfo {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) throw new RangeError(`${file}: empty file, not a ${format} file`);
    if (size < 4) throw new RangeError(`${file}: ${size} bytes, too short for a ${format} record header`);
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    const dim = head.readInt32LE(0);
    if (dim < 1 || dim > MAX_DIM) {
      throw new RangeError(`${file}: the first record declares dimension ${dim}; not a ${format} file`);
    }
    const recordBytes = 4 + dim * elementBytes[format];
    if (size % recordBytes !== 0) {
      throw new RangeError(
        `${file}: size ${size} bytes is not a multiple of the record length ${recordBytes} ` +
          `(dimension ${dim}): truncated, or not a ${format} file`,
      );
    }
    return { path: file, format, dim, rows: size / recordBytes, recordBytes };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads rows [start, start+count) of a vecs file into one typed array.
 * Every record header read is checked against the first record's dimension.
 */
export function readVecs<F extends VecsFormat>(file: string, range: RowRange = {}, format?: F): Matrix<VecsArray[F]> {
  const fmt = (format ?? vecsFormatOf(file)) as F;
  const info = vecsInfo(file, fmt);
  const start = range.start ?? 0;
  assertInteger('start', start, 0);
  if (start > info.rows) throw new RangeError(`${file}: start row ${start} is past the end (${info.rows} rows)`);
  let count = range.count ?? info.rows - start;
  assertInteger('count', count, 0);
  count = Math.min(count, info.rows - start);

  if (os.endianness() !== 'LE') throw new Error(`${file}: vecs files are little-endian; this host is big-endian`);
  const { dim, recordBytes } = info;
  const eb = elementBytes[fmt];
  const out = allocate(fmt, count * dim);
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / recordBytes));
  const chunk = Buffer.allocUnsafe(Math.min(count, rowsPerChunk) * recordBytes);
  const fd = fs.openSync(file, 'r');
  try {
    for (let r0 = 0; r0 < count; r0 += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, count - r0);
      const want = n * recordBytes;
      const got = fs.readSync(fd, chunk, 0, want, (start + r0) * recordBytes);
      if (got !== want) throw new RangeError(`${file}: short read at row ${start + r0} (file changed while reading?)`);
      for (let i = 0; i < n; i++) {
        const o = i * recordBytes;
        const d = chunk.readInt32LE(o);
        if (d !== dim) {
          throw new RangeError(
            `${file}: record ${start + r0 + i} declares dimension ${d}, the first record ${dim}: inconsistent dimensions`,
          );
        }
        outBytes.set(chunk.subarray(o + 4, o + recordBytes), (r0 + i) * dim * eb);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { data: out as VecsArray[F], rows: count, dim };
}

function allocate(format: VecsFormat, n: number): Float32Array | Uint8Array | Int32Array {
  return format === 'fvecs' ? new Float32Array(n) : format === 'bvecs' ? new Uint8Array(n) : new Int32Array(n);
}

/** Reads a `.fvecs` file (or a row range of it). */
export const readFvecs = (file: string, range?: RowRange): Matrix<Float32Array> => readVecs(file, range, 'fvecs');
/** Reads a `.bvecs` file (or a row range of it). */
export const readBvecs = (file: string, range?: RowRange): Matrix<Uint8Array> => readVecs(file, range, 'bvecs');
/** Reads a `.ivecs` file (or a row range of it). */
export const readIvecs = (file: string, range?: RowRange): Matrix<Int32Array> => readVecs(file, range, 'ivecs');

/**
 * Writes `data` (rows×dim, row-major) as a vecs file, in chunks. The format comes
 * from the extension unless given, and must match the array type.
 */
export function writeVecs(
  file: string,
  data: Float32Array | Uint8Array | Int32Array,
  dim: number,
  format: VecsFormat = vecsFormatOf(file),
): void {
  assertInteger('dim', dim, 1);
  const rows = rowsOf('data', data.length, dim);
  const expected = { fvecs: Float32Array, bvecs: Uint8Array, ivecs: Int32Array }[format];
  if (!(data instanceof expected)) {
    throw new TypeError(`${file}: ${format} needs a ${expected.name}, got a ${data.constructor.name}`);
  }
  const eb = elementBytes[format];
  const recordBytes = 4 + dim * eb;
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / recordBytes));
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const chunk = Buffer.allocUnsafe(Math.min(Math.max(rows, 1), rowsPerChunk) * recordBytes);
  const fd = fs.openSync(file, 'w');
  try {
    for (let r0 = 0; r0 < rows; r0 += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, rows - r0);
      for (let i = 0; i < n; i++) {
        const o = i * recordBytes;
        chunk.writeInt32LE(dim, o);
        chunk.set(bytes.subarray((r0 + i) * dim * eb, (r0 + i + 1) * dim * eb), o + 4);
      }
      fs.writeSync(fd, chunk, 0, n * recordBytes);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a `.fvecs` file. */
export const writeFvecs = (file: string, data: Float32Array, dim: number): void => writeVecs(file, data, dim, 'fvecs');
/** Writes a `.bvecs` file. */
export const writeBvecs = (file: string, data: Uint8Array, dim: number): void => writeVecs(file, data, dim, 'bvecs');
/** Writes a `.ivecs` file. */
export const writeIvecs = (file: string, data: Int32Array, dim: number): void => writeVecs(file, data, dim, 'ivecs');

/** Float32 copy of a matrix's values (uint8 SIFT, int32 …) for the float kernels; float32 input is returned as is. */
export function toFloat32(data: Float32Array | Uint8Array | Int32Array): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}
