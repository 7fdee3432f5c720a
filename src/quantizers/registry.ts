/**
 * The quantizer registry of the evaluation (the paper's lib/quantizers.py): each
 * quantizer compresses the database, then answers k-NN queries on the compressed
 * vectors. Each family registers itself from its own module with
 * {@link registerQuantizer} (flat.ts `none`, binary.ts, zn.ts `zn_<r2>`, pq.ts
 * `pq_<bits>`, opq.ts `opq_<bits>`); src/quantizers/index.ts loads them all.
 */
import { assertInteger, rowsOf } from '../validate';

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
