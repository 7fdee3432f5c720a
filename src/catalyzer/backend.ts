/**
 * The one place that picks the catalyzer's encoder (the backend of its forward pass).
 *
 * Automatic choice: `@tensorflow/tfjs-node-gpu` when that optional package is
 * installed, a CUDA device is visible and it loads; otherwise `native`, the addon's
 * C++ forward pass (packed AVX-512 / AVX2 / NEON GEMM, fused bias + ReLU, off the
 * main thread), which is the fastest CPU encoder measured here (docs/BENCHMARKS.md)
 * and needs nothing beyond the addon.
 *
 * TensorFlow.js is not a dependency of spreadvec: `@tensorflow/tfjs`,
 * `@tensorflow/tfjs-backend-wasm`, `@tensorflow/tfjs-node` and
 * `@tensorflow/tfjs-node-gpu` are optional peers, loaded only here and only when
 * chosen, so that importing spreadvec loads none of them.
 * `SPREADVEC_BACKEND=gpu|node|wasm|cpu|native` forces one (an error that says
 * what to install if it cannot load).
 */
import { existsSync } from 'node:fs';
import type * as TF from '@tensorflow/tfjs-core';
import type { BackendName } from './backend-name';

export type { BackendName } from './backend-name';
export type Tf = typeof TF;

export interface Backend {
  name: BackendName;
  /** The TensorFlow.js namespace; absent for the `native` backend. */
  tf?: Tf;
  /** True for CPU backends, whose large batches are worth splitting across threads. */
  cpu: boolean;
  /** Why this backend runs (for `spreadvec info`), e.g. "SPREADVEC_BACKEND=wasm". */
  reason: string;
}

const ALIASES: Record<string, BackendName> = {
  gpu: 'tfjs-node-gpu',
  'tfjs-node-gpu': 'tfjs-node-gpu',
  node: 'tfjs-node',
  'tfjs-node': 'tfjs-node',
  tensorflow: 'tfjs-node',
  wasm: 'wasm',
  cpu: 'cpu',
  native: 'native',
};

/** The npm packages each TensorFlow.js backend needs (all optional peers of spreadvec). */
const PACKAGES: Record<Exclude<BackendName, 'native'>, string[]> = {
  'tfjs-node-gpu': ['@tensorflow/tfjs-node-gpu'],
  'tfjs-node': ['@tensorflow/tfjs-node'],
  wasm: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
  cpu: ['@tensorflow/tfjs'],
};

/** Parses SPREADVEC_BACKEND (or another value); undefined means automatic. */
function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '' || value === 'auto') return undefined;
  const name = ALIASES[value.toLowerCase()];
  if (!name) throw new RangeError(`SPREADVEC_BACKEND must be one of auto, gpu, node, wasm, cpu, native; got '${value}'`);
  return name;
}

function cudaDevicePresent(): boolean {
  return process.env.CUDA_VISIBLE_DEVICES !== '' && process.env.CUDA_VISIBLE_DEVICES !== '-1' && existsSync('/dev/nvidia0');
}

// Indirect require so that bundlers/tsc do not try to resolve optional packages.
const optionalRequire = (id: string): unknown => require(id);

/** Thrown when a backend's npm package is not installed: says what to install. */
class MissingPackageError extends Error {}

/** Requires each of `ids` (the last one's exports are returned), naming the missing one clearly. */
function requirePackages(ids: string[]): unknown {
  let mod: unknown;
  for (const id of ids) {
    try {
      mod = optionalRequire(id);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${id}'`)) {
        throw new MissingPackageError(`${id} is not installed (npm install ${ids.join(' ')})`);
      }
      throw err;
    }
  }
  return mod;
}

async function tryLoad(name: BackendName, reason: string): Promise<Backend> {
  switch (name) {
    case 'tfjs-node-gpu': {
      if (!cudaDevicePresent()) throw new Error('no CUDA device (/dev/nvidia0) is visible');
      const tf = requirePackages(PACKAGES[name]) as Tf;
      await tf.ready();
      return { name, tf, cpu: false, reason };
    }
    case 'tfjs-node': {
      const tf = requirePackages(PACKAGES[name]) as Tf;
      await tf.ready();
      return { name, tf, cpu: true, reason };
    }
    case 'wasm': {
      requirePackages(PACKAGES.wasm);
      const tf = optionalRequire('@tensorflow/tfjs') as Tf;
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
      return { name, tf, cpu: true, reason };
    }
    case 'cpu': {
      const tf = requirePackages(PACKAGES.cpu) as Tf;
      if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") failed');
      return { name, tf, cpu: true, reason };
    }
    case 'native': {
      // Loads the addon (throws if none fits this platform) and checks it on a 1→2 layer: (3, 4) / 5.
      const { NativeMlp } = require('../kernels/forward-native') as typeof import('../kernels/forward-native');
      const y = new NativeMlp([{ din: 1, dout: 2, w: new Float32Array([3, 4]), b: new Float32Array(2), relu: false }]).runSync(new Float32Array([1]));
      if (Math.abs(y[0] - 0.6) > 1e-6 || Math.abs(y[1] - 0.8) > 1e-6) throw new Error('the native forward pass gave a wrong result');
      return { name, cpu: true, reason };
    }
  }
}

/** Packages npm can resolve from here (no code is loaded). */
function resolvable(id: string): boolean {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

let chosen: Promise<Backend> | undefined;
const skipped: string[] = [];

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function choose(want: BackendName | undefined): Promise<Backend> {
  if (want) {
    try {
      return await tryLoad(want, `SPREADVEC_BACKEND or the backend option asks for ${want}`);
    } catch (err) {
      throw new Error(`backend ${want} cannot be used: ${firstLine(err)}`);
    }
  }
  // The GPU is worth TensorFlow.js; on CPU the native pass is faster than every tfjs backend.
  const gpu = PACKAGES['tfjs-node-gpu'][0];
  if (!resolvable(gpu)) skipped.push(`tfjs-node-gpu: ${gpu} is not installed`);
  else {
    try {
      return await tryLoad('tfjs-node-gpu', 'automatic: @tensorflow/tfjs-node-gpu loads and a CUDA device is visible');
    } catch (err) {
      skipped.push(`tfjs-node-gpu: ${firstLine(err)}`);
    }
  }
  try {
    return await tryLoad('native', `automatic: the default CPU encoder (${skipped.join('; ')})`);
  } catch (err) {
    skipped.push(`native: ${firstLine(err)}`);
  }
  throw new Error(`no encoder backend loads (${skipped.join('; ')})`);
}

/**
 * Loads (once per thread) and returns the backend: the forced one if `forced` or
 * SPREADVEC_BACKEND names one, else the automatic choice described above.
 */
export function getBackend(forced?: BackendName): Promise<Backend> {
  const want = forced ?? parseBackendName(process.env.SPREADVEC_BACKEND);
  if (chosen) {
    return chosen.then((b) => {
      if (want && b.name !== want) throw new Error(`backend ${b.name} is already loaded in this thread; cannot switch to ${want}`);
      return b;
    });
  }
  chosen = choose(want);
  chosen.catch(() => {
    chosen = undefined;
  });
  return chosen;
}
