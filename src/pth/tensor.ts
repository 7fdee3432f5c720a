/**
 * Tensors as read from / written to PyTorch checkpoints: a dtype, a shape and a
 * contiguous (C-order) typed array. One place maps PyTorch storage classes to dtypes.
 */

/** Element types a checkpoint tensor may hold. */
export type TorchDtype =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** A dense tensor in C (row-major) order. */
export interface TorchTensor {
  dtype: TorchDtype;
  shape: number[];
  /**
   * The values. float16 and bfloat16 keep their raw 16-bit patterns in a Uint16Array;
   * bool is a Uint8Array of 0/1.
   */
  data:
    | Float32Array
    | Float64Array
    | BigInt64Array
    | Int32Array
    | Int16Array
    | Int8Array
    | Uint8Array
    | Uint16Array /* float16 / bfloat16 bits */;
}

type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | Int32ArrayConstructor
  | Int16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor;

interface DtypeInfo {
  /** PyTorch's legacy typed storage class in module `torch`. */
  storage: string;
  bytes: number;
  array: TypedArrayCtor;
}

/** dtype ↔ storage class name ↔ element size ↔ typed array. */
export const DTYPES: Record<TorchDtype, DtypeInfo> = {
  float32: { storage: 'FloatStorage', bytes: 4, array: Float32Array },
  float64: { storage: 'DoubleStorage', bytes: 8, array: Float64Array },
  float16: { storage: 'HalfStorage', bytes: 2, array: Uint16Array },
  bfloat16: { storage: 'BFloat16Storage', bytes: 2, array: Uint16Array },
  int64: { storage: 'LongStorage', bytes: 8, array: BigInt64Array },
  int32: { storage: 'IntStorage', bytes: 4, array: Int32Array },
  int16: { storage: 'ShortStorage', bytes: 2, array: Int16Array },
  int8: { storage: 'CharStorage', bytes: 1, array: Int8Array },
  uint8: { storage: 'ByteStorage', bytes: 1, array: Uint8Array },
  bool: { storage: 'BoolStorage', bytes: 1, array: Uint8Array },
};

const BY_STORAGE = new Map<string, TorchDtype>(
  (Object.keys(DTYPES) as TorchDtype[]).map((d) => [DTYPES[d].storage, d]),
);

/** The dtype of a `torch.<name>` storage class, or undefined if unknown. */
export function dtypeOfStorage(name: string): TorchDtype | undefined {
  return BY_STORAGE.get(name);
}

/** Number of elements of a shape (1 for a scalar). */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Decodes an IEEE half-precision bit pattern. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** The tensor's values as float32 (any dtype but int64 overflow beyond 2^24 rounds). */
export function toFloat32(t: TorchTensor): Float32Array {
  const { data, dtype } = t;
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  if (dtype === 'float16') for (let i = 0; i < data.length; i++) out[i] = halfToFloat(data[i] as number);
  else if (dtype === 'bfloat16') {
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    for (let i = 0; i < data.length; i++) {
      u[0] = (data[i] as number) << 16;
      out[i] = f[0];
    }
  } else if (data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  else for (let i = 0; i < data.length; i++) out[i] = data[i] as number;
  return out;
}
