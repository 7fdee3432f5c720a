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
import * as native from '../src/lattice/zn-native';
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

/**
 * Best of `reps` runs of fn: wall seconds and CPU seconds of the process (user +
 * system, all threads). On a shared, loaded machine the CPU figure of a
 * one-thread run is the steadier measure of the kernel itself.
 */
function time(fn: () => void, reps = 3): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

function rate(count: number, seconds: number): string {
  return `${Math.round(count / seconds).toLocaleString('en-US')} vectors/s`;
}

/** Faiss ZnSphereCodec on one thread, in a Python child; null when unavailable. */
interface FaissRates {
  encode: number;
  decode: number;
  encodeCpu: number;
  decodeCpu: number;
  version: string;
}
function faiss(x: Float32Array): FaissRates | null {
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
    w, c = 1e9, 1e9
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        w, c = min(w, time.perf_counter() - t0), min(c, time.process_time() - c0)
    return w, c
ew, ec = best(lambda: codec.encode_multi(n, faiss.swig_ptr(x), faiss.swig_ptr(codes)))
dw, dc = best(lambda: codec.decode_multi(n, faiss.swig_ptr(codes), faiss.swig_ptr(out)))
print(json.dumps({"encode": n / ew, "decode": n / dw, "encodeCpu": n / ec, "decodeCpu": n / dc, "version": faiss.__version__}))
`;
  try {
    const r = spawnSync(python, ['-c', script, file], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (r.status !== 0) return null;
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as FaissRates;
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
  let refCodes: Uint8Array = new Uint8Array(0);
  const tsEnc = time(() => (refCodes = codec.quantizeEncodeBatch(xs)), 1);
  const tsDec = time(() => codec.decodeBatch(refCodes), 1);

  let codes: Uint8Array = new Uint8Array(0);
  const out = new Float32Array(n * dim);
  const enc1 = time(() => (codes = native.quantizeEncode(dim, r2, x, 1)));
  const enc2 = time(() => native.quantizeEncode(dim, r2, x, 2));
  const dec1 = time(() => native.decode(dim, r2, codes, 'float32', 1, out));
  const dec2 = time(() => native.decode(dim, r2, codes, 'float32', 2, out));
  const decNew1 = time(() => native.decode(dim, r2, codes, 'float32', 1));
  const decInt1 = time(() => native.decode(dim, r2, codes, 'int8', 1));
  const same = Buffer.from(codes.subarray(0, refN * codec.codeBytes)).equals(Buffer.from(refCodes));

  const rows: [string, number, { wall: number; cpu: number }, { wall: number; cpu: number }][] = [
    // label, vectors, time, baseline time (TS reference, refN vectors)
    ['quantize+encode  TS reference', refN, tsEnc, tsEnc],
    ['quantize+encode  native 1 thread', n, enc1, tsEnc],
    ['quantize+encode  native 2 threads', n, enc2, tsEnc],
    ['decode float32   TS reference', refN, tsDec, tsDec],
    ['decode float32   native 1 thread', n, dec1, tsDec],
    ['decode float32   native 2 threads', n, dec2, tsDec],
    ['decode float32   native 1 thread, new array', n, decNew1, tsDec],
    ['decode int8      native 1 thread, new array', n, decInt1, tsDec],
  ];
  console.log(`${''.padEnd(44)} ${'wall'.padStart(22)} ${'per CPU-second'.padStart(24)}   ratio vs TS (wall)`);
  for (const [label, count, t, base] of rows) {
    const ratio = count / t.wall / (refN / base.wall);
    console.log(`${label.padEnd(44)} ${rate(count, t.wall).padStart(22)} ${rate(count, t.cpu).padStart(24)}   ×${ratio.toFixed(1)}`);
  }
  console.log(`native codes equal the TS reference on the subset: ${same}`);

  const isas = (['scalar', 'avx2', 'avx512'] as Isa[]).filter((i) => i !== activeIsa());
  const saved = activeIsa();
  for (const isa of isas) {
    if (!setIsa(isa)) continue;
    const t = time(() => native.quantizeEncode(dim, r2, x, 1), 1);
    console.log(`quantize+encode  native 1 thread, isa=${isa.padEnd(6)} ${rate(n, t.wall).padStart(22)} ${rate(n, t.cpu).padStart(24)}   ×${(enc1.cpu / t.cpu).toFixed(2)} of ${saved} (CPU)`);
    const u = time(() => native.decode(dim, r2, codes, 'float32', 1, out), 1);
    console.log(`decode float32   native 1 thread, isa=${isa.padEnd(6)} ${rate(n, u.wall).padStart(22)} ${rate(n, u.cpu).padStart(24)}   ×${(dec1.cpu / u.cpu).toFixed(2)} of ${saved} (CPU)`);
  }
  setIsa(saved);

  const f = faiss(x);
  if (f) {
    console.log(`Faiss ${f.version} ZnSphereCodec 1 thread (same vectors), wall: encode ${rate(1, 1 / f.encode)}, decode ${rate(1, 1 / f.decode)}`);
    console.log(`Faiss ${f.version} ZnSphereCodec 1 thread (same vectors), per CPU-second: encode ${rate(1, 1 / f.encodeCpu)}, decode ${rate(1, 1 / f.decodeCpu)}`);
    console.log(`native 1 thread / Faiss 1 thread, wall: encode ×${(n / enc1.wall / f.encode).toFixed(2)}, decode ×${(n / dec1.wall / f.decode).toFixed(2)}`);
    console.log(`native 1 thread / Faiss 1 thread, CPU:  encode ×${(n / enc1.cpu / f.encodeCpu).toFixed(2)}, decode ×${(n / dec1.cpu / f.decodeCpu).toFixed(2)}`);
  } else {
    console.log('Faiss (python3-faiss) not found: reference figures 290,000 encode / 1,960,000 decode vectors/s on one thread');
    console.log(`native 1 thread (CPU) / Faiss reference: encode ×${(n / enc1.cpu / 290_000).toFixed(2)}, decode ×${(n / dec1.cpu / 1_960_000).toFixed(2)}`);
  }
}

main();
