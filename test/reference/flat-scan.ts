/**
 * TS reference of the flat exact scan (native/flat_scan.cc must agree with it):
 * every live row scored in double precision (squared L2, or the negated inner
 * product), rounded to float32, sorted by (distance, slot); k per query and the
 * other slots at the k-th distance (the ties). Slow and simple on purpose.
 */
import type { FlatScanInput } from '../../src/kernels/flat-scan-native';
import type { ScanResult } from '../../src/kernels/scan-native';
import { placeTopK } from './topk';

export function flatScanReference(input: FlatScanInput): ScanResult {
  const { base, n, removed, dim, queries, k, metric } = input;
  const live: number[] = [];
  for (let s = 0; s < n; s++) if (!removed || ((removed[s >> 3] >> (s & 7)) & 1) === 0) live.push(s);
  const nq = queries.length / dim;
  const slots = new Int32Array(nq * k).fill(-1);
  const distances = new Float32Array(nq * k).fill(Infinity);
  const ties: number[] = [];
  const tieOffsets = new Int32Array(nq + 1);
  for (let qi = 0; qi < nq; qi++) {
    const hits = live.map((s) => {
      let acc = 0;
      for (let d = 0; d < dim; d++) {
        const q = queries[qi * dim + d], b = base[s * dim + d];
        acc += metric === 'l2' ? (q - b) * (q - b) : -q * b;
      }
      return { dist: Math.fround(acc), slot: s };
    });
    placeTopK(hits, k, qi, slots, distances, ties);
    tieOffsets[qi + 1] = ties.length;
  }
  return { slots, distances, tieSlots: Int32Array.from(ties), tieOffsets };
}
