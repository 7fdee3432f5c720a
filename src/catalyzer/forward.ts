/**
 * The catalyzer's forward pass on one backend: `x · W + b → ReLU → … → L2-normalize`,
 * weights uploaded (or packed) once. The native pass runs in the addon on its own
 * threads; the TensorFlow.js pass runs in the calling thread (the Catalyzer spreads
 * large batches over a worker pool for tfjs CPU backends).
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
  run(x: Float32Array | Uint8Array, n: number): Promise<Float32Array>;
  /** The same in the calling thread (a few rows: no thread round trip). */
  runSync(x: Float32Array | Uint8Array, n: number): Float32Array;
  dispose(): void;
}

/**
 * The forward pass for `backend`: TensorFlow.js, or the addon's native pass on up to
 * `threads` threads.
 */
export function createForward(backend: Backend, layers: DenseLayer[], threads = 1): ForwardPass {
  return backend.tf ? new Forward(backend.tf, layers) : new NativeForward(layers, threads);
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

  async run(x: Float32Array | Uint8Array, n: number): Promise<Float32Array> {
    return this.runSync(x, n);
  }

  /** n×din float32 (or uint8, converted) → n×dout unit rows, in the calling thread. */
  runSync(x: Float32Array | Uint8Array, n: number): Float32Array {
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

/**
 * The addon's forward pass (native/mlp_forward.h): packed weights, fused bias + ReLU,
 * a GEMV path for single rows, on the libuv thread pool so the event loop stays free.
 */
class NativeForward implements ForwardPass {
  readonly din: number;
  readonly dout: number;
  private readonly mlp: import('../kernels/forward-native').NativeMlp;

  constructor(
    layers: DenseLayer[],
    private readonly threads: number,
  ) {
    const { NativeMlp } = require('../kernels/forward-native') as typeof import('../kernels/forward-native');
    this.mlp = new NativeMlp(layers); // copies the weights: the layers may be views of shared memory
    this.din = this.mlp.din;
    this.dout = this.mlp.dout;
  }

  run(x: Float32Array | Uint8Array, n: number): Promise<Float32Array> {
    return this.mlp.run(x.length === n * this.din ? x : x.subarray(0, n * this.din), this.threads);
  }

  runSync(x: Float32Array | Uint8Array, n: number): Float32Array {
    return this.mlp.runSync(x.length === n * this.din ? x : x.subarray(0, n * this.din), this.threads);
  }

  dispose(): void {}
}
