/**
 * The one place that picks the TensorFlow.js backend. Order of preference:
 * `@tensorflow/tfjs-node-gpu` when a CUDA GPU is usable, `@tensorflow/tfjs-node`,
 * then `@tensorflow/tfjs` with the wasm backend, then its pure-JS cpu backend. The
 * first two are optional dependencies whose install fails offline: their absence is
 * normal. `SPREADVEC_BACKEND=gpu|node|wasm|cpu|native` forces one (an error if it
 * cannot load). `native` is opt-in and not TensorFlow.js: the folded layers run
 * through the project's own AVX-512/AVX2 `sgemm` (src/kernels/mlp-native), several
 * times faster than wasm on x86-64 (docs/BENCHMARKS.md).
 */
import { existsSync } from 'node:fs';
import type * as TF from '@tensorflow/tfjs-core';

export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu' | 'native';
export type Tf = typeof TF;

export interface Backend {
  name: BackendName;
  /** The TensorFlow.js namespace; absent for the `native` backend. */
  tf?: Tf;
  /** True for CPU backends, whose large batches are worth splitting across workers. */
  cpu: boolean;
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

/** Parses SPREADVEC_BACKEND (or another value); undefined means automatic. */
export function parseBackendName(value: string | undefined): BackendName | undefined {
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

async function tryLoad(name: BackendName): Promise<Backend> {
  switch (name) {
    case 'tfjs-node-gpu': {
      if (!cudaDevicePresent()) throw new Error('no CUDA device (/dev/nvidia0) is visible');
      const tf = optionalRequire('@tensorflow/tfjs-node-gpu') as Tf;
      await tf.ready();
      return { name, tf, cpu: false };
    }
    case 'tfjs-node': {
      const tf = optionalRequire('@tensorflow/tfjs-node') as Tf;
      await tf.ready();
      return { name, tf, cpu: true };
    }
    case 'wasm': {
      const tf = require('@tensorflow/tfjs') as Tf;
      require('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
      return { name, tf, cpu: true };
    }
    case 'cpu': {
      const tf = require('@tensorflow/tfjs') as Tf;
      if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") failed');
      return { name, tf, cpu: true };
    }
    case 'native': {
      // Loads the addon (throws if it is not built) and checks sgemm on a 1×1 product.
      const { sgemm } = require('../kernels/mlp-native') as typeof import('../kernels/mlp-native');
      const c = new Float32Array(1);
      sgemm(false, false, 1, 1, 1, 1, new Float32Array([2]), 1, new Float32Array([3]), 1, 0, c, 1);
      if (c[0] !== 6) throw new Error('native sgemm gave a wrong result');
      return { name, cpu: true };
    }
  }
}

const AUTO_ORDER: BackendName[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
let chosen: Promise<Backend> | undefined;
const skipped: string[] = [];

/**
 * Loads (once per thread) and returns the backend: the forced one if `forced` or
 * SPREADVEC_BACKEND names one, else the best that loads.
 */
export function getBackend(forced?: BackendName): Promise<Backend> {
  const want = forced ?? parseBackendName(process.env.SPREADVEC_BACKEND);
  if (chosen) {
    return chosen.then((b) => {
      if (want && b.name !== want) throw new Error(`backend ${b.name} is already loaded in this thread; cannot switch to ${want}`);
      return b;
    });
  }
  chosen = (async () => {
    if (want) {
      try {
        return await tryLoad(want);
      } catch (err) {
        throw new Error(`backend ${want} cannot be used: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
    for (const name of AUTO_ORDER) {
      try {
        return await tryLoad(name);
      } catch (err) {
        skipped.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
    throw new Error(`no TensorFlow.js backend loads (${skipped.join('; ')})`);
  })();
  chosen.catch(() => {
    chosen = undefined;
  });
  return chosen;
}

/** Why each better backend was passed over in automatic selection (for `spreadvec info`). */
export function skippedBackends(): readonly string[] {
  return skipped;
}
