/** Small helpers for error messages: paths and what a value is. */

/** `path.field`, or `path["odd name"]` when the name is not an identifier. */
export function fieldPath(path: string, field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `${path}.${field}` : `${path}[${JSON.stringify(field)}]`;
}

/** What a value is, for "expected X, got Y". */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** A plain object (not null, not an array, prototype Object or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
