/**
 * Sizes of spheres of Z^d without listing atoms: the number of integer vectors of
 * squared norm r2 (the coefficient of q^r2 in θ(q)^d), and the bit-budget radius
 * table of the paper (largest r2 whose codes fit in a number of bits).
 */
import { bitsFor } from './combinatorics';
import { assertInteger } from '../validate';
import { assertDimServed, MAX_BITS, MAX_COUNT_WORK } from './limits';

/** Largest r2 that radiusForBits scans before giving up. */
export const MAX_SCANNED_R2 = 4096;

/**
 * counts[r2] = |{z ∈ Z^dim : |z|² = r2}| for r2 = 0..maxR2, exact, by dynamic
 * programming over the coordinates.
 */
export function countPointsUpTo(dim: number, maxR2: number): bigint[] {
  assertInteger('dim', dim);
  assertInteger('maxR2', maxR2, 0);
  assertDimServed(dim);
  const work = dim * (maxR2 + 1) * (Math.sqrt(maxR2) + 1);
  if (work > MAX_COUNT_WORK) {
    throw new RangeError(`counting spheres up to r2=${maxR2} at dim=${dim} is too much work (${dim}·${maxR2}·√${maxR2} > ${MAX_COUNT_WORK} steps); use a smaller dim or r2`);
  }
  let ways = new Array<bigint>(maxR2 + 1).fill(0n);
  ways[0] = 1n;
  for (let i = 0; i < dim; i++) {
    const next = ways.slice(); // coordinate i = 0
    for (let s = 0; s <= maxR2; s++) {
      if (ways[s] === 0n) continue;
      const twice = 2n * ways[s]; // coordinate i = ±v
      for (let v = 1; s + v * v <= maxR2; v++) next[s + v * v] += twice;
    }
    ways = next;
  }
  return ways;
}

/** |{z ∈ Z^dim : |z|² = r2}| (exact). */
export function countPoints(dim: number, r2: number): bigint {
  assertInteger('r2', r2, 0);
  return countPointsUpTo(dim, r2)[r2];
}

/**
 * The largest r2 whose sphere's codes fit in `bits` bits (nbit ≤ bits): r2 = 1, 2, …
 * are scanned and the scan stops at the first non-empty sphere that no longer
 * fits. Returns 0 when even r2 = 1 does not fit. Throws a RangeError when the
 * answer lies beyond MAX_SCANNED_R2 (tiny dim with many bits).
 */
export function radiusForBits(dim: number, bits: number): number {
  assertInteger('dim', dim);
  assertInteger('bits', bits);
  if (bits > MAX_BITS) throw new RangeError(`bits=${bits} exceeds ${MAX_BITS}, the widest code the Zn codec serves`);
  let limit = 64;
  for (;;) {
    const counts = countPointsUpTo(dim, limit);
    let best = 0;
    for (let r2 = 1; r2 <= limit; r2++) {
      if (counts[r2] === 0n) continue; // empty sphere (small dim only): no code
      if (bitsFor(counts[r2]) > bits) return best;
      best = r2;
    }
    if (limit >= MAX_SCANNED_R2) {
      throw new RangeError(`bits=${bits} at dim=${dim} needs r2 > ${MAX_SCANNED_R2}; use a larger dim or fewer bits`);
    }
    limit = Math.min(limit * 4, MAX_SCANNED_R2);
  }
}
