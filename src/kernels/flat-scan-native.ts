/**
 * TEMPORARY stand-in (coordinator): replaced by the native flat scan from branch `fit`.
 * Same contract as decodeScan's ScanResult, over float32 rows.
 */
import type { ScanResult } from './scan-native';

export interface FlatScanInput {
  base: Float32Array;
  n: number;
  removed: Uint8Array | null;
  dim: number;
  queries: Float32Array;
  k: number;
  metric: 'l2' | 'ip';
  threads?: number;
}

export function flatScanSync(s: FlatScanInput): ScanResult {
  const nq = s.queries.length / s.dim;
  const slots = new Int32Array(nq * s.k).fill(-1);
  const distances = new Float32Array(nq * s.k).fill(Infinity);
  const tieSlots: number[] = [];
  const tieOffsets = new Int32Array(nq + 1);
  for (let q = 0; q < nq; q++) {
    const cand: { s: number; d: number }[] = [];
    for (let i = 0; i < s.n; i++) {
      if (s.removed && (s.removed[i >> 3] >> (i & 7)) & 1) continue;
      let acc = 0;
      for (let d = 0; d < s.dim; d++) {
        const a = s.queries[q * s.dim + d], b = s.base[i * s.dim + d];
        acc += s.metric === 'l2' ? (a - b) * (a - b) : a * b;
      }
      cand.push({ s: i, d: Math.fround(s.metric === 'l2' ? acc : -acc) });
    }
    cand.sort((a, b) => a.d - b.d || a.s - b.s);
    for (let j = 0; j < Math.min(s.k, cand.length); j++) {
      slots[q * s.k + j] = cand[j].s;
      distances[q * s.k + j] = cand[j].d;
    }
    if (cand.length > s.k) {
      const kth = cand[s.k - 1].d;
      for (let j = s.k; j < cand.length && cand[j].d === kth; j++) tieSlots.push(cand[j].s);
    }
    tieOffsets[q + 1] = tieSlots.length;
  }
  return { slots, distances, tieSlots: Int32Array.from(tieSlots), tieOffsets };
}

export async function flatScan(s: FlatScanInput): Promise<ScanResult> {
  return flatScanSync(s);
}
