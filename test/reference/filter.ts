/**
 * Brute-force model of the predicate language, written from docs/filtering.md and
 * independently of src/filter: it interprets a raw (valid) Where directly.
 */
import type { Metadata, MetadataValue, Where } from '../../src/filter';

type Prim = string | number | boolean | bigint;

/** Code point order via the UTF-8 bytes. */
function cmp(a: Prim, b: Prim): number {
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameType(a: unknown, b: unknown): boolean {
  return typeof a === typeof b;
}

function arraysEqual(rec: readonly Prim[], cond: readonly Prim[]): boolean | undefined {
  // undefined: the types differ (the condition does not apply)
  if (rec.length > 0 && cond.length > 0 && !sameType(rec[0], cond[0])) return undefined;
  return rec.length === cond.length && rec.every((v, i) => v === cond[i]);
}

function opHolds(op: string, arg: unknown, value: MetadataValue | undefined): boolean {
  if (value === undefined) return false;
  const isArr = Array.isArray(value);
  switch (op) {
    case 'eq':
    case 'ne': {
      if (Array.isArray(arg)) {
        if (!isArr) return false;
        const eq = arraysEqual(value as Prim[], arg as Prim[]);
        if (eq === undefined) return false;
        return op === 'eq' ? eq : !eq;
      }
      if (isArr || !sameType(value, arg)) return false;
      return op === 'eq' ? value === arg : value !== arg;
    }
    case 'in':
    case 'notIn': {
      const list = arg as Prim[];
      if (isArr || !sameType(value, list[0])) return false;
      const found = list.includes(value as Prim);
      return op === 'in' ? found : !found;
    }
    case 'has':
      if (!isArr) return false;
      return (value as Prim[]).some((v) => sameType(v, arg) && v === arg);
    default: {
      if (isArr || !sameType(value, arg)) return false;
      const c = cmp(value as Prim, arg as Prim);
      return op === 'lt' ? c < 0 : op === 'lte' ? c <= 0 : op === 'gt' ? c > 0 : c >= 0;
    }
  }
}

/** Whether `record` (undefined: none) with `id` satisfies `where`. */
export function referenceMatches(where: Where, record: Metadata | undefined, id: bigint): boolean {
  for (const [key, cond] of Object.entries(where)) {
    if (key === 'and') {
      if (!(cond as Where[]).every((w) => referenceMatches(w, record, id))) return false;
    } else if (key === 'or') {
      if (!(cond as Where[]).some((w) => referenceMatches(w, record, id))) return false;
    } else if (key === 'not') {
      if (referenceMatches(cond as Where, record, id)) return false;
    } else if (key === 'id') {
      const big = (v: unknown) => BigInt(v as number | bigint);
      if (typeof cond !== 'object') {
        if (big(cond) !== id) return false;
      } else {
        const c = cond as { eq?: unknown; in?: unknown[]; notIn?: unknown[] };
        if (c.eq !== undefined && big(c.eq) !== id) return false;
        if (c.in !== undefined && !c.in.some((v) => big(v) === id)) return false;
        if (c.notIn !== undefined && c.notIn.some((v) => big(v) === id)) return false;
      }
    } else {
      const value = record?.[key];
      const isOps = typeof cond === 'object' && cond !== null && !Array.isArray(cond);
      const ops = isOps ? Object.entries(cond as object) : [['eq', cond] as [string, unknown]];
      for (const [op, arg] of ops) if (!opHolds(op, arg, value)) return false;
    }
  }
  return true;
}
