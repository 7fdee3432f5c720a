/**
 * Catalyzer: the paper's frozen encoder f: R^din → S^(dout-1), loaded from a PyTorch
 * checkpoint. The default encoder is the addon's native forward pass, which runs off
 * the main thread on its own threads (backend.ts says when TensorFlow.js is used
 * instead). On TensorFlow.js CPU backends large batches are split across a piscina
 * pool of worker threads, each with its own tfjs instance.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Piscina } from 'piscina';
import { getBackend, type Backend } from './backend';
import type { BackendName } from './backend-name';
import { ClosedError, DimensionMismatchError } from '../errors';
import { CheckpointError, readStateDictCheckpoint, writeCheckpoint } from '../pth/checkpoint';
import { createForward, type ForwardPass } from './forward';
import { buildLayers, packLayers, NetworkShapeError, type DenseLayer } from './network';
import type { TorchTensor } from '../pth/tensor';
import type { EncodeTask } from './worker';

export interface CatalyzerOptions {
  /** Force a backend (default: SPREADVEC_BACKEND, else the best that loads). */
  backend?: BackendName;
  /**
   * Threads for CPU backends (default: available cores, at most 4): the native
   * encoder's threads (it always runs off the main thread), or the worker threads
   * of a TensorFlow.js CPU backend (1 runs tfjs in the calling thread). Ignored on
   * the GPU backend.
   */
  workers?: number;
}

/** Rows below which a batch runs in the calling thread even with workers. */
const MIN_ROWS_FOR_POOL = 2048;
/** Rows per worker task: several tasks per worker keep them all busy to the end. */
const TASK_ROWS = 8192;

let nextModelId = 1;

export class Catalyzer {
  /** Input dimension. */
  readonly din: number;
  /** Output dimension (the sphere S^(dout-1)). */
  readonly dout: number;
  /** Training arguments stored in the checkpoint (argparse.Namespace as a record); {} if none. */
  readonly args: Record<string, unknown>;
  /** The backend in use. */
  readonly backend: BackendName;
  /** Why that backend runs (automatic choice, or asked for by name). */
  readonly backendReason: string;

  private readonly modelId = nextModelId++;
  private readonly forward: ForwardPass;
  private readonly workers: number;
  private pool: Piscina | undefined;
  private sharedWeights: SharedArrayBuffer | undefined;
  private closed = false;

  private constructor(
    private readonly stateDict: Record<string, TorchTensor>,
    private readonly layers: DenseLayer[],
    args: Record<string, unknown>,
    backend: Backend,
    workers: number,
    private readonly extra: { epoch?: number; logs?: Record<string, unknown>[] },
  ) {
    this.din = layers[0].din;
    this.dout = layers[layers.length - 1].dout;
    this.args = args;
    this.backend = backend.name;
    this.backendReason = backend.reason;
    this.forward = createForward(backend, layers, workers);
    // The native pass has its own threads; only tfjs CPU backends use the worker pool.
    this.workers = backend.cpu && backend.tf ? workers : 1;
  }

