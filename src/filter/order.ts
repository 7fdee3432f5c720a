/** The one order of same-type scalars: predicates and the LMDB field index agree on it. */
import type { Scalar } from './types';

/** Same-type scalars compare: numbers and bigints by value, strings by code point, false < true. */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'string') return compareCodePoints(a, b as string);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Strings in code point order, which is the order of their UTF-8 bytes (the order of
 * the LMDB field index); JavaScript's `<` compares UTF-16 units, which puts
 * U+E000–U+FFFF after the surrogate pairs of U+10000 and above.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x >= 0xe000 ? -0x800 : 0x2000;
    if (y >= 0xd800) y += y >= 0xe000 ? -0x800 : 0x2000;
    return x - y;
  }
  return a.length - b.length;
}
