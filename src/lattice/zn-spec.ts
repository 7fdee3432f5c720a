/**
 * The one parser of spherical Zn quantizer names, `zn_<r2>` (e.g. `zn_79`): the
 * Index, the evaluation's quantizer registry and the trainer all read names here.
 */

/** Names routed to the Zn quantizer family; {@link parseZnSpec} then checks r2. */
export const ZN_SPEC_PATTERN = /^zn_\d+$/;

/** How users write a Zn quantizer name (for messages). */
export const ZN_SPEC_SYNTAX = 'zn_<r2>';

/**
 * The squared radius r2 of a `zn_<r2>` name, or undefined when `name` is not one:
 * r2 is a whole number ≥ 1 written without leading zeros.
 */
export function parseZnSpec(name: string): number | undefined {
  const m = /^zn_([1-9]\d*)$/.exec(name);
  if (!m) return undefined;
  const r2 = Number(m[1]);
  return Number.isSafeInteger(r2) ? r2 : undefined;
}

/** Like {@link parseZnSpec}, but throws a RangeError naming the bad spec. */
export function znRadiusOf(name: string): number {
  const r2 = parseZnSpec(name);
  if (r2 === undefined) throw new RangeError(`quantizer must be '${ZN_SPEC_SYNTAX}' with r2 ≥ 1 (e.g. 'zn_79'), got '${name}'`);
  return r2;
}
