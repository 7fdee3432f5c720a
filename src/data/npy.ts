/**
 * NumPy `.npy` files (format versions 1.0–3.0): read and write C-order arrays of
 * float32, float64, uint8, int32 and int64.
 *
 * Written by hand rather than with `npyjs`: npyjs only reads, accepts Fortran order
 * silently, and does not check the data length against the shape; the format is a
 * 10-byte preamble and a Python dict literal, so a checked reader is short.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export type NpyDtype = 'float32' | 'float64' | 'uint8' | 'int32' | 'int64';

export interface NpyArray {
  dtype: NpyDtype;
  /** Row-major shape; [] for a scalar. */
  shape: number[];
  data: Float32Array | Float64Array | Uint8Array | Int32Array | BigInt64Array;
}

/** A file or buffer that is not a readable .npy; the message names the file. */
export class NpyError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<string, NpyDtype> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<i4': 'int32',
  '<i8': 'int64',
};
const DESCR_OF: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', uint8: '|u1', int32: '<i4', int64: '<i8' };
const ARRAY = { float32: Float32Array, float64: Float64Array, uint8: Uint8Array, int32: Int32Array, int64: BigInt64Array };

function dtypeOfData(data: NpyArray['data']): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  throw new TypeError('data must be a Float32Array, Float64Array, Uint8Array, Int32Array or BigInt64Array');
}

/** Parses .npy bytes. `file` names the source in errors. */
export function parseNpy(bytes: Uint8Array, file = '<buffer>'): NpyArray {
  const fail = (reason: string): never => {
    throw new NpyError(file, reason);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (bad magic)');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail('truncated header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) fail('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('malformed header');
  const dtype = DESCR[descr as string];
  if (!dtype) fail(`unsupported dtype '${descr}' (float32, float64, uint8, int32, int64 little-endian only)`);
  if (fortran === 'True') fail('Fortran-order arrays are not supported (save with C order)');
  const shape = (shapeText as string)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+L?$/.test(s) ? parseInt(s, 10) : fail(`bad shape entry '${s}'`)));
  let numel = 1;
  for (const s of shape) numel *= s;
  const itemsize = ARRAY[dtype].BYTES_PER_ELEMENT;
  const dataStart = start + headerLen;
  const size = numel * itemsize;
  if (!Number.isSafeInteger(size) || dataStart + size > bytes.length) {
    fail(`truncated data: shape (${shape.join(', ')}) needs ${size} bytes, file has ${bytes.length - dataStart}`);
  }
  if (dataStart + size < bytes.length) fail(`${bytes.length - dataStart - size} unexpected bytes after the data`);
  const copy = new Uint8Array(size);
  copy.set(bytes.subarray(dataStart, dataStart + size));
  return { dtype, shape, data: new ARRAY[dtype](copy.buffer, 0, numel) };
}

/** Reads a .npy file; errors name the path. */
export function readNpy(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new NpyError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseNpy(bytes, path);
}

/** Serializes an array as .npy (version 1.0, header padded to 64 bytes like NumPy). */
export function serializeNpy(arr: { shape: number[]; data: NpyArray['data'] }): Uint8Array {
  const dtype = dtypeOfData(arr.data);
  let numel = 1;
  for (const s of arr.shape) {
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`shape holds ${s}, not a non-negative integer`);
    numel *= s;
  }
  if (numel !== arr.data.length) {
    throw new RangeError(`data has ${arr.data.length} values, shape (${arr.shape.join(', ')}) needs ${numel}`);
  }
  const shapeText = arr.shape.length === 1 ? `${arr.shape[0]},` : arr.shape.join(', ');
  let header = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': False, 'shape': (${shapeText}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new RangeError('shape too long for a .npy v1 header');
  const out = new Uint8Array(10 + header.length + arr.data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength), 10 + header.length);
  return out;
}

/** Writes a .npy file. */
export function writeNpy(path: string, arr: { shape: number[]; data: NpyArray['data'] }): void {
  writeFileSync(path, serializeNpy(arr));
}
