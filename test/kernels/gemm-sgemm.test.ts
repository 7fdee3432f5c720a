import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';
import { sgemm, sgemmReference } from '../../src/kernels/mlp-native';

// Every ISA this CPU runs, so that each packed kernel is checked against the reference.
function isas(): Isa[] {
  const best = detectedIsa();
  return (['scalar', 'avx2', 'avx512'] as Isa[]).filter((i) => i === 'scalar' || (best === 'avx512' || best === 'avx2' ? ['avx2', best].includes(i) : false));
}

function randomArray(len: number, seed: number): Float32Array {
  const a = new Float32Array(len);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    a[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return a;
}

test('sgemm matches sgemm_reference for every transpose, shape, ld and ISA', () => {
  const best = detectedIsa();
  try {
    for (const isa of isas()) {
      assert.equal(setIsa(isa), true);
      fc.assert(
        fc.property(
          fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 0.5), fc.constantFrom(1, -0.75), fc.integer({ min: 1, max: 1e6 }),
          (ta, tb, m, n, k, pad, beta, alpha, seed) => {
            const lda = (ta ? m : k) + pad;
            const ldb = (tb ? k : n) + pad;
            const ldc = n + pad;
            const a = randomArray((ta ? k : m) * lda, seed);
            const b = randomArray((tb ? n : k) * ldb, seed + 1);
            const c0 = randomArray(m * ldc, seed + 2);
            const c = c0.slice();
            const r = c0.slice();
            sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            sgemmReference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, r, ldc);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                const x = c[i * ldc + j], y = r[i * ldc + j];
                if (Math.abs(x - y) > 1e-5 * k + 1e-5) throw new Error(`${isa} ta=${ta} tb=${tb} ${m}x${n}x${k} at ${i},${j}: ${x} vs ${y}`);
              }
              // Padding columns of C are left untouched.
              for (let j = n; j < ldc; j++) assert.equal(c[i * ldc + j], c0[i * ldc + j]);
            }
          },
        ),
        { numRuns: 60 },
      );
    }
  } finally {
    setIsa(best);
  }
});

test('sgemm with beta = 0 ignores NaN in C, and validates its arguments', () => {
  const a = randomArray(64 * 64, 3), b = randomArray(64 * 64, 4);
  const c = new Float32Array(64 * 64).fill(NaN);
  sgemm(false, false, 64, 64, 64, 1, a, 64, b, 64, 0, c, 64);
  assert.ok(c.every(Number.isFinite));
  assert.throws(() => sgemm(false, false, 64, 64, 64, 1, a, 64, b.subarray(1), 64, 0, c, 64), /b is too short/);
  assert.throws(() => sgemm(false, false, 64, 64, 64, 1, a, 32, b, 64, 0, c, 64), /a is too short/);
  assert.throws(() => sgemm(false, false, 64, 64, 64, NaN, a, 64, b, 64, 0, c, 64), /alpha must be finite/);
  assert.throws(() => sgemm(false, false, 64, 64, 64, 1, Array.from(a) as never, 64, b, 64, 0, c, 64), /a must be a Float32Array/);
});

test('sgemm split over threads is bit for bit sgemm, for every ISA, shape and transpose', () => {
  const best = detectedIsa();
  // Shapes that split (over 2^18 multiply-adds) besides random ones: the training
  // step's, and one whose narrow last block (4×1×1020) sgemm alone would hand to the reference.
  const fixed: [boolean, boolean, number, number, number][] = [
    [false, true, 192, 1024, 1024], [true, false, 1024, 1024, 192], [false, false, 192, 1024, 24], [true, false, 24, 1024, 192],
    [false, false, 4, 129, 1020], [false, false, 300, 70, 400], [true, true, 517, 3, 2000],
  ];
  const same = (ta: boolean, tb: boolean, m: number, n: number, k: number, pad: number, beta: number, threads: number, seed: number, isa: Isa) => {
    const lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    const a = randomArray((ta ? k : m) * lda, seed);
    const b = randomArray((tb ? n : k) * ldb, seed + 1);
    const c0 = randomArray(m * ldc, seed + 2);
    const one = c0.slice(), split = c0.slice();
    sgemm(ta, tb, m, n, k, 0.5, a, lda, b, ldb, beta, one, ldc);
    sgemm(ta, tb, m, n, k, 0.5, a, lda, b, ldb, beta, split, ldc, threads);
    for (let i = 0; i < one.length; i++) {
      if (!Object.is(one[i], split[i])) throw new Error(`${isa} ta=${ta} tb=${tb} ${m}x${n}x${k} threads ${threads}: element ${i} ${split[i]} ≠ ${one[i]}`);
    }
  };
  try {
    for (const isa of isas()) {
      assert.equal(setIsa(isa), true);
      for (const [ta, tb, m, n, k] of fixed) same(ta, tb, m, n, k, 1, 1, 2, 7, isa);
      fc.assert(
        fc.property(
          fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 260 }), fc.integer({ min: 1, max: 260 }), fc.integer({ min: 1, max: 700 }),
          fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 1, 0.5), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 1e6 }),
          (ta, tb, m, n, k, pad, beta, threads, seed) => same(ta, tb, m, n, k, pad, beta, threads, seed, isa),
        ),
        { numRuns: 40 },
      );
    }
  } finally {
    setIsa(best);
  }
});
