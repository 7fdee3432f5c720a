/**
 * The catalyzer's forward pass on one TensorFlow.js instance: weights uploaded once,
 * then `x · W + b → ReLU → … → L2-normalize` in batches.
 */
import type { Backend, Tf } from './backend';
import { normalizeRows, type DenseLayer } from './network';

/** Rows per tfjs call: bounds the activations (rows × widest layer × 4 bytes); 1024 keeps them in cache and measured no slower than larger batches. */
const BATCH_ROWS = 1024;

/** A forward pass bound to one backend's copy of the weights. */
export interface ForwardPass {
  readonly din: number;
  readonly dout: number;
  /** n×din float32 (or uint8, converted) → n×dout unit rows. */
  run(x: Float32Array | Uint8Array, n: number): Float32Array;
  dispose(): void;
}

/** The forward pass for `backend`: TensorFlow.js, or the native sgemm. */
export function createForward(backend: Backend, layers: DenseLayer[]): ForwardPass {
  return backend.tf ? new Forward(backend.tf, layers) : new NativeForward(layers);
}

export class Forward implements ForwardPass {
  private readonly weights: { w: ReturnType<Tf['tensor2d']>; b: ReturnType<Tf['tensor1d']>; relu: boolean }[];
  readonly din: number;
  readonly dout: number;

  constructor(
    private readonly tf: Tf,
    layers: DenseLayer[],
  ) {
    this.din = layers[0].din;
    this.dout = layers[layers.length - 1].dout;
    this.weights = layers.map((l) => ({
      // Copies: tfjs may keep the array, and `l.w` can be a view of shared memory.
      w: tf.tensor2d(Float32Array.from(l.w), [l.din, l.dout]),
      b: tf.tensor1d(Float32Array.from(l.b)),
      relu: l.relu,
    }));
  }

  /** n×din float32 (or uint8, converted) → n×dout unit rows. */
  run(x: Float32Array | Uint8Array, n: number): Float32Array {
    const { tf, din, dout } = this;
    const out = new Float32Array(n * dout);
    for (let r = 0; r < n; r += BATCH_ROWS) {
      const rows = Math.min(BATCH_ROWS, n - r);
      const slice = x.subarray(r * din, (r + rows) * din);
      const input = slice instanceof Float32Array ? slice : Float32Array.from(slice);
      const y = tf.tidy(() => {
        let h = tf.tensor2d(input, [rows, din]);
        for (const { w, b, relu } of this.weights) {
          h = tf.add(tf.matMul(h, w), b);
          if (relu) h = tf.relu(h);
        }
        return h;
      });
      out.set(y.dataSync() as Float32Array, r * dout);
      y.dispose();
    }
    return normalizeRows(out, dout);
  }

  dispose(): void {
    for (const { w, b } of this.weights) {
      w.dispose();
      b.dispose();
    }
  }
}

/** The same pass with the addon's sgemm: C = bias (broadcast), C += x · W, ReLU. */
export class NativeForward implements ForwardPass {
  readonly din: number;
  readonly dout: number;
  private readonly layers: DenseLayer[];
  private readonly sgemm: typeof import('../kernels/mlp-native').sgemm;

  constructor(layers: DenseLayer[]) {
    this.sgemm = (require('../kernels/mlp-native') as typeof import('../kernels/mlp-native')).sgemm;
    // Own copies: the layers may be views of shared memory that a caller frees.
    this.layers = layers.map((l) => ({ ...l, w: Float32Array.from(l.w), b: Float32Array.from(l.b) }));
    this.din = layers[0].din;
    this.dout = layers[layers.length - 1].dout;
  }

  run(x: Float32Array | Uint8Array, n: number): Float32Array {
    const { din, dout } = this;
    const out = new Float32Array(n * dout);
    for (let r = 0; r < n; r += BATCH_ROWS) {
      const rows = Math.min(BATCH_ROWS, n - r);
      const slice = x.subarray(r * din, (r + rows) * din);
      let h: Float32Array = slice instanceof Float32Array ? slice : Float32Array.from(slice);
      for (const l of this.layers) {
        const y = new Float32Array(rows * l.dout);
        for (let i = 0; i < rows; i++) y.set(l.b, i * l.dout);
        this.sgemm(false, false, rows, l.dout, l.din, 1, h, l.din, l.w, l.dout, 1, y, l.dout);
        if (l.relu) for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
        h = y;
      }
      out.set(h, r * dout);
    }
    return normalizeRows(out, dout);
  }

  dispose(): void {}
}
