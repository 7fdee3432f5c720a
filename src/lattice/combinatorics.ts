/**
 * Exact counting for the lattice codec: binomial coefficients as bigint and the
 * combinatorial number system (colex rank of a k-subset). The one place of the
 * package that computes binomials.
 */

/** Rows of Pascal's triangle for small n (the hot path of ranking): rows[n][k] = C(n, k). */
const rows: bigint[][] = [[1n]];
/** Largest n kept as a Pascal row; above it, C(n, k) is computed by the product formula. */
const PASCAL_ROWS = 256;
/** C(n, k) for n > PASCAL_ROWS, memoized (cleared when it grows large). */
const large = new Map<string, bigint>();

/**
 * C(n, k) exactly; 0 when k < 0 or k > n. Small n read a cached Pascal row; large n
 * (up to the codec's 4096 dimensions) use the product formula over min(k, n-k)
 * factors, so C(4096, 1) costs one step, not a 4096-row triangle.
 */
export function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n || n < 0) return 0n;
  if (n <= PASCAL_ROWS) {
    while (rows.length <= n) {
      const prev = rows[rows.length - 1];
      const next: bigint[] = new Array<bigint>(prev.length + 1);
      next[0] = 1n;
      next[prev.length] = 1n;
      for (let i = 1; i < prev.length; i++) next[i] = prev[i - 1] + prev[i];
      rows.push(next);
    }
    return rows[n][k];
  }
  const m = Math.min(k, n - k);
  const key = `${n}:${m}`;
  let c = large.get(key);
  if (c === undefined) {
    c = 1n;
    // After step i, c = C(n - m + i, i): each division is exact.
    for (let i = 1; i <= m; i++) c = (c * BigInt(n - m + i)) / BigInt(i);
    if (large.size >= 1 << 16) large.clear();
    large.set(key, c);
  }
  return c;
}

/** Number of distinct arrangements of a multiset with the given multiplicities. */
export function multinomial(counts: readonly number[]): bigint {
  let total = 0;
  let result = 1n;
  for (const c of counts) {
    total += c;
    result *= binomial(total, c);
  }
  return result;
}

/** Number of bits needed to write values in [0, n): ceil(log2 n), 0 for n ≤ 1. */
export function bitsFor(n: bigint): number {
  if (n <= 1n) return 0;
  return (n - 1n).toString(2).length;
}

/**
 * Colex rank of a k-subset {q_1 < … < q_k} of [0, n): Σ C(q_j, j) (j from 1).
 * A bijection between the k-subsets of [0, n) and [0, C(n, k)).
 */
export function colexRank(subset: readonly number[]): bigint {
  let rank = 0n;
  for (let j = 0; j < subset.length; j++) rank += binomial(subset[j], j + 1);
  return rank;
}

/**
 * The k-subset of [0, n) whose colex rank is `rank` (inverse of colexRank),
 * in increasing order. Greedy: the largest q with C(q, k) ≤ rank is in the subset.
 */
export function colexUnrank(rank: bigint, n: number, k: number): number[] {
  const subset = new Array<number>(k);
  let r = rank;
  for (let q = n - 1; q >= 0 && k > 0; q--) {
    const c = binomial(q, k);
    if (c <= r) {
      r -= c;
      subset[--k] = q;
    }
  }
  return subset;
}
