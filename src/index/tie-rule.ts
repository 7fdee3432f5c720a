/**
 * The tie rule of search: results ordered by distance, equal distances by smaller
 * id, on top of a kernel that orders equal distances by slot.
 */

/** One scan of the arena: the k best slots (−1 pads) and distances of each query. */
export type Scan = (queries: Float32Array, k: number) => Promise<{ slots: Int32Array; distances: Float32Array }>;

/**
 * The kernel orders equal distances by slot (insertion order); the Index promises
 * ties by smaller id. Scanning for k + 1 shows which queries have a tie straddling
 * the k-th place; those few are scanned again with a larger k until every vector at
 * the k-th distance is in hand. Then each row is sorted by (distance, id) and cut to k.
 * No scan asks for more than the `live` vectors there are: a huge k costs its padded
 * output only.
 */
export async function topKByDistanceThenId(
  scan: Scan,
  queries: Float32Array,
  nq: number,
  k: number,
  live: number,
  dim: number,
  idsOf: (slots: Int32Array) => BigInt64Array,
): Promise<{ ids: BigInt64Array; distances: Float32Array }> {
  const ids = new BigInt64Array(nq * k).fill(-1n);
  const distances = new Float32Array(nq * k).fill(Infinity);
  const kk = Math.min(k, live); // places that can hold a live vector
  if (kk === 0) return { ids, distances };
  const k1 = Math.min(kk + 1, live);
  const first = await scan(queries, k1);
  const rows: { ids: BigInt64Array; dist: Float32Array; width: number }[] = [];
  const allIds = idsOf(first.slots);
  for (let q = 0; q < nq; q++) {
    rows.push({ ids: allIds.subarray(q * k1, (q + 1) * k1), dist: first.distances.subarray(q * k1, (q + 1) * k1), width: k1 });
  }
  // A row is complete when it holds every live vector, or its last place is padding
  // or farther than its kk-th.
  const open = (r: (typeof rows)[number]) => r.width > kk && r.width < live && r.ids[r.width - 1] >= 0n && r.dist[r.width - 1] === r.dist[kk - 1];
  let pending = rows.map((_, q) => q).filter((q) => open(rows[q]));
  let width = k1;
  while (pending.length > 0) {
    width = Math.min(width * 4, live);
    const sub = new Float32Array(pending.length * dim);
    pending.forEach((q, i) => sub.set(queries.subarray(q * dim, (q + 1) * dim), i * dim));
    const more = await scan(sub, width);
    const moreIds = idsOf(more.slots);
    pending.forEach((q, i) => {
      rows[q] = { ids: moreIds.subarray(i * width, (i + 1) * width), dist: more.distances.subarray(i * width, (i + 1) * width), width };
    });
    pending = pending.filter((q) => open(rows[q]));
  }
  rows.forEach((r, q) => {
    const order = Array.from({ length: r.width }, (_, j) => j);
    order.sort((a, b) => {
      const d = r.dist[a] - r.dist[b];
      if (d !== 0 && !Number.isNaN(d)) return d;
      if (r.ids[a] < 0n || r.ids[b] < 0n) return r.ids[a] < 0n ? (r.ids[b] < 0n ? 0 : 1) : -1;
      return r.ids[a] < r.ids[b] ? -1 : r.ids[a] > r.ids[b] ? 1 : 0;
    });
    for (let j = 0; j < kk; j++) {
      ids[q * k + j] = r.ids[order[j]];
      distances[q * k + j] = r.dist[order[j]];
    }
  });
  return { ids, distances };
}
