/** What the benchmark scripts share: their `--name value` options and a seeded generator. */

/** The number after `--name` on the command line, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The string after `--name` on the command line, if given. */
export function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Uniform [0, 1) numbers from a 32-bit seed (mulberry32): the same data every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n random unit vectors (Gaussian directions), the same for the same seed. */
export function unitRows(n: number, dim: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const g = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
      x[i * dim + d] = g;
      s += g * g;
    }
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < dim; d++) x[i * dim + d] *= inv;
  }
  return x;
}
