/**
 * The oracles' one top-k rule, the contract of every native scan: the k best hits
 * by (distance, slot) into row `qi` of slots/distances (the rest left as padding),
 * and the other hits at the k-th distance appended to `ties`.
 */
export function placeTopK(hits: { dist: number; slot: number }[], k: number, qi: number, slots: Int32Array, distances: Float32Array, ties: number[]): void {
  hits.sort((a, b) => a.dist - b.dist || a.slot - b.slot);
  for (let j = 0; j < Math.min(k, hits.length); j++) {
    slots[qi * k + j] = hits[j].slot;
    distances[qi * k + j] = hits[j].dist;
  }
  for (let j = k; j < hits.length && hits[j].dist === hits[k - 1].dist; j++) ties.push(hits[j].slot);
}
