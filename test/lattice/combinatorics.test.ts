import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { binomial, bitsFor, colexRank, colexUnrank, multinomial } from '../../src/lattice/combinatorics';
import { countPoints, countPointsUpTo, radiusForBits } from '../../src/lattice/sphere-count';
import { describeAtom, enumerateAtoms } from '../../src/lattice/atoms';
import { bruteSphere } from './brute';


test('binomial satisfies Pascal and the closed form', () => {
  assert.equal(binomial(48, 24), 32247603683100n);
  assert.equal(binomial(5, 7), 0n);
  assert.equal(binomial(5, -1), 0n);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 120 }), (n, k) => {
      assert.equal(binomial(n, k), binomial(n - 1, k - 1) + binomial(n - 1, k));
      let prod = 1n;
      for (let i = 0; i < k && k <= n; i++) prod = (prod * BigInt(n - i)) / BigInt(i + 1);
      assert.equal(binomial(n, k), k <= n ? prod : 0n);
    }),
  );
});

test('multinomial counts arrangements of a multiset', () => {
  assert.equal(multinomial([2, 1]), 3n); // aab, aba, baa
  assert.equal(multinomial([1, 1, 1]), 6n);
  assert.equal(multinomial([3]), 1n);
});

test('bitsFor is ceil(log2 n)', () => {
  assert.equal(bitsFor(1n), 0);
  assert.equal(bitsFor(2n), 1);
  assert.equal(bitsFor(16192n), 14);
  assert.equal(bitsFor(1n << 64n), 64);
  assert.equal(bitsFor((1n << 64n) + 1n), 65);
});

test('colex rank is a bijection between k-subsets of [0, n) and [0, C(n, k))', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))),
      fc.double({ min: 0, max: 1, noNaN: true }),
      ([n, k], u) => {
        const total = binomial(n, k);
        const rank = BigInt(Math.floor(u * 1e15)) % total;
        const subset = colexUnrank(rank, n, k);
        assert.equal(subset.length, k);
        for (let i = 1; i < k; i++) assert.ok(subset[i - 1] < subset[i]);
        if (k > 0) assert.ok(subset[0] >= 0 && subset[k - 1] < n);
        assert.equal(colexRank(subset), rank);
      },
    ),
  );
  // Exhaustive for a small case: every rank once.
  const seen = new Set<string>();
  for (let r = 0n; r < binomial(7, 3); r++) seen.add(colexUnrank(r, 7, 3).join());
  assert.equal(seen.size, 35);
});

test('atoms and sphere counts agree with brute-force enumeration for small spheres', () => {
  for (let d = 1; d <= 4; d++) {
    for (let r2 = 1; r2 <= 12; r2++) {
      const points = bruteSphere(d, r2);
      const patterns = new Set(points.map((z) => z.map(Math.abs).sort((a, b) => b - a).join()));
      const atoms = enumerateAtoms(d, r2);
      assert.deepEqual(new Set(atoms.map((a) => Array.from(a).join())), patterns, `atoms of (${d}, ${r2})`);
      const sizes = atoms.map((a) => describeAtom(a).size).reduce((s, x) => s + x, 0n);
      assert.equal(sizes, BigInt(points.length), `atom sizes of (${d}, ${r2})`);
      assert.equal(countPoints(d, r2), BigInt(points.length), `countPoints(${d}, ${r2})`);
    }
  }
});

test('atoms come in lexicographically decreasing order, non-increasing inside', () => {
  const atoms = enumerateAtoms(24, 79);
  assert.equal(atoms.length, 256);
  for (let a = 0; a < atoms.length; a++) {
    for (let i = 1; i < 24; i++) assert.ok(atoms[a][i - 1] >= atoms[a][i]);
    if (a > 0) {
      const prev = atoms[a - 1];
      const i = prev.findIndex((v, j) => v !== atoms[a][j]);
      assert.ok(i >= 0 && prev[i] > atoms[a][i]);
    }
  }
});

test('the theta-series count equals the sum of atom sizes (independent routes)', () => {
  const table = countPointsUpTo(24, 80);
  assert.equal(table[79], 17319684851070915840n);
  assert.equal(table[3], 16192n);
  for (const r2 of [10, 37, 64, 80]) {
    const sum = enumerateAtoms(24, r2)
      .map((a) => describeAtom(a).size)
      .reduce((s, x) => s + x, 0n);
    assert.equal(sum, table[r2]);
  }
  assert.equal(countPoints(48, 30), 311097167722066085728512n);
});

test('radius table of the paper (largest r2 whose nbit fits)', () => {
  const expected: Record<number, number[]> = { 24: [3, 10, 79], 32: [3, 8, 36], 40: [2, 7, 24] };
  for (const [d, radii] of Object.entries(expected)) {
    assert.deepEqual(
      [16, 32, 64].map((b) => radiusForBits(Number(d), b)),
      radii,
    );
  }
  assert.equal(radiusForBits(24, 1), 0);
  assert.throws(() => radiusForBits(1, 64), RangeError);
  assert.throws(() => radiusForBits(0, 64), /dim must be ≥ 1/);
  assert.throws(() => radiusForBits(24, 2.5), /bits must be an integer/);
});
