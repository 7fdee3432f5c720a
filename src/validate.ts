/**
 * Argument checks shared by the public API. Each throws a TypeError or RangeError
 * whose message names the argument, so that users see what to fix.
 */

/** Throws unless `value` is an integer ≥ `min` (a safe JS integer). */
export function assertInteger(name: string, value: unknown, min = 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  }
  if (value < min) throw new RangeError(`${name} must be ≥ ${min}, got ${value}`);
}

/** Throws a RangeError naming the first NaN/Infinity in `values`. */
export function assertFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(`${name} holds a non-finite value (${values[i]}) at index ${i}`);
    }
  }
}

/** Throws unless `length` is a multiple of `dim` (n rows of `dim` values). Returns n. */
export function rowsOf(name: string, length: number, dim: number): number {
  if (length % dim !== 0) {
    throw new RangeError(`${name} has ${length} values, not a multiple of the dimension ${dim}`);
  }
  return length / dim;
}
