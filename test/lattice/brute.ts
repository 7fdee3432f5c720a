/** Brute-force helpers shared by the lattice and codec tests (not a test file). */

/** All points of S(d, r2) by brute force over the cube [-sqrt(r2), sqrt(r2)]^d. */
export function bruteSphere(d: number, r2: number): number[][] {
  const s = Math.floor(Math.sqrt(r2));
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (i: number, rest: number): void => {
    if (i === d) {
      if (rest === 0) out.push(cur.slice());
      return;
    }
    for (let v = -s; v <= s; v++) {
      if (v * v > rest) continue;
      cur.push(v);
      rec(i + 1, rest - v * v);
      cur.pop();
    }
  };
  rec(0, r2);
  return out;
}

/** <x, z> in double, index order. */
export function dot(x: ArrayLike<number>, z: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * z[i];
  return s;
}
