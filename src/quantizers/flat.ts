/**
 * `none`: the database as given (32-bit floats), searched exactly by L2. The
 * {@link FlatIndex} here also serves the quantizers that reconstruct their codes
 * (binary, zn) before an exact search.
 */
import { rowsOf } from '../validate';
import { knn } from '../knn/knn';
import { registerQuantizer, type QuantizerIndex } from './registry';

/** Stores vectors as given (or transformed) and searches them exactly by L2. */
export class FlatIndex implements QuantizerIndex {
  private stored = new Float32Array(0);

  constructor(
    readonly bitsPerVector: number,
    private readonly dim: number,
    /** Maps database vectors to what is stored (e.g. quantize + reconstruct). */
    private readonly transformBase: (x: Float32Array) => Promise<Float32Array>,
    /** Maps queries before the search (identity for asymmetric quantizers). */
    private readonly transformQuery: (x: Float32Array) => Promise<Float32Array>,
  ) {}

  async add(base: Float32Array): Promise<void> {
    rowsOf('base', base.length, this.dim);
    const t = await this.transformBase(base);
    const merged = new Float32Array(this.stored.length + t.length);
    merged.set(this.stored);
    merged.set(t, this.stored.length);
    this.stored = merged;
  }

  async search(queries: Float32Array, k: number): Promise<Int32Array> {
    rowsOf('queries', queries.length, this.dim);
    const q = await this.transformQuery(queries);
    return (await knn(q, this.stored, this.dim, k, { metric: 'l2' })).indices;
  }
}

/** The transform that keeps vectors as they are. */
export const identity = async (x: Float32Array): Promise<Float32Array> => x;

registerQuantizer(/^none$/, async (_spec, dim) => new FlatIndex(32 * dim, dim, identity, identity), 'none');