  /**
   * Loads a checkpoint: a path to a `.pth` file (zip or legacy torch.save) or its bytes.
   * @throws CheckpointError for unreadable files or state dicts that are not a catalyzer.
   */
  static async load(source: string | Uint8Array, options: CatalyzerOptions = {}): Promise<Catalyzer> {
    let bytes: Uint8Array;
    if (typeof source === 'string') {
      try {
        bytes = await readFile(source);
      } catch (err) {
        throw new CheckpointError(`cannot read ${source} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    } else if (source instanceof Uint8Array) bytes = source;
    else throw new TypeError('source must be a path or a Uint8Array');
    const ckpt = readStateDictCheckpoint(bytes);
    const args = ckpt.args && typeof ckpt.args === 'object' ? (ckpt.args as Record<string, unknown>) : {};
    const epoch = typeof ckpt.epoch === 'number' ? ckpt.epoch : undefined;
    const logs = Array.isArray(ckpt.logs) ? (ckpt.logs as Record<string, unknown>[]) : undefined;
    return Catalyzer.create(ckpt.state_dict, args, options, { epoch, logs });
  }

  /** Builds a catalyzer from a state dict (e.g. from the trainer). */
  static async fromStateDict(
    stateDict: Record<string, TorchTensor>,
    args: Record<string, unknown> = {},
    options: CatalyzerOptions = {},
  ): Promise<Catalyzer> {
    return Catalyzer.create(stateDict, args, options, {});
  }

  private static async create(
    stateDict: Record<string, TorchTensor>,
    args: Record<string, unknown>,
    options: CatalyzerOptions,
    extra: { epoch?: number; logs?: Record<string, unknown>[] },
  ): Promise<Catalyzer> {
    const workers = options.workers ?? Math.min(4, availableParallelism());
    if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`workers must be an integer ≥ 1, got ${workers}`);
    let layers: DenseLayer[];
    try {
      layers = buildLayers(stateDict);
    } catch (err) {
      if (err instanceof NetworkShapeError) throw new CheckpointError(err.message);
      throw err;
    }
    const backend = await getBackend(options.backend);
    return new Catalyzer(stateDict, layers, args, backend, workers, extra);
  }

  /**
   * Encodes n×din row-major vectors (float32, or uint8 such as SIFT .bvecs) into
   * n×dout L2-normalized rows.
   */
  async encode(x: Float32Array | Uint8Array): Promise<Float32Array> {
    const n = this.checkInput(x);
    if (this.workers <= 1 || n < MIN_ROWS_FOR_POOL) return this.forward.run(x, n);
    return this.encodeInPool(x, n);
  }

  /**
   * The same as {@link encode} in the calling thread, without the worker pool: for a
   * few rows (one query), where a thread round trip costs more than the pass itself.
   */
  encodeSync(x: Float32Array | Uint8Array): Float32Array {
    return this.forward.runSync(x, this.checkInput(x));
  }

  /** The number of rows of x; throws on a closed catalyzer or on bad input. */
  private checkInput(x: Float32Array | Uint8Array): number {
    if (this.closed) throw new ClosedError('Catalyzer is closed');
    if (!(x instanceof Float32Array) && !(x instanceof Uint8Array)) throw new TypeError('x must be a Float32Array or a Uint8Array');
    if (x.length % this.din !== 0) {
      throw new DimensionMismatchError(`x has ${x.length} values, not a multiple of the input dimension din=${this.din}`);
    }
    const n = x.length / this.din;
    if (x instanceof Float32Array) {
      for (let i = 0; i < x.length; i++) {
        if (!Number.isFinite(x[i])) {
          throw new RangeError(`x holds ${x[i]} at row ${Math.floor(i / this.din)}, column ${i % this.din}: inputs must be finite`);
        }
      }
    }
    return n;
  }

  private async encodeInPool(x: Float32Array | Uint8Array, n: number): Promise<Float32Array> {
    const pool = this.getPool();
    const rowsPerTask = Math.min(TASK_ROWS, Math.ceil(n / this.workers));
    const out = new Float32Array(n * this.dout);
    const jobs: Promise<void>[] = [];
    for (let r = 0; r < n; r += rowsPerTask) {
      const rows = Math.min(rowsPerTask, n - r);
      // A copy of the slice in its own buffer, transferred (not cloned) to the worker.
      const chunk = x.slice(r * this.din, (r + rows) * this.din);
      const task: EncodeTask = {
        modelId: this.modelId,
        weights: this.sharedWeights!,
        backend: this.backend,
        x: chunk.buffer as ArrayBuffer,
        uint8: x instanceof Uint8Array,
        n: rows,
      };
      jobs.push(
        pool.run(task, { transferList: [chunk.buffer as ArrayBuffer] }).then((y: Float32Array) => {
          out.set(y, r * this.dout);
        }),
      );
    }
    await Promise.all(jobs);
    return out;
  }

  private getPool(): Piscina {
    if (!this.pool) {
      this.sharedWeights = packLayers(this.layers);
      // The worker next to this file: worker.ts under tsx (workers inherit
      // --import tsx from execArgv), worker.js once compiled.
      const filename = join(__dirname, `worker${extname(__filename)}`);
      this.pool = new Piscina({ filename, minThreads: this.workers, maxThreads: this.workers, idleTimeout: 30_000 });
    }
    return this.pool;
  }

  /** The checkpoint as zip `.pth` bytes (readable by `torch.load` and by `Catalyzer.load`). */
  toCheckpoint(): Uint8Array {
    return writeCheckpoint({ state_dict: this.stateDict, args: this.args, epoch: this.extra.epoch, logs: this.extra.logs });
  }

  /** Ends the worker threads and frees the weights. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.forward.dispose();
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.destroy();
  }
}
