/**
 * The TS reference of the native forward pass (native/mlp_forward.h), in float64:
 * each layer y = x · w + b (w din × dout, row-major), ReLU where asked, then the
 * last layer's rows L2-normalized as torch.nn.functional.normalize does (eps 1e-12).
 * Tests compare every ISA variant of the addon with it.
 */
import type { NativeLayer } from '../../src/kernels/forward-native';

/** The last layer's rows before the L2 normalization, in float64. */
export function forwardUnnormalized(layers: readonly NativeLayer[], x: ArrayLike<number>, n: number): Float64Array {
  let h = Float64Array.from(x as ArrayLike<number>);
  for (const l of layers) {
    const y = new Float64Array(n * l.dout);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < l.dout; j++) y[r * l.dout + j] = l.b[j];
      for (let k = 0; k < l.din; k++) {
        const a = h[r * l.din + k];
        if (a === 0) continue;
        for (let j = 0; j < l.dout; j++) y[r * l.dout + j] += a * l.w[k * l.dout + j];
      }
      if (l.relu) for (let j = 0; j < l.dout; j++) if (y[r * l.dout + j] < 0) y[r * l.dout + j] = 0;
    }
    h = y;
  }
  return h;
}

function rowNorms(h: Float64Array, n: number, d: number): Float64Array {
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += h[r * d + j] ** 2;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

export function forwardReference(layers: readonly NativeLayer[], x: ArrayLike<number>, n: number): Float32Array {
  const h = forwardUnnormalized(layers, x, n);
  const d = layers[layers.length - 1].dout;
  const norms = rowNorms(h, n, d);
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const inv = 1 / Math.max(norms[r], 1e-12);
    for (let j = 0; j < d; j++) out[r * d + j] = h[r * d + j] * inv;
  }
  return out;
}

/**
 * Per row, how much float32 rounding can grow on the way to the normalized output:
 * the norm of the same network run on |w|, |b| and |x| without ReLU (the size of what
 * the sums accumulate) over the norm of the row before normalization (cancellation
 * makes it small). An error bound is a few float32 ulps times this.
 */
export function forwardConditioning(layers: readonly NativeLayer[], x: ArrayLike<number>, n: number): Float64Array {
  const d = layers[layers.length - 1].dout;
  const abs = layers.map((l) => ({ ...l, w: l.w.map(Math.abs), b: l.b.map(Math.abs), relu: false }));
  const xs = Float64Array.from(x as ArrayLike<number>, Math.abs);
  const top = rowNorms(forwardUnnormalized(abs, xs, n), n, d);
  const row = rowNorms(forwardUnnormalized(layers, x, n), n, d);
  return top.map((t, r) => t / Math.max(row[r], 1e-12));
}
