/**
 * Loads the compiled C++ addon (built by node-gyp during `npm install`).
 * Each kernel module wraps the raw functions it needs with precise types
 * (see codec-native.ts, scan-native.ts, ...); this file only finds the binary.
 *
 * Every asynchronous kernel (a Promise-returning export) copies its input arrays
 * before it leaves the JS thread, unless they live in a SharedArrayBuffer, which it
 * reads in place: callers may detach, transfer or reuse plain buffers at once, and
 * outputs appear only when the promise resolves (native/napi_args.h, InputView).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';

/** Raw addon exports: typed by the wrapper modules that use them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawAddon = Record<string, any>;

let cached: RawAddon | undefined;

function packageRoot(): string {
  // Works from src/kernels (tsx) and dist/src/kernels (compiled).
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'binding.gyp'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`spreadvec: cannot find the package root above ${__dirname}`);
}

/** The addon's exports; throws an Error that says how to build it if it is missing. */
export function addon(): RawAddon {
  if (cached) return cached;
  const root = packageRoot();
  const candidates = ['build/Release/spreadvec.node', 'build/Debug/spreadvec.node'].map((p) => path.join(root, p));
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `spreadvec: the native addon is not built (looked for ${candidates.join(', ')}); run \`npm install\` or \`npx node-gyp rebuild\``,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached = require(found) as RawAddon;
  return cached;
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
