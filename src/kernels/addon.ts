/**
 * Loads the C++ addon with node-gyp-build: a local build (build/Release, made by
 * `node-gyp rebuild` in a clone) wins, else the prebuilt binary that the npm package
 * ships for this platform (prebuilds/<platform>-<arch>/, see native/prebuilds.js).
 * `npm install` compiles only where neither fits. Each kernel module wraps the raw
 * functions it needs with precise types (codec-native.ts, scan-native.ts, ...);
 * this file only finds the binary.
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
