/**
 * Loads the C++ addon with node-gyp-build: a local build (build/Release, made by
 * `node-gyp rebuild` in a clone) wins, else the prebuilt binary that the npm package
 * ships for this platform (prebuilds/<platform>-<arch>/, see native/prebuilds.js).
 * `npm install` compiles only where neither fits. RawAddon below types every raw
 * export; each kernel module wraps the ones it needs (codec-native.ts,
 * scan-native.ts, ...) and this file only finds the binary.
 *
 * Every asynchronous kernel (a Promise-returning export) copies its input arrays
 * before it leaves the JS thread, unless they live in a SharedArrayBuffer, which it
 * reads in place: callers may detach, transfer or reuse plain buffers at once, and
 * outputs appear only when the promise resolves (native/napi_args.h, InputView).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';

type F32 = Float32Array;
type Decoded = Int8Array | Float32Array;

/** The addon's native catalyzer trainer (native/mlp_binding.cc); wrapped by NativeMlpTrainer. */
export interface RawMlpTrainer {
  getParam(name: string): F32;
  setParam(name: string, value: F32): void;
  getNumBatchesTracked(): [number, number];
  setNumBatchesTracked(first: number, second: number): void;
  resetMomentum(): void;
  setStraightThrough(r2: number): void;
  setThreads(threads?: number): void;
  recomputeBatchnorm(x: F32, order: Int32Array, batchSize: number): Promise<undefined>;
  step(x: F32, anchors: Int32Array, positives: Int32Array, negatives: Int32Array, lr: number, momentum: number, lambda: number): RawStepStats;
  trainBatches(
    x: F32, anchors: Int32Array, positives: Int32Array, negatives: Int32Array,
    batchSize: number, lr: number, momentum: number, lambda: number,
  ): Promise<RawStepStats & { batches: number }>;
  forwardEval(x: F32, threads?: number): Promise<F32>;
  forwardEvalSync(x: F32, threads?: number): F32;
}

/** The addon's packed forward pass (native/mlp_forward_binding.cc); wrapped by NativeMlp. */
export interface RawNativeMlp {
  readonly din: number;
  readonly dout: number;
  run(x: F32 | Uint8Array, threads?: number): Promise<F32>;
  runSync(x: F32 | Uint8Array, threads?: number): F32;
}

/** Loss terms the native trainer reports. */
export interface RawStepStats {
  loss: number;
  triplet: number;
  uniform: number;
  offending: number;
}

/**
 * Every export of the addon (native/addon.cc) with its signature. The wrapper
 * modules (codec-native.ts, scan-native.ts, …) are the only callers; the glue
 * validates each argument and throws TypeError/RangeError naming it. `threads`
 * 0 or undefined: SPREADVEC_THREADS or all cores.
 */
export interface RawAddon {
  activeIsa(): string;
  detectedIsa(): string;
  setIsa(isa: string): boolean;

  // Spherical Zn codec (native/zn_codec*.cc); nv as a decimal string.
  znInfo(dim: number, r2: number): { nv: string; nbit: number; codeBytes: number; natom: number };
  znQuantizeEncode(dim: number, r2: number, x: F32, threads: number): Uint8Array;
  znQuantizeEncodeAsync(dim: number, r2: number, x: F32, threads: number): Promise<Uint8Array>;
  znQuantize(dim: number, r2: number, x: F32): Int32Array;
  znEncode(dim: number, r2: number, z: Int32Array): Uint8Array;
  znDecode(dim: number, r2: number, codes: Uint8Array, as: 'int8' | 'float32', threads: number, out?: Decoded): Decoded;
  znDecodeAsync(dim: number, r2: number, codes: Uint8Array, as: 'int8' | 'float32', threads: number, out?: Decoded): Promise<Decoded>;

  // Decode-and-scan search (native/decode_scan.h).
  decodeScan(
    codes: Uint8Array, n: number, removed: Uint8Array | null, dim: number, r2: number, queries: F32, k: number, threads?: number,
    ranges?: Int32Array, rangeOffsets?: Int32Array, decoded?: Int8Array,
  ): Promise<{ slots: Int32Array; distances: F32; tieSlots: Int32Array; tieOffsets: Int32Array }>;
  decodeScanSync(
    codes: Uint8Array, n: number, removed: Uint8Array | null, dim: number, r2: number, queries: F32, k: number, threads?: number,
    ranges?: Int32Array, rangeOffsets?: Int32Array, decoded?: Int8Array,
  ): { slots: Int32Array; distances: F32; tieSlots: Int32Array; tieOffsets: Int32Array };

