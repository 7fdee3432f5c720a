/**
 * The tests' one pseudo-random generator: the 32-bit linear congruential generator
 * of Numerical Recipes (s ← 1664525·s + 1013904223 mod 2³²). Deterministic, so a
 * failing property names its seed; each mapping below keeps the exact arithmetic
 * the tests were written with, so their data (and golden values) are unchanged.
 */

/** The successive states, as unsigned 32-bit integers (the first call returns the state after `seed`). */
export function lcgUint32(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Uniform in (0, 1), never 0 or 1 (safe under a logarithm): (s + 0.5) / 2³². */
export function lcgOpenUnit(seed: number): () => number {
  const next = lcgUint32(seed);
  return () => (next() + 0.5) / 4294967296;
}

/** Uniform in [−1, 1): s / 2³² · 2 − 1. */
export function lcgSigned(seed: number): () => number {
  const next = lcgUint32(seed);
  return () => (next() / 2 ** 32) * 2 - 1;
}

/** Uniform in [−0.5, 0.5): s / 2³² − 0.5. */
export function lcgCentered(seed: number): () => number {
  const next = lcgUint32(seed);
  return () => next() / 4294967296 - 0.5;
}
