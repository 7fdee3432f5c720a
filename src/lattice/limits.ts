/**
 * What the spherical Zn codec serves, in one place. The native codec
 * (native/zn_codec.cc) ranks in at most 128 bits, for dim ≤ 4096 and r2 ≤ 2^20;
 * the TS side refuses earlier what it could not build in well under a second:
 * an atom table (atoms × dim entries) that would not fit a few megabytes, or an
 * atom enumeration that would run too long (small dim, huge r2).
 */

/** Largest dimension (native kMaxDim). */
export const MAX_DIM = 4096;
/** Largest squared radius (native kMaxR2: atom values ≤ 1024 keep scores exact). */
export const MAX_R2 = 1 << 20;
/** Widest code (native kMaxBits: ranks are 128-bit integers there). */
export const MAX_BITS = 128;
/** Most atoms a codec may have (each costs a pattern, a size and a table row). */
export const MAX_ATOMS = 1 << 16;
/** Most atom-table entries (atoms × dim int32 values, 16 MiB). */
export const MAX_ATOM_ENTRIES = 1 << 22;
/** Most steps of the atom enumeration (partial patterns tried). */
export const MAX_ENUMERATION_STEPS = 1 << 22;
/** Most bigint additions of the sphere-size dynamic programme (countPointsUpTo). */
export const MAX_COUNT_WORK = 1 << 25;

/** Throws a RangeError unless 1 ≤ dim ≤ MAX_DIM (dim already an integer). */
export function assertDimServed(dim: number): void {
  if (dim > MAX_DIM) {
    throw new RangeError(`dim=${dim} exceeds ${MAX_DIM}, the largest dimension the Zn codec serves`);
  }
}

/** Throws a RangeError unless r2 ≤ MAX_R2 (r2 already an integer). */
export function assertR2Served(r2: number): void {
  if (r2 > MAX_R2) {
    throw new RangeError(`r2=${r2} exceeds ${MAX_R2} (2^20), the largest squared radius the Zn codec serves`);
  }
}
