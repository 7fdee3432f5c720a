/**
 * The same training step as the native trainer, written with TensorFlow.js ops and
 * autograd: the path for a GPU backend (tfjs-node-gpu / webgl), and the reference
 * the native step is tested against (test/train/tfjs-native.test.ts).
 *
 * Linear layers keep PyTorch's weight layout (out×in) and use a custom gradient
 * with explicit transposes: tfjs-wasm's matMul with transposeA/B runs 10–40×
 * slower than a plain one (GUIDE §7).
 */
import * as tf from '@tensorflow/tfjs';
import type { StepStats } from '../kernels/mlp-native';
import { nearestOtherRow, PDIST_EPS } from './losses';
import type { ZnCodec } from '../lattice/zn-codec';
import { FLOAT_PARAMS, paramShapes, type CatalyzerState, type MlpDims, type StateTensor } from './state';

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;
const TRAINABLE = ['0.weight', '0.bias', '1.weight', '1.bias', '3.weight', '3.bias', '4.weight', '4.bias', '6.weight', '6.bias'];

// y = x·Wᵀ + b with W stored out×in; gradients by plain (untransposed) matMuls.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const linear = tf.customGrad(((...args: any[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  const y = tf.add(tf.matMul(x, tf.transpose(w)), b);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(g, ws), tf.matMul(tf.transpose(g), xs), tf.sum(g, 0)];
    },
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
}) as any) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * The straight-through estimator of a lattice quantizer (the paper's
 * `q(x) + x - x.detach()`): the value is each row's nearest point z/|z| of the
 * codec's sphere, the gradient passes through unchanged.
 */
export function straightThrough(codec: ZnCodec): (x: tf.Tensor2D) => tf.Tensor2D {
  const inv = 1 / Math.sqrt(codec.r2);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return tf.customGrad(((...args: any[]) => {
    const x = args[0] as tf.Tensor2D;
    const [rows, d] = x.shape;
    const v = x.dataSync();
    const q = new Float32Array(rows * d);
    for (let i = 0; i < rows; i++) {
      const z = codec.quantize(v.subarray(i * d, (i + 1) * d));
      for (let k = 0; k < d; k++) q[i * d + k] = z[k] * inv;
    }
    return { value: tf.tensor2d(q, [rows, d]), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor] };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  }) as any) as (x: tf.Tensor2D) => tf.Tensor2D;
}

/** A catalyzer trained with TensorFlow.js on its current backend. */
export class TfjsMlpTrainer {
  readonly dims: MlpDims;
  private readonly vars = new Map<string, tf.Variable>();
  private readonly running = new Map<string, Float32Array>();
  private readonly momentumBufs = new Map<string, tf.Tensor>();
  private numBatchesTracked: [number, number] = [0, 0];
  private readonly quantize?: (x: tf.Tensor2D) => tf.Tensor2D;

  /**
   * @param steCodec when given, each step's positives and negatives go
   *   through this lattice quantizer with the straight-through estimator, as
   *   NativeMlpTrainer.setStraightThrough does
   */
  constructor(state: CatalyzerState, steCodec?: ZnCodec) {
    if (steCodec) this.quantize = straightThrough(steCodec);
    const w = state['0.weight'].shape;
    this.dims = { din: w[1], dint: w[0], dout: state['6.weight'].shape[0] };
    const shapes = paramShapes(this.dims);
    for (const k of FLOAT_PARAMS) {
      const data = Float32Array.from(state[k].data as unknown as ArrayLike<number>);
      if (k.includes('running')) this.running.set(k, data);
      else this.vars.set(k, tf.variable(tf.tensor(data, shapes[k]), true, `p${k}`));
    }
    this.numBatchesTracked = [Number(state['1.num_batches_tracked'].data[0]), Number(state['4.num_batches_tracked'].data[0])];
  }

  private v(name: string): tf.Variable {
    return this.vars.get(name)!;
  }

  // Linear → BatchNorm1d(train, batch statistics) → ReLU; records the batch stats.
  private block(x: tf.Tensor2D, lin: string, bn: string, stats: { bn: string; mean: Float32Array; var: Float32Array }[]): tf.Tensor2D {
    const z = linear(x, this.v(`${lin}.weight`), this.v(`${lin}.bias`)) as tf.Tensor2D;
    const mean = tf.mean(z, 0);
    const centered = tf.sub(z, mean);
    const variance = tf.mean(tf.square(centered), 0);
    stats.push({ bn, mean: mean.dataSync() as Float32Array, var: variance.dataSync() as Float32Array });
    const xhat = tf.mul(centered, tf.rsqrt(tf.add(variance, BN_EPS)));
    return tf.relu(tf.add(tf.mul(xhat, this.v(`${bn}.weight`)), this.v(`${bn}.bias`))) as tf.Tensor2D;
  }

