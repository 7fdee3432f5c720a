/**
 * Typed wrapper of the addon's catalyzer forward pass (native/mlp_forward.h):
 * dense layers with weights packed once for the GEMM micro-kernel of the CPU's
 * instruction set, bias + ReLU fused into it, L2-normalized outputs. `run` works
 * on the libuv thread pool (and splits large batches over `threads` threads), so
 * the event loop stays free.
 */
import { addon, type RawNativeMlp } from './addon';

/** One dense layer: y = x · w + b (w is din × dout, row-major), then ReLU if `relu`. */
export interface NativeLayer {
  din: number;
  dout: number;
  w: Float32Array;
  b: Float32Array;
  relu: boolean;
}

export class NativeMlp {
  private readonly raw: RawNativeMlp;
  readonly din: number;
  readonly dout: number;

  /** Copies and packs the layers; throws RangeError if they do not chain. */
  constructor(layers: readonly NativeLayer[]) {
    this.raw = new (addon().NativeMlp)(layers);
    this.din = this.raw.din;
    this.dout = this.raw.dout;
  }

  /** n×din rows → n×dout unit rows, off the main thread on up to `threads` threads (default: all cores). */
  run(x: Float32Array | Uint8Array, threads?: number): Promise<Float32Array> {
    return this.raw.run(x, threads);
  }

  /** The same in the calling thread. */
  runSync(x: Float32Array | Uint8Array, threads?: number): Float32Array {
    return this.raw.runSync(x, threads);
  }
}
