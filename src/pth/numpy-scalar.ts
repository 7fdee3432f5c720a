/**
 * NumPy scalars inside a pickle, read as plain data and nothing else.
 *
 * The paper's trainer stores its validation recalls as `numpy.float64` (and NumPy
 * code easily leaves `numpy.int64` values in logs). NumPy pickles a scalar as
 *
 *     numpy.core.multiarray.scalar(numpy.dtype('f8', False, True) + BUILD(state), raw bytes)
 *
 * (NumPy 2 spells the module `numpy._core.multiarray`). We honour exactly that for
 * the bool, signed, unsigned and floating dtypes of every width and both byte
 * orders, and refuse everything else — object dtypes (whose "bytes" are an arbitrary
 * pickled object), structured dtypes with fields or subarrays, metadata, flags, any
 * state a plain numeric dtype never has, raw bytes of the wrong length — the stance
 * of PyTorch's `weights_only` unpickler with NumPy scalars allowed as data.
 */
import { CheckpointError } from './checkpoint-error';
import { halfToFloat } from './tensor';

/** Kind letter and item size of the dtypes we decode (NumPy's `dtype.str` without the byte order). */
const NUMERIC_TYPESTRS = new Set(['b1', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f2', 'f4', 'f8']);

/** A numpy.dtype under construction: REDUCE gives its type string, BUILD its byte order. */
export class NumpyDtype {
  /** '<' little-endian, '>' big-endian, '|' not applicable (one byte); undefined until BUILD. */
  byteorder: '<' | '>' | '|' | undefined;
  constructor(
    /** Kind and size, e.g. 'f8'. */
    readonly typestr: string,
  ) {}
  get itemsize(): number {
    return Number(this.typestr.slice(1));
  }
  /** NumPy's `dtype.str`, e.g. '<f8'. */
  get str(): string {
    return `${this.byteorder ?? '?'}${this.typestr}`;
  }

  /**
   * BUILD: the state NumPy writes for a plain numeric dtype is
   * `(3, byteorder, None, None, None, -1, -1, 0)` (version 4 appends metadata).
   */
  setState(state: unknown): void {
    const odd = (why: string): never => {
      throw new CheckpointError(`refusing numpy.dtype('${this.typestr}') with an unsupported state (${why})`);
    };
    if (this.byteorder !== undefined) odd('BUILD applied twice');
    if (!Array.isArray(state)) odd('not a tuple');
    const s = state as unknown[];
    const version = s[0];
    if (!((version === 3 && s.length === 8) || (version === 4 && s.length === 9))) odd(`version ${String(version)} with ${s.length} items`);
    const [, order, subarray, names, fields, elsize, alignment, flags] = s;
    if (subarray !== null) odd('a subarray');
    if (names !== null || fields !== null) odd('fields');
    if (elsize !== -1 || alignment !== -1) odd(`elsize ${String(elsize)}, alignment ${String(alignment)}`);
    if (flags !== 0) odd(`flags ${String(flags)}`);
    if (s.length === 9 && s[8] !== null) odd('metadata');
    const oneByte = this.itemsize === 1;
    if (oneByte ? order !== '|' : order !== '<' && order !== '>') odd(`byte order ${JSON.stringify(order)}`);
    this.byteorder = order as '<' | '>' | '|';
  }
}

function flag(v: unknown): boolean {
  return v === true || v === false || v === 0 || v === 1;
}

/** numpy.dtype(typestr, align, copy): numeric dtypes only. */
function dtype(args: unknown[]): NumpyDtype {
  const [typestr, align, copy] = args;
  if (args.length !== 3 || typeof typestr !== 'string' || !flag(align) || !flag(copy)) {
    throw new CheckpointError('numpy.dtype called with unexpected arguments');
  }
  if (!NUMERIC_TYPESTRS.has(typestr)) {
    throw new CheckpointError(`refusing numpy.dtype('${typestr.slice(0, 20)}') (only bool, int, uint and float scalars are read)`);
  }
  return new NumpyDtype(typestr);
}

function safe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * numpy.core.multiarray.scalar(dtype, raw): the value as a JS boolean, number, or
 * bigint for 64-bit integers beyond ±2^53 (the same rule as Python ints).
 */
function scalar(args: unknown[]): boolean | number | bigint {
  const [dt, raw] = args;
  if (args.length !== 2 || !(dt instanceof NumpyDtype)) throw new CheckpointError('numpy scalar without a numpy.dtype');
  if (dt.byteorder === undefined) throw new CheckpointError(`numpy.dtype('${dt.typestr}') used before its state (BUILD)`);
  let bytes: Uint8Array;
  if (raw instanceof Uint8Array) bytes = raw;
  else if (typeof raw === 'string' && /^[\0-\xff]*$/.test(raw)) bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0)); // Python 2 str
  else throw new CheckpointError(`numpy scalar ${dt.str} without raw bytes`);
  if (bytes.length !== dt.itemsize) throw new CheckpointError(`numpy scalar ${dt.str} holds ${bytes.length} bytes, needs ${dt.itemsize}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dt.byteorder !== '>';
  switch (dt.typestr) {
    case 'b1':
      return bytes[0] !== 0; // as NumPy reads any non-zero byte
    case 'i1':
      return view.getInt8(0);
    case 'u1':
      return view.getUint8(0);
    case 'i2':
      return view.getInt16(0, le);
    case 'u2':
      return view.getUint16(0, le);
    case 'i4':
      return view.getInt32(0, le);
    case 'u4':
      return view.getUint32(0, le);
    case 'i8':
      return safe(view.getBigInt64(0, le));
    case 'u8':
      return safe(view.getBigUint64(0, le));
    case 'f2':
      return halfToFloat(view.getUint16(0, le));
    case 'f4':
      return view.getFloat32(0, le);
    default: // 'f8'
      return view.getFloat64(0, le);
  }
}

/** The REDUCE targets NumPy scalars need, under NumPy 1 and NumPy 2 module names. */
export const NUMPY_CALLABLES: ReadonlyMap<string, (args: unknown[]) => unknown> = new Map<string, (args: unknown[]) => unknown>([
  ['numpy.dtype', dtype],
  ['numpy.core.multiarray.scalar', scalar],
  ['numpy._core.multiarray.scalar', scalar],
]);
