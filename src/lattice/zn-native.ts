/**
 * Typed wrappers of the native spherical Zn codec (native/zn_codec*.cc). The
 * kernels are byte-identical to the TS reference in src/lattice/zn-codec.ts.
 * Arguments are validated by the glue, which throws TypeError/RangeError naming
 * the bad argument. `threads` = 0 (default) uses SPREADVEC_THREADS or all cores.
 */
import { addon } from '../kernels/addon';

/** Element type of decoded batches: the points z, or the unit vectors z / sqrt(r2). */
export type DecodeAs = 'int8' | 'float32';

/** What the native codec reports about S(dim, r2). */
export interface NativeCodecInfo {
  nv: bigint;
  nbit: number;
  codeBytes: number;
  natom: number;
}

/** nv, nbit, codeBytes and natom computed by the C++ codec (throws like it). */
export function info(dim: number, r2: number): NativeCodecInfo {
  const raw = addon().znInfo(dim, r2) as { nv: string; nbit: number; codeBytes: number; natom: number };
  return { nv: BigInt(raw.nv), nbit: raw.nbit, codeBytes: raw.codeBytes, natom: raw.natom };
}

/** Quantize n×dim floats to their nearest sphere points and rank them: n×codeBytes bytes. */
export function quantizeEncode(dim: number, r2: number, x: Float32Array, threads = 0): Uint8Array {
  return addon().znQuantizeEncode(dim, r2, x, threads);
}

/** quantizeEncode on a worker thread (the kernel itself uses `threads` native threads). */
export function quantizeEncodeAsync(dim: number, r2: number, x: Float32Array, threads = 0): Promise<Uint8Array> {
  return addon().znQuantizeEncodeAsync(dim, r2, x, threads);
}

/** Nearest sphere points of n×dim floats (n×dim integers). */
export function quantize(dim: number, r2: number, x: Float32Array): Int32Array {
  return addon().znQuantize(dim, r2, x);
}

/** Ranks of n points given as n×dim integers (throws if a row is not on the sphere). */
export function encode(dim: number, r2: number, z: Int32Array): Uint8Array {
  return addon().znEncode(dim, r2, z);
}

/**
 * Decode n×codeBytes ranks (throws RangeError on a rank ≥ nv). `out`, when given,
 * receives the result (an Int8Array or Float32Array of n×dim elements, reused
 * across calls to spare the allocation) and is returned.
 */
export function decode(dim: number, r2: number, codes: Uint8Array, as: 'int8', threads?: number, out?: Int8Array): Int8Array;
export function decode(dim: number, r2: number, codes: Uint8Array, as: 'float32', threads?: number, out?: Float32Array): Float32Array;
export function decode(dim: number, r2: number, codes: Uint8Array, as: DecodeAs, threads?: number, out?: Int8Array | Float32Array): Int8Array | Float32Array;
export function decode(dim: number, r2: number, codes: Uint8Array, as: DecodeAs, threads = 0, out?: Int8Array | Float32Array): Int8Array | Float32Array {
  return addon().znDecode(dim, r2, codes, as, threads, out);
}

/**
 * decode on a worker thread. `codes` is copied first unless it lives in a
 * SharedArrayBuffer; a given `out` is filled when the call completes (rejects if
 * `out` was detached meanwhile), or in place when it lives in a SharedArrayBuffer.
 */
export function decodeAsync(dim: number, r2: number, codes: Uint8Array, as: 'int8', threads?: number, out?: Int8Array): Promise<Int8Array>;
export function decodeAsync(dim: number, r2: number, codes: Uint8Array, as: 'float32', threads?: number, out?: Float32Array): Promise<Float32Array>;
export function decodeAsync(dim: number, r2: number, codes: Uint8Array, as: DecodeAs, threads?: number, out?: Int8Array | Float32Array): Promise<Int8Array | Float32Array>;
export function decodeAsync(dim: number, r2: number, codes: Uint8Array, as: DecodeAs, threads = 0, out?: Int8Array | Float32Array): Promise<Int8Array | Float32Array> {
  return addon().znDecodeAsync(dim, r2, codes, as, threads, out);
}
