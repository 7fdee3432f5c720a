/**
 * fast-check generators of metadata records and predicates over a few fields and
 * small value pools, so that equalities, ranges and missing fields all happen often.
 */
import fc from 'fast-check';
import type { Metadata, MetadataValue, Schema, Where } from '../../src/filter';

/** Values chosen to meet at edges: -0 and 0, a surrogate pair against U+E000, a prefix. */
export const POOL = {
  number: [-2.5, -0, 0, 1, 3, 1e300],
  bigint: [-(1n << 63n), -1n, 0n, 5n, (1n << 63n) - 1n],
  string: ['', 'a', 'ab', 'b', '\u{1F600}', '\uE000', 'a\0'],
  boolean: [false, true],
} as const;
type T = keyof typeof POOL;
const TYPES: T[] = ['number', 'bigint', 'string', 'boolean'];

export const SCHEMA: Schema = { n: 'number', s: 'string', b: 'bigint', f: 'boolean', tags: 'string[]', nums: 'number[]' };

const scalarOf = (t: T) => fc.constantFrom<MetadataValue>(...(POOL[t] as readonly MetadataValue[]));
const arrayOf = (t: T) => fc.array(scalarOf(t), { maxLength: 3 }) as fc.Arbitrary<MetadataValue>;

function valueOf(type: string): fc.Arbitrary<MetadataValue> {
  return type.endsWith('[]') ? arrayOf(type.slice(0, -2) as T) : scalarOf(type as T);
}

const anyValue = fc.constantFrom(...TYPES).chain((t) => fc.oneof(scalarOf(t), arrayOf(t)));

/** An undeclared field that records and predicates use beside a schema's fields. */
export const UNDECLARED = 'u';

/**
 * A record: with a schema, some of its fields with their types and maybe the
 * undeclared field UNDECLARED of any type; without, fields a–c of any type.
 */
export function recordArb(schema?: Schema): fc.Arbitrary<Metadata> {
  if (schema) {
    const parts: Record<string, fc.Arbitrary<MetadataValue>> = {};
    for (const [k, t] of Object.entries(schema)) parts[k] = valueOf(t);
    parts[UNDECLARED] = anyValue;
    return fc.record(parts, { requiredKeys: [], noNullPrototype: true }) as fc.Arbitrary<Metadata>;
  }
  return fc.record({ a: anyValue, b: anyValue, c: anyValue }, { requiredKeys: [], noNullPrototype: true }) as fc.Arbitrary<Metadata>;
}

/** A condition on a field of type `type` (any type when undefined). */
function conditionArb(type: string | undefined): fc.Arbitrary<unknown> {
  const t = type ? fc.constant(type) : fc.constantFrom(...TYPES, ...TYPES.map((x) => `${x}[]`));
  return t.chain((ty) => {
    if (ty.endsWith('[]')) {
      const el = ty.slice(0, -2) as T;
      return fc.oneof(
        fc.record({ has: scalarOf(el) }),
        arrayOf(el),
        fc.record({ eq: arrayOf(el) }),
        fc.record({ ne: arrayOf(el) }),
      );
    }
    const el = ty as T;
    const list = fc.array(scalarOf(el), { minLength: 1, maxLength: 3 });
    const options: fc.Arbitrary<unknown>[] = [
      scalarOf(el),
      fc.record({ eq: scalarOf(el) }),
      fc.record({ ne: scalarOf(el) }),
      fc.record({ in: list }),
      fc.record({ notIn: list }),
    ];
    if (el !== 'boolean') {
      options.push(
        fc.record({ lt: scalarOf(el), gte: scalarOf(el) }, { requiredKeys: [] }).filter((o) => Object.keys(o).length > 0),
        fc.record({ lte: scalarOf(el), gt: scalarOf(el) }, { requiredKeys: [] }).filter((o) => Object.keys(o).length > 0),
      );
    }
    return fc.oneof(...options);
  });
}

const idArb = fc.constantFrom<bigint | number>(0n, 1, 2n, 3, 7n);

/** A predicate over the schema's fields and UNDECLARED (or a–c), ids 0–7, up to `depth` combinator levels. */
export function whereArb(schema?: Schema, maxDepth = 2): fc.Arbitrary<Where> {
  const fields = schema ? [...Object.keys(schema), UNDECLARED] : ['a', 'b', 'c'];
  const leaf: fc.Arbitrary<Where> = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...fields).chain((f) => conditionArb(schema?.[f]).map((c) => ({ [f]: c }) as Where)) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        idArb.map((id) => ({ id })),
        fc.array(idArb, { minLength: 1, maxLength: 3 }).map((ids) => ({ id: { in: ids } })),
        fc.array(idArb, { minLength: 1, maxLength: 3 }).map((ids) => ({ id: { notIn: ids } })),
      ) as fc.Arbitrary<Where>,
    },
  );
  const tree = fc.letrec<{ w: Where }>((tie) => ({
    w: fc.oneof(
      { depthSize: 'small', maxDepth, withCrossShrink: true },
      leaf,
      fc.array(tie('w'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('w'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('w').map((not) => ({ not })),
      fc.tuple(leaf, leaf).map(([x, y]) => ({ ...x, ...y })),
    ),
  })).w;
  return tree;
}
