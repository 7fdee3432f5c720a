/**
 * The tie rule of search: results ordered by distance, equal distances by smaller
 * id, on top of a kernel that orders equal distances by slot.
 */
import type { ScanResult } from '../kernels/scan-native';

/** One scan of the arena: the k best slots (−1 pads), distances and ties of each query. */
export type Scan = (queries: Float32Array, k: number) => Promise<ScanResult>;

/**
 * The kernel keeps the k best by (distance, slot) and reports beside them every
 * other slot at the k-th distance (its ties); the Index promises ties by smaller id.
 * So each row's k places and ties are resolved to ids, sorted by (distance, id) and
 * cut to k: one scan per search, however many vectors share a code (100k SIFT
 * vectors gave 90,597 distinct codes). No scan asks for more than the `live` vectors
 * there are: a huge k costs its padded output only.
 */
export async function topKByDistanceThenId(
  scan: Scan,
  queries: Float32Array,
  nq: number,
  k: number,
  live: number,
  idsOf: (slots: Int32Array) => BigInt64Array,
): Promise<{ ids: BigInt64Array; distances: Float32Array }> {
  const ids = new BigInt64Array(nq * k).fill(-1n);
  const distances = new Float32Array(nq * k).fill(Infinity);
  const kk = Math.min(k, live); // places that can hold a live vector
  if (kk === 0) return { ids, distances };
  const r = await scan(queries, kk);
  const placeIds = idsOf(r.slots);
  const tieIds = idsOf(r.tieSlots);
  for (let q = 0; q < nq; q++) {
    const cand: { id: bigint; d: number }[] = [];
    for (let j = q * kk; j < (q + 1) * kk; j++) if (placeIds[j] >= 0n) cand.push({ id: placeIds[j], d: r.distances[j] });
    const kth = r.distances[(q + 1) * kk - 1];
    for (let t = r.tieOffsets[q]; t < r.tieOffsets[q + 1]; t++) cand.push({ id: tieIds[t], d: kth });
    cand.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let j = 0; j < Math.min(kk, cand.length); j++) {
      ids[q * k + j] = cand[j].id;
      distances[q * k + j] = cand[j].d;
    }
  }
  return { ids, distances };
}
