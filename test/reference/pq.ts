/**
 * TypeScript reference of the product-quantizer kernels (native/pq.cc): lookup
 * tables and the ADC scan with top-k. Slow and simple; the property tests compare
 * every native ISA variant with it. Sums are rounded to float32 after each term, in
 * the order m = 0..M−1, exactly as the native kernels sum, so distances match bit
 * for bit and ids match including ties (smaller id first).
 */
import { PQ_KSUB } from '../../src/quantizers/pq';

/** luts[q][m][j] = ‖q_m − c_{m,j}‖², nq × M × 256. */
export function computeLutsReference(queries: Float32Array, d: number, M: number, codebooks: Float32Array): Float32Array {
  const dsub = d / M;
  const nq = queries.length / d;
  const luts = new Float32Array(nq * M * PQ_KSUB);
  for (let q = 0; q < nq; q++) {
    for (let m = 0; m < M; m++) {
      for (let j = 0; j < PQ_KSUB; j++) {
        let s = 0;
        const c = (m * PQ_KSUB + j) * dsub;
        for (let p = 0; p < dsub; p++) {
          const t = Math.fround(queries[q * d + m * dsub + p] - codebooks[c + p]);
          s = Math.fround(s + Math.fround(t * t));
        }
        luts[(q * M + m) * PQ_KSUB + j] = s;
      }
    }
  }
  return luts;
}

/** ADC distance of code i for query q: Σ_m luts[q][m][codes[i][m]] in float32. */
export function adcDistanceReference(luts: Float32Array, q: number, M: number, codes: Uint8Array, i: number): number {
  let s = 0;
  for (let m = 0; m < M; m++) s = Math.fround(s + luts[(q * M + m) * PQ_KSUB + codes[i * M + m]]);
  return s;
}

/** Exhaustive ADC search: nq × k ids and distances, ascending, ties by smaller id; −1/+∞ past n. */
export function adcSearchReference(
  luts: Float32Array, M: number, codes: Uint8Array, k: number,
): { ids: Int32Array; distances: Float32Array } {
  const nq = luts.length / (M * PQ_KSUB);
  const n = codes.length / M;
  const ids = new Int32Array(nq * k).fill(-1);
  const distances = new Float32Array(nq * k).fill(Infinity);
  const order = new Int32Array(n);
  const dist = new Float32Array(n);
  for (let q = 0; q < nq; q++) {
    for (let i = 0; i < n; i++) {
      dist[i] = adcDistanceReference(luts, q, M, codes, i);
      order[i] = i;
    }
    order.sort((a, b) => dist[a] - dist[b] || a - b);
    for (let j = 0; j < Math.min(k, n); j++) {
      ids[q * k + j] = order[j];
      distances[q * k + j] = dist[order[j]];
    }
  }
  return { ids, distances };
}
