/**
 * Reference (plain TypeScript) values of the two training losses, as the paper's
 * train.py computes them on a batch of L2-normalized outputs:
 *  - triplet: mean over anchors of relu(|f(a) - f(p)| - |f(a) - f(n)|);
 *  - KoLeo (uniformity): -mean(log(n · |f(a) - f(nearest other anchor)|)).
 * Distances are torch.nn.PairwiseDistance's: |x - y + 1e-6|. The native trainer
 * (native/mlp.cc) and the tfjs trainer compute the same values; tests hold all
 * three to hand-computed numbers.
 */

/** torch.nn.PairwiseDistance's default eps, added to the difference. */
export const PDIST_EPS = 1e-6;

/** |x_i - y_j + eps| for rows i of x and j of y (rows of d values). */
export function pairDistance(x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = x[i * d + k] - y[j * d + k] + PDIST_EPS;
    s += t * t;
  }
  return Math.sqrt(s);
}

/** Triplet loss of n (anchor, positive, negative) rows; also counts the offending triplets. */
export function tripletLoss(
  anchors: ArrayLike<number>, positives: ArrayLike<number>, negatives: ArrayLike<number>, n: number, d: number,
): { loss: number; offending: number } {
  let sum = 0;
  let offending = 0;
  for (let i = 0; i < n; i++) {
    const l = pairDistance(anchors, i, positives, i, d) - pairDistance(anchors, i, negatives, i, d);
    if (l > 0) {
      sum += l;
      offending++;
    }
  }
  return { loss: sum / n, offending };
}

/**
 * For each row, the index of the other row with the largest inner product (the
 * nearest on the sphere); ties go to the lower index.
 */
export function nearestOtherRow(x: ArrayLike<number>, n: number, d: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bv = -Infinity;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      if (j === i) dot = -1;
      else for (let k = 0; k < d; k++) dot += x[i * d + k] * x[j * d + k];
      if (dot > bv) {
        bv = dot;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/** KoLeo entropy term of n unit rows: -mean(log(n · distance to the nearest other row)). */
export function koleoLoss(x: ArrayLike<number>, n: number, d: number): number {
  const nn = nearestOtherRow(x, n, d);
  let s = 0;
  for (let i = 0; i < n; i++) s -= Math.log(n * pairDistance(x, i, x, nn[i], d));
  return s / n;
}

/** triplet + λ·KoLeo on f = [anchors; positives; negatives] (3n×d). */
export function tripletKoleoLoss(f: ArrayLike<number>, n: number, d: number, lambda: number) {
  const a = Array.prototype.slice.call(f, 0, n * d) as number[];
  const p = Array.prototype.slice.call(f, n * d, 2 * n * d) as number[];
  const ng = Array.prototype.slice.call(f, 2 * n * d, 3 * n * d) as number[];
  const t = tripletLoss(a, p, ng, n, d);
  const uniform = koleoLoss(a, n, d);
  return { loss: t.loss + lambda * uniform, triplet: t.loss, uniform, offending: t.offending };
}
