/**
 * The one semantics of a compiled predicate on one record. A field condition holds
 * only when the record has the field with a value of the condition's type (so `ne`
 * and `notIn` do not hold on a missing field, nor on a value of another type); `not`
 * is the plain complement. Numbers and bigints are different types (5 ≠ 5n);
 * -0 equals 0; strings compare by code point.
 */
import { scalarTypeOf } from './check';
import { compareScalars } from './order';
import type { Metadata, MetadataValue, Scalar } from './types';
import type { CompiledWhere, FieldNode, IdNode, WhereNode } from './where';

/** Whether the record (undefined: none, as `{}`) with this id matches the predicate. */
export function matches(compiled: CompiledWhere, record: Metadata | undefined, id: bigint | number): boolean {
  const key = typeof id === 'bigint' ? id : BigInt(id);
  return evaluate(compiled.root, record, (node) => node.ids.has(key) !== node.negate);
}

/**
 * Evaluates `node` on `record`; `idHolds` answers the id conditions (storage answers
 * them by slot, having resolved the ids once).
 */
export function evaluate(node: WhereNode, record: Metadata | undefined, idHolds: (node: IdNode) => boolean): boolean {
  switch (node.kind) {
    case 'and':
      for (const c of node.children) if (!evaluate(c, record, idHolds)) return false;
      return true;
    case 'or':
      for (const c of node.children) if (evaluate(c, record, idHolds)) return true;
      return false;
    case 'not':
      return !evaluate(node.child, record, idHolds);
    case 'id':
      return idHolds(node);
    default:
      return fieldHolds(node, record?.[node.field]);
  }
}

function sameScalar(a: Scalar, b: Scalar): boolean {
  return a === b; // same type already; -0 === 0
}

/** Whether a field condition holds on the field's value (undefined: missing). */
export function fieldHolds(node: FieldNode, value: MetadataValue | undefined): boolean {
  if (value === undefined) return false;
  if (node.kind === 'has' || node.kind === 'arrayEq') {
    if (!Array.isArray(value)) return false;
    const arr = value as readonly Scalar[];
    if (arr.length > 0 && node.type !== undefined && scalarTypeOf(arr[0]) !== node.type) return false;
    if (node.kind === 'has') return arr.some((v) => sameScalar(v, node.value));
    // The empty condition array has no type: it matches an empty array of any type.
    if (node.type === undefined && arr.length > 0) return node.negate;
    const equal = arr.length === node.values.length && arr.every((v, i) => sameScalar(v, node.values[i]));
    return equal !== node.negate;
  }
  if (Array.isArray(value) || scalarTypeOf(value) !== node.type) return false;
  const v = value as Scalar;
  if (node.kind === 'in') return node.values.some((x) => sameScalar(v, x)) !== node.negate;
  if (node.lower !== undefined) {
    const c = compareScalars(v, node.lower);
    if (c < 0 || (c === 0 && !node.lowerInclusive)) return false;
  }
  if (node.upper !== undefined) {
    const c = compareScalars(v, node.upper);
    if (c > 0 || (c === 0 && !node.upperInclusive)) return false;
  }
  return true;
}
