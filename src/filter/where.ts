/**
 * compileWhere: validates a predicate once (against the schema when there is one)
 * and turns it into a tree of normalized nodes that `matches` and the storage's
 * slot bitmaps evaluate.
 */
import { checkFieldName, elementType, scalarTypeOf, schemaKey } from './check';
import { describe, fieldPath, isPlainObject } from './describe';
import {
  MAX_BIGINT, MAX_ID_VALUE, MIN_BIGINT,
  type FieldType, type Scalar, type ScalarType, type Schema, type Where,
} from './types';

/** A scalar field's value is one of `values` (`eq`, `in`); `negate`: none of them (`ne`, `notIn`). */
export interface InNode { kind: 'in'; field: string; type: ScalarType; values: readonly Scalar[]; negate: boolean }
/** A scalar field's value is within bounds (absent bound: unbounded). */
export interface RangeNode {
  kind: 'range'; field: string; type: ScalarType;
  lower?: Scalar; lowerInclusive: boolean; upper?: Scalar; upperInclusive: boolean;
}
/** An array field holds `value`. */
export interface HasNode { kind: 'has'; field: string; type: ScalarType; value: Scalar }
/**
 * An array field equals `values` element by element (`negate`: differs). `type` is
 * the elements' type, undefined for the empty array (which any array type may be).
 */
export interface ArrayEqNode { kind: 'arrayEq'; field: string; type: ScalarType | undefined; values: readonly Scalar[]; negate: boolean }
/** The record's id is one of `ids` (`negate`: none of them). */
export interface IdNode { kind: 'id'; ids: ReadonlySet<bigint>; negate: boolean }
export interface AndNode { kind: 'and'; children: readonly WhereNode[] }
export interface OrNode { kind: 'or'; children: readonly WhereNode[] }
export interface NotNode { kind: 'not'; child: WhereNode }

/** A condition on one field. */
export type FieldNode = InNode | RangeNode | HasNode | ArrayEqNode;
export type WhereNode = FieldNode | IdNode | AndNode | OrNode | NotNode;

/** A validated predicate; make one with compileWhere. */
export interface CompiledWhere {
  readonly root: WhereNode;
  /** The schema it was checked against (undefined: none). */
  readonly schema: Schema | undefined;
  /** schemaKey(schema): storage checks that a predicate was compiled for its schema. */
  readonly schemaKey: string;
}

const FIELD_OPERATORS = ['eq', 'ne', 'in', 'notIn', 'lt', 'lte', 'gt', 'gte', 'has'] as const;
const ID_OPERATORS = ['eq', 'in', 'notIn'] as const;
type FieldOperator = (typeof FIELD_OPERATORS)[number];

/**
 * Validates `where` (against `schema` when given) and compiles it. Throws a TypeError
 * (wrong shape or type, unknown operator) or RangeError (empty list,
 * non-finite number, out-of-range id or bigint) whose message names the path in the
 * predicate, e.g. `where.or[1].price.lt: expected number, got string`.
 */
export function compileWhere(where: Where, schema?: Schema): CompiledWhere {
  return { root: compileObject(where, schema, 'where'), schema, schemaKey: schemaKey(schema) };
}

function compileObject(where: unknown, schema: Schema | undefined, path: string): WhereNode {
  if (!isPlainObject(where)) throw new TypeError(`${path}: expected a predicate object, got ${describe(where)}`);
  const children: WhereNode[] = [];
  for (const key of Object.keys(where)) {
    const value = where[key];
    const at = fieldPath(path, key);
    if (value === undefined) throw new TypeError(`${at}: expected a condition, got undefined`);
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new TypeError(`${at}: expected a non-empty array of predicates, got ${describe(value)}`);
      if (value.length === 0) throw new RangeError(`${at}: expected a non-empty array of predicates, got []`);
      const list = value.map((w, i) => compileObject(w, schema, `${at}[${i}]`));
      children.push(list.length === 1 ? list[0] : { kind: key, children: list });
    } else if (key === 'not') {
      children.push({ kind: 'not', child: compileObject(value, schema, at) });
    } else if (key === 'id') {
      children.push(...compileId(value, at));
    } else {
      checkFieldName(key, path);
      // Undeclared fields are allowed (answered by reading the records); declared ones are typed.
      const declared = schema?.[key];
      children.push(...compileField(key, value, declared, at));
    }
  }
  return children.length === 1 ? children[0] : { kind: 'and', children };
}

