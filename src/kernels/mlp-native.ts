/**
 * Typed wrapper of the native catalyzer trainer (native/mlp.cc) and of the shared
 * SGEMM (native/gemm.cc). The trainer owns the MLP's parameters in PyTorch's
 * state_dict layout; one `step` is the paper's whole inner loop (three forwards,
 * triplet + KoLeo loss, backward, SGD with momentum).
 */
import { addon, type RawMlpTrainer } from './addon';

/** Loss terms of one batch, or sums of batch means over several batches. */
export interface StepStats {
  /** triplet + λ·uniform */
  loss: number;
  /** mean of relu(|f(a)-f(p)| - |f(a)-f(n)|) */
  triplet: number;
  /** KoLeo term: -mean(log(n · distance to the nearest other anchor)) */
  uniform: number;
  /** triplets with a positive loss */
  offending: number;
}

/** Sums over the batches of one `trainBatches` call. */
export interface BatchRunStats extends StepStats {
  batches: number;
}

/**
 * Row-major C[m×n] = alpha·op(A)·op(B) + beta·C with op(X) = X or Xᵀ (then X is
 * stored k×m / n×k), dispatched to the AVX-512 / AVX2 packed kernels. With
 * `threads`, the product is split over that many threads (0: the default count),
 * bit for bit the same result.
 */
export function sgemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
  threads?: number,
): void {
  if (threads === undefined) addon().sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else addon().sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
}

/** The portable reference SGEMM (same arguments as `sgemm`). */
export function sgemmReference(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
): void {
  addon().sgemmReference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/**
 * The native triplet + λ·KoLeo loss of `f` (3n×d rows: anchors, positives,
 * negatives, unit vectors) and its gradient with respect to `f`.
 */
export function tripletKoleoLossNative(f: Float32Array, n: number, d: number, lambda: number): StepStats & { grad: Float32Array } {
  return addon().tripletKoleoLoss(f, n, d, lambda);
}

/** The trainable network in native memory. */
export class NativeMlpTrainer {
  private readonly raw: RawMlpTrainer;

  constructor(readonly din: number, readonly dint: number, readonly dout: number) {
    this.raw = new (addon().MlpTrainer)(din, dint, dout);
  }

  /** A copy of the float tensor for a state_dict key ("0.weight", "1.running_var", …). */
  getParam(name: string): Float32Array {
    return this.raw.getParam(name);
  }

  setParam(name: string, value: Float32Array): void {
    this.raw.setParam(name, value);
  }

  /** num_batches_tracked of the two BatchNorm layers ("1." and "4."). */
  getNumBatchesTracked(): [number, number] {
    return this.raw.getNumBatchesTracked();
  }

  setNumBatchesTracked(first: number, second: number): void {
    this.raw.setNumBatchesTracked(first, second);
  }

  /** Forget the momentum buffers. */
  resetMomentum(): void {
    this.raw.resetMomentum();
  }

  /**
   * Trains through the spherical Zn quantizer zn_<r2> with the straight-through
   * estimator (the paper's --quantizer_train): each step's loss sees the positives
   * and negatives at their lattice points z/|z|, and the gradient there flows back
   * to the continuous outputs unchanged. `r2` = 0 turns it off.
   * @throws RangeError when the sphere of radius² `r2` in dimension dout has no codec
   */
  setStraightThrough(r2: number): void {
    this.raw.setStraightThrough(r2);
  }

  /**
   * The threads of `step` and `trainBatches` (0 or absent: SPREADVEC_THREADS, else
   * the core count). The trained weights are bit for bit the same for any count.
   * A new trainer uses 1.
   */
  setThreads(threads?: number): void {
    this.raw.setThreads(threads);
  }

  /** One SGD step on the batch whose rows of `x` (rows of din) the three index arrays name. */
  step(x: Float32Array, anchors: Int32Array, positives: Int32Array, negatives: Int32Array, lr: number, momentum: number, lambda: number): StepStats {
    return this.raw.step(x, anchors, positives, negatives, lr, momentum, lambda);
  }

  /**
   * Consecutive SGD steps of `batchSize` anchors (the last batch may be smaller; a
   * single leftover row is skipped), off the main thread.
   */
  trainBatches(
    x: Float32Array, anchors: Int32Array, positives: Int32Array, negatives: Int32Array,
    batchSize: number, lr: number, momentum: number, lambda: number,
  ): Promise<BatchRunStats> {
    return this.raw.trainBatches(x, anchors, positives, negatives, batchSize, lr, momentum, lambda);
  }

  /**
   * Sets the BatchNorm running statistics to the average of the batch statistics
   * over rows `order` of `x`, in batches of `batchSize` (PyTorch's
   * swa_utils.update_bn), off the main thread. Needed after the weights were
   * replaced by an average: the statistics gathered during training no longer fit.
   */
  recomputeBatchnorm(x: Float32Array, order: Int32Array, batchSize: number): Promise<void> {
    return this.raw.recomputeBatchnorm(x, order, batchSize).then(() => undefined);
  }

  /** Eval-mode outputs (BatchNorm with running statistics), rows×dout, off the main thread. */
  forwardEval(x: Float32Array, threads?: number): Promise<Float32Array> {
    return this.raw.forwardEval(x, threads);
  }

  forwardEvalSync(x: Float32Array, threads?: number): Float32Array {
    return this.raw.forwardEvalSync(x, threads);
  }
}
