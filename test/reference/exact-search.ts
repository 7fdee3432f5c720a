/**
 * The oracle of exact search: every live (id, vector) scored in float64 under the
 * metric, sorted by (distance, id). Written from the definitions, independently of
 * src/index (no shared code).
 */
export type Metric = 'l2' | 'cosine' | 'ip';

function unit(v: readonly number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}

/** The metric's distance: squared L2, 1 − cos, or −⟨q, x⟩. */
export function distance(metric: Metric, q: readonly number[], x: readonly number[]): number {
  if (metric === 'l2') return q.reduce((s, v, i) => s + (v - x[i]) ** 2, 0);
  const a = metric === 'cosine' ? unit(q) : q;
  const b = metric === 'cosine' ? unit(x) : x;
  const dot = a.reduce((s, v, i) => s + v * b[i], 0);
  return metric === 'cosine' ? 1 - dot : -dot;
}

/** The k best (id, distance) of `query` among `rows` (id → vector). */
export function exactSearch(metric: Metric, rows: Map<bigint, number[]>, query: readonly number[], k: number): { id: bigint; d: number }[] {
  const all = [...rows].map(([id, v]) => ({ id, d: distance(metric, query, v) }));
  all.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return all.slice(0, k);
}
