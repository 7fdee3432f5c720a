/**
 * Zn codec throughput at d=24, r2=79 (64-bit codes) on random unit vectors:
 * quantize+encode and decode, native on 1 and 2 threads against the TS reference
 * (on a subset) and, when /usr/bin/python3 has faiss, Faiss's ZnSphereCodec on one
 * thread measured in the same run. Prints vectors/s and the ratios.
 *
 *   npx tsx bench/codec.ts [n=1000000] [dim=24] [r2=79]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ZnCodec } from '../src/lattice/zn-codec';
import * as native from '../src/kernels/codec-native';
import { activeIsa, setIsa, type Isa } from '../src/kernels/addon';

const n = Number(process.argv[2] ?? 1_000_000);
const dim = Number(process.argv[3] ?? 24);
const r2 = Number(process.argv[4] ?? 79);
const refN = Math.min(n, 20_000);

/** Deterministic random unit vectors (xorshift + Box-Muller). */
function unitVectors(count: number, d: number, seed = 12345): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const x = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const g = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      x[i * d + j] = g;
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) x[i * d + j] /= norm;
  }
  return x;
}

/** Best of `reps` runs of fn, in seconds. */
function time(fn: () => void, reps = 3): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

function rate(count: number, seconds: number): string {
  return `${Math.round(count / seconds).toLocaleString('en-US')} vectors/s`;
}

/** Faiss ZnSphereCodec on one thread, in a Python child; null when unavailable. */
function faiss(x: Float32Array): { encode: number; decode: number; version: string } | null {
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python)) return null;
  const file = path.join(os.tmpdir(), `spreadvec-bench-codec-${process.pid}.f32`);
  fs.writeFileSync(file, x);
  const script = `
import sys, time, json
import numpy as np
import faiss
faiss.omp_set_num_threads(1)
d, r2 = ${dim}, ${r2}
x = np.fromfile(sys.argv[1], dtype='float32').reshape(-1, d)
n = x.shape[0]
codec = faiss.ZnSphereCodec(d, r2)
codes = np.empty(n, dtype='uint64')
out = np.empty_like(x)
def best(fn, reps=3):
    b = 1e9
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); b = min(b, time.perf_counter() - t0)
    return b
te = best(lambda: codec.encode_multi(n, faiss.swig_ptr(x), faiss.swig_ptr(codes)))
td = best(lambda: codec.decode_multi(n, faiss.swig_ptr(codes), faiss.swig_ptr(out)))
print(json.dumps({"encode": n / te, "decode": n / td, "version": faiss.__version__}))
`;
  try {
    const r = spawnSync(python, ['-c', script, file], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (r.status !== 0) return null;
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { encode: number; decode: number; version: string };
  } catch {
    return null;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function main(): void {
  const codec = new ZnCodec(dim, r2);
  console.log(`Zn codec bench: d=${dim} r2=${r2} nv=${codec.nv} nbit=${codec.nbit} codeBytes=${codec.codeBytes}`);
  console.log(`${n.toLocaleString('en-US')} random unit vectors; TS reference on ${refN.toLocaleString('en-US')}; isa=${activeIsa()}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
  const x = unitVectors(n, dim);
  const xs = x.subarray(0, refN * dim);

  // TS reference (the baseline of the ratios).
  let refCodes = new Uint8Array(0);
  const tsEnc = time(() => (refCodes = codec.quantizeEncodeBatch(xs)), 1);
  const tsDec = time(() => codec.decodeBatch(refCodes), 1);

  let codes = new Uint8Array(0);
  const enc1 = time(() => (codes = native.quantizeEncode(dim, r2, x, 1)));
  const enc2 = time(() => native.quantizeEncode(dim, r2, x, 2));
  const dec1 = time(() => native.decode(dim, r2, codes, 'float32', 1));
  const dec2 = time(() => native.decode(dim, r2, codes, 'float32', 2));
  const decInt1 = time(() => native.decode(dim, r2, codes, 'int8', 1));
  const same = Buffer.from(codes.subarray(0, refN * codec.codeBytes)).equals(Buffer.from(refCodes));

  const rows: [string, number, number, number][] = [
    // label, vectors, seconds, baseline rate
    ['quantize+encode  TS reference', refN, tsEnc, refN / tsEnc],
    ['quantize+encode  native 1 thread', n, enc1, refN / tsEnc],
    ['quantize+encode  native 2 threads', n, enc2, refN / tsEnc],
    ['decode float32   TS reference', refN, tsDec, refN / tsDec],
    ['decode float32   native 1 thread', n, dec1, refN / tsDec],
    ['decode float32   native 2 threads', n, dec2, refN / tsDec],
    ['decode int8      native 1 thread', n, decInt1, refN / tsDec],
  ];
  for (const [label, count, seconds, base] of rows) {
    console.log(`${label.padEnd(36)} ${rate(count, seconds).padStart(22)}   ×${(count / seconds / base).toFixed(1)} vs TS`);
  }
  console.log(`native codes equal the TS reference on the subset: ${same}`);

  const isas = (['scalar', 'avx2', 'avx512'] as Isa[]).filter((i) => i !== activeIsa());
  const saved = activeIsa();
  for (const isa of isas) {
    if (!setIsa(isa)) continue;
    const t = time(() => native.quantizeEncode(dim, r2, x, 1), 1);
    console.log(`quantize+encode  native 1 thread, isa=${isa.padEnd(6)} ${rate(n, t).padStart(14)}   ×${(enc1 / t).toFixed(2)} vs ${saved}`);
  }
  setIsa(saved);

  const f = faiss(x);
  if (f) {
    console.log(`Faiss ${f.version} ZnSphereCodec 1 thread (same vectors): encode ${rate(1, 1 / f.encode)}, decode ${rate(1, 1 / f.decode)}`);
    console.log(`native 1 thread / Faiss 1 thread: encode ×${(n / enc1 / f.encode).toFixed(2)}, decode ×${(n / dec1 / f.decode).toFixed(2)}`);
  } else {
    console.log('Faiss (python3-faiss) not found: reference figures 290,000 encode / 1,960,000 decode vectors/s on one thread');
    console.log(`native 1 thread / Faiss reference: encode ×${(n / enc1 / 290_000).toFixed(2)}, decode ×${(n / dec1 / 1_960_000).toFixed(2)}`);
  }
}

main();
