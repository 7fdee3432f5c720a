/**
 * Command-line conventions shared by every sub-command: one option style
 * (underscores, as the paper's scripts spell them: `--size_base`) printed in
 * `--help`, the other (`--size-base`) accepted too; strict number parsing with
 * ranges; one-line error messages.
 */
/**
 * Rewrites `--size-base` (and `--size-base=…`) to `--size_base`, and `--no_faiss`
 * to `--no-faiss` (commander's negation prefix), so that either spelling works.
 * Stops at a lone `--`; values (tokens not starting with `--`) are left alone.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let done = false;
  for (const arg of argv) {
    if (done || !arg.startsWith('--') || arg === '--') {
      if (arg === '--') done = true;
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const rest = eq < 0 ? '' : arg.slice(eq);
    const negated = /^no[-_]/.test(name);
    const body = (negated ? name.slice(3) : name).replace(/-/g, '_');
    out.push(`--${negated ? 'no-' : ''}${body}${rest}`);
  }
  return out;
}

/** Bounds of a numeric option. */
export interface NumberBounds {
  /** Smallest value allowed (inclusive). */
  min?: number;
  /** Largest value allowed (inclusive). */
  max?: number;
  /** Values must be strictly greater than `min`. */
  exclusiveMin?: boolean;
}

const DECIMAL_INTEGER = /^[+-]?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function checkBounds(option: string, x: number, text: string, b: NumberBounds, what: string): number {
  const low = b.min !== undefined && (b.exclusiveMin ? x <= b.min : x < b.min);
  if (low || (b.max !== undefined && x > b.max)) {
    const range =
      b.max === undefined
        ? `${b.exclusiveMin ? '>' : '≥'} ${b.min}`
        : b.min === undefined
          ? `≤ ${b.max}`
          : `in ${b.exclusiveMin ? '(' : '['}${b.min}, ${b.max}]`;
    throw new RangeError(`--${option} must be ${what} ${range}, got '${text}'`);
  }
  return x;
}

/**
 * Parses a decimal integer (no hex, no exponent, no fraction: `0x10` and `1e3`
 * are refused) within bounds; the error names the option.
 */
export function parseInteger(option: string, text: string, bounds: NumberBounds = { min: 1 }): number {
  const t = text.trim();
  const x = Number(t);
  if (!DECIMAL_INTEGER.test(t) || !Number.isSafeInteger(x)) {
    throw new RangeError(`--${option} must be a decimal integer, got '${text}'`);
  }
  return checkBounds(option, x, text, bounds, 'an integer');
}

/** Parses a finite decimal number (`1e-3` allowed, `0x10`, `Infinity` refused) within bounds. */
export function parseNumber(option: string, text: string, bounds: NumberBounds = {}): number {
  const t = text.trim();
  const x = Number(t);
  if (!DECIMAL_NUMBER.test(t) || !Number.isFinite(x)) {
    throw new RangeError(`--${option} must be a decimal number, got '${text}'`);
  }
  return checkBounds(option, x, text, bounds, 'a number');
}

/** commander argument parser for an integer option. */
export function integerOption(option: string, bounds: NumberBounds = { min: 1 }): (v: string) => number {
  return (v) => parseInteger(option, v, bounds);
}

/** commander argument parser for a number option. */
export function numberOption(option: string, bounds: NumberBounds = {}): (v: string) => number {
  return (v) => parseNumber(option, v, bounds);
}

/** An error as one line for stderr: its message, whitespace runs (newlines) folded. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}
