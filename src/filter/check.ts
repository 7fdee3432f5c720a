/**
 * Validation of schemas and metadata records: every error is a TypeError or
 * RangeError whose one-line message names the path of the bad value
 * (`metadata[3].price: expected number, got string`).
 */
import {
  MAX_ARRAY_LENGTH, MAX_BIGINT, MAX_FIELD_NAME_BYTES, MAX_FIELDS, MAX_INDEXED_STRING_BYTES,
  MAX_RECORD_BYTES, MIN_BIGINT, RESERVED_FIELDS,
  type FieldType, type Metadata, type Scalar, type ScalarType, type Schema,
} from './types';
import { describe, fieldPath, isPlainObject } from './describe';

const SCALAR_TYPES: readonly string[] = ['string', 'number', 'boolean', 'bigint'];
const FIELD_TYPES: readonly string[] = [...SCALAR_TYPES, ...SCALAR_TYPES.map((t) => `${t}[]`)];

/** The scalar type of `value`, or undefined when it is not a scalar. */
export function scalarTypeOf(value: unknown): ScalarType | undefined {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint' ? t : undefined;
}

/** The element type of an array field type, or undefined for a scalar type. */
export function elementType(type: FieldType): ScalarType | undefined {
  return type.endsWith('[]') ? (type.slice(0, -2) as ScalarType) : undefined;
}

/** Throws unless `name` may be a field name (non-empty, not reserved, short, no NUL). */
export function checkFieldName(name: string, path: string): void {
  if (name.length === 0) throw new RangeError(`${path}: a field name must not be empty`);
  if (RESERVED_FIELDS.includes(name)) {
    throw new RangeError(`${fieldPath(path, name)}: '${name}' is reserved (not a field name: ${RESERVED_FIELDS.join(', ')})`);
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_FIELD_NAME_BYTES) {
    throw new RangeError(`${fieldPath(path, name)}: a field name has at most ${MAX_FIELD_NAME_BYTES} UTF-8 bytes`);
  }
  if (name.includes('\0')) throw new RangeError(`${fieldPath(path, name)}: a field name must not contain NUL`);
}

/**
 * Throws unless `schema` is an object of field name → FieldType. Returns it frozen
 * with its fields in sorted order (so two equal schemas compare equal).
 */
export function checkSchema(schema: unknown, path = 'fields'): Schema {
  if (!isPlainObject(schema)) throw new TypeError(`${path}: expected an object of field → type, got ${describe(schema)}`);
  const names = Object.keys(schema).sort();
  if (names.length > MAX_FIELDS) throw new RangeError(`${path}: at most ${MAX_FIELDS} fields, got ${names.length}`);
  const out: Record<string, FieldType> = {};
  for (const name of names) {
    checkFieldName(name, path);
    const type = schema[name];
    if (typeof type !== 'string' || !FIELD_TYPES.includes(type)) {
      throw new TypeError(`${fieldPath(path, name)}: expected a field type (${FIELD_TYPES.join(', ')}), got ${typeof type === 'string' ? `'${type}'` : describe(type)}`);
    }
    out[name] = type as FieldType;
  }
  return Object.freeze(out);
}

/** Canonical text of a schema (or of its absence): equal schemas give equal keys. */
export function schemaKey(schema: Schema | undefined): string {
  return schema === undefined ? '' : JSON.stringify(Object.keys(schema).sort().map((k) => [k, schema[k]]));
}

/** Throws unless `value` is a valid scalar; returns its size in the record budget. */
function checkScalar(value: unknown, path: string, declared: ScalarType | undefined): number {
  const t = scalarTypeOf(value);
  if (t === undefined || (declared !== undefined && t !== declared)) {
    throw new TypeError(`${path}: expected ${declared ?? 'a string, number, boolean, bigint or an array of one of them'}, got ${describe(value)}`);
  }
  switch (t) {
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`${path}: expected a finite number, got ${String(value)}`);
      return 8;
    case 'bigint':
      if ((value as bigint) < MIN_BIGINT || (value as bigint) > MAX_BIGINT) {
        throw new RangeError(`${path}: a bigint must be a signed 64-bit integer, got ${String(value)}`);
      }
      return 8;
    case 'boolean':
      return 1;
    case 'string': {
      const bytes = Buffer.byteLength(value as string, 'utf8');
      if (declared !== undefined && bytes > MAX_INDEXED_STRING_BYTES) {
        throw new RangeError(`${path}: a string in a declared field has at most ${MAX_INDEXED_STRING_BYTES} UTF-8 bytes, got ${bytes}`);
      }
      return bytes;
    }
  }
}

/** Throws unless `value` is a metadata value (of type `declared` when given); returns its size. */
function checkValue(value: unknown, path: string, declared: FieldType | undefined): number {
  if (!Array.isArray(value)) {
    if (declared !== undefined && elementType(declared) !== undefined) {
      throw new TypeError(`${path}: expected ${declared}, got ${describe(value)}`);
    }
    return checkScalar(value, path, declared as ScalarType | undefined);
  }
  if (declared !== undefined && elementType(declared) === undefined) {
    throw new TypeError(`${path}: expected ${declared}, got an array`);
  }
  if (value.length > MAX_ARRAY_LENGTH) throw new RangeError(`${path}: an array has at most ${MAX_ARRAY_LENGTH} elements, got ${value.length}`);
  let want = declared === undefined ? undefined : elementType(declared);
  let size = 0;
  for (let i = 0; i < value.length; i++) {
    // Without a schema the first element fixes the type of the others.
    size += checkScalar(value[i], `${path}[${i}]`, want);
    want ??= scalarTypeOf(value[i]);
  }
  return size;
}

/**
 * Throws a TypeError/RangeError naming `path` and the field unless `record` is valid
 * metadata: a plain object of at most MAX_FIELDS fields whose values are finite
 * numbers, signed 64-bit bigints, strings, booleans or arrays of one of these types
 * (no null, undefined or nested objects), within MAX_RECORD_BYTES. With a schema,
 * each declared field present must have its declared type; undeclared fields are
 * allowed as without one.
 */
export function checkMetadata(record: unknown, schema: Schema | undefined, path: string): asserts record is Metadata {
  if (!isPlainObject(record)) throw new TypeError(`${path}: expected an object of field → value, got ${describe(record)}`);
  const names = Object.keys(record);
  if (names.length > MAX_FIELDS) throw new RangeError(`${path}: at most ${MAX_FIELDS} fields, got ${names.length}`);
  let size = 0;
  for (const name of names) {
    checkFieldName(name, path);
    // A schema makes its fields indexed and typed; other fields stay allowed (unindexed).
    const declared = schema?.[name];
    size += Buffer.byteLength(name, 'utf8') + checkValue(record[name], fieldPath(path, name), declared);
  }
  if (size > MAX_RECORD_BYTES) throw new RangeError(`${path}: a record has at most ${MAX_RECORD_BYTES} bytes, got ${size}`);
}
