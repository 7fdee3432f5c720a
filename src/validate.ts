/**
 * Argument checks shared by the public API. Each throws a TypeError or RangeError
 * whose message names the argument, so that users see what to fix.
 */

/** Throws unless `value` is an integer in [`min`, `max`] (a safe JS integer). */
export function assertInteger(name: string, value: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  }
  if (value < min) throw new RangeError(`${name} must be ≥ ${min}, got ${value}`);
  if (value > max) throw new RangeError(`${name} must be ≤ ${max}, got ${value}`);
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

/**
 * Throws a TypeError unless `options` is undefined or a plain object whose keys are
 * all in `known`: a misspelt option would otherwise be ignored without a word.
 * `where` names the call, e.g. `Index.create`.
 */
export function assertKnownOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${where}: unknown option '${key}' (${known.length ? `options are ${known.join(', ')}` : 'it takes no options yet'})`);
    }
  }
}