  // Flat exact scan of raw vectors (native/flat_scan.h): same result shape as decodeScan.
  flatScan(
    base: F32, n: number, removed: Uint8Array | null, dim: number, queries: F32, k: number, metric: string, threads?: number,
  ): Promise<{ slots: Int32Array; distances: F32; tieSlots: Int32Array; tieOffsets: Int32Array }>;
  flatScanSync(
    base: F32, n: number, removed: Uint8Array | null, dim: number, queries: F32, k: number, metric: string, threads?: number,
  ): { slots: Int32Array; distances: F32; tieSlots: Int32Array; tieOffsets: Int32Array };

  // SGEMM (native/gemm.cc) and the catalyzer trainer (native/mlp.cc).
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: F32, lda: number, b: F32, ldb: number, beta: number, c: F32, ldc: number, threads?: number,
  ): void;
  sgemmReference(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: F32, lda: number, b: F32, ldb: number, beta: number, c: F32, ldc: number,
  ): void;
  tripletKoleoLoss(f: F32, n: number, d: number, lambda: number): RawStepStats & { grad: F32 };
  knnL2(queries: F32, base: F32, d: number, k: number, threads?: number): Promise<Int32Array>;
  MlpTrainer: new (din: number, dint: number, dout: number) => RawMlpTrainer;
  NativeMlp: new (layers: readonly { din: number; dout: number; w: F32; b: F32; relu: boolean }[]) => RawNativeMlp;

  // k-means and product quantization (native/kmeans.cc, native/pq.cc).
  kmeansTrain(x: F32, d: number, k: number, niter: number, seed: number, init: string | F32, threads?: number, spherical?: boolean): Promise<{ centroids: F32; objective: Float64Array }>;
  kmeansAssign(x: F32, d: number, centroids: F32, threads?: number): { assign: Int32Array; dist2: F32 };
  pqEncode(x: F32, d: number, M: number, codebooks: F32, threads?: number): Promise<Uint8Array>;
  pqEncodeSync(x: F32, d: number, M: number, codebooks: F32, threads?: number): Uint8Array;
  pqDecode(codes: Uint8Array, d: number, M: number, codebooks: F32): F32;
  pqComputeLuts(queries: F32, d: number, M: number, codebooks: F32, threads?: number): F32;
  pqAdcSearch(luts: F32, M: number, codes: Uint8Array, k: number, threads?: number): Promise<{ ids: Int32Array; distances: F32 }>;
  pqAdcSearchSync(luts: F32, M: number, codes: Uint8Array, k: number, threads?: number): { ids: Int32Array; distances: F32 };
  pqMatmul(a: F32, b: F32, m: number, n: number, kdim: number, transB: boolean): Promise<F32>;

  // Exact k-NN (native/knn.cc): [indices, distances].
  knnSearch(queries: F32, base: F32, dim: number, k: number, metric: string, threads: number): Promise<[Int32Array, F32]>;
  knnSearchSync(queries: F32, base: F32, dim: number, k: number, metric: string, threads: number): [Int32Array, F32];
}

/** node-gyp-build's loader (the package ships no types). */
interface NodeGypBuild {
  (dir: string): RawAddon;
  /** The path of the binary that `load(dir)` would require; throws if none fits. */
  resolve(dir: string): string;
}

let cached: RawAddon | undefined;
let cachedPath: string | undefined;

function packageRoot(): string {
  // Works from src/kernels (tsx) and dist/src/kernels (compiled).
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`spreadvec: cannot find the package root above ${__dirname}`);
}

/** The addon's exports; throws an Error that says how to build it if none fits this platform. */
export function addon(): RawAddon {
  if (cached) return cached;
  const root = packageRoot();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = require('node-gyp-build') as NodeGypBuild;
  let found: string;
  try {
    found = load.resolve(root);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`spreadvec: the native addon is missing (${why}); run \`npx node-gyp rebuild\` in ${root} (needs a C++17 compiler, make and python3)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached = require(found) as RawAddon;
  cachedPath = found;
  return cached;
}

/**
 * Where the loaded addon comes from: the absolute path of the `.node` file, and
 * whether it is a binary prebuilt into the package or a local build.
 */
export function addonOrigin(): { path: string; prebuilt: boolean } {
  addon();
  const p = cachedPath!;
  return { path: p, prebuilt: p.split(path.sep).includes('prebuilds') };
}

/** SIMD instruction sets the kernels are compiled for. */
export type Isa = 'scalar' | 'neon' | 'avx2' | 'avx512';

/** The instruction set the native kernels use now. */
export function activeIsa(): Isa {
  return addon().activeIsa() as Isa;
}

/** The best instruction set this CPU supports (and this build contains). */
export function detectedIsa(): Isa {
  return addon().detectedIsa() as Isa;
}

/**
 * Force the kernels to a lower instruction set (tests compare each variant with
 * the TS reference). Returns false when the CPU cannot run `isa`.
 * `SPREADVEC_ISA=scalar|avx2|avx512|neon` does the same at start-up.
 */
export function setIsa(isa: Isa): boolean {
  return addon().setIsa(isa) as boolean;
}
