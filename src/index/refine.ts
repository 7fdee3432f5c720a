/**
 * Re-ranking (`search(…, { refine })`): the codes' best k × refine candidates of each
 * query are scored exactly against their stored vectors under the index's metric,
 * and the best k kept, by (distance, id).
 */
import type { Metric } from '../../storage/layout';

/**
 * The metric's distance between each query and its kk candidates (nq × kk, row q's
 * candidates at vectors[(q × kk + j) × din]); a candidate row of NaN (no candidate)
 * scores +Infinity. `l2`: squared L2; `cosine` (unit rows): 1 − cos; `ip`: −⟨q, x⟩.
 */
export function exactDistances(metric: Metric, queries: Float32Array, vectors: Float32Array, nq: number, kk: number, din: number): Float32Array {
  const out = new Float32Array(nq * kk);
  for (let q = 0; q < nq; q++) {
    const qo = q * din;
    for (let j = 0; j < kk; j++) {
      const vo = (q * kk + j) * din;
      let acc = 0;
      if (metric === 'l2') {
        for (let d = 0; d < din; d++) {
          const t = queries[qo + d] - vectors[vo + d];
          acc += t * t;
        }
      } else {
        for (let d = 0; d < din; d++) acc += queries[qo + d] * vectors[vo + d];
        acc = metric === 'cosine' ? 1 - acc : -acc;
      }
      out[q * kk + j] = Number.isNaN(acc) ? Infinity : acc;
    }
  }
  return out;
}

/** The best k of each query's kk scored candidates by (distance, id); −1n / +Infinity pad. */
export function rankCandidates(ids: BigInt64Array, scores: Float32Array, nq: number, kk: number, k: number): { ids: BigInt64Array; distances: Float32Array } {
  const outIds = new BigInt64Array(nq * k).fill(-1n);
  const outD = new Float32Array(nq * k).fill(Infinity);
  for (let q = 0; q < nq; q++) {
    const cand: { id: bigint; d: number }[] = [];
    for (let j = q * kk; j < (q + 1) * kk; j++) if (ids[j] >= 0n) cand.push({ id: ids[j], d: scores[j] });
    cand.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let j = 0; j < Math.min(k, cand.length); j++) {
      outIds[q * k + j] = cand[j].id;
      outD[q * k + j] = cand[j].d;
    }
  }
  return { ids: outIds, distances: outD };
}
