/**
 * The quantizer zoo of the evaluation (the paper's lib/quantizers.py): each
 * quantizer compresses the database, then answers k-NN queries on the compressed
 * vectors. Built-ins: `none` (exact), `binary` (sign bits, symmetric Hamming),
 * `zn_<r2>` (spherical Zn lattice, asymmetric). Other modules add theirs with
 * {@link registerQuantizer} (the PQ module registers `pq_<bits>` and `opq_<bits>`).
 */
import { assertInteger, rowsOf } from '../validate';
import { knn } from './knn';
import { ZnCodec } from '../lattice/zn-codec';
import { pqQuantizerFactory, subQuantizers } from './pq';
import { opqQuantizerFactory } from './opq';

/** A compressed database that answers nearest-neighbour queries. */
export interface QuantizerIndex {
  /** Size of one database code in bits (the paper's `nbit`). */
  readonly bitsPerVector: number;
  /** Compresses and stores the database vectors (n×dim, row-major). */
  add(base: Float32Array): Promise<void>;
  /** nq×k indices into the added base, best first. */
  search(queries: Float32Array, k: number): Promise<Int32Array>;
}

/**
 * Builds a quantizer from its spec (e.g. `zn_79`), the vector dimension and a
 * training set (n×dim, the first 10,000 training vectors in eval.py).
 */
export type QuantizerFactory = (spec: string, dim: number, train: Float32Array) => Promise<QuantizerIndex>;

/** Checks a spec against a dimension without building anything large; throws a RangeError. */
export type QuantizerCheck = (spec: string, dim: number) => void;

const registry: { pattern: RegExp; factory: QuantizerFactory; syntax: string; check?: QuantizerCheck }[] = [];

/**
 * Adds a quantizer family; `pattern` must match the whole spec (e.g. /^pq_\d+$/),
 * `syntax` is how users write it (e.g. `pq_<bits>`), `check` validates a spec at a
 * dimension before any data is loaded. Later registrations take precedence.
 */
export function registerQuantizer(pattern: RegExp, factory: QuantizerFactory, syntax = pattern.source, check?: QuantizerCheck): void {
  registry.unshift({ pattern, factory, syntax, check });
}

/** Spec patterns known now (for help texts and error messages). */
export function quantizerPatterns(): string[] {
  return registry.map((r) => r.pattern.source);
}

/** How the known specs are written, e.g. `zn_<r2>`, `pq_<bits>` (for messages). */
export function quantizerSyntax(): string[] {
  return registry.map((r) => r.syntax).reverse();
}

/**
 * Checks a spec before any data is loaded: a known family, and when `dim` is given
 * (the encoder's output dimension) that it can be built there (zn radius served,
 * PQ bits a multiple of 8 whose sub-quantizers divide dim). Throws a RangeError.
 */
export function checkQuantizerSpec(spec: string, dim?: number): void {
  const entry = registry.find((r) => r.pattern.test(spec));
  if (!entry) throw new RangeError(`unknown quantizer '${spec}' (known: ${quantizerSyntax().join(', ')})`);
  if (dim !== undefined && entry.check) {
    try {
      entry.check(spec, dim);
    } catch (e) {
      throw new RangeError(`quantizer ${spec} at dimension ${dim}: ${(e as Error).message}`);
    }
  }
}

/** Builds the quantizer named by `spec`; throws a RangeError listing the known ones. */
export async function makeQuantizer(spec: string, dim: number, train: Float32Array): Promise<QuantizerIndex> {
  assertInteger('dim', dim, 1);
  rowsOf('train', train.length, dim);
  const entry = registry.find((r) => r.pattern.test(spec));
  if (!entry) {
    throw new RangeError(`quantizer: unknown spec '${spec}' (known: ${quantizerPatterns().join(', ')})`);
  }
  return entry.factory(spec, dim, train);
}

/** Stores vectors as given (or transformed) and searches them exactly by L2. */
class FlatIndex implements QuantizerIndex {
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

const identity = async (x: Float32Array) => x;

/**
 * Sign codes as ±1 vectors: x > 0 → +1, else −1. The squared L2 distance between
 * two such vectors is 4 × their Hamming distance, so an exact L2 search on them is
 * the symmetric Hamming search of eval.py's `binary` (which uses np.sign), reusing
 * the fast GEMM k-NN; the integer distances are exact in float32.
 */
export function signCodes(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 ? 1 : -1;
  return out;
}

/** Scales each row of `x` (n×dim) to unit length in place; zero rows stay zero. */
export function normalizeRows(x: Float32Array, dim: number): Float32Array {
  for (let o = 0; o < x.length; o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[o + j] * x[o + j];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < dim; j++) x[o + j] *= inv;
    }
  }
  return x;
}

/**
 * Spherical Zn quantizer (asymmetric, as in the paper): database vectors are coded
 * with the lattice codec and decoded to unit vectors z/‖z‖; queries stay exact.
 */
async function makeZn(spec: string, dim: number): Promise<QuantizerIndex> {
  const r2 = Number(spec.slice(3));
  assertInteger('zn radius r2', r2, 1);
  const codec = new ZnCodec(dim, r2);
  // Codes go through their exact rank and back, as an index stores them; the
  // 'float32' decoding is z/sqrt(r2), already of unit length.
  const reconstruct = async (x: Float32Array) => codec.decodeCodesAsync(await codec.quantizeEncodeAsync(x), 'float32');
  return new FlatIndex(codec.nbit, dim, reconstruct, identity);
}

const checkPq: QuantizerCheck = (spec, dim) => void subQuantizers(spec, Number(spec.slice(spec.indexOf('_') + 1)), dim);

registerQuantizer(/^none$/, async (_spec, dim) => new FlatIndex(32 * dim, dim, identity, identity), 'none');
registerQuantizer(/^binary$/, async (_spec, dim) => {
  const sign = async (x: Float32Array) => signCodes(x);
  return new FlatIndex(Math.ceil(dim / 8) * 8, dim, sign, sign);
}, 'binary');
registerQuantizer(/^zn_\d+$/, (spec, dim) => makeZn(spec, dim), 'zn_<r2>', (spec, dim) => {
  const r2 = Number(spec.slice(3));
  assertInteger('zn radius r2', r2, 1);
  void new ZnCodec(dim, r2); // bounded: refuses in milliseconds what it cannot serve
});
// The PQ module's families (src/eval/pq.ts, opq.ts).
registerQuantizer(/^pq_\d+$/, pqQuantizerFactory, 'pq_<bits>', checkPq);
registerQuantizer(/^opq_\d+$/, opqQuantizerFactory, 'opq_<bits>', checkPq);
