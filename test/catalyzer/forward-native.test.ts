/**
 * The native forward pass (packed weights, fused bias + ReLU, GEMV for one or two
 * rows, chunks of 192 rows over threads) against the float64 TS reference, for
 * every ISA this CPU runs, float32 and uint8 inputs, sync and async.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { detectedIsa, setIsa, type Isa } from '../../src/kernels/addon';
import { NativeMlp, type NativeLayer } from '../../src/kernels/forward-native';
import { forwardConditioning, forwardReference } from '../reference/forward';

function isas(): Isa[] {
  const best = detectedIsa();
  if (best === 'avx512') return ['scalar', 'avx2', 'avx512'];
  if (best === 'avx2') return ['scalar', 'avx2'];
  return best === 'neon' ? ['scalar', 'neon'] : ['scalar'];
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function randomLayers(dims: number[], seed: number): NativeLayer[] {
  const r = rng(seed);
  return dims.slice(1).map((dout, i) => {
    const din = dims[i];
    const scale = 1 / Math.sqrt(din);
    return {
      din, dout,
      w: Float32Array.from({ length: din * dout }, () => (r() * 2 - 1) * scale),
      b: Float32Array.from({ length: dout }, () => (r() * 2 - 1) * 0.3),
      relu: i < dims.length - 2,
    };
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Largest |a − b| over its row's tolerance: 2e-5, or 8 float32 ulps times the row's
 * conditioning (test/reference/forward.ts) where that is larger — uint8 inputs give
 * float32 sums in the hundreds that the last layer can cancel to a small row before
 * normalization, which scales rounding up. A result ≤ 1 passes.
 */
function excess(a: Float32Array, b: Float32Array, cond: Float64Array): number {
  assert.equal(a.length, b.length);
  const d = a.length / cond.length;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(2e-5, 8 * 2 ** -24 * cond[Math.floor(i / d)]));
  return m;
}

function forEachIsa(body: () => void | Promise<void>): Promise<void> {
  const best = detectedIsa();
  return (async () => {
    try {
      for (const isa of isas()) {
        assert.equal(setIsa(isa), true);
        await body();
      }
    } finally {
      setIsa(best);
    }
  })();
}

test('native forward matches the TS reference: any layer sizes, row counts across the GEMV/GEMM/chunk bounds, every ISA', async () => {
  await forEachIsa(() => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 2, maxLength: 4 }),
        fc.constantFrom(1, 2, 3, 11, 12, 13, 191, 192, 193, 400),
        fc.integer({ min: 1, max: 1e6 }),
        fc.boolean(),
        (dims, n, seed, uint8) => {
          const layers = randomLayers(dims, seed);
          const r = rng(seed + 1);
          const x = uint8 ? Uint8Array.from({ length: n * dims[0] }, () => Math.floor(r() * 256)) : Float32Array.from({ length: n * dims[0] }, () => r() * 4 - 2);
          const mlp = new NativeMlp(layers);
          const want = forwardReference(layers, x, n);
          const cond = forwardConditioning(layers, x, n);
          for (const threads of [1, 3]) {
            const got = mlp.runSync(x, threads);
            const e = excess(got, want, cond);
            if (e > 1) throw new Error(`dims ${dims} n ${n} threads ${threads}: max diff ${e} × its tolerance`);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

test('native forward at the catalyzer shapes (128/784→1024→1024→24), one row and a batch, async', async () => {
  for (const din of [128, 784]) {
    const layers = randomLayers([din, 1024, 1024, 24], din);
    const mlp = new NativeMlp(layers);
    const r = rng(din + 5);
    const x = Float32Array.from({ length: 14 * din }, () => Math.floor(r() * 256));
    const want = forwardReference(layers, x, 14); // once: the float64 reference is slow at these sizes
    await forEachIsa(async () => {
      assert.ok(maxDiff(await mlp.run(x, 2), want) <= 2e-5);
      assert.ok(maxDiff(await mlp.run(x.subarray(0, din)), want.subarray(0, 24)) <= 2e-5);
    });
  }
});

test('native forward: empty input, clear errors for bad layers and inputs', () => {
  const layers = randomLayers([5, 4, 3], 9);
  const mlp = new NativeMlp(layers);
  assert.equal(mlp.din, 5);
  assert.equal(mlp.dout, 3);
  assert.equal(mlp.runSync(new Float32Array(0)).length, 0);
  assert.throws(() => mlp.runSync(new Float32Array(7)), { name: 'RangeError', message: /x has 7 values, not a multiple of din = 5/ });
  assert.throws(() => mlp.runSync(new Float64Array(5) as never), { name: 'TypeError', message: /x must be a Float32Array or a Uint8Array/ });
  assert.throws(() => mlp.runSync(new Float32Array(5), -1), { name: 'RangeError', message: /threads must be an integer in \[0, 1024\]/ });
  assert.throws(() => new NativeMlp([layers[1], layers[0]]), { name: 'RangeError', message: /layer 1 takes 5 inputs but the previous layer gives 3/ });
  assert.throws(() => new NativeMlp([{ ...layers[0], w: new Float32Array(3) }]), { name: 'RangeError', message: /layers\[0\]\.w must hold 20 values, got 3/ });
  assert.throws(() => new NativeMlp([]), { name: 'RangeError', message: /layers must not be empty/ });
});

test('native forward reads inputs backed by a SharedArrayBuffer, at an offset (a crash before)', async () => {
  const layers = randomLayers([6, 9, 4], 3);
  const mlp = new NativeMlp(layers);
  const r = rng(4);
  const shared = new Float32Array(new SharedArrayBuffer(4 * 6 * 21));
  for (let i = 0; i < shared.length; i++) shared[i] = r() * 2 - 1;
  const x = shared.subarray(6, 6 * 21); // 20 rows, byte offset 24
  const want = forwardReference(layers, x, 20);
  assert.ok(maxDiff(mlp.runSync(x), want) <= 2e-5);
  assert.ok(maxDiff(await mlp.run(x), want) <= 2e-5);
  const bytes = new Uint8Array(new SharedArrayBuffer(6 * 3 + 1)).map((_, i) => (i * 37) % 256).subarray(1);
  assert.ok(maxDiff(await mlp.run(bytes), forwardReference(layers, bytes, 3)) <= 2e-5);
});