/** An id of a predicate as a bigint. */
function idOf(value: unknown, path: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${path}: an id must be an integer, got ${String(value)}`);
    value = BigInt(value);
  } else if (typeof value !== 'bigint') {
    throw new TypeError(`${path}: expected an id (bigint or integer), got ${describe(value)}`);
  }
  const id = value as bigint;
  if (id < 0n || id > MAX_ID_VALUE) throw new RangeError(`${path}: an id is in [0, 2^63 - 1], got ${id}`);
  return id;
}

function idList(value: unknown, path: string): Set<bigint> {
  if (!Array.isArray(value)) throw new TypeError(`${path}: expected a non-empty array of ids, got ${describe(value)}`);
  if (value.length === 0) throw new RangeError(`${path}: expected a non-empty array of ids, got []`);
  return new Set(value.map((v, i) => idOf(v, `${path}[${i}]`)));
}

function compileId(cond: unknown, path: string): IdNode[] {
  if (!isPlainObject(cond)) return [{ kind: 'id', ids: new Set([idOf(cond, path)]), negate: false }];
  const ops = Object.keys(cond);
  if (ops.length === 0) throw new TypeError(`${path}: expected an id or an object of operators (${ID_OPERATORS.join(', ')}), got {}`);
  return ops.map((op): IdNode => {
    const at = `${path}.${op}`;
    if (op === 'eq') return { kind: 'id', ids: new Set([idOf(cond[op], at)]), negate: false };
    if (op === 'in' || op === 'notIn') return { kind: 'id', ids: idList(cond[op], at), negate: op === 'notIn' };
    throw new TypeError(`${fieldPath(path, op)}: unknown operator for id (operators: ${ID_OPERATORS.join(', ')})`);
  });
}

/** Throws unless `value` is a valid scalar of type `want` (any type when undefined). */
function scalarOf(value: unknown, want: ScalarType | undefined, path: string): Scalar {
  const t = scalarTypeOf(value);
  if (t === undefined || (want !== undefined && t !== want)) {
    throw new TypeError(`${path}: expected ${want ?? 'a string, number, boolean or bigint'}, got ${describe(value)}`);
  }
  if (t === 'number' && !Number.isFinite(value)) throw new RangeError(`${path}: expected a finite number, got ${String(value)}`);
  if (t === 'bigint' && ((value as bigint) < MIN_BIGINT || (value as bigint) > MAX_BIGINT)) {
    throw new RangeError(`${path}: a bigint must be a signed 64-bit integer, got ${String(value)}`);
  }
  return value as Scalar;
}

/** A list of scalars of one type (`want` when given, else the first element's). */
function scalarList(value: readonly unknown[], want: ScalarType | undefined, path: string): { type: ScalarType | undefined; values: Scalar[] } {
  let type = want;
  const values = value.map((v, i) => {
    const s = scalarOf(v, type, `${path}[${i}]`);
    type ??= scalarTypeOf(s);
    return s;
  });
  return { type, values };
}

function compileField(field: string, cond: unknown, declared: FieldType | undefined, path: string): FieldNode[] {
  if (!isPlainObject(cond)) return [equality(field, cond, declared, path, false)];
  const ops = Object.keys(cond);
  if (ops.length === 0) throw new TypeError(`${path}: expected a value or an object of operators (${FIELD_OPERATORS.join(', ')}), got {}`);
  const out: FieldNode[] = [];
  let range: RangeNode | undefined;
  const element = declared === undefined ? undefined : elementType(declared);
  const scalarDeclared = declared !== undefined && element === undefined ? (declared as ScalarType) : undefined;
  for (const op of ops) {
    const at = `${path}.${op}`;
    const value = cond[op];
    if (!(FIELD_OPERATORS as readonly string[]).includes(op)) {
      throw new TypeError(`${fieldPath(path, op)}: unknown operator (operators: ${FIELD_OPERATORS.join(', ')})`);
    }
    switch (op as FieldOperator) {
      case 'eq':
      case 'ne':
        out.push(equality(field, value, declared, at, op === 'ne'));
        break;
      case 'in':
      case 'notIn': {
        if (element !== undefined) throw new TypeError(`${at}: ${op} needs a scalar field; ${field} is ${declared} (use has)`);
        if (!Array.isArray(value)) throw new TypeError(`${at}: expected a non-empty array, got ${describe(value)}`);
        if (value.length === 0) throw new RangeError(`${at}: expected a non-empty array, got []`);
        const list = scalarList(value, scalarDeclared, at);
        out.push({ kind: 'in', field, type: list.type as ScalarType, values: list.values, negate: op === 'notIn' });
        break;
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        if (element !== undefined) throw new TypeError(`${at}: ${op} needs a scalar field; ${field} is ${declared}`);
        if (declared === 'boolean') throw new TypeError(`${at}: ${op} needs a number, bigint or string field; ${field} is boolean`);
        const bound = scalarOf(value, scalarDeclared, at);
        const type = scalarTypeOf(bound) as ScalarType;
        if (type === 'boolean') throw new TypeError(`${at}: expected a number, bigint or string, got boolean`);
        if (range !== undefined && range.type !== type) {
          throw new TypeError(`${at}: expected ${range.type} like the other bounds, got ${type}`);
        }
        range ??= { kind: 'range', field, type, lowerInclusive: false, upperInclusive: false };
        if (op === 'lt' || op === 'lte') {
          if (range.upper !== undefined) throw new TypeError(`${at}: lt and lte together`);
          range.upper = bound;
          range.upperInclusive = op === 'lte';
        } else {
          if (range.lower !== undefined) throw new TypeError(`${at}: gt and gte together`);
          range.lower = bound;
          range.lowerInclusive = op === 'gte';
        }
        break;
      }
      case 'has':
        if (declared !== undefined && element === undefined) throw new TypeError(`${at}: has needs an array field; ${field} is ${declared}`);
        if (Array.isArray(value)) throw new TypeError(`${at}: expected an element (a scalar), got an array`);
        {
          const v = scalarOf(value, element, at);
          out.push({ kind: 'has', field, type: scalarTypeOf(v) as ScalarType, value: v });
        }
        break;
    }
  }
  if (range !== undefined) out.push(range);
  return out;
}

/** `eq`/`ne` (or a plain value): a scalar on a scalar field, an array on an array field. */
function equality(field: string, value: unknown, declared: FieldType | undefined, path: string, negate: boolean): FieldNode {
  const element = declared === undefined ? undefined : elementType(declared);
  if (Array.isArray(value)) {
    if (declared !== undefined && element === undefined) throw new TypeError(`${path}: expected ${declared}, got an array`);
    const list = scalarList(value, element, path);
    return { kind: 'arrayEq', field, type: list.type, values: list.values, negate };
  }
  if (element !== undefined) throw new TypeError(`${path}: expected ${declared} (use has for one element), got ${describe(value)}`);
  const v = scalarOf(value, declared as ScalarType | undefined, path);
  return { kind: 'in', field, type: scalarTypeOf(v) as ScalarType, values: [v], negate };
}
