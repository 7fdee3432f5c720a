/**
 * A sequential model of an Index for tests: the live vectors by id, the next auto id,
 * and the search answers a brute-force scan of the TS codec's codes gives. Tests run
 * calls on a real Index and compare each answer with the model's.
 */
import assert from 'node:assert/strict';

import { decodeScanReference } from '../reference/scan';
import { ZnCodec } from '../../src/lattice/zn-codec';
import { TestEncoder } from './test-encoder';

export interface ModelHit {
  id: bigint;
  d: number;
}

export class IndexModel {
  readonly live = new Map<bigint, Float32Array>();
  nextId = 0n;
  private readonly codec: ZnCodec;

  constructor(
    private readonly enc: TestEncoder,
    private readonly r2: number,
  ) {
    this.codec = new ZnCodec(enc.dout, r2);
  }

  /** add(x, ids?): what the Index returns. Within a batch the last occurrence of an id wins. */
  add(x: Float32Array, ids: bigint[] | null): bigint[] {
    const din = this.enc.din;
    const n = x.length / din;
    const assigned = ids ?? Array.from({ length: n }, (_, i) => this.nextId + BigInt(i));
    assigned.forEach((id, i) => {
      this.live.set(id, x.slice(i * din, (i + 1) * din));
      if (id >= this.nextId) this.nextId = id + 1n;
    });
    return assigned;
  }

  /** remove(ids): how many were live. */
  remove(ids: bigint[]): number {
    let removed = 0;
    for (const id of new Set(ids)) if (this.live.delete(id)) removed++;
    return removed;
  }

  /** The k best (distance, id) of each query, padded with (−1, Infinity). */
  search(queries: Float32Array, k: number): ModelHit[][] {
    const din = this.enc.din;
    const ids = [...this.live.keys()];
    const nq = queries.length / din;
    const x = new Float32Array(ids.length * din);
    ids.forEach((id, i) => x.set(this.live.get(id)!, i * din));
    const codes = ids.length ? this.codec.quantizeEncodeBatch(this.enc.encodeSync(x)) : new Uint8Array(0);
    const all = Math.max(ids.length, 1);
    const r = decodeScanReference({ codes, n: ids.length, removed: null, dim: this.enc.dout, r2: this.r2, queries: this.enc.encodeSync(queries), k: all });
    const rows: ModelHit[][] = [];
    for (let q = 0; q < nq; q++) {
      const hits: ModelHit[] = [];
      for (let j = 0; j < ids.length; j++) hits.push({ id: ids[r.slots[q * all + j]], d: r.distances[q * all + j] });
      hits.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const row = hits.slice(0, k);
      while (row.length < k) row.push({ id: -1n, d: Infinity });
      rows.push(row);
    }
    return rows;
  }
}

/**
 * An Index's answer agrees with the model's: distances to 1e-6 place by place, and the
 * same ids within each run of distances equal to 1e-6 (exact ties are ordered by id on
 * both sides; float32 and float64 scores may order near-ties differently).
 */
export function assertSameHits(got: { ids: BigInt64Array; distances: Float32Array }, want: ModelHit[][], k: number, what = ''): void {
  assert.equal(got.ids.length, want.length * k, `${what}: result size`);
  want.forEach((row, q) => {
    for (let j = 0; j < k; j++) {
      const g = got.distances[q * k + j];
      const w = row[j].d;
      assert.ok(w === Infinity ? g === Infinity : Math.abs(g - w) <= 1e-6, `${what} query ${q} place ${j}: distance ${g}, expected ${w}`);
    }
    const sorted = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < k; ) {
      let j = i + 1;
      while (j < k && Math.abs(row[j].d - row[j - 1].d) <= 1e-6) j++;
      const gotIds = [...got.ids.subarray(q * k + i, q * k + j)];
      // A run of exact ties (the same code, so the same distance on both sides) is
      // ordered by id, also where the k-th place cuts it.
      const exact = row.slice(i, j).every((h) => h.d === row[i].d);
      if (exact) assert.deepEqual(gotIds, row.slice(i, j).map((h) => h.id), `${what} query ${q} places ${i}..${j - 1}`);
      else assert.deepEqual(sorted(gotIds), sorted(row.slice(i, j).map((h) => h.id)), `${what} query ${q} places ${i}..${j - 1}`);
      i = j;
    }
  });
}
