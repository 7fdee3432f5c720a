/**
 * The types of metadata and of predicates over it (docs/filtering.md describes the
 * language and its rules).
 */

/** A scalar metadata value. */
export type Scalar = string | number | boolean | bigint;

/** A metadata value: a scalar, or an array whose elements all have one scalar type. */
export type MetadataValue = Scalar | readonly string[] | readonly number[] | readonly boolean[] | readonly bigint[];

/** The metadata of one vector: field name → value. */
export type Metadata = { readonly [field: string]: MetadataValue };

/** The type of a scalar: what `typeof` says of it. */
export type ScalarType = 'string' | 'number' | 'boolean' | 'bigint';

/** The declared type of a field: a scalar type, or an array of one (`'string[]'`). */
export type FieldType = ScalarType | 'string[]' | 'number[]' | 'boolean[]' | 'bigint[]';

/**
 * Declared fields: field name → type. A declared field is indexed (conditions on it are
 * LMDB key-range scans) and must have its type; records and predicates may still use
 * undeclared fields, which are answered by reading the records.
 */
export type Schema = { readonly [field: string]: FieldType };

/**
 * Operators on one field. Several in one object must all hold. On a scalar field:
 * `eq`/`ne` a scalar, `in`/`notIn` a non-empty list, ranges `lt`/`lte`/`gt`/`gte`
 * (numbers, bigints, strings). On an array field: `has` an element, `eq`/`ne` a whole
 * array (element by element, in order).
 */
export interface FieldOperators {
  eq?: Scalar | readonly Scalar[];
  ne?: Scalar | readonly Scalar[];
  in?: readonly Scalar[];
  notIn?: readonly Scalar[];
  lt?: number | bigint | string;
  lte?: number | bigint | string;
  gt?: number | bigint | string;
  gte?: number | bigint | string;
  has?: Scalar;
}

/** A condition on one field: a plain value (equality) or an operator object. */
export type FieldCondition = Scalar | readonly Scalar[] | FieldOperators;

/** An id, as `add` takes it: a bigint or a non-negative safe integer. */
export type IdValue = bigint | number;

/** A condition on the pseudo-field `id`: an id (equality) or `{ eq, in, notIn }`. */
export type IdCondition = IdValue | { eq?: IdValue; in?: readonly IdValue[]; notIn?: readonly IdValue[] };

/**
 * A predicate. Its keys all hold (an implicit `and`): a field name → condition,
 * `id` → id condition, `and`/`or` → non-empty lists of predicates, `not` → a predicate.
 * `{}` holds for every record.
 */
export interface Where {
  and?: readonly Where[];
  or?: readonly Where[];
  not?: Where;
  id?: IdCondition;
  [field: string]: FieldCondition | IdCondition | Where | readonly Where[] | undefined;
}

/** Names that cannot be field names: the pseudo-field and the combinators of Where. */
export const RESERVED_FIELDS: readonly string[] = ['id', 'and', 'or', 'not', '__proto__'];

/** Longest field name, in UTF-8 bytes. */
export const MAX_FIELD_NAME_BYTES = 64;
/** Most fields in one record (and in one schema). */
export const MAX_FIELDS = 64;
/** Most elements in one array value. */
export const MAX_ARRAY_LENGTH = 1024;
/**
 * Largest record: field names and string bytes (UTF-8), 8 per number or bigint, 1 per
 * boolean, summed.
 */
export const MAX_RECORD_BYTES = 65536;
/**
 * Longest string (UTF-8 bytes) in a declared field: such values go into LMDB keys,
 * which lmdb-js limits to 1978 bytes.
 */
export const MAX_INDEXED_STRING_BYTES = 512;
/** Largest id (ids are non-negative signed 64-bit integers: storage/layout.ts MAX_ID). */
export const MAX_ID_VALUE = (1n << 63n) - 1n;
/** Bigint metadata values are signed 64-bit. */
export const MIN_BIGINT = -(1n << 63n);
export const MAX_BIGINT = (1n << 63n) - 1n;