  private forwardTrain(x: tf.Tensor2D, stats: { bn: string; mean: Float32Array; var: Float32Array }[]): tf.Tensor2D {
    const h1 = this.block(x, '0', '1', stats);
    const h2 = this.block(h1, '3', '4', stats);
    const o = linear(h2, this.v('6.weight'), this.v('6.bias')) as tf.Tensor2D;
    const norm = tf.maximum(tf.sqrt(tf.sum(tf.square(o), 1, true)), 1e-12);
    return tf.div(o, norm) as tf.Tensor2D;
  }

  /** One SGD step; same arguments and result as NativeMlpTrainer.step. */
  step(x: Float32Array, anchors: Int32Array, positives: Int32Array, negatives: Int32Array, lr: number, momentum: number, lambda: number): StepStats {
    const n = anchors.length;
    const { din } = this.dims;
    const stats: { bn: string; mean: Float32Array; var: Float32Array }[] = [];
    const result = { loss: 0, triplet: 0, uniform: 0, offending: 0 };
    const gather = (idx: Int32Array) => {
      const out = new Float32Array(n * din);
      for (let i = 0; i < n; i++) out.set(x.subarray(idx[i] * din, (idx[i] + 1) * din), i * din);
      return tf.tensor2d(out, [n, din]);
    };
    tf.tidy(() => {
      const xa = gather(anchors);
      const xp = gather(positives);
      const xn = gather(negatives);
      const dist = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.sqrt(tf.sum(tf.square(tf.add(tf.sub(a, b), PDIST_EPS)), 1));
      const { value, grads } = tf.variableGrads(() => {
        const fa = this.forwardTrain(xa, stats);
        const q = this.quantize ?? ((t: tf.Tensor2D) => t);
        const fp = q(this.forwardTrain(xp, stats));
        const fn = q(this.forwardTrain(xn, stats));
        const perPoint = tf.relu(tf.sub(dist(fa, fp), dist(fa, fn)));
        const triplet = tf.mean(perPoint);
        result.offending = (perPoint.dataSync() as Float32Array).reduce((c, v) => c + (v > 0 ? 1 : 0), 0);
        const nn = nearestOtherRow(fa.dataSync(), n, this.dims.dout);
        // The nearest rows by a one-hot matMul rather than tf.gather, whose gradient
        // (UnsortedSegmentSum) the wasm backend lacks.
        const onehot = new Float32Array(n * n);
        for (let i = 0; i < n; i++) onehot[i * n + nn[i]] = 1;
        const neighbours = tf.matMul(tf.tensor2d(onehot, [n, n]), fa) as tf.Tensor2D;
        const uniform = tf.neg(tf.mean(tf.log(tf.mul(dist(fa, neighbours), n))));
        result.triplet = triplet.dataSync()[0];
        result.uniform = uniform.dataSync()[0];
        return tf.add(triplet, tf.mul(uniform, lambda)) as tf.Scalar;
      }, TRAINABLE.map((k) => this.v(k)));
      result.loss = value.dataSync()[0];
      for (const k of TRAINABLE) {
        const g = grads[this.v(k).name];
        const prev = this.momentumBufs.get(k);
        const buf = tf.keep(prev ? tf.add(tf.mul(prev, momentum), g) : g.clone());
        prev?.dispose();
        this.momentumBufs.set(k, buf);
        this.v(k).assign(tf.sub(this.v(k), tf.mul(buf, lr)));
      }
    });
    // Running statistics (PyTorch: unbiased variance, momentum 0.1), in call order.
    for (const s of stats) {
      const rm = this.running.get(`${s.bn}.running_mean`)!;
      const rv = this.running.get(`${s.bn}.running_var`)!;
      const unbias = n > 1 ? n / (n - 1) : 1;
      for (let j = 0; j < rm.length; j++) {
        rm[j] = (1 - BN_MOMENTUM) * rm[j] + BN_MOMENTUM * s.mean[j];
        rv[j] = (1 - BN_MOMENTUM) * rv[j] + BN_MOMENTUM * s.var[j] * unbias;
      }
      this.numBatchesTracked[s.bn === '1' ? 0 : 1]++;
    }
    return result;
  }

  /** The current parameters as a state_dict (copies). */
  state(): CatalyzerState {
    const shapes = paramShapes(this.dims);
    const out: CatalyzerState = {};
    for (const k of FLOAT_PARAMS) {
      const data = k.includes('running') ? Float32Array.from(this.running.get(k)!) : (this.v(k).dataSync() as Float32Array).slice();
      out[k] = { dtype: 'float32', shape: shapes[k], data } satisfies StateTensor;
    }
    out['1.num_batches_tracked'] = { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(this.numBatchesTracked[0])) };
    out['4.num_batches_tracked'] = { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(this.numBatchesTracked[1])) };
    return out;
  }

  /** Frees the variables and momentum buffers. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    for (const b of this.momentumBufs.values()) b.dispose();
    this.momentumBufs.clear();
  }
}
