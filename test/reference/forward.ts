/**
 * The TS reference of the native forward pass (native/mlp_forward.h), in float64:
 * each layer y = x · w + b (w din × dout, row-major), ReLU where asked, then the
 * last layer's rows L2-normalized as torch.nn.functional.normalize does (eps 1e-12).
 * Tests compare every ISA variant of the addon with it.
 */
import type { NativeLayer } from '../../src/kernels/forward-native';

export function forwardReference(layers: readonly NativeLayer[], x: ArrayLike<number>, n: number): Float32Array {
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
  const d = layers[layers.length - 1].dout;
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += h[r * d + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) out[r * d + j] = h[r * d + j] * inv;
  }
  return out;
}
