/**
 * One reader for the vector files the command line takes: `.fvecs` (float32),
 * `.bvecs` (uint8) and 2-d `.npy` (float32, float64 → float32, uint8), chosen by the
 * file's extension.
 */
import { readVecs, vecsFormatOf, type Matrix } from './vecs';
import { readNpyMatrix } from './datasets';

/** The vectors of `file`, rows × dim, float32 or uint8. */
export function readVectorFile(file: string): Matrix<Float32Array | Uint8Array> {
  const lower = file.toLowerCase();
  let m: Matrix;
  if (lower.endsWith('.npy')) m = readNpyMatrix(file);
  else if (lower.endsWith('.fvecs') || lower.endsWith('.bvecs')) m = readVecs(file, {}, vecsFormatOf(file));
  else throw new RangeError(`${file}: vectors must be a .fvecs, .bvecs or .npy file`);
  if (m.data instanceof Int32Array) throw new TypeError(`${file}: vectors must be float32 or uint8, not int32`);
  return m as Matrix<Float32Array | Uint8Array>;
}
