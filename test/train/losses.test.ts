import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { koleoLoss, tripletKoleoLoss, tripletLoss } from '../../src/train/losses';
import { tripletKoleoLossNative } from '../../src/kernels/mlp-native';
import { Rng } from '../../src/random';

const close = (x: number, y: number, tol = 1e-5) => assert.ok(Math.abs(x - y) <= tol, `${x} vs ${y}`);

// Two anchors on the axes: anchor 0 has its positive √2 away and its negative on
// top of it (loss √2); anchor 1 has its positive on top (loss 0). Mean = √2/2.
// KoLeo: each anchor's nearest other is the other one, at √2: -log(2·√2).
const f2 = [
  1, 0, 0, 1, // anchors
  0, 1, 0, 1, // positives
  1, 0, -1, 0, // negatives
];

test('triplet loss and KoLeo match hand-computed values (n = 2, d = 2)', () => {
  const t = tripletLoss(f2.slice(0, 4), f2.slice(4, 8), f2.slice(8, 12), 2, 2);
  close(t.loss, Math.SQRT2 / 2);
  assert.equal(t.offending, 1);
  close(koleoLoss(f2.slice(0, 4), 2, 2), -Math.log(2 * Math.SQRT2));
  const all = tripletKoleoLoss(f2, 2, 2, 0.5);
  close(all.loss, Math.SQRT2 / 2 - 0.5 * Math.log(2 * Math.SQRT2));
  const native = tripletKoleoLossNative(Float32Array.from(f2), 2, 2, 0.5);
  close(native.loss, 0.18724639576658852);
  close(native.triplet, 0.7071067811865476);
  close(native.uniform, -1.039720770839918);
  assert.equal(native.offending, 1);
});

test('KoLeo picks the nearest other anchor by inner product (n = 3)', () => {
  // (1,0), (0.6,0.8), (0,1): nearest of the first is the second (distance √0.8),
  // the second's and the third's nearest are each other (√0.4).
  const a = [1, 0, 0.6, 0.8, 0, 1];
  const expected = -(Math.log(3 * Math.sqrt(0.8)) + 2 * Math.log(3 * Math.sqrt(0.4))) / 3;
  close(expected, -0.7559914528243564, 1e-12);
  close(koleoLoss(a, 3, 2), expected);
  const f = Float32Array.from([...a, ...a, ...a]); // positives = negatives = anchors: triplet 0
  const native = tripletKoleoLossNative(f, 3, 2, 1);
  close(native.triplet, 0);
  assert.equal(native.offending, 0);
  close(native.uniform, expected);
});

function unitRows(values: number[], n: number, d: number): Float32Array {
  const f = Float32Array.from(values);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += f[i * d + k] ** 2;
    const r = Math.sqrt(s) || 1;
    for (let k = 0; k < d; k++) f[i * d + k] /= r;
  }
  return f;
}

test('native loss agrees with the TS reference and its gradient with finite differences', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }),
      fc.integer({ min: 1, max: 2 ** 31 }),
      (n, d, lambda, seed) => {
        const rng = new Rng(seed);
        const f = unitRows(Array.from({ length: 3 * n * d }, () => rng.uniform(-1, 1)), 3 * n, d);
        const ref = tripletKoleoLoss(f, n, d, lambda);
        const nat = tripletKoleoLossNative(f, n, d, lambda);
        close(nat.loss, ref.loss, 1e-4);
        assert.equal(nat.offending, ref.offending);
        // Central differences in float64 on the reference; skip coordinates where a
        // triplet sits on its hinge or a neighbour choice flips (non-differentiable).
        // A distance term is not smooth at the scale of h when two points almost
        // coincide: skip coordinates whose estimates at h and h/10 disagree.
        const x = Array.from(f);
        const central = (i: number, h: number): number | null => {
          const up = x.slice(); up[i] += h;
          const dn = x.slice(); dn[i] -= h;
          const lu = tripletKoleoLoss(up, n, d, lambda), ld = tripletKoleoLoss(dn, n, d, lambda);
          if (lu.offending !== ref.offending || ld.offending !== ref.offending) return null;
          return (lu.loss - ld.loss) / (2 * h);
        };
        for (let i = 0; i < x.length; i++) {
          const numeric = central(i, 1e-4), finer = central(i, 1e-5);
          if (numeric === null || finer === null) continue;
          if (Math.abs(numeric - finer) > 1e-4 * (1 + Math.abs(numeric))) continue;
          assert.ok(Math.abs(numeric - nat.grad[i]) <= 2e-3 * (1 + Math.abs(numeric)), `grad[${i}] ${nat.grad[i]} vs ${numeric}`);
        }
      },
    ),
    { numRuns: 40 },
  );
});
